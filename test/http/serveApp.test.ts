// `spec serve`'s API against a real registry directory and a real LevelDB store: in-process through app.request, and
// over a real socket for the event stream. The same answers as the CLI, the statuses the web expects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServe, type RunningServer } from '../../src/http/startServe.js';
import { apiRoutes } from '../../src/http/openApiDocument.js';
import { copyBundledRegistry, runSpec, tempDir } from '../support/cli.js';

interface Served {
  server: RunningServer;
  registry: string;
  store: string;
  dir: string;
  /** An in-process request; writes carry the token and the server's own origin unless told otherwise. */
  request: (path: string, init?: RequestInit & { token?: string | null }) => Promise<Response>;
}

async function serve(
  t: { after: (f: () => unknown) => void },
  { tag, ...options }: { readOnly?: boolean; tag?: string } = {},
): Promise<Served> {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const store = join(dir.path, 'store');
  // A tag publishes the snapshot's versions: a server over it refuses changes to them (VERSION_MUTATED).
  const built = runSpec(['build', '--registry', registry, '--store', store, ...(tag ? ['--tag', tag] : [])]);
  assert.equal(built.status, 0, built.stderr);
  const server = await startServe({ registry, store, port: 0, cwd: dir.path, ...options });
  t.after(() => server.close());
  const request = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const { token, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token !== null && rest.method && rest.method !== 'GET')
      headers.set('Authorization', `Bearer ${token ?? server.token}`);
    return Promise.resolve(server.app.request(`http://127.0.0.1:${server.port}${path}`, { ...rest, headers }));
  };
  return { server, registry, store, dir: dir.path, request };
}

const json = async (response: Response) => (await response.json()) as Record<string, unknown>;

