// Remote URLs and pull references: the scheme each host gets, and what is a tag, a port or an id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSpecError } from '../../src/errors.js';
import { isLoopbackHost, parseRemoteReference, parseRemoteUrl } from '../../src/oci/remotes.js';

const id = `sha256:${'ab'.repeat(32)}`;
const refused = (code: string) => (error: unknown) => isSpecError(error) && error.code === code;

test('loopback hosts get plain HTTP, as docker does; any other host HTTPS unless --plain-http', () => {
  for (const host of ['127.0.0.1:5000', '127.1.2.3', 'localhost:5000', '[::1]:5000'])
    assert.equal(parseRemoteUrl(`oci://${host}/acme/specs`).baseUrl, `http://${host}`, host);
  for (const host of ['registry.example.com', '10.0.0.1:5000', '128.0.0.1', 'localhost.example.com'])
    assert.equal(parseRemoteUrl(`oci://${host}/acme/specs`).baseUrl, `https://${host}`, host);
  assert.equal(parseRemoteUrl('oci://10.0.0.1:5000/acme', { plainHttp: true }).baseUrl, 'http://10.0.0.1:5000');
  assert.equal(isLoopbackHost('127.0.0.1'), true);
  assert.equal(isLoopbackHost('1270.0.0.1'), false);
});

test('a remote URL is oci://host[:port]/repository, nothing else', () => {
  const remote = parseRemoteUrl('oci://Registry.Example.com:443/acme/team/specs/');
  assert.deepEqual(
    [remote.registry, remote.repository, remote.url],
    ['registry.example.com:443', 'acme/team/specs', 'oci://registry.example.com:443/acme/team/specs'],
  );
  for (const url of [
    'https://registry.example.com/acme',
    'oci://registry.example.com',
    'oci://registry.example.com/',
    'oci://registry.example.com/Acme/Specs',
    'oci://user:secret@registry.example.com/acme',
    'oci://registry.example.com/acme?x=1',
  ])
    assert.throws(() => parseRemoteUrl(url), refused('OCI_URL_INVALID'), url);
});

test('pull references: NAME:TAG, NAME@id, URL:TAG, URL@id; a port is not a tag', () => {
  assert.deepEqual(parseRemoteReference('origin:prod'), { remote: 'origin', tag: 'prod' });
  assert.deepEqual(parseRemoteReference(`origin@${id}`), { remote: 'origin', snapshot: id });
  assert.deepEqual(parseRemoteReference('oci://127.0.0.1:5000/acme/specs:prod'), {
    remote: 'oci://127.0.0.1:5000/acme/specs',
    tag: 'prod',
  });
  assert.deepEqual(parseRemoteReference(`oci://127.0.0.1:5000/acme/specs@${id}`), {
    remote: 'oci://127.0.0.1:5000/acme/specs',
    snapshot: id,
  });
  for (const text of ['origin', 'oci://127.0.0.1:5000/acme/specs', 'origin@sha256:abc', 'origin:'])
    assert.throws(() => parseRemoteReference(text), refused('OCI_URL_INVALID'), text);
});
