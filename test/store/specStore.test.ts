import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { digestValue, type Digest } from '../../src/core/digest.js';
import { openStore } from '../../src/store/openStore.js';
import { keys } from '../../src/store/specStore.js';
import { keySpaces } from '../../src/store/storeKeys.js';
import { buildManifest } from '../../src/snapshot/manifestTree.js';
import { repoRoot, tempDir } from '../support/cli.js';
import { withPrototypes } from '../support/json.js';
import { verifyStore } from '../../src/maintain/verifyStore.js';
import { collectGarbage } from '../../src/maintain/collectGarbage.js';

function sampleBuild(value: number) {
  const spec = digestValue({ id: `p${value}@1`, budget: { max_usd_micro: value } });
  const manifest = buildManifest([{ name: `p${value}`, version: '1', kind: 'policy', digest: spec.digest }]);
  return { objects: [spec, ...manifest.objects], snapshot: manifest.snapshotId };
}

const metadata = { createdAt: '2026-01-01T00:00:00.000Z', tool: 'test', specs: 1 };

test('an object whose bytes do not hash to its key is DIGEST_MISMATCH on read, never returned', async (t) => {
  const store = await openStore({ directory: ':memory:' });
  t.after(() => store.close());
  const { objects, snapshot } = sampleBuild(1);
  await store.commitBuild({ snapshot, objects, metadata });
  const spec = objects[0];
  assert.ok(spec);
  assert.deepEqual(withPrototypes(await store.readObject(spec.digest)), JSON.parse(spec.text));
  await store.kv.batch([{ type: 'put', key: keys.object(spec.digest), value: spec.text.replace('1', '2') }]);
  await assert.rejects(store.readObject(spec.digest), { code: 'DIGEST_MISMATCH' });
  await assert.rejects(store.readObjects([spec.digest]), { code: 'DIGEST_MISMATCH' });
});

test('committing identical content again adds no objects; the log records both builds', async (t) => {
  const store = await openStore({ directory: ':memory:' });
  t.after(() => store.close());
  const { objects, snapshot } = sampleBuild(2);
  const first = await store.commitBuild({ snapshot, objects, metadata });
  const second = await store.commitBuild({ snapshot, objects, metadata });
  assert.equal(first.newObjects, objects.length);
  assert.equal(second.newObjects, 0);
  assert.deepEqual(
    (await store.log()).map((entry) => entry.sequence),
    [1, 2],
  );
  assert.equal(await store.latest(), snapshot);
});

test('snapshots resolve by id, latest, tag and unique prefix of 8+ hex; short or ambiguous prefixes are refused', async (t) => {
  const store = await openStore({ directory: ':memory:' });
  t.after(() => store.close());
  const a = sampleBuild(3);
  const b = sampleBuild(4);
  await store.commitBuild({ ...a, metadata });
  await store.commitBuild({ ...b, metadata, tag: 'prod' });
  assert.equal(await store.resolveSnapshot(a.snapshot), a.snapshot);
  assert.equal(await store.resolveSnapshot('latest'), b.snapshot);
  assert.equal(await store.resolveSnapshot('prod'), b.snapshot);
  assert.equal(await store.resolveSnapshot(a.snapshot.slice(7, 15)), a.snapshot);
  assert.equal(await store.resolveSnapshot(a.snapshot.slice(0, 15)), a.snapshot);
  await assert.rejects(store.resolveSnapshot(a.snapshot.slice(7, 12)), { code: 'SNAPSHOT_NOT_FOUND' });
  await assert.rejects(store.resolveSnapshot('sha256:' + '0'.repeat(64)), { code: 'SNAPSHOT_NOT_FOUND' });
  await assert.rejects(store.setTag('latest', a.snapshot), { code: 'TAG_INVALID' });
  await assert.rejects(store.setTag('x', ('sha256:' + 'f'.repeat(64)) as Digest), { code: 'SNAPSHOT_NOT_FOUND' });
});

test('concurrent builds in one process are serialised: every log sequence is distinct', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const store = await openStore({ directory: join(dir.path, 'store'), create: true });
  t.after(() => store.close());
  await Promise.all(Array.from({ length: 20 }, (_, i) => store.commitBuild({ ...sampleBuild(100 + i), metadata })));
  const sequences = (await store.log()).map((entry) => entry.sequence);
  assert.deepEqual(
    sequences,
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
});

