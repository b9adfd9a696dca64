// Tag lists across pages. distribution 2.8.2 ignores `?n=` and answers with every tag at once, so a proxy in front of
// the real registry pages its answer the way the distribution spec says (`Link: <…>; rel="next"`), as other registries do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DistributionClient } from '../../src/oci/distributionClient.js';
import { listRemoteSnapshots } from '../../src/oci/listRemoteSnapshots.js';
import { skipWithoutDockerRegistry, startRegistry, type RunningRegistry } from '../support/ociRegistry.js';
import { startRegistryProxy, type RegistryProxy } from '../support/registryProxy.js';

const skip = skipWithoutDockerRegistry();
let registry: RunningRegistry | undefined;
let proxy: RegistryProxy | undefined;
const repository = 'acme/paged';
const tags = ['a1', 'a2', 'b1', 'b2', 'c1'];

before(async () => {
  if (skip) return;
  registry = await startRegistry();
  const client = new DistributionClient({ baseUrl: registry.url });
  const empty = new TextEncoder().encode('{}');
  const { digestBytes } = await import('../../src/core/digest.js');
  await client.pushBlob(repository, digestBytes(empty), empty);
  for (const tag of tags) {
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.example.other.v1',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestBytes(empty), size: 2 },
      layers: [],
      annotations: { tag },
    });
    await client.putManifest(
      repository,
      tag,
      new TextEncoder().encode(manifest),
      'application/vnd.oci.image.manifest.v1+json',
    );
  }
  // Pages of two, in order, each pointing at the next with a relative Link, as the spec describes.
  proxy = await startRegistryProxy(registry.url, (request) => {
    const url = new URL(request.path, 'http://proxy');
    if (!url.pathname.endsWith('/tags/list')) return undefined;
    const last = url.searchParams.get('last');
    const start = last === null ? 0 : tags.indexOf(last) + 1;
    const page = tags.slice(start, start + 2);
    const more = start + 2 < tags.length;
    return {
      status: 200,
      body: JSON.stringify({ name: repository, tags: page }),
      headers: more ? { link: `</v2/${repository}/tags/list?n=2&last=${page.at(-1)}>; rel="next"` } : {},
    };
  });
});
after(async () => {
  await proxy?.stop();
  await registry?.stop();
});

test('every page is followed; tags that name something else are listed with the problem', { skip }, async () => {
  const listed = await listRemoteSnapshots(new DistributionClient({ baseUrl: proxy!.url }), repository);
  assert.deepEqual(
    listed.map((entry) => entry.tag),
    tags,
  );
  assert.equal(proxy!.requests.filter((request) => request.endsWith('/tags/list')).length, 3);
  assert.ok(listed.every((entry) => entry.snapshot === undefined && entry.problem !== undefined));
});

test('a Link to another host is not followed', { skip }, async () => {
  const elsewhere = await startRegistryProxy(registry!.url, (request) =>
    request.path.includes('/tags/list')
      ? {
          status: 200,
          body: JSON.stringify({ name: repository, tags: ['only'] }),
          headers: { link: `<http://localhost:1/v2/${repository}/tags/list?last=only>; rel="next"` },
        }
      : undefined,
  );
  try {
    assert.deepEqual(await new DistributionClient({ baseUrl: elsewhere.url }).listTags(repository), ['only']);
  } finally {
    await elsewhere.stop();
  }
});
