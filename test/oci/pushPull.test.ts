// Push and pull of snapshots through a real registry (Debian's docker-registry on loopback), end to end over the library.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Digest } from '../../src/core/digest.js';
import { isSpecError } from '../../src/errors.js';
import { buildIntoStore } from '../../src/build/buildIntoStore.js';
import { exportSnapshot } from '../../src/snapshot/exportSnapshot.js';
import { openStore } from '../../src/store/openStore.js';
import type { SpecStore } from '../../src/store/specStore.js';
import { DistributionClient, type FetchFunction } from '../../src/oci/distributionClient.js';
import { pushSnapshot } from '../../src/oci/pushSnapshot.js';
import { pullSnapshot, pullSpec } from '../../src/oci/pullSnapshot.js';
import { parseSnapshotManifest, snapshotTag } from '../../src/oci/snapshotArtifact.js';
import { readPack } from '../../src/oci/snapshotPack.js';
import { bundledRegistry, tempDir } from '../support/cli.js';
import { skipWithoutDockerRegistry, startRegistry, type RunningRegistry } from '../support/ociRegistry.js';

const skip = skipWithoutDockerRegistry();
let registry: RunningRegistry | undefined;
const work = tempDir('specstore-push-');
before(async () => {
  if (!skip) registry = await startRegistry();
});
after(async () => {
  await registry?.stop();
  work.cleanup();
});

/** A client that counts the requests it makes, by method. */
function countingClient() {
  const requests: string[] = [];
  const fetcher: FetchFunction = (input, init) => {
    requests.push(`${init?.method ?? 'GET'} ${new URL(input).pathname}`);
    return fetch(input, init);
  };
  return { client: new DistributionClient({ baseUrl: registry!.url, fetch: fetcher }), requests };
}

let stores = 0;
async function withStore<T>(
  work2: (store: SpecStore, directory: string) => Promise<T>,
  directory?: string,
): Promise<T> {
  const dir = directory ?? join(work.path, `store-${stores++}`);
  const store = await openStore({ directory: dir, create: true });
  try {
    return await work2(store, dir);
  } finally {
    await store.close();
  }
}

async function buildBundled(directory: string, registryDir = bundledRegistry): Promise<Digest> {
  return (await buildIntoStore({ registry: registryDir, directory })).snapshot;
}

test('push then pull into an empty store gives the same snapshot, byte for byte', { skip }, async () => {
  const source = join(work.path, 'source-a');
  const id = await buildBundled(source);
  const { client } = countingClient();
  const pushed = await withStore(
    (store) => pushSnapshot(store, id, { client, repository: 'acme/specs', tags: ['prod'] }),
    source,
  );
  assert.equal(pushed.snapshot, id);
  assert.equal(pushed.alreadyPresent, false);
  assert.equal(pushed.repacked, 'no-base');
  assert.deepEqual(pushed.tags, [snapshotTag(id), 'prod']);

  const fetched = await client.getManifest('acme/specs', 'prod');
  const manifest = parseSnapshotManifest(fetched!.bytes, 'prod');
  assert.equal(manifest.snapshot, id, 'layers[0] is the root, so its digest is the snapshot id');
  assert.equal(fetched!.digest, pushed.manifest);
  assert.equal((await client.getManifest('acme/specs', snapshotTag(id)))!.digest, pushed.manifest);

  const expected = await withStore((store) => exportSnapshot(store, id), source);
  await withStore(async (store) => {
    const pulled = await pullSnapshot(store, { client, repository: 'acme/specs', tag: 'prod' });
    assert.equal(pulled.snapshot, id);
    assert.equal(pulled.existed, false);
    assert.equal(pulled.objects, Object.keys(expected.objects).length);
    assert.deepEqual(await exportSnapshot(store, id), expected);
  });
});

test(
  'a pull of a snapshot already present asks for one manifest and nothing else; by id, for nothing',
  { skip },
  async () => {
    const source = join(work.path, 'source-b');
    const id = await buildBundled(source);
    await withStore(async (store) => {
      const { client, requests } = countingClient();
      await pushSnapshot(store, id, { client, repository: 'acme/present', tags: ['prod'] });
      requests.length = 0;
      const again = await pullSnapshot(store, { client, repository: 'acme/present', tag: 'prod' });
      assert.equal(again.existed, true);
      assert.deepEqual(requests, ['GET /v2/acme/present/manifests/prod']);
      requests.length = 0;
      const byId = await pullSnapshot(store, { client, repository: 'acme/present', snapshot: id });
      assert.equal(byId.existed, true);
      assert.deepEqual(requests, []);
    }, source);
  },
);

