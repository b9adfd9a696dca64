// Hostile store files and file systems: a flipped byte anywhere in a store, a damaged build cache, a read-only or
// locked store, a full disk, a first build that never finished. Every case runs the built CLI on a real store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRegistry } from '../../bench/mutableRegistry.mjs';
import { tableDataBlocks } from '../../src/store/levelTableChecks.js';
import { copyBundledRegistry, json, runSpecWithinBound, tempDir } from '../support/cli.js';
import { compactIntoTables, holdStore, mount, mountUnavailable, smallDisk, unmount } from '../faults/faultSupport.js';

type Spec = (...args: string[]) => ReturnType<typeof runSpecWithinBound>;

/** A built, tagged store; `before` runs ahead of removing it (unmounting what a test mounted on it). */
function builtStore(t: { after: (fn: () => void) => void }, before: (() => void)[] = []) {
  const dir = tempDir();
  t.after(() => {
    for (const step of before) step();
    dir.cleanup();
  });
  const registry = copyBundledRegistry(dir.path);
  const store = join(dir.path, 'store');
  const spec: Spec = (...args) => runSpecWithinBound([...args, '--store', store], { cwd: dir.path });
  const built = spec('build', '--tag', 'prod');
  assert.equal(built.status, 0, built.stderr);
  return { dir: dir.path, registry, store, spec, snapshot: built.stdout.trim() };
}

/** What verify says about a store: its exit status and the error code or the problem codes. */
function verdict(spec: Spec): { status: number; what: string[] } {
  const result = spec('verify', '--json');
  const output = json(result);
  return {
    status: result.status,
    what: output.error ? [output.error.code] : output.problems.map((problem: { code: string }) => problem.code),
  };
}

test('a flipped byte anywhere in any store file (tables, log, MANIFEST, CURRENT): verify exits 5, every time', async (t) => {
  const { registry, store, spec } = builtStore(t);
  await compactIntoTables(store); // a table file with uncompressed blocks, whose flips LevelDB returns silently
  assert.equal(spec('verify').status, 0);
  writeFileSync(join(registry, 'policies/extra.yaml'), 'id: "extra@1"\nbudget:\n  max_usd_micro: 1\n');
  assert.equal(spec('build').status, 0); // and a write-ahead log holding the second build
  // LOCK is empty and LOG/LOG.old are LevelDB's text diary: no store data, nothing verify can or need check.
  // Opening a store rewrites its log and MANIFEST: each flip is made in a fresh copy of the same store.
  const pristine = `${store}.pristine`;
  cpSync(store, pristine, { recursive: true });
  const files = readdirSync(store).filter((name) => !['LOCK', 'LOG', 'LOG.old'].includes(name));
  assert.deepEqual([...new Set(files.map((name) => name.replace(/[0-9]+/, 'N')))].sort(), [
    'CURRENT',
    'MANIFEST-N',
    'N.ldb',
    'N.log',
  ]);
  const seen = new Map<string, Set<string>>();
  for (const name of files) {
    const path = join(store, name);
    const original = readFileSync(join(pristine, name));
    assert.ok(original.length > 0, name);
    const samples = name.endsWith('.ldb') ? 24 : 8;
    const offsets = new Set([
      0,
      original.length - 1,
      ...Array.from({ length: samples }, (_, i) => Math.floor(((i + 0.5) * original.length) / samples)),
    ]);
    for (const offset of offsets) {
      const damaged = Buffer.from(original);
      damaged[offset]! ^= 0x04;
      rmSync(store, { recursive: true });
      cpSync(pristine, store, { recursive: true });
      writeFileSync(path, damaged);
      const { status, what } = verdict(spec);
      assert.equal(status, 5, `${name} byte ${offset}: ${what.join(',')}`);
      const kinds = seen.get(name.replace(/[0-9]+/, 'N')) ?? new Set();
      for (const kind of what) kinds.add(kind);
      seen.set(name.replace(/[0-9]+/, 'N'), kinds);
    }
  }
  // What verify says for each sort of file: a table block in the report; the others stop the store from opening.
  assert.ok(seen.get('N.ldb')!.has('FILE_DAMAGED'));
  for (const name of ['N.log', 'MANIFEST-N', 'CURRENT'])
    assert.deepEqual([...seen.get(name)!], ['STORE_CORRUPT'], name);
  rmSync(store, { recursive: true });
  cpSync(pristine, store, { recursive: true });
  assert.equal(spec('verify').status, 0, 'the store without a flip is sound');
});

