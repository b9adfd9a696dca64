// specstore.yaml and plugin resolution: packages written into node_modules as npm lays them out, found as Node finds
// them; every problem with its own code, at the plugin's place in specstore.yaml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileRegistry } from '../../src/build/buildSnapshot.js';
import { isSpecError, type SpecError } from '../../src/errors.js';
import { registrySourceWithPlugins } from '../../src/plugins/resolvePlugins.js';
import { openStore } from '../../src/store/openStore.js';
import { json, runSpec, tempDir } from '../support/cli.js';

const tool = (id: string, entry = 'f') => `id: "${id}"\nname: "T"\nadapter: local\nentry_point: "${entry}"\n`;

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** A project: the registry in `registry/` naming `plugins`, and packages in `node_modules/` (name → files). */
function project(
  t: { after: (f: () => void) => void },
  plugins: string[],
  packages: Record<string, Record<string, string>> = {},
  registryFiles: Record<string, string> = { 'tools/own.yaml': tool('own.tool@1') },
): { root: string; registry: string } {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = join(dir.path, 'registry');
  writeFiles(registry, {
    'specstore.yaml': `plugins:\n${plugins.map((p) => `  - "${p}"\n`).join('')}`,
    ...registryFiles,
  });
  for (const [name, files] of Object.entries(packages)) writeFiles(join(dir.path, 'node_modules', name), files);
  return { root: dir.path, registry };
}

const manifest = (name: string, extra: Record<string, unknown> = { specstore: { registry: 'specs' } }) =>
  JSON.stringify({ name, version: '2.3.4', ...extra });

async function rejection(promise: Promise<unknown>): Promise<SpecError> {
  try {
    await promise;
  } catch (error) {
    if (isSpecError(error)) return error;
    throw error;
  }
  assert.fail('expected a SpecError');
}

test('a plugin is found in a node_modules above the registry even when its exports hide package.json; its root carries its origin', async (t) => {
  const { root, registry } = project(t, ['@acme/media-tools'], {
    '@acme/media-tools': {
      'package.json': manifest('@acme/media-tools', {
        exports: { '.': './index.js' },
        specstore: { registry: './specs' },
      }),
      'index.js': '',
      'specs/tools/x.yaml': tool('media.x@1'),
    },
  });
  const found = await registrySourceWithPlugins(registry, { cwd: root });
  assert.deepEqual(
    found.plugins.map((plugin) => [plugin.name, plugin.version, plugin.registryDirectory]),
    [['@acme/media-tools', '2.3.4', join(root, 'node_modules/@acme/media-tools/specs')]],
  );
  assert.deepEqual(
    found.source.roots.map((each) => each.origin),
    [undefined, { plugin: '@acme/media-tools', version: '2.3.4' }],
  );
});

test('a registry without specstore.yaml is its one root', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  writeFiles(dir.path, { 'tools/a.yaml': tool('a@1') });
  const found = await registrySourceWithPlugins(dir.path);
  assert.equal(found.source.roots.length, 1);
  assert.deepEqual(found.plugins, []);
});

test("the registry and a plugin may both have tools/x.yaml: the plugin's file is named under its package, its kind from its own folder", async (t) => {
  const { root, registry } = project(
    t,
    ['media-tools'],
    { 'media-tools': { 'package.json': manifest('media-tools'), 'specs/tools/x.yaml': tool('media.x@1') } },
    { 'tools/x.yaml': tool('own.x@1') },
  );
  const compiled = await compileRegistry({ registry, cwd: root });
  assert.deepEqual(
    compiled.specs.map((spec) => [spec.id, spec.kind, spec.path, spec.file]),
    [
      ['media.x@1', 'tool', 'media-tools/tools/x.yaml', join('node_modules/media-tools/specs/tools/x.yaml')],
      ['own.x@1', 'tool', 'tools/x.yaml', join('registry/tools/x.yaml')],
    ],
  );
  assert.deepEqual(compiled.diagnostics, [], 'specstore.yaml is not taken for a spec, nor anything else a warning');
});

test('node_modules at the registry root (the registry is the npm project) draws no warning', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  writeFiles(dir.path, {
    'package.json': '{"name": "p", "private": true}',
    'specstore.yaml': 'plugins: [media-tools]\n',
    'tools/own.yaml': tool('own@1'),
    'node_modules/media-tools/package.json': manifest('media-tools'),
    'node_modules/media-tools/specs/tools/x.yaml': tool('media.x@1'),
  });
  const compiled = await compileRegistry({ registry: dir.path, cwd: dir.path });
  assert.deepEqual(
    compiled.specs.map((spec) => spec.id),
    ['media.x@1', 'own@1'],
  );
  assert.deepEqual(compiled.diagnostics, []);
});

