import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { digestValue } from '../../src/core/digest.js';
import { buildManifest, type ManifestEntry } from '../../src/snapshot/manifestTree.js';
import { compareTrees } from '../../src/snapshot/compareTrees.js';
import { SnapshotView } from '../../src/snapshot/snapshotView.js';
import { openStore } from '../../src/store/openStore.js';
import type { SpecStore } from '../../src/store/specStore.js';

const metadata = { createdAt: '2026-01-01T00:00:00.000Z', tool: 'test', specs: 0 };

async function storeSnapshot(store: SpecStore, specs: Map<string, number>): Promise<SnapshotView> {
  const objects = [];
  const entries: ManifestEntry[] = [];
  for (const [id, value] of specs) {
    const spec = digestValue({ id, budget: { max_usd_micro: value } });
    objects.push(spec);
    const [name, version] = id.split('@') as [string, string];
    entries.push({ name, version, kind: 'policy', digest: spec.digest });
  }
  const manifest = buildManifest(entries);
  await store.commitBuild({ snapshot: manifest.snapshotId, objects: [...objects, ...manifest.objects], metadata });
  return SnapshotView.open(store, manifest.snapshotId);
}

test('two 2,000-spec snapshots differing in 1% compare by reading a fraction of the tree', async (t) => {
  const store = await openStore({ directory: ':memory:' });
  t.after(() => store.close());
  const before = new Map(Array.from({ length: 2000 }, (_, i) => [`p${i}@1`, i] as [string, number]));
  const after = new Map(before);
  for (let i = 0; i < 2000; i += 100) after.set(`p${i}@1`, -i - 1);
  const a = await storeSnapshot(store, before);
  const b = await storeSnapshot(store, after);
  const { changed, nodesRead } = await compareTrees(a, b);
  assert.deepEqual(
    changed.map((c) => c.name),
    [...Array.from({ length: 20 }, (_, k) => `p${k * 100}`)].sort(),
  );
  const totalNodes = (await a.list()).length; // a lower bound on nothing; the tree has far fewer nodes than specs
  assert.ok(nodesRead < totalNodes / 4, `read ${nodesRead} nodes`);
  assert.deepEqual((await compareTrees(a, a)).changed, []);
  assert.equal((await compareTrees(a, a)).nodesRead, 0, 'identical snapshots read nothing');
});

test('compareTrees finds exactly the names whose entries differ (property)', async (t) => {
  const store = await openStore({ directory: ':memory:' });
  t.after(() => store.close());
  const specSet = fc.dictionary(
    fc.constantFrom(...Array.from({ length: 120 }, (_, i) => `n${i}@${1 + (i % 3)}`)),
    fc.integer({ min: 0, max: 3 }),
    { maxKeys: 120 },
  );
  await fc.assert(
    fc.asyncProperty(specSet, specSet, async (left, right) => {
      const a = await storeSnapshot(store, new Map(Object.entries(left)));
      const b = await storeSnapshot(store, new Map(Object.entries(right)));
      const expected = new Set<string>();
      for (const id of new Set([...Object.keys(left), ...Object.keys(right)])) {
        if (left[id] !== right[id]) expected.add(id.split('@')[0]!);
      }
      const { changed } = await compareTrees(a, b);
      assert.deepEqual(
        changed.map((c) => c.name),
        [...expected].sort(),
      );
    }),
    { numRuns: 60 },
  );
});
