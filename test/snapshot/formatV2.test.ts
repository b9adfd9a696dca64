// Snapshot format v2: kind definitions and plugins in the root, origins in leaves, carried and checked by every
// reader of a whole snapshot; v1 roots stay readable under their ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestValue, type Digest } from '../../src/core/digest.js';
import {
  buildSnapshot,
  collectGarbage,
  exportSnapshot,
  formatSnapshotDocument,
  importSnapshot,
  isSpecError,
  memoryRoot,
  openStore,
  SnapshotView,
  verifyStore,
} from '../../src/index.js';
import { buildManifest } from '../../src/snapshot/manifestTree.js';
import { keys } from '../../src/store/specStore.js';

const files = {
  'tools/t.yaml': 'id: t@1\nname: T\nadapter: local\nentry_point: f\ncapabilities: [x]\n',
  'policies/p.yaml': 'id: p@1\n',
};

test('specs read from a root with an origin: the root records the plugin, the leaf the origin of each version', async () => {
  const store = await openStore({ directory: ':memory:' });
  try {
    const built = await buildSnapshot({
      registry: 'reg',
      store,
      source: {
        roots: [
          memoryRoot({ 'policies/p.yaml': 'id: p@1\n' }, 'reg'),
          Object.assign(memoryRoot({ 'tools/t.yaml': files['tools/t.yaml'] }, 'plugin'), {
            origin: { plugin: '@acme/tools', version: '2.1.0' },
          }),
        ],
      },
    });
    const view = await SnapshotView.open(store, built.snapshot);
    assert.deepEqual({ ...view.plugins() }, { '@acme/tools': '2.1.0' });
    assert.equal((await view.lookup('t@1'))?.origin, '@acme/tools');
    assert.equal((await view.lookup('p@1'))?.origin, undefined, "the registry's own spec has no origin");
    assert.deepEqual(
      (await view.list()).map((entry) => [entry.id, entry.origin]),
      [
        ['p@1', undefined],
        ['t@1', '@acme/tools'],
      ],
    );
    assert.equal((await view.explain('t')).origin, '@acme/tools');
    // Without the origin, the same specs give another snapshot (the root and the tool's leaf differ).
    const local = await buildSnapshot({ registry: 'reg', store, source: { roots: [memoryRoot(files, 'reg')] } });
    assert.notEqual(local.snapshot, built.snapshot);
    assert.deepEqual({ ...(await SnapshotView.open(store, local.snapshot)).plugins() }, {});
  } finally {
    await store.close();
  }
});

