// `spec remote`, `push`, `pull` and `plan check --remote` as a user runs them, against a real registry on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundledRegistry, dumpStore, json, repoRoot, runSpec, tempDir } from '../support/cli.js';
import { skipWithoutDockerRegistry, startRegistry, type RunningRegistry } from '../support/ociRegistry.js';

const skip = skipWithoutDockerRegistry();
let registry: RunningRegistry | undefined;
const work = tempDir('specstore-remote-cli-');
before(async () => {
  if (!skip) registry = await startRegistry();
});
after(async () => {
  await registry?.stop();
  work.cleanup();
});

const remoteUrl = (repository: string) => `oci://${new URL(registry!.url).host}/${repository}`;

test('remote add, list and remove keep names in the store; bad names and URLs are usage errors', { skip }, () => {
  const store = join(work.path, 'names');
  const added = runSpec(['remote', 'add', 'origin', remoteUrl('acme/specs'), '--store', store, '--json']);
  assert.equal(added.status, 0, added.stderr);
  assert.equal(json(added).url, remoteUrl('acme/specs'));
  const listed = json(runSpec(['remote', 'list', '--store', store, '--json']));
  assert.deepEqual(
    listed.map((remote: { name: string }) => remote.name),
    ['origin'],
  );
  assert.equal(runSpec(['remote', 'add', 'origin', remoteUrl('other'), '--store', store]).status, 2);
  const bare = runSpec(['remote', '--store', store]);
  assert.match(bare.stdout, /^origin {2}oci:\/\//);
  for (const url of ['http://127.0.0.1/acme', 'oci://127.0.0.1:5000', 'oci://127.0.0.1/Upper/Case', 'oci://u:p@h/x']) {
    const refused = runSpec(['remote', 'add', 'x', url, '--store', store]);
    assert.equal(refused.status, 2, `${url}: ${refused.stderr}`);
    assert.match(refused.stderr, /^OCI_URL_INVALID /);
  }
  assert.equal(runSpec(['remote', 'remove', 'origin', '--store', store]).status, 0);
  assert.equal(runSpec(['remote', 'remove', 'origin', '--store', store]).status, 3);
});

test('build, push with a tag, remote ls, pull by tag and by id into another store', { skip }, () => {
  const dir = join(work.path, 'flow');
  const registryDir = copyBundledRegistry(dir);
  const store = join(dir, 'store');
  const built = runSpec(['build', '--registry', registryDir, '--store', store]);
  assert.equal(built.status, 0, built.stderr);
  const id = built.stdout.trim();
  assert.equal(runSpec(['remote', 'add', 'origin', remoteUrl('acme/flow'), '--store', store]).status, 0);

  const pushed = runSpec(['push', 'latest', 'origin', '--tag', 'prod', '--store', store, '--json']);
  assert.equal(pushed.status, 0, pushed.stderr);
  const push = json(pushed);
  assert.equal(push.snapshot, id);
  assert.match(push.manifest, /^sha256:[0-9a-f]{64}$/);
  const text = runSpec(['push', 'latest', 'origin', '--tag', 'stable', '--store', store]);
  assert.equal(text.stdout.trim(), push.manifest, 'the manifest digest is what push prints');

  const listed = json(runSpec(['remote', 'ls', 'origin', '--store', store, '--json']));
  const prod = listed.find((tag: { tag: string }) => tag.tag === 'prod');
  assert.equal(prod.snapshot, id);
  assert.equal(prod.specs, 25);
  assert.ok(listed.some((tag: { tag: string }) => tag.tag === `snapshot-${id.slice(7)}`));
  const shown = runSpec(['remote', 'ls', remoteUrl('acme/flow')]);
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`^prod {2}${id} `, 'm'));
  assert.doesNotMatch(shown.stdout, /^snapshot-/m, 'snapshot- tags only with --all');

  const other = join(dir, 'other');
  const byTag = runSpec(['pull', `${remoteUrl('acme/flow')}:prod`, '--store', other, '--tag', 'prod']);
  assert.equal(byTag.status, 0, byTag.stderr);
  assert.equal(byTag.stdout.trim(), id);
  assert.equal(runSpec(['tags', '--store', other, '--json']).stdout.includes(id), true);
  const exported = (storeDir: string) => runSpec(['export', id, '--store', storeDir]).stdout;
  assert.equal(exported(other), exported(store));

  const third = join(dir, 'third');
  const byId = runSpec(['pull', `${remoteUrl('acme/flow')}@${id}`, '--store', third, '--json']);
  assert.equal(byId.status, 0, byId.stderr);
  assert.equal(json(byId).snapshot, id);
  assert.equal(runSpec(['verify', '--store', third]).status, 0);

  const one = runSpec(['pull', `${remoteUrl('acme/flow')}:prod`, '--ref', 'web.search@1']);
  assert.equal(one.status, 0, one.stderr);
  assert.equal(JSON.parse(one.stdout).id, 'web.search@1');
});

