// Fault 6: a forged object, a valid LevelDB entry written through the KeyValueStore whose bytes do not hash to its
// key. LevelDB has nothing to complain about. Protection: re-hashing on read and in verify. Expected: verify reports
// it, every read of it is DIGEST_MISMATCH, and the forged content is never returned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { canonicalJson } from '../../src/core/canonicalJson.js';
import { digestText, type Digest } from '../../src/core/digest.js';
import { openSnapshot } from '../../src/index.js';
import { openStore } from '../../src/store/openStore.js';
import { keys } from '../../src/store/specStore.js';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';

test('a forged spec object: verify reports OBJECT_DIGEST_MISMATCH; resolve, show, export and the library refuse it', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  const store = join(dir.path, 'store');
  const spec = (...args: string[]) => runSpec([...args, '--store', store], { cwd: dir.path });
  const snapshot = spec('build').stdout.trim();
  const original = json(spec('resolve', 'latest', 'text.llm@1', '--json'));
  const forged = canonicalJson({ ...original.spec, entry_point: 'attacker.module:run' });

  const opened = await openStore({ directory: store });
  await opened.kv.batch([{ type: 'put', key: keys.object(original.digest as Digest), value: forged }]);
  assert.equal(
    await opened.kv.get(keys.object(original.digest as Digest)),
    forged,
    'the store layer takes the forgery as is',
  );
  await assert.rejects(opened.readObject(original.digest as Digest), { code: 'DIGEST_MISMATCH' });
  const view = await openSnapshot(opened, snapshot);
  await assert.rejects(view.resolve('text.llm@1'), { code: 'DIGEST_MISMATCH' });
  assert.equal((await view.resolve('text.llm@2')).id, 'text.llm@2', 'other specs still read');
  await opened.close();

  const report = json(spec('verify', '--json'));
  assert.deepEqual(
    report.problems.map((problem: { code: string; object?: string; snapshot?: string }) => [
      problem.code,
      problem.object ?? problem.snapshot,
    ]),
    [
      ['OBJECT_DIGEST_MISMATCH', original.digest],
      ['SNAPSHOT_INCOMPLETE', snapshot],
    ],
  );
  for (const args of [
    ['resolve', 'latest', 'text.llm@1'],
    ['show', 'latest', 'text.llm@1'],
    ['export', 'latest'],
  ]) {
    const result = spec(...args, '--json');
    assert.equal(result.status, 5, args.join(' '));
    assert.equal(json(result).error.code, 'DIGEST_MISMATCH');
    assert.ok(!result.stdout.includes('attacker'), 'the forged content is never printed');
  }
  const human = spec('verify');
  assert.equal(human.status, 5);
  assert.match(human.stdout, /^OBJECT_DIGEST_MISMATCH /m);
  assert.match(human.stderr, /^VERIFY_FAILED /m);
});

test('forgeries that hash to their keys but no build writes: OBJECT_UNPARSEABLE and OBJECT_KEY_INVALID, on a real store', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  const store = join(dir.path, 'store');
  assert.equal(runSpec(['build', '--store', store], { cwd: dir.path }).status, 0);
  const notCanonical = '{ "id": "x@1" }';
  const opened = await openStore({ directory: store });
  await opened.kv.batch([
    { type: 'put', key: keys.object(digestText(notCanonical)), value: notCanonical },
    { type: 'put', key: 'obj:sha256:XYZ', value: '{}' },
  ]);
  await opened.close();
  const result = runSpec(['verify', '--store', store, '--json']);
  assert.equal(result.status, 5);
  assert.deepEqual(
    json(result)
      .problems.map((problem: { code: string }) => problem.code)
      .sort(),
    ['OBJECT_KEY_INVALID', 'OBJECT_UNPARSEABLE'],
  );
  // Garbage, not part of any snapshot: gc removes it, and the store is clean again.
  assert.equal(runSpec(['gc', '--store', store]).status, 0);
  assert.equal(runSpec(['verify', '--store', store]).status, 0);
});
