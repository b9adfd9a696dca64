// Texts a large build must write once it has passed (new specs' canonical texts, cached analyses), kept in an unlinked
// temporary file between validation and the write instead of in memory: at 100k files they are ~150 MB that V8 would
// otherwise hold, and grow its heap by a multiple of, until the last batch (docs/performance.md).
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanonicalObject, Digest } from '../core/digest.js';
import { digestText } from '../core/digest.js';
import { SpecError } from '../errors.js';

/** Bytes gathered before each write to the file, and read from it at a time when texts are read back in order. */
const chunkBytes = 1024 * 1024;

/**
 * An append-only file of UTF-8 texts, read back by position. The file is removed from its folder as soon as it is
 * open, so nothing is left behind however the process ends (where the platform refuses that, `close` removes it).
 * Texts are read back in the order they were added, a chunk at a time; any order works.
 */
export class StagingFile {
  private readonly fd: number;
  private readonly path: string;
  private linked: boolean;
  /** Bytes in the file, and bytes added since, not yet written to it. */
  private flushed = 0;
  private readonly pending = Buffer.allocUnsafe(chunkBytes);
  private pendingBytes = 0;
  /** The chunk last read: where it starts in the file and how many bytes it holds. */
  private readonly window = Buffer.allocUnsafe(chunkBytes);
  private windowStart = 0;
  private windowBytes = 0;
  private closed = false;

  /** Throws (a Node error) when the temporary folder cannot hold the file: the build then keeps the texts in memory. */
  constructor() {
    // A new name (`wx`: never an existing file), unlinked at once: a process killed in between leaves only this file.
    this.path = join(tmpdir(), `specstore-staging-${randomUUID()}`);
    this.fd = openSync(this.path, 'wx+', 0o600);
    try {
      unlinkSync(this.path);
      this.linked = false;
    } catch {
      this.linked = true; // an open file cannot be unlinked here (Windows): close() removes it
    }
  }

  /** Adds a text; what it returns reads it back. */
  add(text: string): StagedText {
    this.assertOpen();
    const bytes = Buffer.byteLength(text);
    const at = this.flushed + this.pendingBytes;
    if (bytes > chunkBytes) {
      this.flush();
      this.writeAll(Buffer.from(text));
      this.flushed += bytes;
    } else {
      if (this.pendingBytes + bytes > chunkBytes) this.flush();
      this.pending.write(text, this.pendingBytes);
      this.pendingBytes += bytes;
    }
    return new StagedText(this, at, bytes);
  }

  /** The text of `bytes` bytes at `at` (as `add` returned it). */
  read(at: number, bytes: number): string {
    this.assertOpen();
    if (at + bytes > this.flushed) this.flush();
    if (at < this.windowStart || at + bytes > this.windowStart + this.windowBytes) {
      if (bytes > chunkBytes) return this.readExactly(Buffer.allocUnsafe(bytes), at).toString('utf8');
      this.windowStart = at;
      this.windowBytes = this.readUpTo(this.window, at, Math.min(chunkBytes, this.flushed - at));
      if (this.windowBytes < bytes) throw stagingFailed(`${bytes} bytes at ${at} read back as ${this.windowBytes}`);
    }
    const start = at - this.windowStart;
    return this.window.toString('utf8', start, start + bytes);
  }

  /** Closes (and so deletes) the file; the texts cannot be read after. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    if (this.linked) rmSync(this.path, { force: true });
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    this.writeAll(this.pending.subarray(0, this.pendingBytes));
    this.flushed += this.pendingBytes;
    this.pendingBytes = 0;
  }

  private writeAll(buffer: Buffer): void {
    try {
      for (let done = 0; done < buffer.length;)
        done += writeSync(this.fd, buffer, done, buffer.length - done, this.flushed + done);
    } catch (cause) {
      throw stagingFailed(`writing it failed: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`);
    }
  }

  private readUpTo(buffer: Buffer, at: number, length: number): number {
    let done = 0;
    try {
      while (done < length) {
        const read = readSync(this.fd, buffer, done, length - done, at + done);
        if (read === 0) break;
        done += read;
      }
    } catch (cause) {
      throw stagingFailed(`reading it back failed: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`);
    }
    return done;
  }

  private readExactly(buffer: Buffer, at: number): Buffer {
    const read = this.readUpTo(buffer, at, buffer.length);
    if (read < buffer.length) throw stagingFailed(`${buffer.length} bytes at ${at} read back as ${read}`);
    return buffer;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('StagingFile: used after close()');
  }
}

/** A text in a staging file. */
export class StagedText {
  constructor(
    private readonly file: StagingFile,
    private readonly at: number,
    /** Its UTF-8 length. */
    readonly byteLength: number,
  ) {}

  get text(): string {
    return this.file.read(this.at, this.byteLength);
  }
}

/** A spec object whose text is staged: read back and checked against its digest when the write takes it. */
export class StagedObject implements CanonicalObject {
  constructor(
    readonly digest: Digest,
    private readonly staged: StagedText,
  ) {}

  get byteLength(): number {
    return this.staged.byteLength;
  }

  get text(): string {
    const text = this.staged.text;
    if (digestText(text) !== this.digest) throw stagingFailed(`the text staged for ${this.digest} does not hash to it`);
    return text;
  }
}

/** The text of a value that is a string or staged. */
export function textOf(value: string | StagedText): string {
  return typeof value === 'string' ? value : value.text;
}

function stagingFailed(detail: string): SpecError {
  return new SpecError(
    'STAGING_FAILED',
    `the temporary file in which this build keeps the texts it will store failed (${detail}): no snapshot was stored; run the build again (TMPDIR chooses its folder)`,
    { data: { detail } },
  );
}
