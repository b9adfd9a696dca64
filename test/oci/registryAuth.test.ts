// Authentication against real registries: htpasswd (bcrypt, Basic) and token auth (a token server in this test signing
// ES256 JWTs with a certificate made by openssl, the registry's `auth.token` config). Also the challenge parser.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSign, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestBytes } from '../../src/core/digest.js';
import { isSpecError } from '../../src/errors.js';
import { DistributionClient, type ResponseInfo } from '../../src/oci/distributionClient.js';
import { mergeScopes, parseAuthChallenges, type RegistryCredentials } from '../../src/oci/registryAuth.js';
import {
  freePort,
  skipWithoutDockerRegistry,
  skipWithoutHtpasswd,
  startRegistry,
  type RunningRegistry,
} from '../support/ociRegistry.js';
import { tempDir } from '../support/cli.js';

const skip = skipWithoutDockerRegistry();
const codeOf = (code: string) => (error: unknown) => isSpecError(error) && error.code === code;
const bytesOf = (text: string) => new TextEncoder().encode(text);

test('WWW-Authenticate: several challenges, quoted values with commas and escapes', () => {
  const parsed = parseAuthChallenges(
    'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", Basic realm="x\\"y"',
  );
  assert.deepEqual(parsed, [
    {
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' },
    },
    { scheme: 'basic', params: { realm: 'x"y' } },
  ]);
  assert.deepEqual(parseAuthChallenges('Basic'), [{ scheme: 'basic', params: {} }]);
  assert.deepEqual(mergeScopes(['repository:a:pull'], ['repository:a:push', 'repository:b:pull']), [
    'repository:a:pull,push',
    'repository:b:pull',
  ]);
});

describe('htpasswd (Basic) auth', { skip: skipWithoutHtpasswd() }, () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry({
      configLines: (dir) => {
        const line = execFileSync('htpasswd', ['-Bbn', 'alice', 's3cret'], { encoding: 'utf8' }).trim();
        writeFileSync(join(dir, 'htpasswd'), `${line}\n`);
        return ['auth:', '  htpasswd:', '    realm: test', `    path: ${join(dir, 'htpasswd')}`];
      },
    });
  });
  after(() => registry.stop());
  const client = (credentials?: RegistryCredentials) =>
    new DistributionClient({
      baseUrl: registry.url,
      ...(credentials ? { credentials: async () => credentials } : {}),
    });

  test('the right password works; a wrong one and none are OCI_UNAUTHORIZED', async () => {
    const blob = bytesOf('basic auth blob');
    await client({ username: 'alice', password: 's3cret' }).pushBlob('acme/basic', digestBytes(blob), blob);
    assert.deepEqual(
      await client({ username: 'alice', password: 's3cret' }).getBlob('acme/basic', digestBytes(blob)),
      blob,
    );
    await assert.rejects(
      client({ username: 'alice', password: 'wrong' }).getBlob('acme/basic', digestBytes(blob)),
      codeOf('OCI_UNAUTHORIZED'),
    );
    await assert.rejects(client().hasBlob('acme/basic', digestBytes(blob)), codeOf('OCI_UNAUTHORIZED'));
  });

  test('credentials are looked up once, when the registry first asks', async () => {
    let lookups = 0;
    const counted = new DistributionClient({
      baseUrl: registry.url,
      credentials: async () => {
        lookups++;
        return { username: 'alice', password: 's3cret' };
      },
    });
    for (let i = 0; i < 3; i++) await counted.hasBlob('acme/basic', digestBytes(bytesOf(`x${i}`)));
    assert.equal(lookups, 1);
  });
});

/** A token server: checks Basic credentials, grants what is asked (or less, once), signs ES256 JWTs with x5c. */
interface TokenServer {
  url: string;
  requests: { scope: string[]; authorized: boolean }[];
  /** Seconds the token is valid (its `exp`) and what it tells the client (`expires_in`). */
  lifetime: { exp: number; expiresIn: number };
  /** Drop `push` from the next grant, so the registry answers insufficient_scope. */
  narrowNext: boolean;
  stop(): Promise<void>;
}

async function startTokenServer(dir: string): Promise<TokenServer> {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=specstore-test-tokens',
      '-days',
      '1',
      '-keyout',
      join(dir, 'token.key'),
      '-out',
      join(dir, 'token.crt'),
    ],
    { stdio: 'ignore' },
  );
  const key = readFileSync(join(dir, 'token.key'), 'utf8');
  const der = execFileSync('openssl', ['x509', '-in', join(dir, 'token.crt'), '-outform', 'DER']);
  const port = await freePort();
  const state: TokenServer = {
    url: `http://127.0.0.1:${port}/token`,
    requests: [],
    lifetime: { exp: 300, expiresIn: 300 },
    narrowNext: false,
    stop: async () => undefined,
  };
  const b64 = (value: Buffer | string) => Buffer.from(value).toString('base64url');
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', state.url);
    const authorized = request.headers.authorization === `Basic ${Buffer.from('bob:hunter2').toString('base64')}`;
    const scope = url.searchParams.getAll('scope');
    state.requests.push({ scope, authorized });
    if (!authorized) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end('{"details":"bad credentials"}');
      return;
    }
    const narrow = state.narrowNext;
    state.narrowNext = false;
    const access = scope.map((text) => {
      const [type, ...rest] = text.split(':');
      const actions = rest
        .pop()!
        .split(',')
        .filter((action) => !(narrow && action === 'push'));
      return { type, name: rest.join(':'), actions };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', typ: 'JWT', x5c: [der.toString('base64')] };
    const claims = {
      iss: 'specstore-test-issuer',
      sub: 'bob',
      aud: 'specstore-test-registry',
      exp: now + state.lifetime.exp,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
    const signature = createSign('SHA256').update(signingInput).sign({ key, dsaEncoding: 'ieee-p1363' });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ token: `${signingInput}.${b64(signature)}`, expires_in: state.lifetime.expiresIn }));
  });
  await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
  state.stop = () => new Promise<void>((closed) => server.close(() => closed()));
  return state;
}

