// Trust nothing that comes back: a proxy between the client and a real registry corrupts, truncates, swaps and delays
// answers, and crafted artifacts lie about their contents. Every case is refused with its own code, the store untouched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { digestBytes, type Digest } from '../../src/core/digest.js';
import { isSpecError } from '../../src/errors.js';
import { buildIntoStore } from '../../src/build/buildIntoStore.js';
import { exportSnapshot } from '../../src/snapshot/exportSnapshot.js';
import { openStore } from '../../src/store/openStore.js';
import { DistributionClient, ociManifestMediaType } from '../../src/oci/distributionClient.js';
import { pushSnapshot } from '../../src/oci/pushSnapshot.js';
import { pullSnapshot } from '../../src/oci/pullSnapshot.js';
import {
  buildSnapshotManifest,
  emptyConfig,
  emptyConfigBytes,
  parseSnapshotManifest,
  snapshotTag,
} from '../../src/oci/snapshotArtifact.js';
import { readPack, writePack } from '../../src/oci/snapshotPack.js';
import { bundledRegistry, copyBundledRegistry, dumpStore, tempDir } from '../support/cli.js';
import { skipWithoutDockerRegistry, startRegistry, type RunningRegistry } from '../support/ociRegistry.js';
import { startRegistryProxy, type ProxyAction, type ProxiedRequest } from '../support/registryProxy.js';
import { writeFileSync } from 'node:fs';

const skip = skipWithoutDockerRegistry();
let registry: RunningRegistry | undefined;
const work = tempDir('specstore-hostile-');
let first: Digest;
let second: Digest;
const source = join(work.path, 'source');
const repository = 'acme/hostile';

before(async () => {
  if (skip) return;
  registry = await startRegistry();
  const registryDir = copyBundledRegistry(work.path);
  first = (await buildIntoStore({ registry: bundledRegistry, directory: source })).snapshot;
  writeFileSync(
    join(registryDir, 'tools/other.yaml'),
    'id: "other.tool@1"\nname: "Other"\ndescription: "a second snapshot"\nadapter: "local"\nentry_point: "./x"\n',
  );
  second = (await buildIntoStore({ registry: registryDir, directory: source })).snapshot;
  const store = await openStore({ directory: source });
  try {
    const client = new DistributionClient({ baseUrl: registry.url });
    await pushSnapshot(store, first, { client, repository, tags: ['first'] });
    await pushSnapshot(store, second, { client, repository, tags: ['second'], forceRepack: true });
  } finally {
    await store.close();
  }
});
after(async () => {
  await registry?.stop();
  work.cleanup();
});

const direct = () => new DistributionClient({ baseUrl: registry!.url });
let targets = 0;

/** Pulls through a proxy with `rule` into a store that already holds something; checks the store is as it was. */
async function pullThrough(
  rule: (request: ProxiedRequest) => ProxyAction | undefined,
  pull: { tag?: string; snapshot?: Digest; repository?: string },
): Promise<unknown> {
  const proxy = await startRegistryProxy(registry!.url, rule);
  const directory = join(work.path, `target-${targets++}`);
  await buildIntoStore({ registry: join(work.path, 'registry'), directory });
  const before = await dumpStore(directory);
  const store = await openStore({ directory });
  let outcome: unknown;
  try {
    outcome = await pullSnapshot(store, {
      client: new DistributionClient({ baseUrl: proxy.url }),
      repository: pull.repository ?? repository,
      ...(pull.tag === undefined ? { snapshot: pull.snapshot! } : { tag: pull.tag }),
    }).catch((error: unknown) => error);
  } finally {
    await store.close();
    await proxy.stop();
  }
  if (isSpecError(outcome)) assert.deepEqual(await dumpStore(directory), before, 'a refused pull writes nothing');
  return outcome;
}

const codeOf = (outcome: unknown) => (isSpecError(outcome) ? outcome.code : outcome);
const isPackGet = (request: ProxiedRequest, pack: Digest) =>
  request.method === 'GET' && request.path.includes(`/blobs/${pack}`);

async function manifestOf(tag: string) {
  return parseSnapshotManifest((await direct().getManifest(repository, tag))!.bytes, tag);
}

test('a pack with one flipped byte is OCI_DIGEST_MISMATCH', { skip }, async () => {
  const pack = (await manifestOf('first')).packs[0]!.digest;
  const outcome = await pullThrough(
    (request) =>
      isPackGet(request, pack)
        ? {
            rewrite: (body) => {
              const copy = Buffer.from(body);
              copy[copy.length >> 1] = copy[copy.length >> 1]! ^ 1;
              return copy;
            },
          }
        : undefined,
    { tag: 'first' },
  );
  assert.equal(codeOf(outcome), 'OCI_DIGEST_MISMATCH');
});

test('a pack cut short (with a Content-Length that matches the cut) is OCI_DIGEST_MISMATCH', { skip }, async () => {
  const pack = (await manifestOf('first')).packs[0]!.digest;
  const outcome = await pullThrough(
    (request) => (isPackGet(request, pack) ? { rewrite: (body) => body.subarray(0, body.length - 100) } : undefined),
    { tag: 'first' },
  );
  assert.equal(codeOf(outcome), 'OCI_DIGEST_MISMATCH');
});

