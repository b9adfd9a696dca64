// `--against git:REF` run as a CI job runs it: a real git repository with two commits, the second one breaking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundledRegistry, json, repoRoot, runSpec, tempDir } from '../support/cli.js';

const dir = tempDir('specstore-git-against-');
const repository = join(dir.path, 'repo');
const plan = join(repository, 'plans/trailer-render.yaml');
// Git run without the user's configuration, and never above the temporary folder.
const gitEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CEILING_DIRECTORIES: dir.path,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};
const specEnv = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_CEILING_DIRECTORIES: dir.path };

function git(args: string[], cwd = repository): string {
  const result = spawnSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

const spec = (args: string[], cwd = repository) => runSpec(args, { cwd, env: specEnv });

/** The error a failed `--json` command printed: `{"error": {code, message, ...data}}`. */
function errorOf(result: { stdout: string; stderr: string }): Record<string, unknown> {
  return (JSON.parse(result.stdout || result.stderr) as { error: Record<string, unknown> }).error;
}

let firstCommit = '';

before(() => {
  mkdirSync(repository);
  copyBundledRegistry(repository);
  mkdirSync(join(repository, 'plans'));
  cpSync(join(repoRoot, 'examples/plans/trailer-render.yaml'), plan);
  git(['init', '-q']);
  git(['add', 'registry', 'plans']);
  git(['commit', '-q', '-m', 'the bundled registry']);
  firstCommit = git(['rev-parse', 'HEAD']);
  // The breaking edit: video.render@1 gains a required input, which the plan does not give and old callers lack.
  const tool = join(repository, 'registry/tools/video.render.yaml');
  const text = readFileSync(tool, 'utf8');
  assert.ok(text.includes('inputs:\n'));
  writeFileSync(
    tool,
    text.replace('inputs:\n', 'inputs:\n  - name: "codec"\n    type: "string"\n    required: true\n'),
  );
  git(['commit', '-q', '-a', '-m', 'video.render: a required codec']);
});
after(dir.cleanup);

test('spec diff --against git:HEAD~1 --fail-on breaking: the break in the second commit, exit 4', () => {
  const result = spec(['diff', '--against', 'git:HEAD~1', '--fail-on', 'breaking']);
  assert.equal(result.status, 4, result.stderr);
  assert.match(result.stdout, /video\.render \(tool\)/);
  assert.match(result.stdout, /verdict breaking/);
});

test('spec diff --against git:HEAD~1 --json: the library report, with the commit the ref named', () => {
  const report = json(spec(['diff', '--against', 'git:HEAD~1', '--json']));
  assert.deepEqual(report.git, { ref: 'HEAD~1', commit: firstCommit, path: 'registry' });
  assert.equal(report.severity, 'breaking');
  assert.deepEqual(
    report.specs.map((each: { name: string }) => each.name),
    ['video.render'],
  );
  assert.match(report.from, /^sha256:[0-9a-f]{64}$/);
  assert.notEqual(report.from, report.to);
});

test('the registry at a commit id, from a subfolder, builds to what spec build of that commit stores', () => {
  const fromSubfolder = json(
    spec(['diff', '--against', `git:${firstCommit}`, '--registry', '../registry', '--json'], join(repository, 'plans')),
  );
  assert.equal(fromSubfolder.git.commit, firstCommit);
  // A real checkout of the first commit, built into a store: the same snapshot id as the one read from git objects.
  const checkout = join(dir.path, 'checkout');
  git(['worktree', 'add', '-q', '--detach', checkout, firstCommit]);
  const built = json(runSpec(['build', '--store', join(dir.path, 'store'), '--json'], { cwd: checkout }));
  assert.equal(fromSubfolder.from, built.snapshot);
});

test('spec diff --against git:HEAD: nothing changed, exit 0 even with --fail-on; --markdown for a job summary', () => {
  const result = spec(['diff', '--against', 'git:HEAD', '--fail-on', 'breaking', '--markdown']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^### spec diff: `git:HEAD \([0-9a-f]{12}\)`/);
  const breaking = spec(['diff', '--against', 'git:HEAD~1', '--markdown']);
  assert.equal(breaking.status, 0, breaking.stderr);
  assert.match(breaking.stdout, /video\.render/);
});

test('spec status --against git:HEAD~1: the modified spec, exit 6; against git:HEAD it is clean', () => {
  const drifted = spec(['status', '--against', 'git:HEAD~1', '--json']);
  assert.equal(drifted.status, 6, drifted.stderr);
  const status = JSON.parse(drifted.stdout);
  assert.equal(status.git.commit, firstCommit);
  assert.deepEqual(
    status.modified.map((entry: { id: string }) => entry.id),
    ['video.render@1'],
  );
  assert.deepEqual([status.added, status.removed], [[], []]);
  const clean = spec(['status', '--against', 'git:HEAD']);
  assert.equal(clean.status, 0, clean.stderr);
  assert.match(clean.stdout, /registry matches git:HEAD/);
});

test('spec plan upgrade --against git:HEAD~1: the render step breaks (exit 4), the plan file is not touched', () => {
  const before = readFileSync(plan);
  const result = spec(['plan', 'upgrade', 'plans/trailer-render.yaml', '--against', 'git:HEAD~1', '--json']);
  assert.equal(result.status, 4, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.breaking, true);
  assert.equal(report.written, false);
  assert.equal(report.git.commit, firstCommit);
  const render = report.refs.find((ref: { step?: string }) => ref.step === 'render');
  assert.equal(render.breaking, true);
  assert.equal(report.refs.find((ref: { step?: string }) => ref.step === 'metadata').breaking, false);
  assert.deepEqual(readFileSync(plan), before);
  const same = spec(['plan', 'upgrade', 'plans/trailer-render.yaml', '--against', 'git:HEAD']);
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stdout, /nothing breaks/);
});

test('--against git:REF creates no store (nor reads one)', () => {
  // Every test above ran in the repository without --store: none may have made .spec/store.
  assert.equal(existsSync(join(repository, '.spec')), false);
  assert.equal(git(['status', '--porcelain']), '');
});

test('a shallow clone lacking the ref: GIT_REF_NOT_FOUND (exit 3), saying to fetch it', () => {
  const shallow = join(dir.path, 'shallow');
  git(['clone', '-q', '--depth', '1', `file://${repository}`, shallow], dir.path);
  const result = spec(['diff', '--against', 'git:HEAD~1', '--fail-on', 'breaking', '--json'], shallow);
  assert.equal(result.status, 3, result.stderr);
  const error = errorOf(result);
  assert.equal(error['code'], 'GIT_REF_NOT_FOUND');
  assert.equal(error['shallow'], true);
  const text = spec(['status', '--against', 'git:HEAD~1'], shallow);
  assert.equal(text.status, 3);
  assert.match(text.stderr, /^GIT_REF_NOT_FOUND .*shallow.*git fetch/);
  // HEAD itself is there, so the same clone can diff against it.
  assert.equal(spec(['diff', '--against', 'git:HEAD'], shallow).status, 0);
});

test('a ref that names nothing, and a folder outside any repository: clear errors, exit 3', () => {
  const missing = spec(['diff', '--against', 'git:no-such-branch', '--json']);
  assert.equal(missing.status, 3);
  assert.equal(errorOf(missing)['code'], 'GIT_REF_NOT_FOUND');
  assert.equal(errorOf(missing)['shallow'], false);
  const outside = join(dir.path, 'not-a-repository');
  mkdirSync(outside);
  copyBundledRegistry(outside);
  const result = spec(['status', '--against', 'git:main', '--json'], outside);
  assert.equal(result.status, 3, result.stderr);
  assert.equal(errorOf(result)['code'], 'GIT_NOT_A_REPOSITORY');
  const option = spec(['diff', '--against', 'git:--output=x', '--json']);
  assert.equal(option.status, 2);
  assert.equal(errorOf(option)['code'], 'USAGE');
});

test('--against SNAPSHOT is the diff of that snapshot with the working registry, as spec diff SNAPSHOT --registry', () => {
  const store = join(dir.path, 'snapshot-store');
  const built = runSpec(['build', '--store', store, '--tag', 'base'], { cwd: repository, env: specEnv });
  assert.equal(built.status, 0, built.stderr);
  const against = json(spec(['diff', '--against', 'base', '--store', store, '--json']));
  const positional = json(spec(['diff', 'base', '--registry', 'registry', '--store', store, '--json']));
  assert.equal(against.git, undefined);
  assert.deepEqual(against, positional);
  assert.equal(against.empty, true);
  const both = spec(['diff', 'base', '--against', 'git:HEAD', '--store', store]);
  assert.equal(both.status, 2);
});