test('kind definitions travel with the snapshot: export carries them, import, verify and gc check them', async () => {
  const store = await openStore({ directory: ':memory:' });
  try {
    const built = await buildSnapshot({ registry: 'reg', store, source: { roots: [memoryRoot(files, 'reg')] } });
    const view = await SnapshotView.open(store, built.snapshot);
    const digests = view.kindDigests();
    assert.ok(digests['tool'] && digests['prompt']);
    assert.deepEqual((await view.kinds()).get('prompt')?.checks, ['prompt.template-variables']);
    const document = await exportSnapshot(store, built.snapshot);
    for (const digest of Object.values(digests)) assert.ok(document.objects[digest], `export carries ${digest}`);
    const text = formatSnapshotDocument(document);

    // Import: a document without a definition is incomplete; one with a forged definition hashes wrong.
    const target = await openStore({ directory: ':memory:' });
    try {
      const without = structuredClone(document);
      delete without.objects[digests['tool']!];
      await assert.rejects(
        importSnapshot(target, formatSnapshotDocument(without)),
        (error: unknown) => isSpecError(error) && error.code === 'IMPORT_INCOMPLETE',
      );
      const renamed = structuredClone(document);
      const forged = { ...(renamed.objects[digests['tool']!] as object), name: 'policy' };
      delete renamed.objects[digests['tool']!];
      const forgedDigest = digestValue(forged).digest;
      renamed.objects[forgedDigest] = forged;
      const root = renamed.objects[built.snapshot] as { kinds: Record<string, Digest> };
      root.kinds['tool'] = forgedDigest;
      const newId = digestValue(root).digest;
      delete renamed.objects[built.snapshot];
      renamed.objects[newId] = root;
      renamed.snapshot = newId;
      await assert.rejects(
        importSnapshot(target, formatSnapshotDocument(renamed)),
        (error: unknown) => isSpecError(error) && error.code === 'IMPORT_INVALID',
        'a definition listed under another kind name',
      );
      assert.equal((await importSnapshot(target, text)).snapshot, built.snapshot);
      assert.equal((await (await SnapshotView.open(target, built.snapshot)).kinds()).size, Object.keys(digests).length);
    } finally {
      await target.close();
    }

    // gc keeps the definitions of kept snapshots (verify finds nothing unreached or missing afterwards).
    await collectGarbage(store, { keepLast: 1 });
    assert.equal((await verifyStore(store)).problems.length, 0);
    // A definition removed behind the store's back: verify and every reader say so.
    await store.kv.batch([{ type: 'del', key: keys.object(digests['tool']!) }]);
    const report = await verifyStore(store);
    assert.ok(report.problems.some((p) => p.code === 'OBJECT_MISSING' && p.object === digests['tool']));
    assert.ok(report.problems.some((p) => p.code === 'SNAPSHOT_INCOMPLETE' && p.snapshot === built.snapshot));
    await assert.rejects(
      (await SnapshotView.open(store, built.snapshot)).preload(),
      (error: unknown) => isSpecError(error) && error.code === 'STORE_CORRUPT',
    );
    await assert.rejects(
      collectGarbage(store, { keepLast: 1 }),
      (error: unknown) => isSpecError(error) && error.code === 'STORE_CORRUPT',
    );
  } finally {
    await store.close();
  }
});

test('a v1 snapshot stays readable under its id: view, export and import, verify, gc', async () => {
  const store = await openStore({ directory: ':memory:' });
  try {
    const spec = digestValue({ id: 'p@1' });
    const tree = buildManifest([{ name: 'p', version: '1', kind: 'policy', digest: spec.digest }]).objects[0]!;
    const root = digestValue({ format: 'specstore/snapshot/v1', specs: 1, tree: tree.digest });
    await store.commitBuild({
      snapshot: root.digest,
      objects: [spec, tree, root],
      metadata: { createdAt: '2026-01-01T00:00:00.000Z', tool: 'old', specs: 1 },
    });
    const view = await SnapshotView.open(store, root.digest);
    assert.equal(view.format, 'specstore/snapshot/v1');
    assert.equal((await view.kinds()).size, 0);
    assert.deepEqual({ ...view.plugins() }, {});
    assert.ok(
      (await view.descriptors()).some((kind) => kind.name === 'tool'),
      'read with the built-in kinds',
    );
    assert.equal((await view.resolve('p')).digest, spec.digest);
    const document = await exportSnapshot(store, root.digest);
    assert.equal(Object.keys(document.objects).length, 3);
    const target = await openStore({ directory: ':memory:' });
    try {
      assert.equal((await importSnapshot(target, formatSnapshotDocument(document))).snapshot, root.digest);
    } finally {
      await target.close();
    }
    assert.equal((await verifyStore(store)).problems.length, 0);
    await collectGarbage(store, { keepLast: 1 });
    assert.equal((await view.resolve('p@1')).spec['id'], 'p@1');
    // A v1 side says nothing of its kinds: a diff to a v2 build of the same specs reports no kind change.
    const v2 = await buildSnapshot({
      registry: 'reg',
      store,
      source: { roots: [memoryRoot({ 'policies/p.yaml': 'id: p@1\n' }, 'reg')] },
    });
    const { diffSnapshots } = await import('../../src/index.js');
    const report = await diffSnapshots(view, await SnapshotView.open(store, v2.snapshot));
    assert.deepEqual(report.kinds, []);
    assert.equal(report.empty, true);
  } finally {
    await store.close();
  }
});