test('a connection dropped in the middle of a pack fails the pull, never stores part of it', { skip }, async () => {
  const pack = (await manifestOf('first')).packs[0]!.digest;
  const outcome = await pullThrough((request) => (isPackGet(request, pack) ? { cutAfter: 200 } : undefined), {
    tag: 'first',
  });
  assert.ok(isSpecError(outcome), `refused: ${String(outcome)}`);
  assert.match(outcome.code, /^OCI_(UNREACHABLE|REFUSED|DIGEST_MISMATCH)$/);
});

test('a manifest for one id whose layers[0] is another snapshot is OCI_SNAPSHOT_MISMATCH', { skip }, async () => {
  const other = await direct().getManifest(repository, 'second');
  const outcome = await pullThrough(
    (request) =>
      request.path.endsWith(`/manifests/${snapshotTag(first)}`)
        ? {
            status: 200,
            body: Buffer.from(other!.bytes).toString(),
            headers: { 'content-type': ociManifestMediaType, 'docker-content-digest': other!.digest },
          }
        : undefined,
    { snapshot: first },
  );
  assert.equal(codeOf(outcome), 'OCI_SNAPSHOT_MISMATCH');
});

test('a manifest that is not a specstore snapshot is OCI_MANIFEST_INVALID', { skip }, async () => {
  const foreign = JSON.stringify({
    schemaVersion: 2,
    mediaType: ociManifestMediaType,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: emptyConfig.digest, size: 2 },
    layers: [],
  });
  const outcome = await pullThrough(
    (request) =>
      request.path.endsWith('/manifests/first')
        ? { status: 200, body: foreign, headers: { 'content-type': ociManifestMediaType } }
        : undefined,
    { tag: 'first' },
  );
  assert.equal(codeOf(outcome), 'OCI_MANIFEST_INVALID');
});

test('slow answers (delayed, trickled) still give the exact snapshot', { skip }, async () => {
  const outcome = await pullThrough(
    (request) => (request.path.includes('/blobs/') ? { trickleMs: 2 } : { delayMs: 50 }),
    { tag: 'first' },
  );
  assert.ok(!isSpecError(outcome), String(outcome));
  assert.equal((outcome as { snapshot: Digest }).snapshot, first);
});

/** Pushes a hand-made artifact of `first` straight to the registry: the root, the given pack bytes, a manifest. */
async function pushCrafted(repo: string, packBytes: Uint8Array, objects: number): Promise<void> {
  const client = direct();
  const store = await openStore({ directory: source, readOnly: true });
  let rootText: string;
  try {
    rootText = JSON.stringify((await exportSnapshot(store, first)).objects[first]);
  } finally {
    await store.close();
  }
  const root = new TextEncoder().encode(
    (await import('../../src/core/canonicalJson.js')).canonicalJson(JSON.parse(rootText)),
  );
  assert.equal(digestBytes(root), first);
  await client.pushBlob(repo, emptyConfig.digest, emptyConfigBytes);
  await client.pushBlob(repo, first, root);
  const packDigest = digestBytes(packBytes);
  await client.pushBlob(repo, packDigest, packBytes);
  const manifest = buildSnapshotManifest({
    snapshot: first,
    rootSize: root.length,
    packs: [
      {
        digest: packDigest,
        size: packBytes.length,
        objects,
        rawBytes: packBytes.length,
        chunks: [{ offset: 0, first: first }],
      },
    ],
    annotations: {},
  });
  await client.putManifest(repo, 'crafted', manifest.bytes, ociManifestMediaType);
}

async function firstObjects() {
  const pack = (await manifestOf('first')).packs[0]!;
  return readPack(await direct().getBlob(repository, pack.digest), 'first');
}

test('a pack whose blob is whole but whose gzip is cut off is OCI_PACK_INVALID', { skip }, async () => {
  const pack = writePack(await firstObjects());
  await pushCrafted('acme/cut', pack.bytes.subarray(0, pack.bytes.length - 30), pack.objects);
  const outcome = await pullThrough(() => undefined, { tag: 'crafted', repository: 'acme/cut' });
  assert.equal(codeOf(outcome), 'OCI_PACK_INVALID');
});

test('a pack with a line that is not canonical JSON is OCI_PACK_INVALID', { skip }, async () => {
  const objects = await firstObjects();
  const { gzipSync } = await import('node:zlib');
  const lines = objects.map((object) => `${object.text}\n`);
  lines[0] = `${JSON.stringify(JSON.parse(objects[0]!.text), null, 1).replace(/\n/g, '')}\n`.replace('{', '{ ');
  const bytes = new Uint8Array(gzipSync(lines.join('')));
  await pushCrafted('acme/noncanonical', bytes, objects.length);
  const outcome = await pullThrough(() => undefined, { tag: 'crafted', repository: 'acme/noncanonical' });
  assert.equal(codeOf(outcome), 'OCI_PACK_INVALID');
});

test('a root that reaches an object no pack holds is OCI_SNAPSHOT_INCOMPLETE', { skip }, async () => {
  const objects = await firstObjects();
  const store = await openStore({ directory: source, readOnly: true });
  const document = await exportSnapshot(store, first).finally(() => store.close());
  // Drop one spec (a leaf's target), keep every tree node.
  const spec = objects.find((object) => {
    const value = document.objects[object.digest] as Record<string, unknown>;
    return typeof value['id'] === 'string';
  })!;
  const pack = writePack(objects.filter((object) => object.digest !== spec.digest));
  await pushCrafted('acme/incomplete', pack.bytes, pack.objects);
  const outcome = await pullThrough(() => undefined, { tag: 'crafted', repository: 'acme/incomplete' });
  assert.equal(codeOf(outcome), 'OCI_SNAPSHOT_INCOMPLETE');
});
