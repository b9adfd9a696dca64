// Fault 3: damaged LevelDB files. LevelDB silently drops a log record that fails its checksum (and then deletes the
// log), fails only on read with an IO error for a truncated table, and recreates a store whose CURRENT is gone.
// Protection: LevelStore.open checks logs before LevelDB sees them, table footers after, and refuses a missing
// CURRENT. Expected: a clear STORE_CORRUPT naming the file (exit 5), and the store's files left exactly as they were.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32c, findDamagedLogRecord } from '../../src/store/levelFileChecks.js';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';
import { compactIntoTables, findInStoreFiles, flipByte, storeFiles } from './faultSupport.js';

function builtStore(t: { after: (fn: () => void) => void }) {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const store = join(dir.path, 'store');
  const spec = (...args: string[]) => runSpec([...args, '--store', store], { cwd: dir.path });
  const built = spec('build');
  assert.equal(built.status, 0, built.stderr);
  return { dir: dir.path, registry, store, spec, snapshot: built.stdout.trim() };
}

/** Every command that opens the store reports the damage the same way and leaves every file as it was. */
function assertRefused(
  store: string,
  spec: (...args: string[]) => ReturnType<typeof runSpec>,
  expected: Record<string, unknown>,
) {
  const before = storeFiles(store);
  for (const args of [['ls', 'latest'], ['verify'], ['build'], ['gc'], ['resolve', 'latest', 'text.llm@1']]) {
    const result = spec(...args, '--json');
    assert.equal(result.status, 5, `${args.join(' ')}: ${result.stdout}`);
    const error = json(result).error;
    for (const [key, value] of Object.entries(expected)) assert.equal(error[key], value, `${args.join(' ')}: ${key}`);
  }
  const human = spec('ls', 'latest');
  assert.match(human.stderr, /^STORE_CORRUPT .*damaged/m);
  assert.deepEqual(storeFiles(store), before, 'the store was left exactly as it was');
}

test('a flipped byte in the write-ahead log (.log): STORE_CORRUPT naming the log, and the build it holds is not dropped', (t) => {
  const { store, spec } = builtStore(t);
  // A fresh build is still in the log: LevelDB moves it into a table only when the store is next opened.
  const [hit, ...others] = findInStoreFiles(
    store,
    '"description":"Generates text from a prompt with a hosted large language model."',
    /\.log$/,
  );
  assert.ok(hit, 'the build is in the log');
  assert.deepEqual(others, []);
  flipByte(hit.file, hit.offset + 20, 0x04);
  const logName = hit.file.slice(store.length + 1);
  assertRefused(store, spec, { code: 'STORE_CORRUPT', file: logName, problem: 'log-record-damaged' });
});

test('a truncated or missing table file (.ldb): STORE_CORRUPT naming the table', async (t) => {
  const { store, spec } = builtStore(t);
  await compactIntoTables(store);
  const tables = readdirSync(store).filter((name) => name.endsWith('.ldb'));
  assert.equal(tables.length, 1);
  const table = join(store, tables[0]!);
  const bytes = readFileSync(table);
  truncateSync(table, Math.floor(bytes.length / 2));
  assertRefused(store, spec, { code: 'STORE_CORRUPT', file: tables[0], problem: 'table-truncated' });
  rmSync(table);
  assertRefused(store, spec, { code: 'STORE_CORRUPT', file: tables[0], problem: 'table-missing' });
  writeFileSync(table, bytes);
  assert.equal(spec('verify').status, 0, 'with the file back, the store is whole: nothing was changed meanwhile');
});

test('a deleted CURRENT: STORE_CORRUPT, and the store is never replaced by an empty one', (t) => {
  const { store, spec } = builtStore(t);
  rmSync(join(store, 'CURRENT'));
  assertRefused(store, spec, { code: 'STORE_CORRUPT', missing: 'CURRENT' });
  assert.ok(!readdirSync(store).includes('CURRENT'));
});

test('a flipped byte in the MANIFEST: STORE_CORRUPT (LevelDB checks this one itself)', async (t) => {
  const { store, spec } = builtStore(t);
  await compactIntoTables(store);
  const manifest = readdirSync(store).find((name) => name.startsWith('MANIFEST-'))!;
  flipByte(join(store, manifest), 12, 0x10);
  const result = spec('ls', '--json');
  assert.equal(result.status, 5);
  assert.equal(json(result).error.code, 'STORE_CORRUPT');
});

describe('the write-ahead log check follows LevelDB 1.20 recovery', () => {
  /** A log record: masked CRC-32C of type and payload, little-endian length, type, payload. */
  function record(type: number, payload: Buffer): Buffer {
    const header = Buffer.alloc(7);
    const crc = crc32c(Buffer.concat([Buffer.from([type]), payload]));
    header.writeUInt32LE((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0, 0);
    header.writeUInt16LE(payload.length, 4);
    header[6] = type;
    return Buffer.concat([header, payload]);
  }

  test('crc32c matches the published check value', () => {
    assert.equal(crc32c(Buffer.from('123456789')).toString(16), 'e3069283');
  });

  test('whole records pass; a write cut short at the end of the file is not damage; a checksum mismatch is', () => {
    const log = Buffer.concat([
      record(1, Buffer.from('first batch, long enough')),
      record(1, Buffer.from('second batch')),
    ]);
    assert.equal(findDamagedLogRecord(log), undefined);
    for (let cut = 1; cut < log.length; cut++)
      assert.equal(findDamagedLogRecord(log.subarray(0, cut)), undefined, `cut at ${cut}`);
    // Every bit of every byte, including length fields that then run past the end of the file like a cut-short write.
    for (let at = 0; at < log.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const damaged = Buffer.from(log);
        damaged[at]! ^= 1 << bit;
        assert.ok(findDamagedLogRecord(damaged), `a flip of bit ${bit} of byte ${at} is found`);
      }
    }
  });

  test('records fragmented across 32 KiB blocks, block trailers and zero padding are read as LevelDB does', () => {
    const first = record(2, Buffer.alloc(32768 - 7 - 3, 0x61)); // leaves 3 bytes: a trailer
    const trailer = Buffer.alloc(3);
    const last = record(4, Buffer.from('end of the batch'));
    const padding = Buffer.alloc(32768 - last.length);
    const next = record(1, Buffer.from('next block'));
    assert.equal(findDamagedLogRecord(Buffer.concat([first, trailer, last, padding, next])), undefined);
    const tooLong = Buffer.concat([first, trailer, record(1, Buffer.alloc(40000 - 32768, 0x62)), Buffer.alloc(40000)]);
    tooLong.writeUInt16LE(65000, 32768 + 4); // a length that runs past its block, with more data after it
    assert.equal(findDamagedLogRecord(tooLong)?.reason, 'bad record length');
  });

  test('an empty log is fine', () => {
    assert.equal(findDamagedLogRecord(Buffer.alloc(0)), undefined);
  });
});
