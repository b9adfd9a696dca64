// A large build's staged texts: the staging file reads back what was added, in any order, and leaves nothing behind;
// a build that stages stores exactly what one that keeps its texts in memory stores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { buildIntoStore } from '../../src/build/buildIntoStore.js';
import { compileRegistry } from '../../src/build/buildSnapshot.js';
import { StagedObject, StagingFile } from '../../src/build/stagingFile.js';
import { collectGarbageNow } from '../../src/build/collectGarbage.js';
import { digestText } from '../../src/core/digest.js';
import { isSpecError } from '../../src/errors.js';
import { buildCacheSpaces, keySpaces } from '../../src/store/storeKeys.js';
import { copyBundledRegistry, dumpStore, tempDir } from '../support/cli.js';

const stagingFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith('specstore-staging-')).length;

test('StagingFile: texts read back as added (multi-byte, empty, larger than a chunk), in order and out of it', () => {
  const before = stagingFolders();
  const file = new StagingFile();
  // Removed from the temporary folder as soon as it is open: nothing to clean up however the process ends.
  assert.equal(stagingFolders(), before);
  const texts = [
    '{"a":1}',
    '',
    '{"name":"Zürich ✓ 😀"}',
    'x'.repeat(3 * 1024 * 1024 + 7), // larger than a chunk: written and read directly
    ...Array.from({ length: 5000 }, (_, i) => `{"i":${i},"pad":"${'é'.repeat(i % 300)}"}`),
  ];
  const staged = texts.map((text) => file.add(text));
  staged.forEach((each, i) => assert.equal(each.byteLength, Buffer.byteLength(texts[i]!)));
  assert.deepEqual(
    staged.map((each) => each.text),
    texts,
  );
  for (const i of [4000, 3, 17, 4999, 0, 2500, 2]) assert.equal(staged[i]!.text, texts[i]);
  // Added after reads: the unwritten tail is written before it is read.
  const late = file.add('{"late":true}');
  assert.equal(late.text, '{"late":true}');
  assert.equal(staged[10]!.text, texts[10]);
  file.close();
  assert.throws(() => staged[0]!.text, /after close/);
});

test('StagedObject: its text is checked against its digest when read back', () => {
  const file = new StagingFile();
  try {
    const text = '{"id":"a@1"}';
    assert.equal(new StagedObject(digestText(text), file.add(text)).text, text);
    const wrong = new StagedObject(digestText('{"id":"b@1"}'), file.add(text));
    assert.throws(
      () => wrong.text,
      (error: unknown) => isSpecError(error) && error.code === 'STAGING_FAILED' && /does not hash/.test(error.message),
    );
  } finally {
    file.close();
  }
});

test('collectGarbageNow: runs a collection without leaving gc exposed to later contexts', () => {
  assert.equal(collectGarbageNow(), true);
  assert.equal(collectGarbageNow(), true);
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function')
    assert.equal(runInNewContext('typeof gc'), 'undefined');
});

/** Every object and cached analysis a store holds, by key (the records that carry times are left out). */
async function contentOf(directory: string): Promise<Map<string, string>> {
  const held = (await dumpStore(directory)).filter(
    ([key]) => keySpaces.object.holds(key) || buildCacheSpaces.analyses.holds(key),
  );
  return new Map(held);
}

test('a build that stages its texts (and writes them ahead in small batches) stores what an in-memory build stores', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const inMemory = join(dir.path, 'memory');
  const staged = join(dir.path, 'staged');
  const before = stagingFolders();
  // Staging is what the option chooses: the texts of the compiled result are in a file, until it is released.
  const compiled = await compileRegistry({ registry, stageAboveBytes: 0 });
  assert.ok(compiled.release && compiled.objects.some((object) => object instanceof StagedObject));
  const plain = await compileRegistry({ registry, stageAboveBytes: Infinity });
  assert.equal(plain.release, undefined);
  assert.ok(!plain.objects.some((object) => object instanceof StagedObject));
  const text = compiled.objects.find((object) => object instanceof StagedObject)!;
  assert.equal(text.text, plain.objects.find((object) => object.digest === text.digest)!.text);
  compiled.release();
  const first = await buildIntoStore({ registry, directory: inMemory, stageAboveBytes: Infinity });
  const second = await buildIntoStore({ registry, directory: staged, stageAboveBytes: 0, writeAheadBytes: 2048 });
  assert.equal(second.snapshot, first.snapshot);
  assert.equal(second.newObjects, first.newObjects);
  assert.equal(second.bytesWritten, first.bytesWritten);
  const held = await contentOf(staged);
  assert.deepEqual(held, await contentOf(inMemory));
  assert.ok(
    [...held.keys()].some((key) => buildCacheSpaces.analyses.holds(key)),
    'the cached analyses were stored',
  );
  // The staged build's records serve the next build: a changed tool relinks from them, in both stores alike.
  const tool = join(registry, 'tools', readdirSync(join(registry, 'tools'))[0]!);
  writeFileSync(tool, `# edited\n${readFileSync(tool, 'utf8')}`);
  await new Promise((resolve) => setTimeout(resolve, 25)); // past the racy margin
  const third = await buildIntoStore({ registry, directory: inMemory, stageAboveBytes: Infinity });
  const fourth = await buildIntoStore({ registry, directory: staged, stageAboveBytes: 0, writeAheadBytes: 2048 });
  assert.equal(fourth.snapshot, third.snapshot);
  assert.equal(fourth.analyzed, third.analyzed);
  assert.equal(stagingFolders(), before);
});

test('a build whose temporary folder cannot hold a staging file keeps its texts in memory, and builds the same', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const saved = process.env['TMPDIR'];
  process.env['TMPDIR'] = join(dir.path, 'no-such-folder');
  try {
    assert.throws(() => new StagingFile(), { code: 'ENOENT' });
    const compiled = await compileRegistry({ registry, stageAboveBytes: 0 });
    assert.equal(compiled.release, undefined);
    assert.ok(!compiled.objects.some((object) => object instanceof StagedObject));
    const built = await buildIntoStore({ registry, directory: join(dir.path, 'store'), stageAboveBytes: 0 });
    assert.equal(built.snapshot, compiled.snapshot);
  } finally {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  }
});
