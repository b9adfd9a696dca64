// Checks every byte of a LevelDB table file (.ldb) against its block checksums, which the binding never surfaces:
// the footer, the index and metaindex blocks, every data and filter block, and that these blocks tile the file.
import { crc32c, unmaskCrc } from './levelFileChecks.js';

/** A damaged region of a table file, and what the index says the damaged data block holds (user keys). */
export interface TableDamage {
  offset: number;
  reason: string;
  /** For a damaged data block: the first and last key it holds, as far as can be known (from the block or the index). */
  keys?: { first?: string; last?: string };
}

// table/format.h: a block is followed by a 5-byte trailer (compression type, masked CRC-32C of contents and type);
// the file ends with a 48-byte footer: the metaindex and index block handles (varints), zero padding, the magic.
const trailerSize = 5;
const footerSize = 48;
const magic = 0xdb4775248b80fb57n;

interface BlockHandle {
  offset: number;
  size: number;
}

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public offset: number,
    readonly end: number,
  ) {}
  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.offset >= this.end) throw new RangeError('truncated varint');
      const byte = this.bytes[this.offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new RangeError('varint too long');
  }
  handle(): BlockHandle {
    return { offset: this.varint(), size: this.varint() };
  }
}

/** The problems of one table file: an empty list when every byte is accounted for and every checksum matches. */
export function checkTableFile(bytes: Uint8Array): TableDamage[] {
  if (bytes.length < footerSize) return [{ offset: 0, reason: `${bytes.length} bytes: too short for a table footer` }];
  const footerStart = bytes.length - footerSize;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getBigUint64(bytes.length - 8, true) !== magic)
    return [{ offset: bytes.length - 8, reason: 'the footer has no table magic number' }];
  let metaindex: BlockHandle;
  let index: BlockHandle;
  const footer = new Reader(bytes, footerStart, bytes.length - 8);
  try {
    metaindex = footer.handle();
    index = footer.handle();
  } catch {
    return [{ offset: footerStart, reason: 'the footer block handles cannot be read' }];
  }
  for (let at = footer.offset; at < bytes.length - 8; at++)
    if (bytes[at] !== 0) return [{ offset: at, reason: 'the footer padding is not zero' }];
  const damage: TableDamage[] = [];
  const blocks: { handle: BlockHandle; what: string; keys?: TableDamage['keys'] }[] = [];
  const indexContents = blockContents(bytes, index, footerStart, 'the index block', damage);
  const metaContents = blockContents(bytes, metaindex, footerStart, 'the metaindex block', damage);
  if (!indexContents || !metaContents) return damage;
  blocks.push({ handle: index, what: 'the index block' }, { handle: metaindex, what: 'the metaindex block' });
  try {
    let previousKey: string | undefined;
    for (const [key, value] of blockEntries(indexContents)) {
      const handle = new Reader(value, 0, value.length).handle();
      const last = userKey(key);
      blocks.push({
        handle,
        what: 'a data block',
        keys: { ...(previousKey === undefined ? {} : { first: previousKey }), last },
      });
      previousKey = last;
    }
    for (const [, value] of blockEntries(metaContents))
      blocks.push({ handle: new Reader(value, 0, value.length).handle(), what: 'a filter block' });
  } catch (error) {
    return [{ offset: index.offset, reason: `the index cannot be decoded (${(error as Error).message})` }];
  }
  // Every byte before the footer belongs to exactly one block or its trailer; a gap or overlap is damage too.
  blocks.sort((a, b) => a.handle.offset - b.handle.offset);
  let covered = 0;
  for (const block of blocks) {
    if (block.handle.offset !== covered)
      return [
        ...damage,
        {
          offset: Math.min(covered, block.handle.offset),
          reason: `the blocks do not tile the file at byte ${covered}`,
        },
      ];
    covered = block.handle.offset + block.handle.size + trailerSize;
    if (block.what === 'a data block' || block.what === 'a filter block') {
      const problem: TableDamage[] = [];
      const contents = blockContents(bytes, block.handle, footerStart, block.what, problem);
      if (problem.length > 0 && !contents) {
        const keys = block.what === 'a data block' ? (knownKeys(bytes, block.handle) ?? block.keys) : undefined;
        damage.push({ ...problem[0]!, ...(keys ? { keys } : {}) });
      }
    }
  }
  if (covered !== footerStart)
    damage.push({ offset: covered, reason: `the blocks end at byte ${covered}, the footer starts at ${footerStart}` });
  return damage;
}

/** The data blocks of an intact table, in file order: where each is and the first and last key it holds (for tests and tools). */
export function tableDataBlocks(
  bytes: Uint8Array,
): { offset: number; size: number; compressed: boolean; first: string; last: string }[] {
  const footer = new Reader(bytes, bytes.length - footerSize, bytes.length - 8);
  footer.handle();
  const index = footer.handle();
  const contents =
    bytes[index.offset + index.size] === 1
      ? snappyDecompress(bytes.subarray(index.offset, index.offset + index.size))
      : bytes.subarray(index.offset, index.offset + index.size);
  return [...blockEntries(contents)].map(([, value]) => {
    const handle = new Reader(value, 0, value.length).handle();
    const keys = knownKeys(bytes, handle)!;
    return { ...handle, compressed: bytes[handle.offset + handle.size] === 1, first: keys.first!, last: keys.last! };
  });
}

