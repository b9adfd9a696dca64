// Without ../shared (a fresh clone) the tests that need it skip, naming what is missing; under CI=true they fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../support/cli.js';

/** Every test file that reads the shared corpus (grep -rn "sharedDir\|\.\./shared" test). */
const filesNeedingShared = [
  'test/corpus/schemastore.test.ts',
  'test/diff/schemastorePairs.test.ts',
  'test/validate/precompiledValidators.test.ts',
];

function runTestFile(file: string, env: Record<string, string>) {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  if (!('CI' in env)) delete childEnv['CI'];
  delete childEnv['NODE_TEST_CONTEXT']; // else the child reports to this runner instead of printing TAP
  return spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], {
    cwd: repoRoot,
    env: childEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

for (const file of filesNeedingShared) {
  test(`${file} without ../shared: passes, skipping what needs it with a message naming the missing path; fails under CI=true`, (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const missing = join(dir.path, 'no-shared-here');
    const fresh = runTestFile(file, { SPECSTORE_SHARED_DIR: missing });
    assert.equal(fresh.status, 0, `${fresh.stdout}\n${fresh.stderr}`);
    assert.match(fresh.stdout, /# SKIP .*no-shared-here/, 'a skip names the missing directory');
    const ci = runTestFile(file, { SPECSTORE_SHARED_DIR: missing, CI: 'true' });
    assert.notEqual(ci.status, 0, 'under CI=true a missing ../shared fails the file');
  });
}