test('a second process opening the same store gets STORE_LOCKED', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const directory = join(dir.path, 'store');
  const store = await openStore({ directory, create: true });
  t.after(() => store.close());
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { openStore } from ${JSON.stringify(join(repoRoot, 'src/store/openStore.ts'))};
try { await openStore({ directory: ${JSON.stringify(directory)} }); console.log('opened'); } catch (e) { console.log(e.code); }`,
    ],
    { encoding: 'utf8', cwd: repoRoot },
  );
  assert.equal(child.stdout.trim(), 'STORE_LOCKED', child.stderr);
});

test('opening a store that does not exist without create is STORE_NOT_FOUND and creates nothing', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  await assert.rejects(openStore({ directory: join(dir.path, 'nope') }), { code: 'STORE_NOT_FOUND' });
  await assert.rejects(openStore({ directory: '' }), TypeError);
});

function largeBuild(count: number, salt: number) {
  const specs = Array.from({ length: count }, (_, i) =>
    digestValue({ id: `big${i}@1`, budget: { max_usd_micro: salt * 1000 + i } }),
  );
  const manifest = buildManifest(
    specs.map((spec, i) => ({ name: `big${i}`, version: '1', kind: 'policy', digest: spec.digest })),
  );
  return { objects: [...specs, ...manifest.objects], snapshot: manifest.snapshotId };
}

async function dump(store: { kv: { entries(prefix: string): AsyncIterable<[string, string]> } }) {
  const all: [string, string][] = [];
  for (const space of Object.values(keySpaces))
    for await (const entry of store.kv.entries(space.prefix)) all.push(entry);
  return all;
}

/** Counts the batches a store writes (the real LevelDB store underneath; only the call is counted). */
function countBatches(store: { kv: { batch(operations: readonly unknown[]): Promise<void> } }): () => number {
  let batches = 0;
  const batch = store.kv.batch.bind(store.kv);
  store.kv.batch = (operations) => {
    batches++;
    return batch(operations as never);
  };
  return () => batches;
}

test('a large build writes its objects ahead in batches and the snapshot record last, with the same result as one batch', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const streamed = await openStore({ directory: join(dir.path, 'a'), create: true });
  t.after(() => streamed.close());
  const whole = await openStore({ directory: join(dir.path, 'b'), create: true });
  t.after(() => whole.close());
  const build = largeBuild(200, 1);
  const batches = countBatches(streamed);
  let aheadRecords = 0;
  const ahead = {
    batchBytes: 1024,
    operations: function* () {
      for (let i = 0; i < 50; i++) {
        aheadRecords++;
        yield { type: 'put' as const, key: `cache:test:${i}`, value: 'x'.repeat(100) };
      }
    },
  };
  const contexts: { wroteAhead: boolean }[] = [];
  const result = await streamed.commitBuild({
    ...build,
    metadata,
    ahead,
    extraOperations: async (context) => (contexts.push(context), []),
  });
  assert.ok(batches() > 3, `${batches()} batches`);
  assert.equal(aheadRecords, 50);
  assert.deepEqual(contexts, [{ existingSnapshot: false, wroteAhead: true }]);
  assert.equal(result.newObjects, build.objects.length);
  const reference = await whole.commitBuild({
    ...build,
    metadata,
    extraOperations: async (context) => (contexts.push(context), [...ahead.operations()]),
  });
  assert.deepEqual(contexts[1], { existingSnapshot: false, wroteAhead: false });
  assert.equal(reference.newObjects, result.newObjects);
  assert.deepEqual(await dump(streamed), await dump(whole));
  assert.equal((await verifyStore(streamed)).ok, true);
});

test('a large build refused by its check writes nothing; one cut short between batches leaves no snapshot, a clean verify and only garbage', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const store = await openStore({ directory: join(dir.path, 'store'), create: true });
  t.after(() => store.close());
  await store.commitBuild({ ...sampleBuild(7), metadata });
  const before = await dump(store);
  const build = largeBuild(200, 2);
  const refused = new Error('refused');
  await assert.rejects(
    store.commitBuild({ ...build, metadata, ahead: { batchBytes: 1024, check: async () => Promise.reject(refused) } }),
    refused,
  );
  assert.deepEqual(await dump(store), before);

  const cut = new Error('cut short');
  await assert.rejects(
    store.commitBuild({
      ...build,
      metadata,
      ahead: {
        batchBytes: 1024,
        operations: function* () {
          yield { type: 'put' as const, key: 'cache:test:0', value: 'x' };
          throw cut;
        },
      },
    }),
    cut,
  );
  assert.equal(await store.snapshotMetadata(build.snapshot), undefined);
  assert.equal(await store.readObjectText(build.snapshot), undefined);
  assert.equal((await store.log()).length, 1);
  assert.equal((await verifyStore(store)).ok, true);
  const garbage = await collectGarbage(store);
  assert.ok(garbage.removed.objects >= 200, `${garbage.removed.objects} objects collected`);
  const after = (await dump(store)).filter(([key]) => !key.startsWith('cache:'));
  assert.deepEqual(
    after.map(([key]) => key),
    before.map(([key]) => key).filter((key) => !key.startsWith('cache:')),
  );
});
