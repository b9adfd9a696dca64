import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { digestValue, type Digest } from '../../src/core/digest.js';
import { openStore } from '../../src/store/openStore.js';
import { keys } from '../../src/store/specStore.js';
import { buildManifest } from '../../src/snapshot/manifestTree.js';
import { repoRoot, tempDir } from '../support/cli.js';
import { withPrototypes } from '../support/json.js';

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
