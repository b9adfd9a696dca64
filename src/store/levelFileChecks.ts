// Damage LevelDB does not report: a bad write-ahead log record (silently dropped on recovery, and the log deleted, so
// the write vanishes) and a truncated or missing table file (an IO error only when a read reaches it). Checked before
// LevelDB opens a store, so that a refused store is left exactly as it was.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkTableFile } from './levelTableChecks.js';

/** Where a store's files are damaged: the file, and for a log the byte offset of the bad record. */
export interface LevelFileDamage {
  file: string;
  problem:
    | 'log-record-damaged'
    | 'table-missing'
    | 'table-truncated'
    | 'current-damaged'
    | 'manifest-damaged'
    | 'table-block-damaged';
  offset?: number;
  reason: string;
  /** For a damaged table block: the first and last key it holds, as far as they can be known. */
  keys?: { first?: string; last?: string };
}

// LevelDB's log format (doc/log_format.md), used by the write-ahead logs and the MANIFEST: 32 KiB blocks of records,
// each a 7-byte header (masked CRC-32C of type and payload, little-endian length, type) then the payload; fewer than
// 7 bytes left in a block are padding. Types: 1 whole record, 2/3/4 first/middle/last fragment.
const logBlockSize = 32768;
const logHeaderSize = 7;
const crcMaskDelta = 0xa282ead8;

const crc32cTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = crc32cTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function unmaskCrc(masked: number): number {
  const rotated = (masked - crcMaskDelta) >>> 0;
  return ((rotated >>> 17) | (rotated << 15)) >>> 0;
}

type PhysicalRecord = { type: number; payload: Uint8Array } | { damage: { offset: number; reason: string } };

/**
 * The physical records of a log, read as LevelDB 1.20's log reader does: an incomplete record at the end of the file
 * is a write the process did not finish (not damage, and the end), and all-zero headers are padding. Stops at the
 * first record LevelDB would drop as corrupt.
 */
function* physicalRecords(bytes: Uint8Array): Generator<PhysicalRecord> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset < bytes.length) {
    const leftInBlock = logBlockSize - (offset % logBlockSize);
    const leftInFile = bytes.length - offset;
    if (leftInBlock < logHeaderSize) {
      offset += leftInBlock;
      continue;
    }
    if (leftInFile < logHeaderSize) return;
    const length = view.getUint16(offset + 4, true);
    const type = bytes[offset + 6]!;
    if (logHeaderSize + length > Math.min(leftInBlock, leftInFile)) {
      // A write cut short ends the file inside its last record, but so may a damaged length field: it is damage when
      // a shorter length makes the checksum match where the file ends or another whole record starts.
      if (leftInFile < leftInBlock && !hasShorterValidLength(bytes, offset)) return;
      yield { damage: { offset, reason: 'bad record length' } };
      return;
    }
    if (type === 0 && length === 0) {
      offset += leftInBlock;
      continue;
    }
    if (crc32c(bytes, offset + 6, offset + logHeaderSize + length) !== unmaskCrc(view.getUint32(offset, true))) {
      yield { damage: { offset, reason: 'checksum mismatch' } };
      return;
    }
    if (type < 1 || type > 4) {
      yield { damage: { offset, reason: `unknown record type ${type}` } };
      return;
    }
    yield { type, payload: bytes.subarray(offset + logHeaderSize, offset + logHeaderSize + length) };
    offset += logHeaderSize + length;
  }
}

function isWholeRecordAt(bytes: Uint8Array, offset: number): boolean {
  if (offset + logHeaderSize > bytes.length) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = offset + logHeaderSize + view.getUint16(offset + 4, true);
  return end <= bytes.length && crc32c(bytes, offset + 6, end) === unmaskCrc(view.getUint32(offset, true));
}

/** One pass over the rest of the file: the checksum of every shorter payload, compared with the stored one. */
function hasShorterValidLength(bytes: Uint8Array, offset: number): boolean {
  const expected = unmaskCrc(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true));
  let crc = crc32cTable[(0xffffffff ^ bytes[offset + 6]!) & 0xff]! ^ (0xffffffff >>> 8);
  for (let end = offset + logHeaderSize; end <= bytes.length; end++) {
    if ((crc ^ 0xffffffff) >>> 0 === expected && (end === bytes.length || isWholeRecordAt(bytes, end))) return true;
    if (end < bytes.length) crc = crc32cTable[(crc ^ bytes[end]!) & 0xff]! ^ (crc >>> 8);
  }
  return false;
}

/** The first record LevelDB's recovery would drop as corrupt, or undefined. */
export function findDamagedLogRecord(bytes: Uint8Array): { offset: number; reason: string } | undefined {
  for (const record of physicalRecords(bytes)) if ('damage' in record) return record.damage;
  return undefined;
}

/** What the MANIFEST says: the live table files with their sizes, and the first log still needed. */
export interface LiveFiles {
  tables: Map<number, number>;
  logNumber: number;
}

