// The registry API: per kind list/get/values/findByCapability over a stored snapshot (LevelDB and memory), and over a
// working directory with refresh (build cache), shared concurrent refreshes, failed refreshes and watch mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { join } from 'node:path';
import { buildSnapshot } from '../../src/build/buildSnapshot.js';
import { openCatalog } from '../../src/catalog/specCatalog.js';
import { openRegistryCatalog, type RefreshResult } from '../../src/catalog/registryCatalog.js';
import { SnapshotView } from '../../src/snapshot/snapshotView.js';
import { openStore } from '../../src/store/openStore.js';
import { isSpecError } from '../../src/errors.js';
import { bundledRegistry, copyBundledRegistry, tempDir } from '../support/cli.js';

const codeOf = (code: string) => (error: unknown) => isSpecError(error) && error.code === code;

/** Lets the clock pass the files' ctimes, so the build cache trusts files written just before (see buildCache). */
const tick = () => new Promise((done) => setTimeout(done, 25));

test('over a snapshot in LevelDB: list ids per kind, get exact and bare names, values, capabilities', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const directory = join(dir.path, 'store');
  const built = await openStore({ directory, create: true });
  const { snapshot } = await buildSnapshot({ registry: bundledRegistry, store: built });
  await built.close();
  const store = await openStore({ directory, readOnly: true });
  t.after(() => store.close());
  const catalog = await openCatalog(await SnapshotView.open(store, snapshot));

  assert.equal(catalog.snapshot.id, snapshot);
  assert.ok(catalog.kindNames().includes('tool') && catalog.kindNames().includes('policy'));
  const tools = catalog.kind('tool');
  const ids = await tools.list();
  assert.ok(ids.includes('text.llm@1') && ids.includes('text.llm@2') && ids.includes('media.probe@2'));
  assert.ok(!ids.includes('default@1'), 'a policy is not listed as a tool');
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => (a < b ? -1 : 1)),
  );

  const exact = await tools.get('text.llm@1');
  assert.equal(exact.id, 'text.llm@1');
  assert.equal(exact.spec['adapter'], 'modal');
  assert.equal((await tools.get('text.llm')).id, 'text.llm@2', 'a bare name is the highest version');
  assert.equal(await tools.has('text.llm'), true);
  assert.equal(await tools.has('text.llm@9'), false);

  const values = [];
  for await (const value of tools.values()) values.push(value.id);
  assert.deepEqual(values, ids);

  const generators = (await tools.findByCapability('text.generate')).map((spec) => spec.id).sort();
  // The expected set is read from the bundled files with the yaml package, not through specstore.
  const declared = readdirSync(join(bundledRegistry, 'tools'))
    .map(
      (file) =>
        parse(readFileSync(join(bundledRegistry, 'tools', file), 'utf8')) as { id: string; capabilities?: string[] },
    )
    .filter((tool) => tool.capabilities?.includes('text.generate'))
    .map((tool) => tool.id)
    .sort();
  assert.ok(declared.length >= 3, 'the bundled registry has several text generators');
  assert.deepEqual(generators, declared);
  assert.deepEqual(await tools.findByCapability('text.GENERATE'), [], 'capabilities match exactly');
  assert.deepEqual(await catalog.kind('policy').findByCapability('text.generate'), [], 'policies have none');
});

test('unknown kinds and ids are coded errors; lookups are case-sensitive', async (t) => {
  const store = await openStore({ directory: ':memory:' });
  t.after(() => store.close());
  const { snapshot } = await buildSnapshot({ registry: bundledRegistry, store });
  const catalog = await openCatalog(await SnapshotView.open(store, snapshot));
  assert.throws(() => catalog.kind('widget'), codeOf('KIND_NOT_FOUND'));
  assert.throws(() => catalog.kind('Tool'), codeOf('KIND_NOT_FOUND'));
  await assert.rejects(catalog.kind('tool').get('text.llm@7'), codeOf('REF_NOT_FOUND'));
  await assert.rejects(catalog.kind('tool').get('default@1'), (error) => {
    assert.ok(codeOf('REF_NOT_FOUND')(error));
    assert.match((error as Error).message, /default@1 is a policy, not a tool/);
    return true;
  });
  await assert.rejects(catalog.kind('tool').get('Text.LLM@1'), codeOf('REF_INVALID'));
  assert.equal((await catalog.kind('policy').get('default')).id, 'default@1');
});

/** A copy of the bundled registry with one more tool whose prerelease versions differ only in case. */
function writeRegistry(root: string): string {
  const registry = copyBundledRegistry(root);
  writeFileSync(join(registry, 'tools/case.a.yaml'), toolText('case.tool@1.0.0-RC1', 'Upper'));
  writeFileSync(join(registry, 'tools/case.b.yaml'), toolText('case.tool@1.0.0-rc1', 'Lower'));
  return registry;
}

