// The key layout: namespaces isolate their keys, typed scans name what they hold, and the object reader re-hashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestValue } from '../../src/core/digest.js';
import { MemoryStore } from '../../src/store/memoryStore.js';
import { memoryObjectReader } from '../../src/store/objectReader.js';
import { SpecStore } from '../../src/store/specStore.js';
import { buildCacheSpaces, keys, keySpaces } from '../../src/store/storeKeys.js';

test('a namespace reads, writes and scans only its own keys, with the prefix taken off', async () => {
  const kv = new MemoryStore();
  const store = new SpecStore(kv);
  const index = store.namespace(buildCacheSpaces.index);
  const analyses = store.namespace(buildCacheSpaces.analyses);
  await index.batch([
    { type: 'put', key: 'r1', value: 'header' },
    { type: 'put', key: 'r1:00', value: 'bucket' },
  ]);
  await analyses.batch([{ type: 'put', key: 'r1:a.yaml', value: '{}' }]);
  await kv.batch([{ type: 'put', key: 'cache:buildx', value: 'a neighbour, not in the space' }]);

  assert.deepEqual(await kv.get('cache:build:r1'), 'header');
  assert.equal(await index.get('r1'), 'header');
  assert.equal(await analyses.get('r1'), undefined);
  assert.deepEqual(await index.getMany(['r1:00', 'r1:a.yaml']), ['bucket', undefined]);
  const scan = async (space: typeof index, prefix = '') => {
    const found: string[] = [];
    for await (const [key] of space.entries(prefix)) found.push(key);
    return found;
  };
  assert.deepEqual(await scan(index), ['r1', 'r1:00']);
  assert.deepEqual(await scan(analyses), ['r1:a.yaml']);
  assert.deepEqual(index.operations([{ type: 'del', key: 'r1:00' }]), [{ type: 'del', key: 'cache:build:r1:00' }]);
  await index.batch([{ type: 'del', key: 'r1:00' }]);
  assert.deepEqual(await scan(index), ['r1']);
  assert.equal(await kv.get('cache:buildx'), 'a neighbour, not in the space');
});

test('every prefix ends in a colon and none is a prefix of another', () => {
  const prefixes = [...Object.values(keySpaces), ...Object.values(buildCacheSpaces)].map((space) => space.prefix);
  for (const prefix of prefixes) assert.match(prefix, /^[a-z:]+:$/);
  const top = Object.values(keySpaces).map((space) => space.prefix);
  for (const a of top) for (const b of top) if (a !== b) assert.ok(!b.startsWith(a), `${a} is a prefix of ${b}`);
  for (const space of Object.values(buildCacheSpaces)) assert.ok(keySpaces.cache.holds(space.prefix));
});

test('typed scans: objects and snapshots with their digests, or undefined where a key holds none', async () => {
  const kv = new MemoryStore();
  const store = new SpecStore(kv);
  const object = digestValue({ id: 'p@1' });
  await kv.batch([
    { type: 'put', key: keys.object(object.digest), value: object.text },
    { type: 'put', key: 'obj:not-a-digest', value: '{}' },
    { type: 'put', key: keys.snapshot(object.digest), value: '{}' },
    { type: 'put', key: 'snap:nope', value: '{}' },
  ]);
  const objects = [];
  for await (const found of store.objects()) objects.push(found);
  assert.deepEqual(
    objects,
    [
      { key: 'obj:not-a-digest', digest: undefined, text: '{}' },
      { key: keys.object(object.digest), digest: object.digest, text: object.text },
    ].sort((a, b) => (a.key < b.key ? -1 : 1)),
  );
  const snapshots = [];
  for await (const found of store.snapshots()) snapshots.push(found.id);
  assert.deepEqual(snapshots.sort(), [object.digest, undefined].sort());
  assert.deepEqual(await store.listSnapshots(), [object.digest]);
});

test('the in-memory object reader re-hashes on read and falls back to the reader below', async () => {
  const a = digestValue({ id: 'a@1' });
  const b = digestValue({ id: 'b@1' });
  const below = memoryObjectReader([b]);
  const reader = memoryObjectReader([a], below);
  assert.deepEqual(
    JSON.stringify(await reader.readObjects([a.digest, b.digest, digestValue(1).digest])),
    JSON.stringify([{ id: 'a@1' }, { id: 'b@1' }, undefined]),
  );
  const forged = memoryObjectReader([{ digest: a.digest, text: b.text }]);
  await assert.rejects(forged.readObjects([a.digest]), { code: 'DIGEST_MISMATCH' });
});
