// Kinds defined in a registry's kinds/*.yaml: checked at their position, refused when they collide, built, listed,
// referenced, diffed and recorded in the snapshot like built-in kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildSnapshot,
  compileRegistry,
  diffSnapshots,
  findSpecReferrers,
  isSpecError,
  loadRegistryKinds,
  memoryRoot,
  openStore,
  SnapshotView,
} from '../../src/index.js';
import { kindsForWorkers } from '../../src/validate/analyzeInWorkers.js';
import { runSpec } from '../support/cli.js';

const datasetKind = `name: dataset
directory: datasets
summary: A data set.
schema:
  type: object
  required: [id, location]
  properties:
    id: {type: string}
    location: {type: string}
    row_schema: {type: string}
    capabilities: {type: array, items: {type: string}}
  additionalProperties: false
references:
  - {path: /row_schema, kinds: [schema]}
capabilities: /capabilities
`;

const base = {
  'schemas/row.yaml': 'id: row@1\nschema: {type: object}\n',
  'tools/t.yaml': 'id: t@1\nname: T\nadapter: local\nentry_point: f\n',
  'kinds/dataset.yaml': datasetKind,
};

function directory(files: Record<string, string>): { path: string; [Symbol.dispose]: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'specstore-kindfile-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(path, file, '..'), { recursive: true });
    writeFileSync(join(path, file), text);
  }
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

async function problems(files: Record<string, string>) {
  const loaded = await loadRegistryKinds({ roots: [memoryRoot(files, 'reg')] });
  return loaded.diagnostics.map((d) => [d.code, d.file, d.pointer, d.line, d.column]);
}

test('a kind file that breaks the schema of kind files: KIND_FILE_INVALID at its line and column', async () => {
  assert.deepEqual(await problems({ 'kinds/a.yaml': 'name: Bad Name\ndirectory: as\nsummary: s\nschema: {}\n' }), [
    ['KIND_FILE_INVALID', 'reg/kinds/a.yaml', '/name', 1, 1],
  ]);
  assert.deepEqual(
    await problems({ 'kinds/a.yaml': 'name: a\ndirectory: as\nsummary: s\nschema: {}\nrefs: []\n' }).then((p) =>
      p.map(([code, , pointer]) => [code, pointer]),
    ),
    [['KIND_FILE_INVALID', '/refs']],
  );
  // The safe YAML reader's own findings come through with their codes and positions.
  const yaml = await problems({ 'kinds/a.yaml': 'name: a\nname: b\n' });
  assert.equal(yaml[0]![0], 'YAML_DUPLICATE_KEY');
  assert.equal(yaml[0]![3], 2);
});

test('a kind that collides with a built-in or with another kind file is refused, naming both', async () => {
  const builtin = await loadRegistryKinds({
    roots: [memoryRoot({ 'kinds/a.yaml': 'name: tool\ndirectory: gadgets\nsummary: s\nschema: {}\n' }, 'reg')],
  });
  assert.deepEqual(
    builtin.diagnostics.map((d) => [d.code, d.pointer, d.line]),
    [['KIND_CONFLICT', '/name', 1]],
  );
  assert.match(builtin.diagnostics[0]!.message, /built-in kind/);
  assert.equal(builtin.kinds.filter((kind) => kind.name === 'tool').length, 1);

  const twice = await loadRegistryKinds({
    roots: [
      memoryRoot(
        {
          'kinds/a.yaml': 'name: a\ndirectory: shared\nsummary: s\nschema: {}\n',
          'kinds/b.yaml': 'name: b\ndirectory: shared\nsummary: s\nschema: {}\n',
          'kinds/c.yaml': 'name: c\ndirectory: tools\nsummary: s\nschema: {}\n',
          'kinds/d.yaml': 'name: d\ndirectory: kinds\nsummary: s\nschema: {}\n',
        },
        'reg',
      ),
    ],
  });
  assert.deepEqual(
    twice.diagnostics.map((d) => [d.code, d.file, d.pointer, d.related?.[0]?.file]),
    [
      ['KIND_CONFLICT', 'reg/kinds/b.yaml', '/directory', 'reg/kinds/a.yaml'],
      ['KIND_CONFLICT', 'reg/kinds/c.yaml', '/directory', undefined],
      ['KIND_CONFLICT', 'reg/kinds/d.yaml', '/directory', undefined],
    ],
  );
  assert.match(twice.diagnostics[1]!.message, /built-in kind tool/);
});

test("a kind's schema must compile: strict keywords, linear-time patterns, 2020-12, no $ref to schema specs", async () => {
  const kindWith = (schema: string) => ({ 'kinds/a.yaml': `name: a\ndirectory: as\nsummary: s\nschema: ${schema}\n` });
  const codes = async (schema: string) =>
    (await problems(kindWith(schema))).map(([code, , pointer, line]) => [code, pointer, line]);
  assert.deepEqual(await codes('{type: object, propertees: {}}'), [['KIND_SCHEMA_INVALID', '/schema', 4]]);
  assert.deepEqual(await codes('{type: string, pattern: "(a+)+\\\\1"}'), [
    ['KIND_SCHEMA_INVALID', '/schema/pattern', 4],
  ]);
  assert.deepEqual(await codes('{$schema: "http://json-schema.org/draft-07/schema#"}'), [
    ['KIND_SCHEMA_INVALID', '/schema/$schema', 4],
  ]);
  assert.deepEqual(await codes('{$ref: "row@1"}'), [['KIND_SCHEMA_INVALID', '/schema', 4]]);
  assert.deepEqual((await codes('{type: nothing}'))[0], ['KIND_SCHEMA_INVALID', '/schema/type', 4]);
  // A reference to a kind nobody defines.
  const unknown = await problems({
    'kinds/a.yaml': 'name: a\ndirectory: as\nsummary: s\nschema: {}\nreferences: [{path: /x, kinds: [gizmo]}]\n',
  });
  assert.deepEqual(
    unknown.map(([code, , pointer]) => [code, pointer]),
    [['KIND_REFERENCE_UNKNOWN', '/references/0/kinds/0']],
  );
});