/** Replays the version edits of the MANIFEST that CURRENT names; or what is wrong with CURRENT or the MANIFEST. */
function readManifest(directory: string): { live: LiveFiles; name: string } | { damage: LevelFileDamage } {
  let bytes: Uint8Array;
  let name: string;
  try {
    const current = readFileSync(join(directory, 'CURRENT'), 'utf8');
    if (!/^MANIFEST-[0-9]+\n$/.test(current))
      return {
        damage: {
          file: 'CURRENT',
          problem: 'current-damaged',
          reason: 'it does not hold the name of a MANIFEST file and a line break',
        },
      };
    name = current.trim();
    bytes = readFileSync(join(directory, name));
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
    return {
      damage: { file: 'CURRENT', problem: 'current-damaged', reason: 'it names a MANIFEST file that does not exist' },
    };
  }
  const live: LiveFiles = { tables: new Map(), logNumber: 0 };
  let fragments: Uint8Array[] = [];
  const damaged = (reason: string, offset?: number) => ({
    damage: { file: name, problem: 'manifest-damaged' as const, reason, ...(offset === undefined ? {} : { offset }) },
  });
  for (const record of physicalRecords(bytes)) {
    if ('damage' in record) return damaged(record.damage.reason, record.damage.offset);
    if (record.type === 1 || record.type === 2) fragments = [];
    fragments.push(record.payload);
    if (record.type === 1 || record.type === 4) {
      if (!applyVersionEdit(Buffer.concat(fragments), live)) return damaged('a version edit cannot be decoded');
      fragments = [];
    }
  }
  return { live, name };
}

/**
 * The numbers of the tables the MANIFEST that CURRENT names holds live; undefined when it cannot be read. A table file
 * it does not name is obsolete or still being written by the process that holds the store.
 */
export function liveTableNumbers(directory: string): ReadonlySet<number> | undefined {
  const manifest = readManifest(directory);
  return 'live' in manifest ? new Set(manifest.live.tables.keys()) : undefined;
}

/**
 * Every damaged file LevelDB would read: CURRENT, the MANIFEST, the logs it would replay, and every block of every
 * live table (checksums LevelDB skips on reads). For `spec verify`: it reads every table in full.
 */
export function findAllLevelDamage(directory: string, names: readonly string[]): LevelFileDamage[] {
  const manifest = readManifest(directory);
  if ('damage' in manifest) return [manifest.damage];
  const damage: LevelFileDamage[] = [];
  const first = findLevelDamage(directory, names);
  if (first) damage.push(first);
  for (const number of [...manifest.live.tables.keys()].sort((a, b) => a - b)) {
    const base = String(number).padStart(6, '0');
    const name = names.includes(`${base}.ldb`) ? `${base}.ldb` : `${base}.sst`;
    if (first?.file === name) continue;
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(directory, name));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') continue; // reported above as table-missing
      throw cause;
    }
    for (const found of checkTableFile(bytes))
      damage.push({
        file: name,
        problem: 'table-block-damaged',
        offset: found.offset,
        reason: found.reason,
        ...(found.keys ? { keys: found.keys } : {}),
      });
  }
  return damage;
}

/** Applies one encoded VersionEdit (db/version_edit.cc): tag-prefixed fields, varints and length-prefixed strings. */
function applyVersionEdit(edit: Uint8Array, live: LiveFiles): boolean {
  let offset = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 64 && offset < edit.length; shift += 7) {
      const byte = edit[offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new RangeError('truncated varint');
  };
  const skipString = () => {
    const length = varint();
    if (offset + length > edit.length) throw new RangeError('truncated string');
    offset += length;
  };
  try {
    while (offset < edit.length) {
      const tag = varint();
      if (tag === 1) skipString();
      else if (tag === 2) live.logNumber = varint();
      else if (tag === 3 || tag === 4 || tag === 9) varint();
      else if (tag === 5) {
        varint();
        skipString();
      } else if (tag === 6) {
        varint();
        live.tables.delete(varint());
      } else if (tag === 7) {
        varint();
        const number = varint();
        live.tables.set(number, varint());
        skipString();
        skipString();
      } else return false;
    }
    return true;
  } catch {
    return false;
  }
}

const fileNumber = (name: string) => Number(name.slice(0, name.indexOf('.')));

/** Checks the logs LevelDB would replay and the tables the MANIFEST lists; the first damage found, or undefined. */
export function findLevelDamage(directory: string, names: readonly string[]): LevelFileDamage | undefined {
  const manifest = readManifest(directory);
  if ('damage' in manifest) return manifest.damage;
  const live = manifest.live;
  for (const [number, size] of [...live.tables].sort(([a], [b]) => a - b)) {
    const base = String(number).padStart(6, '0');
    const name = names.includes(`${base}.ldb`)
      ? `${base}.ldb`
      : names.includes(`${base}.sst`)
        ? `${base}.sst`
        : undefined;
    const actual = name === undefined ? undefined : sizeIfPresent(join(directory, name));
    if (name === undefined || actual === undefined)
      return { file: `${base}.ldb`, problem: 'table-missing', reason: 'the MANIFEST lists it, but the file is gone' };
    if (actual !== size)
      return { file: name, problem: 'table-truncated', reason: `${actual} bytes where the MANIFEST records ${size}` };
  }
  const logs = names.filter((name) => /^[0-9]+\.log$/.test(name) && fileNumber(name) >= live.logNumber);
  for (const name of logs.sort((a, b) => fileNumber(a) - fileNumber(b))) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(directory, name));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw cause;
    }
    const damage = findDamagedLogRecord(bytes);
    if (damage) return { file: name, problem: 'log-record-damaged', offset: damage.offset, reason: damage.reason };
  }
  return undefined;
}

function sizeIfPresent(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cause;
  }
}