function toolText(id: string, name: string, capability = 'demo.case'): string {
  return `id: "${id}"\nname: "${name}"\nadapter: local\nentry_point: "demo:${name}"\ncapabilities: ["${capability}"]\n`;
}

test('over a directory: refresh re-reads only the changed file and reports added, removed, modified', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = writeRegistry(dir.path);
  await tick();
  const catalog = await openRegistryCatalog({ registry });
  t.after(() => catalog.close());
  const tools = catalog.kind('tool');
  assert.equal((await tools.get('case.tool@1.0.0-RC1')).spec['name'], 'Upper');
  assert.equal((await tools.get('case.tool@1.0.0-rc1')).spec['name'], 'Lower', 'versions are case-sensitive');

  const quiet = await catalog.refresh();
  assert.equal(quiet.ok, true);
  assert.equal(quiet.changed, false);
  assert.equal(quiet.analyzed, 0, 'nothing changed, nothing read again');

  const before = catalog.snapshot.id;
  const llm = join(registry, 'tools/text.llm.yaml');
  writeFileSync(llm, readFileSync(llm, 'utf8').replace('hosted large language model.', 'hosted model.'));
  writeFileSync(join(registry, 'tools/new.yaml'), toolText('brand.new@1', 'New'));
  rmSync(join(registry, 'tools/case.b.yaml'));
  await tick();
  const result = await catalog.refresh();
  assert.equal(result.ok, true);
  assert.equal(result.changed, true);
  assert.equal(result.previous, before);
  assert.notEqual(result.snapshot, before);
  assert.equal(catalog.snapshot.id, result.snapshot);
  assert.deepEqual(result.added, ['brand.new@1']);
  assert.deepEqual(result.removed, ['case.tool@1.0.0-rc1']);
  assert.deepEqual(result.modified, ['text.llm@1']);
  assert.equal(result.analyzed, 2, 'only the modified and the new file are read again');
  assert.ok(result.reused > 10);
  assert.equal(
    (await tools.get('text.llm@1')).spec['description'],
    'Generates text from a prompt with a hosted model.',
  );
});

test('a failed refresh keeps the last good state and reports the diagnostics; fixing the file recovers', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const catalog = await openRegistryCatalog({ registry });
  t.after(() => catalog.close());
  const good = catalog.snapshot.id;
  const bad = join(registry, 'tools/broken.yaml');
  writeFileSync(bad, 'id: "broken@1"\nname: "Broken"\nadapter: local\n'); // entry_point missing
  const failed = await catalog.refresh();
  assert.equal(failed.ok, false);
  assert.equal(failed.changed, false);
  assert.equal(failed.snapshot, good);
  assert.equal(failed.error?.code, 'INVALID_INPUT');
  assert.ok(failed.diagnostics.some((diagnostic) => diagnostic.file?.endsWith('broken.yaml')));
  assert.equal(catalog.snapshot.id, good);
  assert.equal((await catalog.kind('tool').get('text.llm@1')).id, 'text.llm@1', 'still readable');
  assert.equal(await catalog.kind('tool').has('broken@1'), false);

  writeFileSync(bad, toolText('broken@1', 'Fixed'));
  const fixed = await catalog.refresh();
  assert.equal(fixed.ok, true);
  assert.deepEqual(fixed.added, ['broken@1']);
});

test('an invalid registry cannot be opened: INVALID_INPUT; a missing one: REGISTRY_NOT_FOUND', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  await assert.rejects(openRegistryCatalog({ registry: join(dir.path, 'nothing') }), codeOf('REGISTRY_NOT_FOUND'));
  const registry = copyBundledRegistry(dir.path);
  writeFileSync(join(registry, 'tools/broken.yaml'), 'id: "broken@1"\n');
  await assert.rejects(openRegistryCatalog({ registry }), codeOf('INVALID_INPUT'));
});

test('concurrent refresh() calls share one pass; a later call makes a new one', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const catalog = await openRegistryCatalog({ registry });
  t.after(() => catalog.close());
  writeFileSync(join(registry, 'tools/new.yaml'), toolText('brand.new@1', 'New'));
  const first = catalog.refresh();
  const second = catalog.refresh();
  assert.equal(first, second, 'the same pass');
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a, b);
  assert.deepEqual(a.added, ['brand.new@1']);
  const third = await catalog.refresh();
  assert.notEqual(third, a, 'a call after the pass ended makes another');
  assert.equal(third.changed, false);
});

test('with the user LevelDB store: the build cache and builds go there, and a reopened catalog reuses them', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  await tick();
  const directory = join(dir.path, 'store');
  const store = await openStore({ directory, create: true });
  t.after(() => store.close());
  const first = await openRegistryCatalog({ registry, store });
  await first.close();
  assert.ok((await store.snapshotMetadata(first.snapshot.id)) !== undefined, 'the build is stored');
  const second = await openRegistryCatalog({ registry, store });
  t.after(() => second.close());
  const again = await second.refresh();
  assert.equal(again.snapshot, first.snapshot.id);
  assert.equal(again.analyzed, 0);
  assert.equal((await second.kind('schema').get('media.metadata')).id, 'media.metadata@1');
});

