// diffSnapshots reads only what differs: the tree nodes whose digests differ and the specs the rules compare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestValue, type CanonicalObject, type Digest } from '../../src/core/digest.js';
import type { JsonObject } from '../../src/core/json.js';
import { buildManifest, type ManifestEntry } from '../../src/snapshot/manifestTree.js';
import { diffSnapshots } from '../../src/review/diffSnapshots.js';
import { SnapshotView } from '../../src/snapshot/snapshotView.js';
import type { KeyValueStore } from '../../src/store/keyValueStore.js';
import { MemoryStore } from '../../src/store/memoryStore.js';
import { keys, SpecStore } from '../../src/store/specStore.js';

/** Records every key read. */
class CountingStore implements KeyValueStore {
  readonly read: string[] = [];
  readonly location = 'memory';
  constructor(private readonly inner: KeyValueStore) {}
  get(key: string) {
    this.read.push(key);
    return this.inner.get(key);
  }
  getMany(list: readonly string[]) {
    this.read.push(...list);
    return this.inner.getMany(list);
  }
  batch(operations: Parameters<KeyValueStore['batch']>[0]) {
    return this.inner.batch(operations);
  }
  entries(prefix: string) {
    return this.inner.entries(prefix);
  }
  close() {
    return this.inner.close();
  }
}

const schema = (id: string, type: string): [string, string, JsonObject] => [
  id,
  'schema',
  { id, schema: { type: 'object', properties: { v: { type } } } },
];
const tool = (id: string, input: JsonObject): [string, string, JsonObject] => [
  id,
  'tool',
  { id, name: id, adapter: 'local', entry_point: 'f', inputs: [{ name: 'x', ...input }] },
];

async function put(
  kv: KeyValueStore,
  specs: [string, string, JsonObject][],
): Promise<{ id: Digest; digests: Map<string, Digest> }> {
  const objects: CanonicalObject[] = [];
  const entries: ManifestEntry[] = [];
  const digests = new Map<string, Digest>();
  for (const [id, kind, spec] of specs) {
    const object = digestValue(spec);
    objects.push(object);
    digests.set(id, object.digest);
    const [name, version] = id.split('@') as [string, string];
    entries.push({ name, version, kind, digest: object.digest });
  }
  const manifest = buildManifest(entries);
  await kv.batch(
    [...objects, ...manifest.objects].map((object) => ({
      type: 'put' as const,
      key: keys.object(object.digest),
      value: object.text,
    })),
  );
  return { id: manifest.snapshotId, digests };
}

test('unchanged specs are never read; changed ones and the schema specs they reach are', async () => {
  const memory = new MemoryStore();
  const common = Array.from({ length: 400 }, (_, i) => tool(`t${i}@1`, { type: 'string' }));
  const before = await put(memory, [
    ...common,
    schema('meta@1', 'string'),
    schema('other@1', 'string'),
    tool('u@1', { schema: 'meta@1' }),
  ]);
  // u@2 moves its input to meta@2 (narrowed); t7@1 is mutated; meta@1, other@1 and 399 tools are unchanged.
  const changedCommon = common.map((spec) => (spec[0] === 't7@1' ? tool('t7@1', { type: 'integer' }) : spec));
  const after = await put(memory, [
    ...changedCommon,
    schema('meta@1', 'string'),
    schema('meta@2', 'integer'),
    schema('other@1', 'string'),
    tool('u@1', { schema: 'meta@1' }),
    tool('u@2', { schema: 'meta@2' }),
  ]);
  const counting = new CountingStore(memory);
  const store = new SpecStore(counting);
  const report = await diffSnapshots(
    await SnapshotView.open(store, before.id),
    await SnapshotView.open(store, after.id),
  );

  assert.deepEqual(
    report.specs.map((spec) => spec.name),
    ['meta', 't7', 'u'],
  );
  assert.ok(
    report.specs
      .find((spec) => spec.name === 'u')!
      .changes.some((change) => change.rule === 'schema.type-narrowed' && change.severity === 'breaking'),
  );
  const specDigests = new Set([...before.digests.values(), ...after.digests.values()]);
  const specsRead = new Set(
    counting.read
      .filter((key) => specDigests.has(key.slice('obj:'.length) as Digest))
      .map((key) => key.slice('obj:'.length) as Digest),
  );
  const expected = new Set([
    before.digests.get('t7@1'),
    after.digests.get('t7@1'),
    before.digests.get('u@1'),
    after.digests.get('u@2'),
    before.digests.get('meta@1'),
    after.digests.get('meta@2'),
  ]);
  assert.deepEqual([...specsRead].sort(), [...expected].sort() as string[]);
  for (const unchanged of ['t0@1', 't399@1', 'other@1'])
    assert.ok(!specsRead.has(before.digests.get(unchanged)!), `${unchanged} was read`);
  assert.equal(report.read.specs, 6);
});

test('identical snapshots: an empty diff that reads no spec and no tree node', async () => {
  const memory = new MemoryStore();
  const snapshot = await put(
    memory,
    Array.from({ length: 100 }, (_, i) => tool(`t${i}@1`, { type: 'string' })),
  );
  const counting = new CountingStore(memory);
  const store = new SpecStore(counting);
  const view = await SnapshotView.open(store, snapshot.id);
  counting.read.length = 0; // opening reads the root; the diff itself must read nothing
  const report = await diffSnapshots(view, view, { failOn: 'warning' });
  assert.equal(report.empty, true);
  assert.equal(report.failed, false);
  assert.equal(report.severity, 'compatible');
  assert.deepEqual(report.read, { treeNodes: 0, specs: 0 });
  assert.deepEqual(counting.read, []);
});
