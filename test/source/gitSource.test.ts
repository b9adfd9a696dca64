// The registry at a git commit as a registry root, read by the real git program from a temporary repository.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSpecError } from '../../src/errors.js';
import { builtinKinds } from '../../src/kinds/builtinKinds.js';
import { listRegistry } from '../../src/source/listRegistry.js';
import { fileSystemRoot } from '../../src/source/registrySource.js';
import { gitObjectId, gitRegistryRoot } from '../../src/source/gitSource.js';
import { tempDir } from '../support/cli.js';

const dir = tempDir('specstore-git-source-');
const repository = join(dir.path, 'repo');
const registry = join(repository, 'registry');
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

function git(args: string[], cwd = repository): string {
  const result = spawnSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

const policy = (id: string) => `id: "${id}"\nlimits:\n  max_usd_micro: 1000\n`;

before(() => {
  mkdirSync(join(registry, 'policies/nested'), { recursive: true });
  mkdirSync(join(registry, 'shared'));
  writeFileSync(join(registry, 'policies/a.yaml'), policy('a@1'));
  writeFileSync(join(registry, 'policies/nested/b.yaml'), policy('b@1'));
  writeFileSync(join(registry, 'shared/c.yaml'), policy('c@1'));
  symlinkSync('../shared/c.yaml', join(registry, 'policies/linked.yaml'));
  symlinkSync('../../outside.yaml', join(registry, 'policies/escape.yaml'));
  writeFileSync(join(repository, 'outside.yaml'), policy('outside@1'));
  writeFileSync(join(registry, 'policies/notes.txt'), 'not a spec\n');
  git(['init', '-q']);
  git(['add', '.']);
  git(['commit', '-q', '-m', 'one']);
});
after(dir.cleanup);

const listingOf = (source: Parameters<typeof listRegistry>[0]) => {
  const listing = listRegistry(source, builtinKinds, { cwd: repository });
  return {
    files: listing.files.map(({ path, kind, size }) => ({ path, kind, size })),
    diagnostics: listing.diagnostics.map(({ code, severity }) => ({ code, severity })),
  };
};

test('the root at HEAD lists exactly as the checkout on disk does: files, links, warnings', async () => {
  const { root, revision } = await gitRegistryRoot({ cwd: repository, registry: 'registry', ref: 'HEAD' });
  assert.equal(revision.commit, git(['rev-parse', 'HEAD']));
  assert.equal(revision.path, 'registry');
  const fromGit = listingOf({ roots: [root] });
  assert.deepEqual(fromGit, listingOf({ roots: [fileSystemRoot(registry)] }));
  assert.ok(fromGit.files.some((file) => file.path === 'policies/linked.yaml'));
  assert.ok(fromGit.diagnostics.some((diagnostic) => diagnostic.code === 'SYMLINK_OUTSIDE_REGISTRY'));
  assert.deepEqual(root.fs.realpath('policies/linked.yaml'), { inside: 'shared/c.yaml' });
  assert.equal(new TextDecoder().decode(root.fs.readFile('policies/linked.yaml')), policy('c@1'));
});

test("the bytes are the commit's, not the working tree's; a later commit is another root", async () => {
  writeFileSync(join(registry, 'policies/a.yaml'), policy('a@2'));
  rmSync(join(registry, 'policies/nested'), { recursive: true });
  const { root } = await gitRegistryRoot({ cwd: repository, registry: 'registry', ref: 'HEAD' });
  assert.equal(new TextDecoder().decode(root.fs.readFile('policies/a.yaml')), policy('a@1'));
  assert.equal(root.fs.stat('policies/nested/b.yaml').type, 'file');
  git(['commit', '-q', '-a', '-m', 'two']);
  const second = await gitRegistryRoot({ cwd: join(registry, 'shared'), registry: '..', ref: 'HEAD' });
  assert.equal(second.revision.path, 'registry');
  assert.equal(new TextDecoder().decode(second.root.fs.readFile('policies/a.yaml')), policy('a@2'));
  assert.throws(() => second.root.fs.stat('policies/nested/b.yaml'), { code: 'ENOENT' });
  const first = await gitRegistryRoot({ cwd: repository, registry: 'registry', ref: 'HEAD~1' });
  assert.equal(new TextDecoder().decode(first.root.fs.readFile('policies/a.yaml')), policy('a@1'));
});

test('an object whose bytes do not hash to its id: GIT_OBJECT_INVALID, never the wrong content', async () => {
  const copy = join(dir.path, 'damaged');
  cpSync(repository, copy, { recursive: true, verbatimSymlinks: true });
  const a = git(['rev-parse', 'HEAD:registry/policies/a.yaml'], copy);
  // Another blob, stored under a's id (git itself does not notice on reading; ls-tree then gives its size).
  const other = policy('z@2');
  const z = spawnSync('git', ['hash-object', '-w', '--stdin'], {
    cwd: copy,
    env: gitEnv,
    input: other,
    encoding: 'utf8',
  });
  const zId = z.stdout.trim();
  assert.equal(zId, gitObjectId('blob', new TextEncoder().encode(other)));
  const loose = (id: string) => join(copy, '.git/objects', id.slice(0, 2), id.slice(2));
  rmSync(loose(a));
  writeFileSync(loose(a), readFileSync(loose(zId)));
  await assert.rejects(
    gitRegistryRoot({ cwd: copy, registry: 'registry', ref: 'HEAD' }),
    (error: unknown) => isSpecError(error) && error.code === 'GIT_OBJECT_INVALID',
  );
});

test('a registry folder the commit lacks is an empty root: the listing says REGISTRY_NOT_FOUND', async () => {
  const { root } = await gitRegistryRoot({ cwd: repository, registry: 'elsewhere', ref: 'HEAD' });
  assert.throws(
    () => listRegistry({ roots: [root] }, builtinKinds, { cwd: repository }),
    (error: unknown) => isSpecError(error) && error.code === 'REGISTRY_NOT_FOUND',
  );
});

test('a registry outside the repository, and a revision that looks like an option: USAGE', async () => {
  for (const options of [
    { cwd: repository, registry: '../elsewhere', ref: 'HEAD' },
    { cwd: repository, registry: 'registry', ref: '--output=/tmp/x' },
  ])
    await assert.rejects(gitRegistryRoot(options), (error: unknown) => isSpecError(error) && error.code === 'USAGE');
});