test('plan check --remote pulls the pinned snapshot the store lacks, then checks', { skip }, async () => {
  const dir = join(work.path, 'plan');
  const registryDir = copyBundledRegistry(dir);
  const source = join(dir, 'source');
  const id = runSpec(['build', '--registry', registryDir, '--store', source]).stdout.trim();
  assert.equal(runSpec(['push', id, remoteUrl('acme/plans'), '--store', source]).status, 0);
  const plan = join(repoRoot, 'examples/plans/trailer-render.yaml');
  const fresh = join(dir, 'fresh');
  assert.equal(runSpec(['remote', 'add', 'origin', remoteUrl('acme/plans'), '--store', fresh]).status, 0);
  const without = runSpec(['plan', 'check', plan, '--store', fresh]);
  assert.notEqual(without.status, 0, 'the pin is not in the fresh store');
  const checked = runSpec(['plan', 'check', plan, '--store', fresh, '--remote', 'origin']);
  assert.equal(checked.status, 0, checked.stderr);
  assert.match(checked.stderr, new RegExp(`pulled ${id}`));
  assert.ok((await dumpStore(fresh)).some(([key]) => key === `snap:${id}`));
});

test(
  'failures: unknown tag, unknown remote, unreachable registry; exit codes and the store untouched',
  { skip },
  async () => {
    const dir = join(work.path, 'fail');
    const store = join(dir, 'store');
    const registryDir = copyBundledRegistry(dir);
    assert.equal(runSpec(['build', '--registry', registryDir, '--store', store]).status, 0);
    const before = await dumpStore(store);
    const missing = runSpec(['pull', `${remoteUrl('acme/none')}:prod`, '--store', store]);
    assert.equal(missing.status, 7);
    assert.match(missing.stderr, /^OCI_NOT_FOUND /);
    const unknown = runSpec(['pull', 'nosuch:prod', '--store', store]);
    assert.equal(unknown.status, 3);
    assert.match(unknown.stderr, /^REMOTE_NOT_FOUND /);
    const noTag = runSpec(['pull', remoteUrl('acme/none'), '--store', store]);
    assert.equal(noTag.status, 2);
    const down = runSpec(['push', 'latest', 'oci://127.0.0.1:1/acme/x', '--store', store]);
    assert.equal(down.status, 7);
    assert.match(down.stderr, /^OCI_UNREACHABLE /);
    const badTag = runSpec(['push', 'latest', remoteUrl('acme/x'), '--tag', 'snapshot-mine', '--store', store]);
    assert.equal(badTag.status, 2);
    assert.match(badTag.stderr, /^TAG_INVALID /);
    assert.deepEqual(await dumpStore(store), before);
    for (const result of [missing, unknown, down, badTag]) assert.doesNotMatch(result.stderr, /\n\s+at /);
  },
);

test('spec run --remote pulls the pinned snapshot a fresh store lacks, then runs the plan', { skip }, () => {
  const dir = join(work.path, 'run-remote');
  cpSync(join(repoRoot, 'examples/runtime'), dir, { recursive: true });
  const built = runSpec(['build', '--registry', 'registry', '--store', 'source'], { cwd: dir });
  assert.equal(built.status, 0, built.stderr);
  assert.equal(runSpec(['push', 'latest', remoteUrl('acme/run'), '--store', 'source'], { cwd: dir }).status, 0);
  const env = { TMPDIR: dir };
  const without = runSpec(['run', 'plans/greet.yaml', '--store', 'fresh'], { cwd: dir, env });
  assert.notEqual(without.status, 0, 'the pin is not in the fresh store');
  const ran = runSpec(['run', 'plans/greet.yaml', '--store', 'fresh', '--remote', remoteUrl('acme/run'), '--json'], {
    cwd: dir,
    env,
  });
  assert.equal(ran.status, 0, ran.stderr);
  assert.equal(json(ran).snapshot, built.stdout.trim());
});