/**
 * An uncompressed data block of build-cache entries only that holds part of the build index (a bucket's fields, or
 * the header's bucket check values), after compacting; `indexByte` is a byte of that index text.
 */
async function cacheBlock(
  store: string,
): Promise<{ file: string; block: ReturnType<typeof tableDataBlocks>[number]; indexByte: number }> {
  await compactIntoTables(store);
  for (const table of readdirSync(store).filter((name) => name.endsWith('.ldb'))) {
    const file = join(store, table);
    const bytes = readFileSync(file);
    for (const block of tableDataBlocks(bytes)) {
      if (!block.first.startsWith('cache:') || !block.last.startsWith('cache:')) continue;
      const contents = bytes.subarray(block.offset, block.offset + block.size);
      for (const needle of ['.yaml\u0000', '"bucketDigests":["']) {
        const at = contents.indexOf(needle);
        if (at >= 0) {
          assert.equal(block.compressed, false);
          return { file, block, indexByte: block.offset + at + needle.length + 1 };
        }
      }
    }
  }
  throw new Error('no data block of build-cache entries holds the build index');
}

for (const [what, readable, at] of [
  [
    'its restart count (LevelDB then fails every read of the block: STORE_CORRUPT)',
    false,
    (found: Awaited<ReturnType<typeof cacheBlock>>) => found.block.offset + found.block.size - 1,
  ],
  [
    'a byte of the build index (LevelDB returns the changed bytes silently)',
    true,
    (found: Awaited<ReturnType<typeof cacheBlock>>) => found.indexByte,
  ],
] as const) {
  test(`a damaged build-cache block, ${what}: build drops the cache with a warning and rebuilds it; verify names the block`, async (t) => {
    const { store, spec, snapshot } = builtStore(t);
    const found = await cacheBlock(store);
    const bytes = readFileSync(found.file);
    bytes[at(found)]! ^= 0x10;
    writeFileSync(found.file, bytes);
    const block = found.block;

    const report = json(spec('verify', '--json'));
    const damage = report.problems.filter((problem: { code: string }) => problem.code === 'FILE_DAMAGED');
    assert.equal(damage.length, 1);
    assert.equal(damage[0].cacheOnly, true);
    assert.equal(damage[0].offset, block.offset);

    const rebuilt = spec('build', '--json');
    assert.equal(rebuilt.status, 0, rebuilt.stdout);
    assert.equal(json(rebuilt).snapshot, snapshot);
    assert.deepEqual(
      json(rebuilt).diagnostics.map((diagnostic: { code: string }) => diagnostic.code),
      ['BUILD_CACHE_DROPPED'],
    );
    assert.match(spec('build').stderr, /^$/, 'the next build finds the rebuilt cache: no warning');
    // The damaged bytes are still in the file, so verify still names them (and, where LevelDB cannot read the block,
    // that a scan of the cache fails); every other record is sound.
    const after = json(spec('verify', '--json')).problems.map((problem: { code: string; cacheOnly?: boolean }) => [
      problem.code,
      problem.cacheOnly,
    ]);
    assert.deepEqual(
      after,
      readable
        ? [['FILE_DAMAGED', true]]
        : [
            ['FILE_DAMAGED', true],
            ['CACHE_INVALID', undefined],
          ],
    );
    assert.equal(spec('ls', 'prod').status, 0);
  });
}

const readCommands = [
  ['ls', 'prod'],
  ['show', 'prod', 'text.llm@1'],
  ['resolve', 'latest', 'text.llm'],
  ['export', 'prod'],
  ['diff', 'prod', 'latest'],
  ['tags'],
  ['log'],
  ['verify'],
];