test('a plugin named but not installed is PLUGIN_NOT_INSTALLED at its place in specstore.yaml; every plugin problem is reported at once', async (t) => {
  const { root, registry } = project(t, ['@acme/absent', 'also-absent']);
  const error = await rejection(compileRegistry({ registry, cwd: root }));
  assert.equal(error.code, 'PLUGIN_NOT_INSTALLED');
  assert.equal(error.data['plugin'], '@acme/absent');
  assert.deepEqual(
    error.diagnostics.map((d) => [d.code, d.file, d.line, d.column]),
    [
      ['PLUGIN_NOT_INSTALLED', join('registry/specstore.yaml'), 2, 5],
      ['PLUGIN_NOT_INSTALLED', join('registry/specstore.yaml'), 3, 5],
    ],
  );
});

test('a plugin whose declared folder is missing is PLUGIN_FOLDER_MISSING, naming the package and the folder', async (t) => {
  const { root, registry } = project(t, ['media-tools'], {
    'media-tools': { 'package.json': manifest('media-tools'), 'README.md': '' },
  });
  const error = await rejection(compileRegistry({ registry, cwd: root }));
  assert.equal(error.code, 'PLUGIN_FOLDER_MISSING');
  assert.match(error.message, /media-tools@2\.3\.4/);
  assert.ok(error.message.includes(join('node_modules/media-tools/specs')), error.message);
});

test('a package without a specstore field is PLUGIN_NOT_A_SPEC_PACKAGE', async (t) => {
  const { root, registry } = project(t, ['left-pad'], {
    'left-pad': { 'package.json': JSON.stringify({ name: 'left-pad', version: '1.3.0' }), 'index.js': '' },
  });
  const error = await rejection(compileRegistry({ registry, cwd: root }));
  assert.equal(error.code, 'PLUGIN_NOT_A_SPEC_PACKAGE');
  assert.equal(error.diagnostics[0]?.line, 2);
});

test('a specstore field that leaves the package, or a package.json without a version, is PLUGIN_MANIFEST_INVALID', async (t) => {
  for (const extra of [
    { specstore: { registry: '../elsewhere' } },
    { specstore: { registry: '/etc' } },
    { specstore: 'specs' },
    { specstore: { registry: 'specs' }, version: undefined },
  ]) {
    const { root, registry } = project(t, ['media-tools'], {
      'media-tools': { 'package.json': manifest('media-tools', extra), 'specs/tools/x.yaml': tool('x@1') },
    });
    const error = await rejection(compileRegistry({ registry, cwd: root }));
    assert.equal(error.code, 'PLUGIN_MANIFEST_INVALID', JSON.stringify(extra));
  }
});

test('the same id from the registry and a plugin is DUPLICATE_ID naming both origins and both files', async (t) => {
  const { root, registry } = project(
    t,
    ['@acme/media-tools'],
    {
      '@acme/media-tools': {
        'package.json': manifest('@acme/media-tools'),
        'specs/tools/transcode.yaml': tool('media.transcode@1', 'theirs'),
      },
    },
    { 'tools/transcode.yaml': tool('media.transcode@1', 'ours') },
  );
  const error = await rejection(compileRegistry({ registry, cwd: root }));
  assert.equal(error.code, 'INVALID_INPUT');
  const duplicates = error.diagnostics.filter((d) => d.code === 'DUPLICATE_ID');
  assert.equal(duplicates.length, 1);
  const [duplicate] = duplicates;
  const files = [duplicate!.file, ...(duplicate!.related ?? []).map((related) => related.file)].sort();
  assert.deepEqual(files, [
    join('node_modules/@acme/media-tools/specs/tools/transcode.yaml'),
    join('registry/tools/transcode.yaml'),
  ]);
  assert.match(duplicate!.message, /plugin @acme\/media-tools@2\.3\.4/);
  assert.match(duplicate!.message, /the registry/);
  assert.equal(duplicate!.line, 1);
});

test('the same id from two plugins names both packages', async (t) => {
  const { root, registry } = project(t, ['one', 'two'], {
    one: { 'package.json': manifest('one'), 'specs/tools/a.yaml': tool('a@1', 'one') },
    two: { 'package.json': manifest('two'), 'specs/tools/a.yaml': tool('a@1', 'two') },
  });
  const error = await rejection(compileRegistry({ registry, cwd: root }));
  const duplicate = error.diagnostics.find((d) => d.code === 'DUPLICATE_ID');
  assert.match(duplicate?.message ?? '', /plugin one@2\.3\.4.*plugin two@2\.3\.4/);
});

test('specstore.yaml problems are REGISTRY_CONFIG_INVALID at file:line:col, every one at once', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  writeFiles(dir.path, {
    'registry/specstore.yaml': 'plugins:\n  - "Not A Name"\n  - "../escape"\n  - ok\n  - ok\ncolour: blue\n',
    'registry/tools/a.yaml': tool('a@1'),
  });
  const error = await rejection(compileRegistry({ registry: join(dir.path, 'registry'), cwd: dir.path }));
  assert.equal(error.code, 'INVALID_INPUT');
  assert.deepEqual(error.diagnostics.map((d) => [d.code, d.line, d.column]).sort(), [
    ['REGISTRY_CONFIG_INVALID', 2, 5],
    ['REGISTRY_CONFIG_INVALID', 3, 5],
    ['REGISTRY_CONFIG_INVALID', 5, 5],
    ['REGISTRY_CONFIG_INVALID', 6, 1],
  ]);
  assert.ok(error.diagnostics.every((d) => d.file === join('registry/specstore.yaml')));
});