test('specs of a kind file build, list, resolve, are referenced, found by capability, and the snapshot records the kind', async () => {
  using registry = directory({
    ...base,
    'datasets/d.yaml': 'id: d@1\nlocation: s3://x\nrow_schema: row@1\ncapabilities: [eval]\n',
  });
  const store = await openStore({ directory: ':memory:' });
  try {
    const built = await buildSnapshot({ registry: registry.path, store });
    assert.deepEqual(
      built.diagnostics.map((d) => d.code),
      [],
      'kinds/ is not mistaken for a spec directory',
    );
    const view = await SnapshotView.open(store, built.snapshot);
    assert.deepEqual(
      (await view.list({ kind: 'dataset' })).map((entry) => entry.id),
      ['d@1'],
    );
    assert.equal((await view.resolve('d')).kind, 'dataset');
    assert.deepEqual(
      (await findSpecReferrers(view, 'row@1')).referrers.map((r) => [r.id, r.pointer]),
      [['d@1', '/row_schema']],
    );
    assert.deepEqual(
      (await view.findByCapability('eval')).map((spec) => spec.id),
      ['d@1'],
    );
    const kinds = await view.kinds();
    assert.ok(kinds.has('tool') && kinds.has('dataset'), 'built-ins and the file kind are recorded');
    assert.equal(kinds.get('dataset')!.directory, 'datasets');
    assert.equal(view.format, 'specstore/snapshot/v2');
    assert.deepEqual(Object.keys(view.plugins()), []);
  } finally {
    await store.close();
  }

  using wrong = directory({ ...base, 'datasets/d.yaml': 'id: d@1\nlocation: s3://x\nrow_schema: t@1\n' });
  const error = await compileRegistry({ registry: wrong.path }).catch((caught: unknown) => caught);
  assert.ok(isSpecError(error));
  assert.deepEqual(
    error.diagnostics.map((d) => [d.file?.endsWith('datasets/d.yaml'), d.pointer, d.code]),
    [[true, '/row_schema', 'REF_WRONG_KIND']],
  );
});

test("a change to a kind file's schema changes the snapshot id, and spec diff reports kind.definition-changed", async () => {
  const spec = { 'datasets/d.yaml': 'id: d@1\nlocation: s3://x\n' };
  using before = directory({ ...base, ...spec });
  using after = directory({
    ...base,
    ...spec,
    'kinds/dataset.yaml': datasetKind.replace('required: [id, location]', 'required: [id]'),
  });
  const store = await openStore({ directory: ':memory:' });
  try {
    const first = await buildSnapshot({ registry: before.path, store });
    const second = await buildSnapshot({ registry: after.path, store });
    assert.notEqual(first.snapshot, second.snapshot, 'the same specs under another kind definition');
    const report = await diffSnapshots(
      await SnapshotView.open(store, first.snapshot),
      await SnapshotView.open(store, second.snapshot),
    );
    assert.deepEqual(report.specs, []);
    assert.deepEqual(
      report.kinds.map((change) => [change.kind, change.rule, change.severity]),
      [['dataset', 'kind.definition-changed', 'warning']],
    );
    assert.equal(report.empty, false);
    assert.equal(report.severity, 'warning');
  } finally {
    await store.close();
  }
});

test('a kind file crosses worker threads as data: a threaded build of 400 specs equals the single-threaded one', async () => {
  const files: Record<string, string> = { ...base };
  for (let i = 0; i < 400; i++)
    files[`datasets/d${i}.yaml`] = `id: d${i}@1\nlocation: s3://x/${i}\nrow_schema: row@1\n`;
  using many = directory(files);
  const { kinds } = await loadRegistryKinds(many.path);
  assert.ok(kindsForWorkers(kinds), 'the kind set can be sent to workers');
  let batches = 0;
  const threaded = await compileRegistry({ registry: many.path, threads: 2, onProgress: () => batches++ });
  assert.ok(batches > 0, 'analysed in worker threads');
  const single = await compileRegistry({ registry: many.path, threads: 1 });
  assert.equal(threaded.snapshot, single.snapshot);
  files['datasets/d7.yaml'] = 'id: d7@1\n';
  using broken = directory(files);
  const failure = await compileRegistry({ registry: broken.path, threads: 2 }).catch((caught: unknown) => caught);
  assert.ok(isSpecError(failure));
  assert.deepEqual(
    failure.diagnostics.map((d) => [d.pointer, d.code]),
    [['', 'SPEC_INVALID']],
  );
});

test('spec build with a bad kind file: exit 2-class error with the position, no stack, nothing written', () => {
  using registry = directory({ ...base, 'kinds/dataset.yaml': datasetKind.replace('name: dataset', 'name: 7') });
  const store = join(registry.path, 'store');
  const result = runSpec(['build', '--registry', join(registry.path), '--store', store], { cwd: registry.path });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /kinds[\\/]dataset\.yaml:1:1/);
  assert.match(result.stderr, /KIND_FILE_INVALID/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(existsSync(store), false, 'no store was created');
  const json = runSpec(['build', '--registry', registry.path, '--store', store, '--json'], { cwd: registry.path });
  assert.equal(json.status, result.status);
});