/** The read-only commands' output on a healthy store, to compare with what they print on a locked or read-only one. */
function readOutputs(spec: Spec): string[] {
  return readCommands.map((args) => {
    const result = spec(...args, '--json');
    assert.equal(result.status, 0, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
    return result.stdout;
  });
}

test('reading commands work on a read-only store (a read-only mount), with the same output', (t) => {
  const unmountFirst: (() => void)[] = [];
  const { store, spec } = builtStore(t, unmountFirst);
  const expected = readOutputs(spec);
  const why = mountUnavailable(join(store, '..', 'probe'));
  if (why) {
    t.skip(why);
    return;
  }
  mount(['--bind', store, store]);
  unmountFirst.push(() => unmount(store));
  mount(['-o', 'remount,bind,ro', store]);
  assert.deepEqual(readOutputs(spec), expected);
  const tag = spec('tag', 'other', 'latest', '--json');
  assert.equal(tag.status, 5);
  assert.equal(json(tag).error.code, 'STORE_READ_ONLY', 'a command that writes still needs write access');
});

test('reading commands work while another process holds the store, with the same output', async (t) => {
  const { store, spec } = builtStore(t);
  const expected = readOutputs(spec);
  const holder = await holdStore(store);
  t.after(() => holder.release());
  assert.deepEqual(readOutputs(spec), expected);
  const build = spec('build', '--json');
  assert.equal(build.status, 5);
  assert.equal(json(build).error.code, 'STORE_LOCKED', 'a command that writes still waits for the lock');
});

test('after a build failed on a full disk, verify and reading commands run before space is freed; the error says what to do', (t) => {
  const small = smallDisk(t, '256k');
  if (!small) return;
  const { disk } = small;
  const dir = { path: small.path };
  copyBundledRegistry(dir.path);
  const store = join(disk, 'store');
  assert.equal(runSpecWithinBound(['build', '--store', store], { cwd: dir.path }).status, 0);
  const big = join(dir.path, 'big');
  generateRegistry(big, { specs: 600, seed: 3 });
  const full = runSpecWithinBound(['build', '--registry', big, '--store', store, '--json'], {
    cwd: dir.path,
    boundMs: 60_000,
  });
  assert.equal(full.status, 5, full.stdout);
  assert.equal(json(full).error.code, 'STORE_FULL');
  assert.match(json(full).error.message, /free space/);
  const verified = runSpecWithinBound(['verify', '--store', store, '--json']);
  assert.equal(verified.status, 0, verified.stdout);
  assert.equal(json(verified).snapshots, 1, 'the failed build left no snapshot');
  assert.equal(runSpecWithinBound(['ls', 'latest', '--store', store]).status, 0);
});

test('a first build killed before LevelDB wrote CURRENT: verify says what it is (STORE_UNFINISHED); the next build starts it afresh', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  const store = join(dir.path, 'store');
  mkdirSync(store);
  // What LevelDB leaves when killed inside its first open: its lock, its diary and a first MANIFEST, no CURRENT.
  writeFileSync(join(store, 'LOCK'), '');
  writeFileSync(join(store, 'LOG'), '2026/01/01-00:00:00.000000 1 Creating DB store since it was missing.\n');
  writeFileSync(join(store, 'MANIFEST-000001'), Buffer.from([0x56, 0x1c, 0x0b, 0x2a, 0x1c, 0x00, 0x01]));
  for (const args of [['verify'], ['ls']]) {
    const result = runSpecWithinBound([...args, '--store', store, '--json'], { cwd: dir.path });
    assert.equal(result.status, 5, args[0]);
    assert.equal(json(result).error.code, 'STORE_UNFINISHED', args[0]);
  }
  const built = runSpecWithinBound(['build', '--store', store], { cwd: dir.path });
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stderr, /^STORE_RECOVERED /m);
  assert.equal(runSpecWithinBound(['verify', '--store', store]).status, 0);
});
