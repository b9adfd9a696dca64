// The OCI distribution client against a real registry (CNCF distribution, Debian's docker-registry) on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { digestBytes } from '../../src/core/digest.js';
import { DistributionClient, ociManifestMediaType, type FetchFunction } from '../../src/oci/distributionClient.js';
import { isSpecError } from '../../src/errors.js';
import { skipWithoutDockerRegistry, startRegistry, type RunningRegistry } from '../support/ociRegistry.js';

const skip = skipWithoutDockerRegistry();
let registry: RunningRegistry | undefined;
before(async () => {
  if (!skip) registry = await startRegistry();
});
after(async () => {
  await registry?.stop();
});

const client = (fetch?: FetchFunction) =>
  new DistributionClient({ baseUrl: registry!.url, ...(fetch ? { fetch } : {}) });
const codeOf = (code: string) => (error: unknown) => isSpecError(error) && error.code === code;
const bytesOf = (text: string) => new TextEncoder().encode(text);

/** An OCI 1.1 artifact manifest: the empty config and the given layers. */
async function pushArtifact(repository: string, layers: Uint8Array[], tag: string): Promise<string> {
  const oci = client();
  const empty = bytesOf('{}');
  for (const blob of [empty, ...layers]) await oci.pushBlob(repository, digestBytes(blob), blob);
  const manifest = {
    schemaVersion: 2,
    mediaType: ociManifestMediaType,
    artifactType: 'application/vnd.specstore.test.v1',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestBytes(empty), size: 2 },
    layers: layers.map((layer) => ({
      mediaType: 'application/vnd.specstore.test.layer.v1',
      digest: digestBytes(layer),
      size: layer.length,
    })),
  };
  return oci.putManifest(repository, tag, bytesOf(JSON.stringify(manifest)), ociManifestMediaType);
}

test('ping, then a blob pushed is there, reads back byte for byte, and an absent one is not', { skip }, async () => {
  const oci = client();
  await oci.ping();
  const blob = bytesOf('{"id":"a@1"}\n');
  const digest = digestBytes(blob);
  assert.equal(await oci.hasBlob('acme/specs', digest), false);
  await oci.pushBlob('acme/specs', digest, blob);
  assert.equal(await oci.hasBlob('acme/specs', digest), true);
  assert.deepEqual(await oci.getBlob('acme/specs', digest), blob);
  await assert.rejects(oci.getBlob('acme/specs', digestBytes(bytesOf('never pushed'))), codeOf('OCI_NOT_FOUND'));
});

test(
  'a manifest stored under a tag reads back by tag and by digest, with the digest the registry reports',
  { skip },
  async () => {
    const digest = await pushArtifact('acme/manifests', [bytesOf('layer one'), bytesOf('layer two')], 'prod');
    const oci = client();
    const byTag = await oci.getManifest('acme/manifests', 'prod');
    assert.ok(byTag);
    assert.equal(byTag.digest, digest);
    assert.equal(byTag.mediaType, ociManifestMediaType);
    const byDigest = await oci.getManifest('acme/manifests', digest);
    assert.deepEqual(byDigest?.bytes, byTag.bytes);
    const manifest = JSON.parse(new TextDecoder().decode(byTag.bytes)) as { layers: { digest: string }[] };
    assert.deepEqual(
      manifest.layers.map((layer) => layer.digest),
      [digestBytes(bytesOf('layer one')), digestBytes(bytesOf('layer two'))],
    );
    assert.equal(await oci.getManifest('acme/manifests', 'missing'), undefined);
  },
);

test('tags are listed across pages; an unknown repository has none', { skip }, async () => {
  const tags = ['t1', 't2', 't3', 't4', 't5'];
  for (const tag of tags) await pushArtifact('acme/tags', [bytesOf(`layer of ${tag}`)], tag);
  assert.deepEqual((await client().listTags('acme/tags', 2)).sort(), tags);
  assert.deepEqual(await client().listTags('acme/nothing-here'), []);
});

test(
  "a manifest naming a blob the registry lacks is refused with the registry's own error code",
  { skip },
  async () => {
    const manifest = {
      schemaVersion: 2,
      mediaType: ociManifestMediaType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestBytes(bytesOf('{}')), size: 2 },
      layers: [{ mediaType: 'application/octet-stream', digest: digestBytes(bytesOf('absent')), size: 6 }],
    };
    await assert.rejects(
      client().putManifest('acme/refused', 'bad', bytesOf(JSON.stringify(manifest)), ociManifestMediaType),
      (error: unknown) =>
        isSpecError(error) && error.code === 'OCI_REFUSED' && /MANIFEST_BLOB_UNKNOWN|BLOB_UNKNOWN/.test(error.message),
    );
  },
);

test(
  'bytes altered on the way back (a proxy that flips one) are OCI_DIGEST_MISMATCH, never returned',
  { skip },
  async () => {
    const blob = bytesOf('trusted content');
    const digest = digestBytes(blob);
    await client().pushBlob('acme/tamper', digest, blob);
    const tag = await pushArtifact('acme/tamper', [blob], 'v1');
    const flipping: FetchFunction = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method !== 'GET' || response.status !== 200) return response;
      const body = new Uint8Array(await response.arrayBuffer());
      if (body.length > 0) body[0] = body[0]! ^ 1;
      return new Response(body, { status: response.status, headers: response.headers });
    };
    await assert.rejects(client(flipping).getBlob('acme/tamper', digest), codeOf('OCI_DIGEST_MISMATCH'));
    await assert.rejects(client(flipping).getManifest('acme/tamper', tag), codeOf('OCI_DIGEST_MISMATCH'));
    await assert.rejects(client(flipping).getManifest('acme/tamper', 'v1'), codeOf('OCI_DIGEST_MISMATCH'));
  },
);

test('a registry nobody answers on is OCI_UNREACHABLE; names the spec does not admit are OCI_URL_INVALID', async () => {
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 1));
    });
  });
  await assert.rejects(
    new DistributionClient({ baseUrl: `http://127.0.0.1:${port}` }).ping(),
    codeOf('OCI_UNREACHABLE'),
  );
  assert.throws(() => new DistributionClient({ baseUrl: 'ftp://127.0.0.1' }), codeOf('OCI_URL_INVALID'));
  assert.throws(() => new DistributionClient({ baseUrl: 'http://127.0.0.1:5000/acme' }), codeOf('OCI_URL_INVALID'));
  const oci = new DistributionClient({ baseUrl: `http://127.0.0.1:${port}` });
  await assert.rejects(oci.hasBlob('Acme/Specs', digestBytes(bytesOf('x'))), codeOf('OCI_URL_INVALID'));
  await assert.rejects(oci.getManifest('acme/specs', 'bad tag!'), codeOf('OCI_URL_INVALID'));
});