describe('token (Bearer) auth', { skip }, () => {
  let registry: RunningRegistry;
  let tokens: TokenServer;
  const keys = tempDir('specstore-token-');
  before(async () => {
    tokens = await startTokenServer(keys.path);
    registry = await startRegistry({
      configLines: () => [
        'auth:',
        '  token:',
        `    realm: ${tokens.url}`,
        '    service: specstore-test-registry',
        '    issuer: specstore-test-issuer',
        `    rootcertbundle: ${join(keys.path, 'token.crt')}`,
      ],
    });
  });
  after(async () => {
    await registry?.stop();
    await tokens?.stop();
    keys.cleanup();
  });
  const client = (credentials?: RegistryCredentials, onResponse?: (info: ResponseInfo) => void) =>
    new DistributionClient({
      baseUrl: registry.url,
      ...(credentials ? { credentials: async () => credentials } : {}),
      ...(onResponse ? { onResponse } : {}),
    });
  const bob = { username: 'bob', password: 'hunter2' };

  test('tokens are fetched with the credentials, per scope, and reused until they expire', async () => {
    tokens.requests.length = 0;
    const oci = client(bob);
    const blob = bytesOf('token auth blob');
    await oci.pushBlob('acme/token', digestBytes(blob), blob);
    for (let i = 0; i < 3; i++) assert.equal(await oci.hasBlob('acme/token', digestBytes(blob)), true);
    assert.deepEqual(await oci.getBlob('acme/token', digestBytes(blob)), blob);
    assert.ok(tokens.requests.every((request) => request.authorized));
    const scopes = tokens.requests.map((request) => request.scope.join(' '));
    assert.deepEqual([...new Set(scopes)].sort(), ['repository:acme/token:pull', 'repository:acme/token:pull,push']);
    assert.equal(scopes.length, 2, `one token per scope, reused: ${scopes.join(' | ')}`);
  });

  test('a token the registry finds expired is asked for again', async () => {
    tokens.lifetime = { exp: 1, expiresIn: 300 }; // the service says 300 s, the token says 1 s
    try {
      const oci = client(bob);
      const blob = bytesOf('expiring');
      await oci.pushBlob('acme/expiry', digestBytes(blob), blob);
      tokens.requests.length = 0;
      await new Promise((done) => setTimeout(done, 2100));
      assert.equal(await oci.hasBlob('acme/expiry', digestBytes(blob)), true);
      assert.equal(tokens.requests.length, 1, 'one new token after the 401');
    } finally {
      tokens.lifetime = { exp: 300, expiresIn: 300 };
    }
  });

  test('insufficient_scope: the client asks for the scope the registry names, then succeeds', async () => {
    const oci = client(bob);
    tokens.requests.length = 0;
    tokens.narrowNext = true;
    const blob = bytesOf('needs push');
    await oci.pushBlob('acme/scope', digestBytes(blob), blob);
    assert.ok(tokens.requests.length >= 2, 'a second token request for the wider scope');
    assert.equal(await oci.hasBlob('acme/scope', digestBytes(blob)), true);
  });

  test('a mount needs pull on the source repository: the token covers both', async () => {
    const oci = client(bob);
    const blob = bytesOf('mounted across repositories');
    await oci.pushBlob('acme/source', digestBytes(blob), blob);
    tokens.requests.length = 0;
    assert.equal(await oci.pushBlob('acme/target', digestBytes(blob), blob, { mountFrom: ['acme/source'] }), 'mounted');
    assert.ok(tokens.requests.some((request) => request.scope.includes('repository:acme/source:pull')));
    assert.equal(await oci.hasBlob('acme/target', digestBytes(blob)), true);
  });

  test('wrong credentials and no credentials are OCI_UNAUTHORIZED', async () => {
    await assert.rejects(
      client({ username: 'bob', password: 'nope' }).hasBlob('acme/token', digestBytes(bytesOf('x'))),
      codeOf('OCI_UNAUTHORIZED'),
    );
    await assert.rejects(client().hasBlob('acme/token', digestBytes(bytesOf('x'))), codeOf('OCI_UNAUTHORIZED'));
  });

  test('every token request is reported to onResponse, like registry requests', async () => {
    const seen: ResponseInfo[] = [];
    await client(bob, (info) => seen.push(info)).hasBlob('acme/token', digestBytes(bytesOf('y')));
    assert.deepEqual(
      seen.map((info) => `${info.method} ${new URL(info.url).pathname} ${info.status}`),
      [
        `HEAD /v2/acme/token/blobs/${digestBytes(bytesOf('y'))} 401`,
        'GET /token 200',
        `HEAD /v2/acme/token/blobs/${digestBytes(bytesOf('y'))} 404`,
      ],
    );
  });
});
