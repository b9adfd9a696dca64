// Where credentials come from: SPEC_REGISTRY_* first, then the docker config (credHelpers, credsStore, auths), with
// real credential-helper programs on PATH; and `spec push` with them against an htpasswd registry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { isSpecError } from '../../src/errors.js';
import { findRegistryCredentials } from '../../src/oci/registryCredentials.js';
import { bundledRegistry, runSpec, tempDir } from '../support/cli.js';
import { skipWithoutHtpasswd, startRegistry, type RunningRegistry } from '../support/ociRegistry.js';

const work = tempDir('specstore-creds-');
after(() => work.cleanup());
let configs = 0;

/** A DOCKER_CONFIG directory holding `config`, and a bin directory with credential helpers that answer `answers`. */
function dockerConfig(config: unknown, helpers: Record<string, string> = {}) {
  const dir = join(work.path, `config-${configs++}`);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  for (const [name, script] of Object.entries(helpers)) {
    const path = join(bin, `docker-credential-${name}`);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
  }
  return { DOCKER_CONFIG: dir, PATH: `${bin}:/usr/bin:/bin` };
}
const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');
const refused = (error: unknown) => isSpecError(error) && error.code === 'OCI_CREDENTIALS_INVALID';

test('SPEC_REGISTRY_USERNAME and SPEC_REGISTRY_PASSWORD come first; one without the other is refused', async () => {
  const env = { ...dockerConfig({ auths: { 'r.example': { auth: basic('docker', 'pw') } } }) };
  assert.deepEqual(
    await findRegistryCredentials('r.example', {
      env: { ...env, SPEC_REGISTRY_USERNAME: 'ci', SPEC_REGISTRY_PASSWORD: 'tok' },
    }),
    { username: 'ci', password: 'tok' },
  );
  await assert.rejects(
    findRegistryCredentials('r.example', { env: { ...env, SPEC_REGISTRY_USERNAME: 'ci' } }),
    refused,
  );
});

test('auths: base64 user:password (a colon in the password kept), username/password, identitytoken; keys as docker writes them', async () => {
  const env = dockerConfig({
    auths: {
      'r.example:5000': { auth: basic('alice', 'pa:ss') },
      'https://other.example/v1/': { username: 'bob', password: 'pw' },
      'tokens.example': { auth: basic('', ''), identitytoken: 'refresh-me' },
    },
  });
  assert.deepEqual(await findRegistryCredentials('r.example:5000', { env }), { username: 'alice', password: 'pa:ss' });
  assert.deepEqual(await findRegistryCredentials('other.example', { env }), { username: 'bob', password: 'pw' });
  assert.deepEqual(await findRegistryCredentials('tokens.example', { env }), { identityToken: 'refresh-me' });
  assert.equal(await findRegistryCredentials('unknown.example', { env }), undefined);
});

test('credHelpers and credsStore run docker-credential-<name> get with the host on stdin', async () => {
  const env = dockerConfig(
    {
      credHelpers: { 'r.example': 'spectest' },
      credsStore: 'store',
      auths: { 'fallback.example': { auth: basic('f', 'g') } },
    },
    {
      spectest: 'read host; printf \'{"ServerURL":"%s","Username":"helper-%s","Secret":"s3"}\' "$host" "$host"',
      store:
        'read host; if [ "$host" = "token.example" ]; then echo \'{"Username":"<token>","Secret":"idt"}\'; else echo "credentials not found in native keychain"; exit 1; fi',
    },
  );
  assert.deepEqual(await findRegistryCredentials('r.example', { env }), {
    username: 'helper-r.example',
    password: 's3',
  });
  assert.deepEqual(await findRegistryCredentials('token.example', { env }), { identityToken: 'idt' });
  assert.deepEqual(await findRegistryCredentials('fallback.example', { env }), { username: 'f', password: 'g' });
});

test('a broken config, a missing helper and a failing helper are OCI_CREDENTIALS_INVALID; no config is anonymous', async () => {
  await assert.rejects(findRegistryCredentials('r.example', { env: dockerConfig('{"auths": ') }), refused);
  await assert.rejects(findRegistryCredentials('r.example', { env: dockerConfig({ credsStore: 'absent' }) }), refused);
  const failing = dockerConfig({ credsStore: 'broken' }, { broken: 'echo "keychain locked" >&2; exit 3' });
  await assert.rejects(findRegistryCredentials('r.example', { env: failing }), refused);
  assert.equal(await findRegistryCredentials('r.example', { env: { HOME: join(work.path, 'nobody') } }), undefined);
});

const skip = skipWithoutHtpasswd();
let registry: RunningRegistry | undefined;
before(async () => {
  if (skip) return;
  registry = await startRegistry({
    configLines: (dir) => {
      writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', 'ci', 'pushpw'], { encoding: 'utf8' }));
      return ['auth:', '  htpasswd:', '    realm: test', `    path: ${join(dir, 'htpasswd')}`];
    },
  });
});
after(async () => {
  await registry?.stop();
});

test('spec push and pull with credentials from the environment and from a docker config', { skip }, () => {
  const store = join(work.path, 'store');
  assert.equal(runSpec(['build', '--registry', bundledRegistry, '--store', store]).status, 0);
  const url = `oci://${new URL(registry!.url).host}/acme/private`;
  const anonymous = runSpec(['push', 'latest', url, '--store', store], { env: { HOME: join(work.path, 'nobody') } });
  assert.equal(anonymous.status, 7);
  assert.match(anonymous.stderr, /^OCI_UNAUTHORIZED /);
  const pushed = runSpec(['push', 'latest', url, '--tag', 'prod', '--store', store], {
    env: { SPEC_REGISTRY_USERNAME: 'ci', SPEC_REGISTRY_PASSWORD: 'pushpw' },
  });
  assert.equal(pushed.status, 0, pushed.stderr);
  const env = dockerConfig({ auths: { [new URL(registry!.url).host]: { auth: basic('ci', 'pushpw') } } });
  const pulled = runSpec(['pull', `${url}:prod`, '--store', join(work.path, 'other')], { env });
  assert.equal(pulled.status, 0, pulled.stderr);
  const wrong = runSpec(['pull', `${url}:prod`, '--store', join(work.path, 'third')], {
    env: { SPEC_REGISTRY_USERNAME: 'ci', SPEC_REGISTRY_PASSWORD: 'nope' },
  });
  assert.equal(wrong.status, 7);
  assert.match(wrong.stderr, /^OCI_UNAUTHORIZED /);
});
