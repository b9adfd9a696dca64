// The client's transport against a real registry: chunked uploads, mounts, Range reads, retries through a proxy that
// fails on purpose, and redirects to another host that must not receive the Authorization header.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { digestBytes } from '../../src/core/digest.js';
import { isSpecError } from '../../src/errors.js';
import { DistributionClient, type ResponseInfo } from '../../src/oci/distributionClient.js';
import { skipWithoutDockerRegistry, startRegistry, type RunningRegistry } from '../support/ociRegistry.js';
import { startRegistryProxy } from '../support/registryProxy.js';

const skip = skipWithoutDockerRegistry();
let registry: RunningRegistry | undefined;
before(async () => {
  if (!skip) registry = await startRegistry();
});
after(async () => {
  await registry?.stop();
});
const codeOf = (code: string) => (error: unknown) => isSpecError(error) && error.code === code;
const noSleep = { sleep: async () => undefined };

test('a blob larger than the chunk size goes up as PATCH chunks and reads back byte for byte', { skip }, async () => {
  const seen: ResponseInfo[] = [];
  const oci = new DistributionClient({
    baseUrl: registry!.url,
    chunkSize: 10_000,
    onResponse: (info) => seen.push(info),
  });
  const blob = new Uint8Array(randomBytes(35_000));
  assert.equal(await oci.pushBlob('acme/chunks', digestBytes(blob), blob), 'uploaded');
  assert.deepEqual(
    seen.map((info) => `${info.method} ${info.status} ${info.bytesSent}`),
    ['POST 202 0', 'PATCH 202 10000', 'PATCH 202 10000', 'PATCH 202 10000', 'PATCH 202 5000', 'PUT 201 0'],
  );
  assert.deepEqual(await oci.getBlob('acme/chunks', digestBytes(blob)), blob);
  assert.deepEqual(await oci.getBlobRange('acme/chunks', digestBytes(blob), 1000, 1999), blob.subarray(1000, 2000));
});

test(
  'a blob in another repository of the registry is mounted, not uploaded; unknown sources fall back',
  { skip },
  async () => {
    const oci = new DistributionClient({ baseUrl: registry!.url });
    const blob = new Uint8Array(randomBytes(2000));
    await oci.pushBlob('acme/one', digestBytes(blob), blob);
    assert.equal(await oci.pushBlob('acme/two', digestBytes(blob), blob, { mountFrom: ['acme/one'] }), 'mounted');
    assert.equal(await oci.hasBlob('acme/two', digestBytes(blob)), true);
    const other = new Uint8Array(randomBytes(2000));
    assert.equal(await oci.pushBlob('acme/three', digestBytes(other), other, { mountFrom: ['acme/one'] }), 'uploaded');
    assert.deepEqual(await oci.getBlob('acme/three', digestBytes(other)), other);
  },
);

test('429 and 503 are retried with backoff until they pass; Retry-After is honoured', { skip }, async () => {
  let failures = 0;
  const proxy = await startRegistryProxy(registry!.url, (request) => {
    if (!request.path.startsWith('/v2/acme/retry/') || failures >= 3) return undefined;
    failures++;
    return failures === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 503 };
  });
  const pauses: number[] = [];
  try {
    const oci = new DistributionClient({ baseUrl: proxy.url, sleep: async (ms) => void pauses.push(ms) });
    assert.equal(await oci.hasBlob('acme/retry', digestBytes(new Uint8Array([1]))), false);
    assert.deepEqual(pauses, [1000, 400, 800]);
  } finally {
    await proxy.stop();
  }
});

test('a registry that keeps failing is given up on after the bounded attempts', { skip }, async () => {
  const proxy = await startRegistryProxy(registry!.url, () => ({ status: 502 }));
  try {
    const oci = new DistributionClient({ baseUrl: proxy.url, retry: { attempts: 3 }, ...noSleep });
    await assert.rejects(oci.getManifest('acme/down', 'latest'), codeOf('OCI_REFUSED'));
    assert.equal(proxy.requests.length, 3);
  } finally {
    await proxy.stop();
  }
});

test('a connection reset is retried; one that never works is OCI_UNREACHABLE', { skip }, async () => {
  let drops = 0;
  const flaky = createServer((request, response) => {
    if (drops++ < 2) return request.socket.destroy();
    response.writeHead(404).end();
  });
  await new Promise<void>((listening) => flaky.listen(0, '127.0.0.1', listening));
  const address = flaky.address() as { port: number };
  try {
    const oci = new DistributionClient({ baseUrl: `http://127.0.0.1:${address.port}`, ...noSleep });
    assert.equal(await oci.hasBlob('acme/x', digestBytes(new Uint8Array([2]))), false);
    assert.equal(drops, 3);
    const dead = new DistributionClient({ baseUrl: 'http://127.0.0.1:1', retry: { attempts: 2 }, ...noSleep });
    await assert.rejects(dead.ping(), codeOf('OCI_UNREACHABLE'));
  } finally {
    await new Promise((closed) => flaky.close(closed));
  }
});

test('a redirect to another host is followed without the Authorization header', { skip }, async () => {
  const blob = new TextEncoder().encode('served from elsewhere');
  const digest = digestBytes(blob);
  const received: (string | undefined)[] = [];
  // "localhost" is another host than "127.0.0.1" as far as the client knows, as a blob store behind a CDN would be.
  const elsewhere = createServer((request, response) => {
    received.push(request.headers.authorization);
    response.writeHead(200, { 'content-length': String(blob.length) }).end(blob);
  });
  await new Promise<void>((listening) => elsewhere.listen(0, '127.0.0.1', listening));
  const port = (elsewhere.address() as { port: number }).port;
  const front = createServer((request, response) => {
    received.push(`front:${request.headers.authorization}`);
    if (request.url === '/v2/') return response.writeHead(401, { 'www-authenticate': 'Basic realm="front"' }).end();
    if (!request.headers.authorization)
      return response.writeHead(401, { 'www-authenticate': 'Basic realm="front"' }).end();
    response.writeHead(307, { location: `http://localhost:${port}/blob?sig=1` }).end();
  });
  await new Promise<void>((listening) => front.listen(0, '127.0.0.1', listening));
  try {
    const oci = new DistributionClient({
      baseUrl: `http://127.0.0.1:${(front.address() as { port: number }).port}`,
      credentials: async () => ({ username: 'alice', password: 'pw' }),
    });
    assert.deepEqual(await oci.getBlob('acme/redirect', digest), blob);
    assert.deepEqual(received, [
      'front:undefined',
      `front:Basic ${Buffer.from('alice:pw').toString('base64')}`,
      undefined,
    ]);
  } finally {
    await new Promise((closed) => front.close(closed));
    await new Promise((closed) => elsewhere.close(closed));
  }
});
