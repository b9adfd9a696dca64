// `spec serve` as a user runs it, next to CLI commands on the same store: build, tag, gc and verify all work while the
// server answers a steady load, the server sees what they did, and it stops cleanly on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundledRegistry, runSpec, specBin, tempDir } from '../support/cli.js';

function spawnSpec(args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [specBin, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  return { child, done, output: () => ({ stdout, stderr }) };
}

async function waitFor<T>(read: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('CLI build, tag, gc and verify work on the store while the server is under load', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const store = join(dir.path, 'store');
  // Tagged, so that the gc below keeps it (a snapshot gc removes is no longer served).
  assert.equal(runSpec(['build', '--registry', registry, '--store', store, '--tag', 'base']).status, 0);
  const served = spawnSpec(['serve', '--registry', registry, '--store', store, '--port', '0', '--json'], dir.path);
  t.after(() => served.child.kill('SIGKILL'));
  const { url } = await waitFor(() => {
    const line = served.output().stdout.split('\n')[0];
    return line ? (JSON.parse(line) as { url: string; token: string }) : undefined;
  }, 'the server to listen');

  // A steady load on the server: immutable reads, tag reads, draft reads.
  const first = ((await (await fetch(`${url}v1/snapshots`)).json()) as { latest: string }).latest;
  let stop = false;
  let requests = 0;
  const failures: string[] = [];
  const load = Promise.all(
    Array.from({ length: 8 }, async (_, worker) => {
      const paths = [`v1/snapshots/${first}/resolve/text.llm`, 'v1/tags', 'v1/registry/tools', 'v1/snapshots/latest'];
      while (!stop) {
        const path = paths[(requests + worker) % paths.length]!;
        const response = await fetch(`${url}${path}`);
        await response.arrayBuffer();
        requests++;
        if (response.status !== 200) failures.push(`${path}: ${response.status}`);
      }
    }),
  );

  // Meanwhile, the CLI on the same store, without --wait.
  const search = readFileSync(join(registry, 'tools/web.search.yaml'), 'utf8');
  writeFileSync(join(registry, 'tools/web.extra.yaml'), search.replace('id: "web.search@1"', 'id: "web.extra@1"'));
  const results: Record<
    string,
    { status: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }
  > = {};
  for (const [name, args] of [
    ['build', ['build', '--registry', registry, '--store', store, '--tag', 'rc']],
    ['tag', ['tag', 'prod', 'rc', '--store', store]],
    ['gc', ['gc', '--store', store]],
    ['verify', ['verify', '--store', store]],
    ['ls', ['ls', 'prod', '--store', store]],
  ] as const)
    results[name] = await spawnSpec([...args], dir.path).done;
  stop = true;
  await load;
  for (const [name, result] of Object.entries(results))
    assert.equal(result.status, 0, `${name}: ${result.signal ? `killed by ${result.signal}; ` : ''}${result.stderr}`);
  assert.deepEqual(failures, []);
  assert.ok(requests > 50, `the load ran (${requests} requests)`);

  // The server sees the CLI's tags (its watch on the store), and serves the new snapshot.
  const built = results['build']!.stdout.trim();
  let seen: { name: string; snapshot: string }[] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    seen = ((await (await fetch(`${url}v1/tags`)).json()) as { tags: typeof seen }).tags;
    if (seen.some((tag) => tag.name === 'prod')) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.deepEqual(seen, [
    { name: 'base', snapshot: first },
    { name: 'prod', snapshot: built },
    { name: 'rc', snapshot: built },
  ]);
  const spec = (await (await fetch(`${url}v1/snapshots/prod/specs/web.extra@1`)).json()) as { id: string };
  assert.equal(spec.id, 'web.extra@1');

  served.child.kill('SIGTERM');
  const exit = await served.done;
  assert.equal(exit.status, 0, exit.stderr);
  assert.match(exit.stderr, /SIGTERM: stopping/);
});

test('serve refuses another address without a token, and names a port that is taken', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const store = join(dir.path, 'store');
  const open = runSpec(['serve', '--registry', registry, '--store', store, '--host', '0.0.0.0'], {
    env: { SPEC_SERVE_TOKEN: '' },
  });
  assert.equal(open.status, 2);
  assert.match(open.stderr, /SERVE_TOKEN_REQUIRED/);

  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const taken = await spawnSpec(['serve', '--registry', registry, '--store', store, '--port', String(port)], dir.path)
    .done;
  assert.equal(taken.status, 1);
  assert.match(taken.stderr, /SERVE_LISTEN_FAILED/);
  assert.doesNotMatch(taken.stderr, /\n\s+at /, 'no stack trace');
});

test('a server killed in the middle of writes leaves each file old or new, never a mix, and the registry builds', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const store = join(dir.path, 'store');
  const path = join(registry, 'tools/web.search.yaml');
  const written = new Set<string>([readFileSync(path, 'utf8')]);
  const descriptions = new Set<string>(['original']);
  for (let round = 0; round < 3; round++) {
    const served = spawnSpec(['serve', '--registry', registry, '--store', store, '--port', '0', '--json'], dir.path);
    t.after(() => served.child.kill('SIGKILL'));
    const { url, token } = await waitFor(() => {
      const line = served.output().stdout.split('\n')[0];
      return line ? (JSON.parse(line) as { url: string; token: string }) : undefined;
    }, 'the server to listen');
    const writes = (async () => {
      for (let n = 0; ; n++) {
        const read = await fetch(`${url}v1/registry/tools/web.search@1`);
        const { spec } = (await read.json()) as { spec: Record<string, unknown> };
        const description = `round ${round} write ${n} ${'x'.repeat(n * 97)}`;
        descriptions.add(description);
        await fetch(`${url}v1/registry/tools/web.search@1`, {
          method: 'PUT',
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/json',
            'If-Match': read.headers.get('etag')!,
          },
          body: JSON.stringify({ ...spec, description }),
        });
      }
    })().catch(() => undefined); // the server goes away mid-request
    await new Promise((resolve) => setTimeout(resolve, 150 + round * 120));
    served.child.kill('SIGKILL');
    await served.done;
    await writes;
    const text = readFileSync(path, 'utf8');
    const description = /^description: "?(.*?)"?$/m.exec(text)?.[1];
    assert.ok(
      written.has(text) || (description !== undefined && descriptions.has(description)),
      `round ${round}: a whole file: ${text.slice(0, 200)}`,
    );
    written.add(text);
  }
  assert.equal(written.size > 1, true, 'the writes changed the file before the kills');
  const build = runSpec(['build', '--registry', registry, '--store', store]);
  assert.equal(build.status, 0, build.stderr);
});
