// Published versions are immutable: tag, import and plan pin publish; a later build may not change their digests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSpecError, type SpecError } from '../../src/errors.js';
import { buildSnapshot } from '../../src/build/buildSnapshot.js';
import { exportSnapshot, formatSnapshotDocument } from '../../src/snapshot/exportSnapshot.js';
import { importSnapshot } from '../../src/snapshot/importSnapshot.js';
import { pinSnapshot, tagSnapshot } from '../../src/snapshot/publishSnapshot.js';
import { openStore } from '../../src/store/openStore.js';
import { listPublishedVersions, publishedSnapshots, readPinRecord } from '../../src/store/publishedVersions.js';
import type { SpecStore } from '../../src/store/specStore.js';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';
import { buildInMemory, writeFiles } from './planFixtures.js';

const v1 = {
  'policies/p.yaml': 'id: "p@1"\nbudget: {max_usd_micro: 10}\n',
  'policies/q.yaml': 'id: "q@1"\nbudget: {max_usd_micro: 20}\n',
};
const mutated = { 'policies/p.yaml': '# changed without a new version\nid: "p@1"\nbudget: {max_usd_micro: 11}\n' };

async function everything(store: SpecStore): Promise<[string, string][]> {
  const all: [string, string][] = [];
  for await (const entry of store.kv.entries('')) all.push(entry);
  return all;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<SpecError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isSpecError(error), String(error));
    assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected ${code}`);
}

test('a tag publishes every id@version of its snapshot, in the same batch as the tag', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const { store, snapshot } = await buildInMemory(dir.path, v1);
  t.after(() => store.close());
  assert.deepEqual(await listPublishedVersions(store), [], 'a build alone publishes nothing');
  await tagSnapshot(store, 'prod', snapshot as never, { now: () => new Date('2026-01-02T00:00:00Z') });
  const published = await listPublishedVersions(store);
  assert.deepEqual(
    published.map((record) => [record.id, record.snapshot]),
    [
      ['p@1', snapshot],
      ['q@1', snapshot],
    ],
  );
  assert.deepEqual(await readPinRecord(store, snapshot as never), {
    pinnedAt: '2026-01-02T00:00:00.000Z',
    by: ['tag prod'],
  });
});

test('a build that changes a published version fails with VERSION_MUTATED naming spec, snapshot, digests and fix; the store is untouched', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const { store, snapshot } = await buildInMemory(dir.path, v1);
  t.after(() => store.close());
  await tagSnapshot(store, 'prod', snapshot as never);
  const before = await everything(store);
  writeFiles(dir.path, mutated);
  const error = await rejectsWith(
    buildSnapshot({ registry: dir.path, store, useCache: false, tag: 'next' }),
    'VERSION_MUTATED',
  );
  const [conflict] = error.data['conflicts'] as {
    id: string;
    digest: string;
    existing: { digest: string; snapshot: string };
    published: boolean;
    fix: string;
  }[];
  assert.ok(conflict, 'the error lists the conflict');
  assert.equal(conflict.id, 'p@1');
  assert.equal(conflict.existing.snapshot, snapshot);
  assert.notEqual(conflict.digest, conflict.existing.digest);
  assert.equal(conflict.published, true);
  assert.equal(conflict.fix, 'p@2');
  assert.deepEqual(
    error.diagnostics.map((d) => [d.code, d.file?.endsWith('policies/p.yaml'), d.line, d.column]),
    [['VERSION_MUTATED', true, 2, 1]],
  );
  assert.deepEqual(await everything(store), before, 'no object, snapshot, log entry, tag or cache was written');
  // The fix: a new version builds.
  writeFiles(dir.path, { 'policies/p.yaml': 'id: "p@2"\nbudget: {max_usd_micro: 11}\n' });
  await buildSnapshot({ registry: dir.path, store, useCache: false });
});

test('an unpublished version may change, unless the build is --strict', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const { store, snapshot } = await buildInMemory(dir.path, v1);
  t.after(() => store.close());
  writeFiles(dir.path, mutated);
  const error = await rejectsWith(
    buildSnapshot({ registry: dir.path, store, useCache: false, strict: true }),
    'VERSION_MUTATED',
  );
  const conflicts = error.data['conflicts'] as { id: string; published: boolean; existing: { snapshot: string } }[];
  assert.deepEqual(
    conflicts.map((c) => [c.id, c.published, c.existing.snapshot]),
    [['p@1', false, snapshot]],
  );
  const lax = await buildSnapshot({ registry: dir.path, store, useCache: false });
  assert.notEqual(lax.snapshot, snapshot);
});

test('tagging a snapshot that holds another digest of a published version is refused, and the tag is not written', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const { store, snapshot: first } = await buildInMemory(dir.path, v1);
  t.after(() => store.close());
  writeFiles(dir.path, mutated);
  const { snapshot: second } = await buildSnapshot({ registry: dir.path, store, useCache: false });
  await tagSnapshot(store, 'prod', second);
  await rejectsWith(tagSnapshot(store, 'old', first as never), 'VERSION_MUTATED');
  assert.equal(await store.getTag('old'), undefined);
  assert.equal(await readPinRecord(store, first as never), undefined);
});

test('an import publishes its snapshot; importing one that contradicts a published version stores nothing', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const { store: source, snapshot } = await buildInMemory(join(dir.path, 'a'), v1);
  t.after(() => source.close());
  const document = formatSnapshotDocument(await exportSnapshot(source, snapshot as never));

  const target = await openStore({ directory: ':memory:' });
  t.after(() => target.close());
  await importSnapshot(target, document);
  assert.deepEqual(
    (await listPublishedVersions(target)).map((record) => record.id),
    ['p@1', 'q@1'],
  );
  assert.deepEqual((await readPinRecord(target, snapshot as never))?.by, ['import']);

  const other = await openStore({ directory: ':memory:' });
  t.after(() => other.close());
  writeFiles(join(dir.path, 'b'), { ...v1, ...mutated });
  const { snapshot: mutatedSnapshot } = await buildSnapshot({
    registry: join(dir.path, 'b'),
    store: other,
    useCache: false,
  });
  await tagSnapshot(other, 'prod', mutatedSnapshot);
  const before = await everything(other);
  await rejectsWith(importSnapshot(other, document), 'VERSION_MUTATED');
  assert.deepEqual(await everything(other), before);
});

test('a plan pin publishes; publishedSnapshots names pinned snapshots even when their versions were published before', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const { store, snapshot: first } = await buildInMemory(dir.path, v1);
  t.after(() => store.close());
  await tagSnapshot(store, 'prod', first as never);
  writeFiles(dir.path, { 'policies/r.yaml': 'id: "r@1"\n' });
  const { snapshot: second } = await buildSnapshot({ registry: dir.path, store, useCache: false });
  await pinSnapshot(store, second, ['trailer', 'trailer', 'other']);
  assert.deepEqual((await readPinRecord(store, second))?.by, ['plan trailer', 'plan other']);
  const records = await listPublishedVersions(store);
  assert.deepEqual(
    records.map((r) => [r.id, r.snapshot === first ? 'first' : 'second']),
    [
      ['p@1', 'first'],
      ['q@1', 'first'],
      ['r@1', 'second'],
    ],
  );
  assert.deepEqual([...(await publishedSnapshots(store))].sort(), [first, second].sort());
});

/** Every record of a LevelDB store (LevelDB reorganises its files on open, so bytes on disk cannot be compared). */
async function storeRecords(directory: string): Promise<[string, string][]> {
  const store = await openStore({ directory });
  try {
    const records: [string, string][] = [];
    for (const prefix of ['obj:', 'snap:', 'tag:', 'log:', 'pub:', 'pin:', 'meta:', 'cache:'])
      for await (const entry of store.kv.entries(prefix)) records.push(entry);
    return records;
  } finally {
    await store.close();
  }
}

test('CLI: spec build after a tag refuses a mutated version (exit 1, VERSION_MUTATED, store unchanged); --tag publishes', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  assert.equal(runSpec(['build', '--tag', 'prod'], { cwd: dir.path }).status, 0);
  const before = await storeRecords(join(dir.path, '.spec/store'));
  assert.ok(
    before.some(([key]) => key === 'pub:default@1'),
    'build --tag published the snapshot',
  );
  const file = join(registry, 'policies/default.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('max_usd_micro: 1000000', 'max_usd_micro: 999'));
  const result = runSpec(['build', '--json'], { cwd: dir.path });
  assert.equal(result.status, 1);
  const error = json(result).error;
  assert.equal(error.code, 'VERSION_MUTATED');
  assert.equal(error.conflicts[0].id, 'default@1');
  assert.equal(error.diagnostics[0].file, 'registry/policies/default.yaml');
  assert.deepEqual(await storeRecords(join(dir.path, '.spec/store')), before, 'the store holds exactly what it held');
  const text = runSpec(['build'], { cwd: dir.path });
  assert.equal(text.status, 1);
  assert.match(text.stderr, /^registry\/policies\/default\.yaml:\d+:\d+ VERSION_MUTATED /m);
});

test('the build cache never skips the published-version check: a version published after the last build still fails an unchanged rebuild', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const a = join(dir.path, 'a');
  const b = join(dir.path, 'b');
  writeFiles(a, v1);
  writeFiles(b, { ...v1, ...mutated });
  const store = await openStore({ directory: join(dir.path, 'store'), create: true });
  t.after(() => store.close());
  const past = () => new Date(Date.now() - 60_000); // files are older than the listing: the cache trusts them
  await buildSnapshot({ registry: a, store, now: () => new Date(Date.now() + 60_000) });
  const unchanged = await buildSnapshot({ registry: a, store, now: past });
  assert.equal(unchanged.analyzed, 0, 'an unchanged rebuild comes from the cache');
  // Another registry publishes p@1 with other content; registry a is unchanged, but its p@1 may no longer be built.
  await buildSnapshot({ registry: b, store, tag: 'prod' });
  const error = await rejectsWith(buildSnapshot({ registry: a, store, now: past }), 'VERSION_MUTATED');
  assert.equal((error.data['conflicts'] as { id: string }[])[0]?.id, 'p@1');
  // And with a file of a changed (the unchanged p@1 still conflicts).
  writeFiles(a, { 'policies/q.yaml': 'id: "q@1"\nbudget: {max_usd_micro: 21}\n' });
  await rejectsWith(buildSnapshot({ registry: a, store, useCache: true }), 'VERSION_MUTATED');
});