test('watch: an edited file is refreshed into the catalog, debounced; close() stops watching', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const catalog = await openRegistryCatalog({ registry });
  t.after(() => catalog.close());
  const results: RefreshResult[] = [];
  let changed: (result: RefreshResult) => void = () => undefined;
  const seen = new Promise<RefreshResult>((done) => (changed = done));
  const watcher = catalog.watch({
    debounceMs: 20,
    onRefresh: (result) => {
      results.push(result);
      if (result.changed) changed(result);
    },
    onError: (error) => assert.fail(String(error)),
  });
  const llm = join(registry, 'tools/text.llm.yaml');
  writeFileSync(llm, readFileSync(llm, 'utf8').replace('timeout_s: 120', 'timeout_s: 90'));
  let bound: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    seen,
    new Promise<never>((_, fail) => {
      bound = setTimeout(() => fail(new Error('no refresh within 10 s of the edit')), 10_000);
    }),
  ]);
  clearTimeout(bound);
  assert.deepEqual(result.modified, ['text.llm@1']);
  assert.equal((await catalog.kind('tool').get('text.llm@1')).spec['timeout_s'], 90);
  watcher.close();
  const count = results.length;
  writeFileSync(join(registry, 'tools/new.yaml'), toolText('brand.new@1', 'New'));
  await new Promise((done) => setTimeout(done, 150));
  assert.equal(results.length, count, 'no refresh after close');
  assert.equal(await catalog.kind('tool').has('brand.new@1'), false);
});

test('watch: a folder made after the watch started is watched too (a file in it, then a file in its subfolder)', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const catalog = await openRegistryCatalog({ registry });
  t.after(() => catalog.close());
  const added: string[] = [];
  const watcher = catalog.watch({ debounceMs: 20, onRefresh: (result) => added.push(...result.added) });
  t.after(() => watcher.close());
  const until = async (id: string) => {
    for (let waited = 0; !added.includes(id); waited += 20) {
      if (waited > 10_000) assert.fail(`no refresh added ${id}`);
      await new Promise((done) => setTimeout(done, 20));
    }
  };
  mkdirSync(join(registry, 'tools/team'));
  await new Promise((done) => setTimeout(done, 100));
  writeFileSync(join(registry, 'tools/team/one.yaml'), toolText('team.one@1', 'One'));
  await until('team.one@1');
  mkdirSync(join(registry, 'tools/team/deeper'));
  await new Promise((done) => setTimeout(done, 100));
  writeFileSync(join(registry, 'tools/team/deeper/two.yaml'), toolText('team.two@1', 'Two'));
  await until('team.two@1');
});

test('watch needs a registry on disk', async (t) => {
  const { memoryRoot } = await import('../../src/source/registrySource.js');
  const text = readFileSync(join(bundledRegistry, 'policies/default.yaml'), 'utf8');
  const catalog = await openRegistryCatalog({
    registry: 'drafts',
    source: { roots: [memoryRoot({ 'policies/default.yaml': text }, 'drafts')] },
  });
  t.after(() => catalog.close());
  assert.deepEqual(await catalog.kind('policy').list(), ['default@1']);
  assert.throws(() => catalog.watch(), TypeError);
});

test('a refresh takes the kinds of the new state: a kind file added while the catalog is open becomes a kind of it', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  rmSync(join(registry, 'kinds'), { recursive: true });
  rmSync(join(registry, 'datasets'), { recursive: true });
  await tick();
  const catalog = await openRegistryCatalog({ registry });
  t.after(() => catalog.close());
  assert.ok(!catalog.kindNames().includes('dataset'));
  assert.throws(() => catalog.kind('dataset'), codeOf('KIND_NOT_FOUND'));

  const kindFile = `name: "sample"\ndirectory: "samples"\nsummary: "A sample."\nschema:\n  type: "object"\n  required: ["id"]\n  properties:\n    id: {type: "string"}\n    tags: {type: "array", items: {type: "string"}}\nreferences: []\ncapabilities: "/tags"\n`;
  mkdirSync(join(registry, 'kinds'));
  mkdirSync(join(registry, 'samples'));
  writeFileSync(join(registry, 'kinds/sample.yaml'), kindFile);
  writeFileSync(join(registry, 'samples/one.yaml'), 'id: "one.sample@1"\ntags: ["demo"]\n');
  await tick();
  const result = await catalog.refresh();
  assert.equal(result.ok, true, JSON.stringify(result.diagnostics));
  assert.deepEqual(result.added, ['one.sample@1']);
  assert.ok(catalog.kindNames().includes('sample'));
  const samples = catalog.kind('sample');
  assert.deepEqual(await samples.list(), ['one.sample@1']);
  assert.deepEqual(
    (await samples.findByCapability('demo')).map((spec) => spec.id),
    ['one.sample@1'],
  );
});
