// `protected: true`: a build that drops a protected spec the last build had fails with PROTECTED_SPEC_REMOVED and
// writes nothing, unless `--allow-removal` names it (by name or by id).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileRegistry, isSpecError, openStore } from '../../src/index.js';
import { copyBundledRegistry, dumpStore, json, runSpec, tempDir } from '../support/cli.js';

test('dropping the protected orchestrator fails the build (exit 1, nothing written) unless --allow-removal names it', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const first = runSpec(['build'], { cwd: dir.path });
  assert.equal(first.status, 0, first.stderr);
  rmSync(join(registry, 'agents/orchestrator.yaml'));
  const before = await dumpStore(join(dir.path, '.spec/store'));

  const refused = runSpec(['build', '--json'], { cwd: dir.path });
  assert.equal(refused.status, 1);
  const error = json(refused).error;
  assert.equal(error.code, 'PROTECTED_SPEC_REMOVED');
  assert.deepEqual(
    error.diagnostics.map((d: { code: string; ref: string }) => [d.code, d.ref]),
    [['PROTECTED_SPEC_REMOVED', 'orchestrator@1']],
  );
  const text = runSpec(['build'], { cwd: dir.path });
  assert.equal(text.status, 1);
  assert.match(text.stderr, /agents\/orchestrator\.yaml PROTECTED_SPEC_REMOVED orchestrator@1/);
  assert.doesNotMatch(text.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(await dumpStore(join(dir.path, '.spec/store')), before, 'nothing was written');

  // Naming another version does not allow this one; an id that is not a name is a usage error.
  assert.equal(runSpec(['build', '--allow-removal', 'orchestrator@2'], { cwd: dir.path }).status, 1);
  assert.equal(runSpec(['build', '--allow-removal', 'Not A Name'], { cwd: dir.path }).status, 2);
  const allowed = runSpec(['build', '--allow-removal', 'intake', '--allow-removal', 'orchestrator@1'], {
    cwd: dir.path,
  });
  assert.equal(allowed.status, 0, allowed.stderr);
  // Once a build without it succeeded, it is no longer the last build's: later builds pass.
  assert.equal(runSpec(['build'], { cwd: dir.path }).status, 0);
});

test('renaming a protected spec (a new version, the old id gone) counts as removing it; unprotected specs may go', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  assert.equal(runSpec(['build'], { cwd: dir.path }).status, 0);
  rmSync(join(registry, 'agents/intake.yaml'));
  writeFileSync(
    join(registry, 'agents/orchestrator.yaml'),
    'id: "orchestrator@2"\nname: "Claims Orchestrator"\nprotected: true\nmodel: "llama3.8b-instruct@1"\nallowed_agents: ["fraud@1"]\n',
  );
  const refused = runSpec(['build', '--json'], { cwd: dir.path });
  assert.equal(refused.status, 1);
  assert.deepEqual(json(refused).error.removed, ['orchestrator@1'], 'intake@1 was not protected');
  assert.equal(runSpec(['build', '--allow-removal', 'orchestrator'], { cwd: dir.path }).status, 0);
});

test('the library option allowRemoval, checked at the boundary', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const store = await openStore({ directory: ':memory:' });
  try {
    const { buildSnapshot } = await import('../../src/index.js');
    await buildSnapshot({ registry, store });
    renameSync(join(registry, 'agents/orchestrator.yaml'), join(dir.path, 'orchestrator.yaml'));
    const error = await compileRegistry({ registry, store }).catch((caught: unknown) => caught);
    assert.ok(isSpecError(error) && error.code === 'PROTECTED_SPEC_REMOVED');
    await compileRegistry({ registry, store, allowRemoval: ['orchestrator'] });
    await assert.rejects(compileRegistry({ registry, store, allowRemoval: 'orchestrator' as never }), TypeError);
  } finally {
    await store.close();
  }
});

test('a spec of a kind defined by a file may be protected too, without the kind file listing the field', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const dataset = join(registry, 'datasets/trailer.samples.yaml');
  writeFileSync(dataset, `${readFileSync(dataset, 'utf8')}protected: true\n`);
  const first = runSpec(['build'], { cwd: dir.path });
  assert.equal(first.status, 0, first.stderr);
  rmSync(dataset);
  const refused = runSpec(['build', '--json'], { cwd: dir.path });
  assert.equal(refused.status, 1);
  assert.equal(json(refused).error.code, 'PROTECTED_SPEC_REMOVED');

  writeFileSync(
    dataset,
    'id: "trailer.samples@1"\nlocation: "s3://x/"\nrow_schema: "media.metadata@1"\nprotected: "yes"\n',
  );
  const invalid = runSpec(['build', '--json'], { cwd: dir.path });
  assert.equal(invalid.status, 1);
  assert.deepEqual(
    json(invalid).error.diagnostics.map((d: { code: string; pointer?: string }) => [d.code, d.pointer]),
    [['SPEC_INVALID', '/protected']],
  );
});
