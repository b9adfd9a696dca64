// buildIntoStore and loadDiffConfig: the library does what `spec build` and `spec diff` used to do themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildIntoStore } from '../../src/build/buildIntoStore.js';
import { isSpecError } from '../../src/errors.js';
import { defaultDiffConfig } from '../../src/diff/diffConfig.js';
import { loadDiffConfig } from '../../src/review/loadDiffConfig.js';
import { openStore } from '../../src/store/openStore.js';
import { copyBundledRegistry, tempDir } from '../support/cli.js';

const bundledSnapshot = 'sha256:2cc808a03a5c57271aed86bf6c137b3ee7c9be12099aeac2bb38e3ed223f5d06';

test('buildIntoStore creates the store once the registry is valid, and stores the same snapshot as spec build', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const directory = join(dir.path, 'store');
  const result = await buildIntoStore({ registry, directory, tag: 'first' });
  assert.equal(result.snapshot, bundledSnapshot);
  const again = await buildIntoStore({ registry, directory });
  assert.equal(again.unchanged, true);
  const store = await openStore({ directory, readOnly: true });
  t.after(() => store.close());
  assert.equal(await store.resolveSnapshot('first'), bundledSnapshot);
});

test('buildIntoStore: a check that refuses, an invalid registry or a bad tag create no store', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const directory = join(dir.path, 'store');
  const refusal = new Error('refused by the check');
  await assert.rejects(buildIntoStore({ registry, directory, check: async () => Promise.reject(refusal) }), refusal);
  await assert.rejects(
    buildIntoStore({ registry, directory, tag: 'bad name!' }),
    (error: unknown) => isSpecError(error) && error.code === 'TAG_INVALID',
  );
  writeFileSync(join(registry, 'tools', 'broken.yaml'), 'id: [unclosed\n');
  await assert.rejects(
    buildIntoStore({ registry, directory }),
    (error: unknown) => isSpecError(error) && error.code === 'INVALID_INPUT',
  );
  assert.equal(existsSync(directory), false);
});

test('loadDiffConfig: the named file must exist; without one, specstore.diff.yaml if present, else the defaults', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  assert.deepEqual(await loadDiffConfig({ cwd: dir.path }), defaultDiffConfig);
  await assert.rejects(
    loadDiffConfig({ cwd: dir.path, file: 'missing.yaml' }),
    (error: unknown) => isSpecError(error) && error.code === 'FILE_NOT_FOUND',
  );
  writeFileSync(join(dir.path, 'specstore.diff.yaml'), 'fail_on: breaking\n');
  assert.equal((await loadDiffConfig({ cwd: dir.path })).failOn, 'breaking');
  writeFileSync(join(dir.path, 'specstore.diff.yaml'), 'unknownKey: 1\n');
  await assert.rejects(
    loadDiffConfig({ cwd: dir.path }),
    (error: unknown) => isSpecError(error) && error.code === 'INVALID_INPUT',
  );
});
