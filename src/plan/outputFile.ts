// Writing a file all or nothing (rewritten plans, `spec export -o`) and naming why a write failed, as a stable code.
import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SpecError } from '../errors.js';

/**
 * A failed write as a SpecError naming `target` (a path, or "standard output"): OUTPUT_NOT_FOUND (its folder does not
 * exist), OUTPUT_IS_DIRECTORY, OUTPUT_DENIED (permissions, a read-only file system), OUTPUT_FULL (no space or quota
 * left), else OUTPUT_FAILED.
 */
export function outputError(cause: unknown, target: string): SpecError {
  const errno = (cause as NodeJS.ErrnoException).code;
  const why = (cause as Error).message;
  const data = { file: target, ...(errno === undefined ? {} : { errno }) };
  switch (errno) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new SpecError('OUTPUT_NOT_FOUND', `cannot write ${target}: its folder does not exist (${why})`, {
        data,
        cause,
      });
    case 'EISDIR':
      return new SpecError('OUTPUT_IS_DIRECTORY', `cannot write ${target}: it is a directory`, { data, cause });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new SpecError('OUTPUT_DENIED', `cannot write ${target}: permission denied or read-only (${why})`, {
        data,
        cause,
      });
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return new SpecError('OUTPUT_FULL', `cannot write ${target}: no space left (${why})`, { data, cause });
    default:
      return new SpecError('OUTPUT_FAILED', `cannot write ${target}: ${why}`, { data, cause });
  }
}

/** Bytes written next to their target, not yet in place: `commit` renames them over it, `discard` removes them. */
export interface StagedOutput {
  commit(): void;
  discard(): void;
  /** The staged file's path (absent for a device, written on commit): a build may read it before it is in place. */
  temporary?: string;
}

let stagedCount = 0;

/**
 * Writes `bytes` next to `absolute` (shown to users as `shown`) without touching it: a failure (a folder that is
 * missing or read-only, a full disk, an existing file the user may not write, as a shell redirection would refuse)
 * is thrown now, before anything else happens; `commit` then renames the bytes into place, so a file is never left
 * half written. A device or FIFO (`/dev/stdout`) cannot be staged: it is written on commit.
 */
export function stageOutputFile(absolute: string, shown: string, bytes: string | Uint8Array): StagedOutput {
  let existing;
  try {
    existing = statSync(absolute);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw outputError(cause, shown);
  }
  try {
    if (existing?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (existing && !existing.isFile()) {
      return {
        commit: () => {
          try {
            writeFileSync(absolute, bytes);
          } catch (cause) {
            throw outputError(cause, shown);
          }
        },
        discard: () => undefined,
      };
    }
    if (existing) accessSync(absolute, constants.W_OK);
  } catch (cause) {
    throw outputError(cause, shown);
  }
  // Through a symbolic link, the temporary file goes next to the file the link names, so the rename replaces that.
  const target = existing ? realpathSync(absolute) : absolute;
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.${stagedCount++}.spec.tmp`);
  const discard = () => {
    if (lstatExists(temporary)) rmSync(temporary, { force: true });
  };
  try {
    writeDurably(temporary, bytes, existing ? existing.mode & 0o777 : 0o666);
  } catch (cause) {
    discard();
    throw outputError(cause, shown);
  }
  return {
    temporary,
    commit: () => {
      try {
        renameSync(temporary, target);
      } catch (cause) {
        discard();
        throw outputError(cause, shown);
      }
      syncDirectory(dirname(target));
    },
    discard,
  };
}

/** Writes a new file and fsyncs it, so that after the rename a crash leaves the old file or the new one, whole. */
function writeDurably(path: string, bytes: string | Uint8Array, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    for (let offset = 0; offset < buffer.length;) offset += writeSync(fd, buffer, offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The rename itself is durable once the folder is synced; a file system that cannot sync folders is left as it is. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder (EINVAL, EISDIR): the rename happened; nothing better can be done.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `bytes` to `absolute` all or nothing (see `stageOutputFile`). */
export function writeOutputFile(absolute: string, shown: string, bytes: string | Uint8Array): void {
  stageOutputFile(absolute, shown, bytes).commit();
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