/** The keys of a damaged block when its bytes still decode (first and last), else undefined. */
function knownKeys(bytes: Uint8Array, handle: BlockHandle): TableDamage['keys'] | undefined {
  try {
    const type = bytes[handle.offset + handle.size];
    const raw = bytes.subarray(handle.offset, handle.offset + handle.size);
    const contents = type === 1 ? snappyDecompress(raw) : raw;
    const keys = [...blockEntries(contents)].map(([key]) => userKey(key));
    return keys.length === 0 ? undefined : { first: keys[0]!, last: keys[keys.length - 1]! };
  } catch {
    return undefined;
  }
}

/** A block's contents (decompressed), checksum checked; undefined with the damage recorded when it fails. */
function blockContents(
  bytes: Uint8Array,
  handle: BlockHandle,
  limit: number,
  what: string,
  damage: TableDamage[],
): Uint8Array | undefined {
  if (handle.offset + handle.size + trailerSize > limit) {
    damage.push({ offset: handle.offset, reason: `${what} runs past the end of the file` });
    return undefined;
  }
  const end = handle.offset + handle.size;
  const type = bytes[end];
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(end + 1, true);
  if (crc32c(bytes, handle.offset, end + 1) !== unmaskCrc(stored)) {
    damage.push({ offset: handle.offset, reason: `${what} at byte ${handle.offset} fails its checksum` });
    return undefined;
  }
  if (type !== 0 && type !== 1) {
    damage.push({ offset: end, reason: `${what} has unknown compression type ${type}` });
    return undefined;
  }
  const raw = bytes.subarray(handle.offset, end);
  try {
    return type === 1 ? snappyDecompress(raw) : raw;
  } catch {
    damage.push({ offset: handle.offset, reason: `${what} at byte ${handle.offset} does not decompress` });
    return undefined;
  }
}

/** The entries of a block (table/block.cc): prefix-compressed keys, then the restart array and its length. */
function* blockEntries(contents: Uint8Array): Generator<[Uint8Array, Uint8Array]> {
  if (contents.length < 4) throw new RangeError('block too short');
  const view = new DataView(contents.buffer, contents.byteOffset, contents.byteLength);
  const restarts = view.getUint32(contents.length - 4, true);
  const dataEnd = contents.length - 4 - 4 * restarts;
  if (restarts < 1 || dataEnd < 0) throw new RangeError('bad restart array');
  const reader = new Reader(contents, 0, dataEnd);
  let key = new Uint8Array(0);
  while (reader.offset < dataEnd) {
    const shared = reader.varint();
    const unshared = reader.varint();
    const valueLength = reader.varint();
    if (shared > key.length || reader.offset + unshared + valueLength > dataEnd)
      throw new RangeError('bad block entry');
    const next = new Uint8Array(shared + unshared);
    next.set(key.subarray(0, shared));
    next.set(contents.subarray(reader.offset, reader.offset + unshared), shared);
    key = next;
    reader.offset += unshared;
    const value = contents.subarray(reader.offset, reader.offset + valueLength);
    reader.offset += valueLength;
    yield [key, value];
  }
}

/** An internal key's user key: the key less its 8-byte sequence number and type. */
function userKey(internal: Uint8Array): string {
  return Buffer.from(internal.subarray(0, Math.max(0, internal.length - 8))).toString('utf8');
}

/** Snappy's raw format (format_description.txt): the uncompressed length as a varint, then literals and copies. */
export function snappyDecompress(input: Uint8Array): Uint8Array {
  const reader = new Reader(input, 0, input.length);
  const length = reader.varint();
  if (length > 64 * 1024 * 1024) throw new RangeError('implausible uncompressed length');
  const output = new Uint8Array(length);
  let out = 0;
  let at = reader.offset;
  const need = (count: number) => {
    if (at + count > input.length) throw new RangeError('truncated snappy input');
  };
  while (at < input.length) {
    const tag = input[at++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let literal = tag >>> 2;
      if (literal >= 60) {
        const extra = literal - 59;
        need(extra);
        literal = 0;
        for (let i = 0; i < extra; i++) literal += input[at + i]! * 2 ** (8 * i);
        at += extra;
      }
      literal += 1;
      need(literal);
      if (out + literal > length) throw new RangeError('snappy output overrun');
      output.set(input.subarray(at, at + literal), out);
      at += literal;
      out += literal;
      continue;
    }
    let copyLength: number;
    let distance: number;
    if (kind === 1) {
      need(1);
      copyLength = 4 + ((tag >>> 2) & 7);
      distance = ((tag >>> 5) << 8) | input[at++]!;
    } else if (kind === 2) {
      need(2);
      copyLength = (tag >>> 2) + 1;
      distance = input[at]! | (input[at + 1]! << 8);
      at += 2;
    } else {
      need(4);
      copyLength = (tag >>> 2) + 1;
      distance = (input[at]! | (input[at + 1]! << 8) | (input[at + 2]! << 16) | (input[at + 3]! << 24)) >>> 0;
      at += 4;
    }
    if (distance === 0 || distance > out || out + copyLength > length) throw new RangeError('bad snappy copy');
    for (let i = 0; i < copyLength; i++, out++) output[out] = output[out - distance]!;
  }
  if (out !== length) throw new RangeError('snappy output shorter than its length');
  return output;
}
