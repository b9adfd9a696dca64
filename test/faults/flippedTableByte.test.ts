// Fault 2: one flipped byte inside a value in a LevelDB table file. LevelDB does not surface its block checksums, so
// it returns the changed bytes as if nothing happened. Protection: every object is re-hashed on read, and verify
// re-hashes them all and checks every table block's checksum itself. Expected: verify names the object, reading it is DIGEST_MISMATCH, nothing returns wrong content.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { Level } from 'level';
import { canonicalJson } from '../../src/core/canonicalJson.js';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';
import { compactIntoTables, findInStoreFiles, flipByte } from './faultSupport.js';

test('a flipped byte in an .ldb value: verify reports the object, reads fail with DIGEST_MISMATCH, never wrong content', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  const store = join(dir.path, 'store');
  const spec = (...args: string[]) => runSpec([...args, '--store', store], { cwd: dir.path });
  const snapshot = spec('build').stdout.trim();
  const original = json(spec('resolve', 'latest', 'text.llm@1', '--json'));
  const text = canonicalJson(original.spec);
  await compactIntoTables(store);

  // The spec's canonical text sits verbatim in one table file; flip the case of the first letter of its description.
  const [hit, ...others] = findInStoreFiles(store, text, /\.ldb$/);
  assert.ok(hit, 'the spec text is in a table file');
  assert.deepEqual(others, [], 'and only once');
  const offset = hit.offset + text.indexOf('"description":"Generates') + '"description":"'.length;
  flipByte(hit.file, offset, 0x20);

  // LevelDB itself returns the changed text without complaint: this is what the protection is for.
  const db = new Level<string, string>(store, { createIfMissing: false });
  await db.open();
  const raw = await db.get(`obj:${original.digest}`);
  await db.close();
  assert.equal(raw, text.replace('"description":"Generates', '"description":"generates'));

  const verified = spec('verify', '--json');
  assert.equal(verified.status, 5);
  const report = json(verified);
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.problems.map((problem: { code: string; object?: string; snapshot?: string; file?: string }) => [
      problem.code,
      problem.object ?? problem.snapshot ?? problem.file,
    ]),
    [
      ['FILE_DAMAGED', basename(hit.file)], // the table block's checksum, which LevelDB skipped
      ['OBJECT_DIGEST_MISMATCH', original.digest],
      ['SNAPSHOT_INCOMPLETE', snapshot],
    ],
  );

  for (const args of [
    ['resolve', 'latest', 'text.llm@1', '--json'],
    ['show', 'latest', 'text.llm@1', '--json'],
    ['export', 'latest', '--json'],
  ]) {
    const result = spec(...args);
    assert.equal(result.status, 5, args.join(' '));
    const error = json(result).error;
    assert.equal(error.code, 'DIGEST_MISMATCH', args.join(' '));
    assert.equal(error.expected, original.digest);
    assert.ok(!result.stdout.includes('generates text from a prompt'), 'the damaged text is never printed');
  }
  const human = spec('show', 'latest', 'text.llm@1');
  assert.equal(human.status, 5);
  assert.equal(human.stdout, '');
  // Everything else in the snapshot still reads.
  assert.equal(spec('resolve', 'latest', 'media.probe@2').status, 0);
  assert.equal(spec('ls', 'latest').status, 0);
});
