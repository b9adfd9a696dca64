// Messages that used to claim something that did not happen, or leave out what was wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maxNameLength } from '../../src/core/ref.js';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';

test('an invalid diff configuration says no diff was made, names the file, and does not claim that nothing was stored', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  assert.equal(runSpec(['build'], { cwd: dir.path }).status, 0);
  writeFileSync(join(dir.path, 'bad.diff.yaml'), 'colour: blue\n');
  const result = runSpec(['diff', 'latest', '--config', 'bad.diff.yaml', '--json'], { cwd: dir.path });
  assert.equal(result.status, 1);
  const error = json(result).error;
  assert.equal(error.code, 'INVALID_INPUT');
  assert.equal(error.file, 'bad.diff.yaml');
  assert.deepEqual(
    error.diagnostics.map((d: { code: string; pointer: string }) => [d.code, d.pointer]),
    [['DIFF_CONFIG_INVALID', '/colour']],
  );
  writeFileSync(join(dir.path, 'registry/policies/broken.yaml'), 'id: [\n');
  const build = json(runSpec(['build', '--json'], { cwd: dir.path })).error;
  assert.equal(build.code, 'INVALID_INPUT');
  assert.equal(typeof build.outcome, 'string');
  assert.notEqual(
    error.outcome,
    build.outcome,
    'a refused diff configuration and a refused build did different things',
  );
  const text = runSpec(['diff', 'latest', '--config', 'bad.diff.yaml'], { cwd: dir.path });
  assert.equal(text.status, 1);
  assert.doesNotMatch(text.stderr, /stored/, 'spec diff never stores anything, so saying nothing was stored misleads');
});

test('an id over the length limit is ID_INVALID saying the limit; a ref over it on the command line is REF_INVALID, problem name-too-long', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  assert.equal(runSpec(['build'], { cwd: dir.path }).status, 0);
  const long = 'a'.repeat(maxNameLength + 72);
  const resolved = runSpec(['resolve', 'latest', `${long}@1`, '--json'], { cwd: dir.path });
  assert.equal(resolved.status, 1);
  assert.equal(json(resolved).error.code, 'REF_INVALID');
  assert.equal(json(resolved).error.problem, 'name-too-long');
  writeFileSync(join(dir.path, 'registry/policies/long.yaml'), `id: "${long}@1"\n`);
  const built = runSpec(['build', '--json'], { cwd: dir.path });
  assert.equal(built.status, 1);
  const diagnostic = json(built).error.diagnostics.find((d: { code: string }) => d.code === 'ID_INVALID');
  assert.ok(diagnostic, built.stdout);
  assert.ok(
    diagnostic.message.includes(String(maxNameLength)) && diagnostic.message.includes(String(long.length)),
    'the message gives the limit and the length',
  );
});

test('spec verify counts published versions and published snapshots as such: an untagged build publishes nothing', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  assert.equal(runSpec(['build'], { cwd: dir.path }).status, 0);
  assert.match(runSpec(['verify'], { cwd: dir.path }).stdout, /\b0 published versions, 0 published snapshots$/m);
  assert.equal(runSpec(['tag', 'prod', 'latest'], { cwd: dir.path }).status, 0);
  const report = json(runSpec(['verify', '--json'], { cwd: dir.path }));
  const text = runSpec(['verify'], { cwd: dir.path }).stdout;
  assert.match(text, new RegExp(`\\b${report.published} published versions, 1 published snapshot$`, 'm'));
});
