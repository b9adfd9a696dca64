// examples/ci/check.sh, the generic CI gate, run with sh on a real git repository whose second commit breaks a tool.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundledRegistry, repoRoot, specBin, tempDir } from '../support/cli.js';

const dir = tempDir('specstore-ci-check-');
const repository = join(dir.path, 'repo');
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

function git(args: string[]): void {
  const result = spawnSync('git', args, { cwd: repository, env: gitEnv, encoding: 'utf8' });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
}

function check(base: string, summary: string) {
  const env: Record<string, string | undefined> = {
    ...gitEnv,
    NO_COLOR: '1',
    BASE: base,
    SUMMARY: summary,
    SPEC: `${process.execPath} ${specBin}`,
    SPEC_STORE: join(dir.path, `store-${base.replace(/\W/g, '')}`),
  };
  delete env['GITHUB_ACTIONS'];
  delete env['GITHUB_STEP_SUMMARY'];
  return spawnSync('sh', [join(repoRoot, 'examples/ci/check.sh')], { cwd: repository, env, encoding: 'utf8' });
}

before(() => {
  mkdirSync(repository);
  copyBundledRegistry(repository);
  git(['init', '-q']);
  git(['add', 'registry']);
  git(['commit', '-q', '-m', 'the bundled registry']);
  const tool = join(repository, 'registry/tools/video.render.yaml');
  const text = readFileSync(tool, 'utf8');
  writeFileSync(
    tool,
    text.replace('inputs:\n', 'inputs:\n  - name: "codec"\n    type: "string"\n    required: true\n'),
  );
  git(['commit', '-q', '-a', '-m', 'video.render: a required codec']);
});
after(dir.cleanup);

test('check.sh against the commit before the break: builds, fails with exit 4, the Markdown diff in the summary', () => {
  const summary = join(dir.path, 'summary-breaking.md');
  const result = check('HEAD~1', summary);
  assert.equal(result.status, 4, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /\+ spec build/);
  assert.match(result.stdout, /video\.render \(tool\)/);
  const markdown = readFileSync(summary, 'utf8');
  assert.match(markdown, /^### spec diff: `git:HEAD~1 \([0-9a-f]{12}\)`/);
  assert.match(markdown, /video\.render/);
});

test('check.sh against HEAD: nothing breaks, exit 0', () => {
  const summary = join(dir.path, 'summary-clean.md');
  const result = check('HEAD', summary);
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  assert.ok(existsSync(summary));
});

test('check.sh against a ref the repository lacks: GIT_REF_NOT_FOUND, exit 3', () => {
  const result = check('no-such-branch', join(dir.path, 'summary-missing.md'));
  assert.equal(result.status, 3, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr, /GIT_REF_NOT_FOUND/);
});

test('every spec command the GitHub workflow and pre-commit hooks run exists, with the options they give it', () => {
  const workflow = readFileSync(join(repoRoot, 'examples/ci/github-actions.yml'), 'utf8');
  const hooks = readFileSync(join(repoRoot, '.pre-commit-hooks.yaml'), 'utf8');
  const invocations = [
    ...[...workflow.replace(/\n\s+--/g, ' --').matchAll(/npx spec ([^\n;|>]+)/g)].map((match) => match[1]!),
    ...[...hooks.matchAll(/^\s*entry: spec (.+)$/gm)].map((match) => match[1]!),
  ];
  assert.ok(invocations.length >= 6, invocations.join('\n'));
  const seen = new Set<string>();
  for (const invocation of invocations) {
    const words = invocation.trim().split(/\s+/);
    const command = words.slice(0, words[0] === 'plan' ? 2 : 1);
    const help = spawnSync(process.execPath, [specBin, ...command, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, `spec ${command.join(' ')} --help: ${help.stderr}`);
    for (const option of words.filter((word) => word.startsWith('--')))
      assert.ok(help.stdout.includes(option), `spec ${command.join(' ')} has no ${option}`);
    seen.add(command.join(' '));
  }
  assert.deepEqual([...seen].sort(), ['build', 'diff', 'fmt', 'plan check', 'plan upgrade', 'push']);
});