test('a specstore.yaml that is not safe YAML is refused by the YAML reader, positioned', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  writeFiles(dir.path, { 'specstore.yaml': 'plugins: [a]\nplugins: [b]\n', 'tools/a.yaml': tool('a@1') });
  const error = await rejection(compileRegistry({ registry: dir.path, cwd: dir.path }));
  assert.deepEqual(
    error.diagnostics.map((d) => [d.code, d.line]),
    [['YAML_DUPLICATE_KEY', 2]],
  );
});

test('an unchanged rebuild with a plugin reuses every file; a change in the plugin is read again', async (t) => {
  const { root, registry } = project(
    t,
    ['media-tools'],
    { 'media-tools': { 'package.json': manifest('media-tools'), 'specs/tools/x.yaml': tool('media.x@1') } },
    { 'tools/x.yaml': tool('own.x@1') },
  );
  const store = await openStore({ directory: ':memory:', create: true });
  t.after(() => store.close());
  const { buildSnapshot } = await import('../../src/build/buildSnapshot.js');
  // Files stamped within the racy margin (20 ms) of a listing are not trusted by the next build: let the clock move on.
  await new Promise((done) => setTimeout(done, 25));
  const first = await buildSnapshot({ registry, cwd: root, store });
  const again = await compileRegistry({ registry, cwd: root, store });
  assert.equal(again.snapshot, first.snapshot);
  assert.equal(again.analyzed, 0);
  writeFiles(root, { 'node_modules/media-tools/specs/tools/x.yaml': tool('media.x@1', 'changed') });
  const changed = await compileRegistry({ registry, cwd: root, store });
  assert.equal(changed.analyzed, 1);
  assert.notEqual(changed.snapshot, first.snapshot);
});

test('spec build: a missing plugin exits 3 with PLUGIN_NOT_INSTALLED at specstore.yaml and creates no store', (t) => {
  const { root } = project(t, ['@acme/absent']);
  const result = runSpec(['build', '--registry', 'registry'], { cwd: root });
  assert.equal(result.status, 3, result.stderr);
  assert.match(result.stderr, /registry[\\/]specstore\.yaml:2:5 .*PLUGIN_NOT_INSTALLED/);
  assert.equal(existsSync(join(root, '.spec')), false);
  const asJson = runSpec(['build', '--registry', 'registry', '--json'], { cwd: root });
  assert.equal(json<{ error: { code: string } }>(asJson).error.code, 'PLUGIN_NOT_INSTALLED');
});

test('spec build: a package without a specstore field exits 1', (t) => {
  const { root } = project(t, ['left-pad'], {
    'left-pad': { 'package.json': JSON.stringify({ name: 'left-pad', version: '1.3.0' }) },
  });
  const result = runSpec(['build', '--registry', 'registry', '--json'], { cwd: root });
  assert.equal(result.status, 1);
  assert.equal(json<{ error: { code: string } }>(result).error.code, 'PLUGIN_NOT_A_SPEC_PACKAGE');
});

test('a plugin whose version changes in place (npm link) is recorded with its new version: the cached build is not reused', async (t) => {
  const { root, registry } = project(t, ['media-tools'], {
    'media-tools': { 'package.json': manifest('media-tools'), 'specs/tools/x.yaml': tool('media.x@1') },
  });
  const store = await openStore({ directory: ':memory:', create: true });
  t.after(() => store.close());
  const { buildSnapshot } = await import('../../src/build/buildSnapshot.js');
  const { SnapshotView } = await import('../../src/snapshot/snapshotView.js');
  const first = await buildSnapshot({ registry, cwd: root, store });
  assert.deepEqual({ ...(await SnapshotView.open(store, first.snapshot)).plugins() }, { 'media-tools': '2.3.4' });
  writeFiles(root, {
    'node_modules/media-tools/package.json': JSON.stringify({
      name: 'media-tools',
      version: '2.4.0',
      specstore: { registry: 'specs' },
    }),
  });
  const second = await buildSnapshot({ registry, cwd: root, store });
  assert.notEqual(second.snapshot, first.snapshot, 'the root records another plugin version');
  const view = await SnapshotView.open(store, second.snapshot);
  assert.deepEqual({ ...view.plugins() }, { 'media-tools': '2.4.0' });
  const [entry] = await view.list({ kind: 'tool' });
  assert.equal(view.originLabel(entry!), 'media-tools@2.4.0');
});