test('a second push after a change reuses the packs and adds one delta pack of the new objects', { skip }, async () => {
  const registryDir = join(work.path, 'registry-c');
  cpSync(bundledRegistry, registryDir, { recursive: true });
  const storeDir = join(work.path, 'source-c');
  const first = await buildBundled(storeDir, registryDir);
  const { client, requests } = countingClient();
  const firstPush = await withStore(
    (store) => pushSnapshot(store, first, { client, repository: 'acme/delta', tags: ['prod'] }),
    storeDir,
  );
  writeFileSync(
    join(registryDir, 'tools/added.yaml'),
    'id: "added.tool@1"\nname: "Added"\ndescription: "added for the delta push"\nadapter: "local"\nentry_point: "./x"\n',
  );
  const second = await buildBundled(storeDir, registryDir);
  assert.notEqual(second, first);
  requests.length = 0;
  const secondPush = await withStore(
    (store) => pushSnapshot(store, second, { client, repository: 'acme/delta', tags: ['prod'] }),
    storeDir,
  );
  assert.equal(secondPush.base, first);
  assert.equal(secondPush.repacked, undefined);
  assert.equal(secondPush.packs, firstPush.packs + 1);
  assert.equal(secondPush.reusedPacks, firstPush.packs);
  assert.equal(secondPush.uploadedBlobs, 2, 'the root and the delta pack');
  assert.ok(requests.length <= 15, `at most 15 requests, made ${requests.length}: ${requests.join(', ')}`);
  const manifest = parseSnapshotManifest((await client.getManifest('acme/delta', 'prod'))!.bytes, 'prod');
  const delta = readPack(await client.getBlob('acme/delta', manifest.packs.at(-1)!.digest), 'delta');
  const before = await withStore((store) => exportSnapshot(store, first), storeDir);
  assert.ok(
    delta.every((object) => before.objects[object.digest] === undefined),
    'the delta holds only new objects',
  );
  await withStore(async (store) => {
    const pulled = await pullSnapshot(store, { client, repository: 'acme/delta', snapshot: second });
    assert.equal(pulled.snapshot, second);
    assert.equal(pulled.packs, 2);
  });
});

test('packs are rewritten when they pile up past the threshold', { skip }, async () => {
  const registryDir = join(work.path, 'registry-d');
  cpSync(bundledRegistry, registryDir, { recursive: true });
  const storeDir = join(work.path, 'source-d');
  const { client } = countingClient();
  const repack = { maxPacks: 2, maxUnreachable: 1 };
  const results = [];
  for (let i = 0; i < 3; i++) {
    writeFileSync(
      join(registryDir, `tools/step${i}.yaml`),
      `id: "step${i}.tool@1"\nname: "Step"\ndescription: "step ${i}"\nadapter: "local"\nentry_point: "./x"\n`,
    );
    const id = await buildBundled(storeDir, registryDir);
    results.push(
      await withStore(
        (store) => pushSnapshot(store, id, { client, repository: 'acme/repack', tags: ['prod'], repack }),
        storeDir,
      ),
    );
  }
  assert.deepEqual(
    results.map((result) => [result.packs, result.repacked ?? 'delta']),
    [
      [1, 'no-base'],
      [2, 'delta'],
      [1, 'packs'],
    ],
  );
});

test('one spec is read without the whole snapshot: the root and the pack members on its path', { skip }, async () => {
  const source = join(work.path, 'source-e');
  const id = await buildBundled(source);
  const expected = await withStore(async (store) => {
    const { client } = countingClient();
    await pushSnapshot(store, id, { client, repository: 'acme/partial', tags: ['prod'] });
    const view = await (await import('../../src/snapshot/snapshotView.js')).SnapshotView.open(store, id);
    return view.resolve('web.search@1');
  }, source);
  const { client, requests } = countingClient();
  const pulled = await pullSpec({ client, repository: 'acme/partial', tag: 'prod', ref: 'web.search@1' });
  assert.equal(pulled.snapshot, id);
  assert.deepEqual(pulled.spec.spec, expected.spec);
  assert.equal(pulled.spec.digest, expected.digest);
  assert.ok(requests.every((request) => request.startsWith('GET')));
  assert.ok(
    requests.some((request) => request.includes('/blobs/')),
    'it read blobs',
  );
  await assert.rejects(
    pullSpec({ client, repository: 'acme/partial', tag: 'prod', ref: 'no.such@1' }),
    (error: unknown) => isSpecError(error) && error.code === 'REF_NOT_FOUND',
  );
});

test('pushing a snapshot the registry has only writes tags', { skip }, async () => {
  const source = join(work.path, 'source-f');
  const id = await buildBundled(source);
  await withStore(async (store) => {
    const { client, requests } = countingClient();
    await pushSnapshot(store, id, { client, repository: 'acme/again' });
    requests.length = 0;
    const again = await pushSnapshot(store, id, { client, repository: 'acme/again', tags: ['stable'] });
    assert.equal(again.alreadyPresent, true);
    assert.equal(again.uploadedBlobs, 0);
    assert.deepEqual(requests, [
      'GET /v2/acme/again/manifests/' + snapshotTag(id),
      'PUT /v2/acme/again/manifests/stable',
    ]);
  }, source);
});
