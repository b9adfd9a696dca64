// Packs: many snapshot objects in one OCI blob (gzip of canonical JSON lines, sorted by digest), each re-hashed on read.
//
// A pack is a series of gzip members, each holding whole lines; the concatenation is an ordinary gzip file that any
// gunzip reads. The members' offsets and first digests (the chunk index, kept in the manifest) let a reader fetch one
// member with a Range request and find an object without the whole pack.
import { gunzipSync, gzipSync } from 'node:zlib';
import { canonicalJsonTrusted } from '../core/canonicalJson.js';
import { digestBytes, digestText, isDigest, type CanonicalObject, type Digest } from '../core/digest.js';
import type { JsonValue } from '../core/json.js';
import { SpecError } from '../errors.js';

/** The media type of a pack layer. */
export const packMediaType = 'application/vnd.specstore.pack.v1.jsonl+gzip';

/** Uncompressed bytes per gzip member (a Range read fetches about a quarter of this, compressed). */
export const defaultChunkBytes = 64 * 1024;

/** The most a pack may expand to: a bound against gzip bombs (a 100k-spec snapshot is about 60 MB of JSON). */
const maxPackBytes = 1024 * 1024 * 1024;

/** One gzip member of a pack: where it starts (compressed offset) and the digest of its first object. */
export interface PackChunk {
  offset: number;
  first: Digest;
}

/** A pack as written: its bytes and what the manifest says about it. */
export interface Pack {
  bytes: Uint8Array;
  digest: Digest;
  /** Objects in the pack. */
  objects: number;
  /** Uncompressed bytes (lines and their newlines). */
  rawBytes: number;
  chunks: PackChunk[];
}

/** Uncompressed size of an object as a pack line. */
export function packLineBytes(object: CanonicalObject): number {
  return Buffer.byteLength(object.text) + 1;
}

/** Writes objects (any order, no duplicates) as a pack: sorted by digest, cut into members of about `chunkBytes`. */
export function writePack(objects: readonly CanonicalObject[], chunkBytes = defaultChunkBytes): Pack {
  const sorted = [...objects].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  const members: Buffer[] = [];
  const chunks: PackChunk[] = [];
  let offset = 0;
  let rawBytes = 0;
  let lines: string[] = [];
  let lineBytes = 0;
  let first: Digest | undefined;
  const flush = () => {
    if (first === undefined) return;
    const member = gzipSync(lines.join(''));
    chunks.push({ offset, first });
    members.push(member);
    offset += member.length;
    lines = [];
    lineBytes = 0;
    first = undefined;
  };
  for (let i = 0; i < sorted.length; i++) {
    const object = sorted[i]!;
    if (i > 0 && sorted[i - 1]!.digest === object.digest)
      throw new TypeError(`writePack: object ${object.digest} given twice`);
    first ??= object.digest;
    const line = `${object.text}\n`;
    lines.push(line);
    const size = Buffer.byteLength(line);
    lineBytes += size;
    rawBytes += size;
    if (lineBytes >= chunkBytes) flush();
  }
  flush();
  const bytes = new Uint8Array(Buffer.concat(members));
  return { bytes, digest: digestBytes(bytes), objects: sorted.length, rawBytes, chunks };
}

/**
 * Reads a whole pack or one member of it: every line must be canonical JSON (so its digest is the sha256 of the line),
 * in strictly ascending digest order, ending in a newline. Anything else is OCI_PACK_INVALID: a truncated or altered
 * pack never yields an object.
 */
export function readPack(bytes: Uint8Array, label: string): CanonicalObject[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(gunzipSync(bytes, { maxOutputLength: maxPackBytes }));
  } catch (cause) {
    throw packInvalid(label, `it is not gzip of UTF-8 text (${(cause as Error).message})`, cause);
  }
  if (text.length > 0 && !text.endsWith('\n')) throw packInvalid(label, 'its last line is cut off');
  const objects: CanonicalObject[] = [];
  let previous = '';
  let start = 0;
  for (let line = 1; start < text.length; line++) {
    const end = text.indexOf('\n', start);
    const lineText = text.slice(start, end);
    start = end + 1;
    let canonical: string;
    try {
      // JSON.parse gives pure JSON; the trusted writer is then enough, and equality makes the line canonical.
      canonical = canonicalJsonTrusted(JSON.parse(lineText) as JsonValue);
    } catch (cause) {
      throw packInvalid(label, `line ${line} is not JSON`, cause);
    }
    if (canonical !== lineText) throw packInvalid(label, `line ${line} is not canonical JSON`);
    const object: CanonicalObject = { digest: digestText(lineText), text: lineText };
    if (object.digest <= previous) throw packInvalid(label, `line ${line} (${object.digest}) is out of digest order`);
    previous = object.digest;
    objects.push(object);
  }
  return objects;
}

/** The index of the member that would hold `digest` (members are in digest order), or -1 when it is before them all. */
export function chunkHolding(chunks: readonly PackChunk[], digest: Digest): number {
  let low = 0;
  let high = chunks.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (chunks[middle]!.first <= digest) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

/** The chunk index as one annotation value: `offset:hex` per member, comma-separated (hex is the first digest's). */
export function encodeChunkIndex(chunks: readonly PackChunk[]): string {
  return chunks.map((chunk) => `${chunk.offset}:${chunk.first.slice('sha256:'.length)}`).join(',');
}

/** The chunk index from its annotation; undefined when it is malformed (offsets must rise from 0 and stay in the blob). */
export function decodeChunkIndex(text: string, size: number): PackChunk[] | undefined {
  if (text === '') return [];
  const chunks: PackChunk[] = [];
  for (const part of text.split(',')) {
    const match = /^(\d{1,15}):([0-9a-f]{64})$/.exec(part);
    if (!match) return undefined;
    const offset = Number(match[1]);
    const first = `sha256:${match[2]}`;
    const previous = chunks.at(-1);
    if (!isDigest(first) || offset >= size) return undefined;
    if (previous ? offset <= previous.offset || first <= previous.first : offset !== 0) return undefined;
    chunks.push({ offset, first });
  }
  return chunks;
}

function packInvalid(label: string, reason: string, cause?: unknown): SpecError {
  return new SpecError('OCI_PACK_INVALID', `pack ${label} is refused: ${reason}`, {
    data: { pack: label },
    ...(cause === undefined ? {} : { cause }),
  });
}