test('the OpenAPI document names exactly the routes the app has', async (t) => {
  const { server, request } = await serve(t);
  const document = await json(await request('/v1/openapi.json'));
  assert.equal(document['openapi'], '3.1.0');
  const documented = Object.entries(document['paths'] as Record<string, Record<string, unknown>>)
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
  const routed = [
    ...new Set(
      server.app.routes
        .filter((route) => route.method !== 'ALL' && route.path.startsWith('/v1/') && !route.path.includes('*'))
        .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`),
    ),
  ].sort();
  assert.deepEqual(documented, routed);
  assert.deepEqual(Object.keys(apiRoutes).sort(), [...new Set(routed.map((each) => each.split(' ')[1]))].sort());
});

test('reads: a URL with a full id is immutable with ETag = digest (304 on If-None-Match); a tag is no-cache', async (t) => {
  const { request, store } = await serve(t, { tag: 'prod' });
  const listed = await json(await request('/v1/snapshots'));
  const id = listed['latest'] as string;
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual((await json(await request('/v1/tags')))['tags'], [{ name: 'prod', snapshot: id }]);

  const byId = await request(`/v1/snapshots/${id}/specs/text.llm@1`);
  assert.equal(byId.status, 200);
  assert.match(byId.headers.get('cache-control')!, /immutable/);
  const spec = await json(byId);
  assert.equal(byId.headers.get('etag'), `"${spec['digest'] as string}"`);
  const again = await request(`/v1/snapshots/${id}/specs/text.llm@1`, {
    headers: { 'If-None-Match': byId.headers.get('etag')! },
  });
  assert.equal(again.status, 304);
  const byTag = await request('/v1/snapshots/prod/specs/text.llm@1');
  assert.equal(byTag.headers.get('cache-control'), 'no-cache');
  assert.equal((await json(byTag))['snapshot'], id);
  const prefix = await json(await request(`/v1/snapshots/${id.slice(7, 19)}`));
  assert.equal(prefix['id'], id);
  assert.ok((prefix['kinds'] as { name: string; count: number }[]).some((k) => k.name === 'dataset' && k.count > 0));

  // The same answers as the CLI.
  const resolved = await json(await request(`/v1/snapshots/${id}/resolve/text.llm`));
  const cli = JSON.parse(runSpec(['resolve', id, 'text.llm', '--store', store, '--json']).stdout) as Record<
    string,
    unknown
  >;
  assert.equal((resolved['resolved'] as { digest: string }).digest, cli['digest']);
  assert.equal((resolved['explanation'] as { chosen: { version: string } }).chosen.version, '2');
  const exported = await request(`/v1/snapshots/${id}/export`);
  assert.deepEqual(await exported.json(), JSON.parse(runSpec(['export', id, '--store', store]).stdout));
  const capability = await json(await request(`/v1/snapshots/${id}/specs?capability=text.generate`));
  const capable = (capability['specs'] as { id: string }[]).map((each) => each.id);
  assert.ok(capable.includes('text.llm@1') && capable.includes('text.llm@2') && !capable.includes('web.search@1'));
  const referrers = await json(await request(`/v1/snapshots/${id}/referrers/ledger.lookup@1`));
  assert.deepEqual(
    (referrers['referrers'] as { id: string }[]).map((each) => each.id),
    ['fraud@1', 'intake@1'],
  );
  const refs = await json(await request(`/v1/snapshots/${id}/refs/fraud@1`));
  assert.ok((refs['references'] as { ref: string }[]).some((each) => each.ref === 'claim@1'));
  const missing = await request(`/v1/snapshots/${id}/specs/nothing@1`);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-type'), 'application/problem+json');
  assert.equal((await json(missing))['code'], 'REF_NOT_FOUND');
  assert.equal((await request('/v1/snapshots/nosuchtag')).status, 404);
});

test('diff over HTTP is the JSON of spec diff --json', async (t) => {
  const { request, registry, store } = await serve(t);
  const first = (await json(await request('/v1/snapshots')))['latest'] as string;
  const path = join(registry, 'tools/text.llm.yaml');
  writeFileSync(path, readFileSync(path, 'utf8').replace('timeout_s: 120', 'timeout_s: 30'));
  const built = await json(await request('/v1/build', { method: 'POST', body: '{"tag":"next"}' }));
  const second = built['snapshot'] as string;
  assert.notEqual(second, first);
  assert.equal(built['tag'], 'next');
  const cli = runSpec(['build', '--registry', registry, '--store', store, '--json']);
  assert.equal(JSON.parse(cli.stdout).snapshot, second, 'the server builds what spec build builds');
  const report = await json(await request(`/v1/diff?from=${first}&to=${second}`));
  const cliDiff = runSpec(['diff', first, second, '--store', store, '--json']);
  assert.deepEqual(report, JSON.parse(cliDiff.stdout));
  assert.ok((report['specs'] as unknown[]).length > 0);
});

test('writes: token, origin, read-only, If-Match, body limits and media types', async (t) => {
  const { request, server } = await serve(t);
  const read = await request('/v1/registry/tools/web.search@1');
  const etag = read.headers.get('etag')!;
  const spec = (await json(read))['spec'] as Record<string, unknown>;
  const body = JSON.stringify({ ...spec, description: 'edited over HTTP' });
  const put = (init: RequestInit & { token?: string | null }) =>
    request('/v1/registry/tools/web.search@1', {
      method: 'PUT',
      body,
      ...init,
      headers: { 'Content-Type': 'application/json', 'If-Match': etag, ...init.headers },
    });
  const status = async (response: Response) => [response.status, (await json(response))['code']];
  assert.deepEqual(await status(await put({ token: null })), [401, 'SERVE_UNAUTHORIZED']);
  assert.deepEqual(await status(await put({ token: 'wrong' })), [401, 'SERVE_UNAUTHORIZED']);
  assert.deepEqual(await status(await put({ headers: { Origin: 'https://evil.example' } })), [
    403,
    'SERVE_ORIGIN_REFUSED',
  ]);
  assert.deepEqual(await status(await put({ headers: { 'Sec-Fetch-Site': 'cross-site' } })), [
    403,
    'SERVE_ORIGIN_REFUSED',
  ]);
  assert.deepEqual(await status(await put({ headers: { 'If-Match': '' } })), [428, 'DRAFT_PRECONDITION_REQUIRED']);
  assert.deepEqual(await status(await put({ headers: { 'Content-Type': 'text/plain' } })), [415, 'SERVE_MEDIA_TYPE']);
  assert.deepEqual(await status(await put({ body: 'x'.repeat(1024 * 1024 + 1) })), [413, 'SERVE_BODY_TOO_LARGE']);
  assert.deepEqual(await status(await put({ body: '{"id": ' })), [400, 'DRAFT_BODY_INVALID']);
  const accepted = await put({});
  assert.equal(accepted.status, 200);
  const newEtag = accepted.headers.get('etag')!;
  assert.notEqual(newEtag, etag);
  assert.deepEqual(await status(await put({})), [412, 'DRAFT_CHANGED'], 'the old ETag is stale now');
  const fresh = await request('/v1/registry/tools/web.search@1');
  assert.equal(fresh.headers.get('etag'), newEtag);
  assert.equal(((await json(fresh))['spec'] as { description: string }).description, 'edited over HTTP');
  // The server's own origin may write.
  const own = await request(`/v1/registry/tools/web.search@1?dryRun=true`, {
    method: 'PUT',
    body,
    headers: { 'Content-Type': 'application/json', 'If-Match': newEtag, Origin: `http://127.0.0.1:${server.port}` },
  });
  assert.equal(own.status, 200, await own.clone().text());
});

