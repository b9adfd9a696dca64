// compileGitRevision: the registry at a git ref compiled in memory, with the plugins its specstore.yaml named then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileRegistry } from '../../src/build/buildSnapshot.js';
import { compileGitRevision } from '../../src/build/compileGitRevision.js';
import { tempDir } from '../support/cli.js';

const tool = (id: string) => `id: "${id}"\nname: "T"\nadapter: local\nentry_point: "f"\n`;

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

test('the registry at a ref: its own specstore.yaml names the plugins (installed now); the snapshot is what a build of that commit makes', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CEILING_DIRECTORIES: dirname(dir.path),
    GIT_AUTHOR_NAME: 'test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  const git = (args: string[]) => {
    const result = spawnSync('git', args, { cwd: dir.path, env, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  };
  const registry = join(dir.path, 'registry');
  writeFiles(registry, { 'specstore.yaml': 'plugins:\n  - "media-tools"\n', 'tools/own.yaml': tool('own.tool@1') });
  writeFiles(join(dir.path, 'node_modules/media-tools'), {
    'package.json': JSON.stringify({ name: 'media-tools', version: '2.3.4', specstore: { registry: 'specs' } }),
    'specs/tools/x.yaml': tool('media.x@1'),
  });
  const onDisk = await compileRegistry({ registry, cwd: dir.path });
  git(['init', '-q']);
  git(['add', 'registry']); // node_modules is not committed: plugins are what is installed
  git(['commit', '-q', '-m', 'with the plugin']);
  writeFileSync(join(registry, 'specstore.yaml'), 'plugins: []\n');
  git(['commit', '-q', '-a', '-m', 'without']);

  const withPlugin = await compileGitRevision({ registry: 'registry', ref: 'HEAD~1', cwd: dir.path });
  assert.equal(withPlugin.compiled.snapshot, onDisk.snapshot);
  assert.deepEqual(withPlugin.compiled.specs.map((spec) => spec.id).sort(), ['media.x@1', 'own.tool@1']);
  const entry = (await withPlugin.view.list()).find((each) => each.id === 'media.x@1');
  assert.equal(entry?.origin, 'media-tools');
  const without = await compileGitRevision({ registry: 'registry', ref: 'HEAD', cwd: dir.path });
  assert.deepEqual(
    without.compiled.specs.map((spec) => spec.id),
    ['own.tool@1'],
  );
  assert.equal(existsSync(join(dir.path, '.spec')), false);
});
