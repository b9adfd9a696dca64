// Reading a registry through the source interface: on disk, in memory, from several roots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileRegistry } from '../../src/build/buildSnapshot.js';
import { loadRegistryKinds } from '../../src/build/loadRegistryKinds.js';
import { builtinKinds } from '../../src/kinds/builtinKinds.js';
import { listRegistry } from '../../src/source/listRegistry.js';
import { fileSystemRoot, memoryRoot } from '../../src/source/registrySource.js';
import { tempDir } from '../support/cli.js';

const bundled = resolve('registry');
const goldenId = 'sha256:2cc808a03a5c57271aed86bf6c137b3ee7c9be12099aeac2bb38e3ed223f5d06';

function readTree(root: string, directory = ''): Map<string, string> {
  const texts = new Map<string, string>();
  for (const name of readdirSync(join(root, directory))) {
    const path = directory === '' ? name : `${directory}/${name}`;
    if (statSync(join(root, path)).isDirectory())
      for (const [inner, text] of readTree(root, path)) texts.set(inner, text);
    else texts.set(path, readFileSync(join(root, path), 'utf8'));
  }
  return texts;
}

test('the bundled registry compiled from memory has the same snapshot id as from disk', async () => {
  const fromDisk = await compileRegistry({ registry: bundled });
  const fromMemory = await compileRegistry({ registry: 'draft', source: { roots: [memoryRoot(readTree(bundled))] } });
  assert.equal(fromDisk.snapshot, goldenId);
  assert.equal(fromMemory.snapshot, goldenId);
  assert.deepEqual(
    fromMemory.specs.map((spec) => [spec.id, spec.digest]),
    fromDisk.specs.map((spec) => [spec.id, spec.digest]),
  );
});

test('an in-memory draft with a problem reports it with its path, like a file on disk', async () => {
  const texts = readTree(bundled);
  const [toolPath] = [...texts.keys()].filter((path) => path.startsWith('tools/'));
  texts.set(toolPath!, 'id: "broken@1"\nname: 3\n');
  await assert.rejects(
    compileRegistry({ registry: 'draft', source: { roots: [memoryRoot(texts, '')] } }),
    (error: { code?: string; diagnostics?: { file?: string }[] }) => {
      assert.equal(error.code, 'INVALID_INPUT');
      assert.ok(error.diagnostics?.some((diagnostic) => diagnostic.file === toolPath));
      return true;
    },
  );
});

test('two roots: each file keeps its root and its path relative to it; the build has the specs of both', async () => {
  const temp = tempDir();
  const dir = temp.path;
  const first = join(dir, 'first');
  const second = join(dir, 'second');
  const texts = readTree(bundled);
  for (const [path, text] of texts) {
    const root = path.startsWith('tools/') ? second : first;
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  // The bundled registry defines a kind in kinds/dataset.yaml: the listing takes the registry's kinds.
  const { kinds } = await loadRegistryKinds({ roots: [fileSystemRoot(first), fileSystemRoot(second)] });
  const listing = listRegistry({ roots: [fileSystemRoot(first), fileSystemRoot(second)] }, kinds, { cwd: dir });
  assert.equal(listing.files.length, [...texts.keys()].filter((path) => !path.startsWith('kinds/')).length);
  assert.deepEqual(listing.diagnostics, [], 'kinds/ is not mistaken for a spec directory');
  for (const file of listing.files) {
    assert.equal(file.root, file.path.startsWith('tools/') ? second : first);
    assert.equal(file.file, join(file.path.startsWith('tools/') ? 'second' : 'first', file.path));
  }
  const compiled = await compileRegistry({
    registry: first,
    source: { roots: [fileSystemRoot(first), fileSystemRoot(second)] },
  });
  assert.equal(compiled.snapshot, goldenId);
  temp.cleanup();
});

test('a path in two roots is REGISTRY_PATH_CONFLICT naming both roots', () => {
  const texts = readTree(bundled);
  const [schemaPath] = [...texts.keys()].filter((path) => path.startsWith('schemas/'));
  const listing = listRegistry(
    { roots: [memoryRoot(texts, 'base'), memoryRoot({ [schemaPath!]: texts.get(schemaPath!)! }, 'plugin')] },
    builtinKinds,
  );
  const conflicts = listing.diagnostics.filter((diagnostic) => diagnostic.code === 'REGISTRY_PATH_CONFLICT');
  assert.equal(conflicts.length, 1);
  assert.equal(conflicts[0]!.severity, 'error');
  assert.match(conflicts[0]!.message, /base/);
  assert.match(conflicts[0]!.message, /plugin/);
  assert.equal(conflicts[0]!.file, `plugin/${schemaPath}`);
  assert.equal(listing.files.filter((file) => file.path === schemaPath).length, 1);
  assert.equal(listing.files.find((file) => file.path === schemaPath)!.root, 'base');
});