test('a change to a version the store publishes is 422 VERSION_MUTATED', async (t) => {
  const { request, registry } = await serve(t, { tag: 'prod' });
  const read = await request('/v1/registry/tools/web.search@1');
  const spec = (await json(read))['spec'] as Record<string, unknown>;
  const response = await request('/v1/registry/tools/web.search@1', {
    method: 'PUT',
    body: JSON.stringify({ ...spec, description: 'changed after publishing' }),
    headers: { 'Content-Type': 'application/json', 'If-Match': read.headers.get('etag')! },
  });
  assert.equal(response.status, 422);
  assert.equal((await json(response))['code'], 'VERSION_MUTATED');
  assert.doesNotMatch(readFileSync(join(registry, 'tools/web.search.yaml'), 'utf8'), /after publishing/);
});

test('read-only refuses every write on the server side', async (t) => {
  const { request, registry } = await serve(t, { readOnly: true });
  const before = readFileSync(join(registry, 'tools/web.search.yaml'), 'utf8');
  for (const [method, path] of [
    ['PUT', '/v1/registry/tools/web.search@1'],
    ['DELETE', '/v1/registry/tools/web.search@1'],
    ['POST', '/v1/registry/tools'],
    ['POST', '/v1/build'],
  ] as const) {
    const response = await request(path, { method, body: '{}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(response.status, 403, `${method} ${path}`);
    assert.equal((await json(response))['code'], 'SERVE_READ_ONLY');
  }
  assert.equal(readFileSync(join(registry, 'tools/web.search.yaml'), 'utf8'), before);
  assert.equal((await json(await request('/v1/info')))['writes'] as boolean, false);
});

test('create, validation errors with positions (422), delete refused while in use (409), then delete (204)', async (t) => {
  const { request, registry, dir } = await serve(t);
  const yaml =
    'id: "audio.transcribe@1"\nname: "Transcribe"\ndescription: "<script>alert(1)</script>"\nadapter: "local"\nentry_point: "x"\ninputs: []\noutputs: []\n';
  const created = await request('/v1/registry/tools', {
    method: 'POST',
    body: yaml,
    headers: { 'Content-Type': 'application/yaml' },
  });
  assert.equal(created.status, 201, await created.clone().text());
  assert.equal(created.headers.get('location'), '/v1/registry/tools/audio.transcribe@1');
  assert.equal(readFileSync(join(registry, 'tools/audio.transcribe.yaml'), 'utf8'), yaml);

  const bad = await request('/v1/registry/tools?dryRun=true', {
    method: 'POST',
    body: yaml.replace('audio.transcribe@1', 'audio.bad@1').replace('inputs: []', 'inputs: 7'),
    headers: { 'Content-Type': 'application/yaml' },
  });
  assert.equal(bad.status, 422);
  const problem = await json(bad);
  assert.equal(problem['code'], 'INVALID_INPUT');
  const diagnostic = (problem['diagnostics'] as { pointer: string; line: number; file: string }[]).find(
    (each) => each.pointer === '/inputs',
  )!;
  assert.equal(diagnostic.file, 'tools/audio.bad.yaml');
  assert.equal(diagnostic.line, 6);
  assert.ok(!JSON.stringify(problem).includes(dir), 'no server path leaks');

  const escape = await request('/v1/registry/tools/..%2F..%2Fetc%2Fpasswd');
  assert.equal(escape.status, 400);
  assert.equal((await json(escape))['code'], 'REF_INVALID');
  assert.equal((await request('/v1/registry/nowhere')).status, 404);

  const ledger = await request('/v1/registry/tools/ledger.lookup@1');
  const refused = await request('/v1/registry/tools/ledger.lookup@1', {
    method: 'DELETE',
    headers: { 'If-Match': ledger.headers.get('etag')! },
  });
  assert.equal(refused.status, 409);
  const inUse = await json(refused);
  assert.equal(inUse['code'], 'SPEC_IN_USE');
  assert.equal(inUse['detail'], 'Cannot delete tool ledger.lookup@1: used by agents fraud@1, intake@1');
  assert.ok(readFileSync(join(registry, 'tools/ledger.lookup.yaml')));

  const mine = await request('/v1/registry/tools/audio.transcribe@1');
  const deleted = await request('/v1/registry/tools/audio.transcribe@1', {
    method: 'DELETE',
    headers: { 'If-Match': mine.headers.get('etag')! },
  });
  assert.equal(deleted.status, 204);
  assert.equal((await request('/v1/registry/tools/audio.transcribe@1')).status, 404);
});

/** Reads Server-Sent Events from a real socket until `until` accepts one. */
async function nextEvent(
  url: string,
  until: (event: { event: string; data: Record<string, unknown> }) => boolean,
  trigger: () => void,
  timeoutMs = 5000,
): Promise<{ event: string; data: Record<string, unknown>; ms: number }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(`${url}v1/events`, { signal: controller.signal });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let started = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event || data === undefined) continue;
        const parsed = { event, data: JSON.parse(data) as Record<string, unknown> };
        if (event === 'hello') {
          started = performance.now();
          trigger();
        } else if (until(parsed)) return { ...parsed, ms: performance.now() - started };
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

test('hot reload: an edit on disk reaches open pages as an SSE event; a broken file keeps the last good state', async (t) => {
  const { server, request, registry } = await serve(t);
  const path = join(registry, 'tools/web.search.yaml');
  const text = readFileSync(path, 'utf8');
  const changed = await nextEvent(
    server.url,
    (event) => event.event === 'registry' && event.data['changed'] === true,
    () => writeFileSync(path, text.replace(/description: .*/, 'description: "changed in an editor"')),
  );
  assert.deepEqual(changed.data['modified'], ['web.search@1']);
  assert.equal(changed.data['analyzed'], 1, 'only the changed file is read again');
  const seen = await json(await request('/v1/registry/tools/web.search@1'));
  assert.equal((seen['spec'] as { description: string }).description, 'changed in an editor');

  const broken = await nextEvent(
    server.url,
    (event) => event.event === 'registry' && event.data['ok'] === false,
    () => writeFileSync(path, 'id: "web.search@1"\nname: [\n'),
  );
  assert.ok((broken.data['diagnostics'] as { file: string }[]).some((each) => each.file === 'tools/web.search.yaml'));
  const state = await json(await request('/v1/registry'));
  assert.equal(state['ok'], false);
  assert.equal(state['snapshot'], changed.data['snapshot'], 'the last good state is served');
});

test('the panel is served from the package, and an unknown asset is 404', async (t) => {
  const { request } = await serve(t);
  const page = await request('/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type')!, /text\/html/);
  assert.match(page.headers.get('content-security-policy')!, /default-src 'self'/);
  assert.equal((await request('/assets/..%2Fpackage.json')).status, 404);
  assert.equal((await request('/assets/nothing.js')).status, 404);
});
