// A kind the engine has never seen, passed in through the library API: validated, linked, stored, diffed by its own
// rules and analysed in worker threads, with no engine change. What the next issue's kinds from files will rely on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildSnapshot,
  builtinKinds,
  compileRegistry,
  findSpecReferrers,
  isSpecError,
  openStore,
  SnapshotView,
  type KindDescriptor,
} from '../../src/index.js';
import { defaultDiffConfig } from '../../src/diff/diffConfig.js';
import { diffSpecs } from '../../src/diff/diffSpecs.js';
import { readDiffConfig } from '../../src/diff/readDiffConfig.js';
import { ruleTables } from '../../src/diff/ruleTables.js';
import { diffSnapshots } from '../../src/review/diffSnapshots.js';
import { kindsForWorkers } from '../../src/validate/analyzeInWorkers.js';

/** A widget: a colour, a part limit, a JSON Schema payload (may `$ref` schema specs), a reference to the tool it uses. */
const widgetKind: KindDescriptor = {
  name: 'widget',
  directory: 'widgets',
  summary: 'A kind defined by this test.',
  schema: {
    type: 'object',
    required: ['id', 'colour'],
    properties: {
      id: { type: 'string' },
      description: { type: 'string' },
      colour: { enum: ['red', 'green', 'blue'] },
      max_parts: { type: 'integer', minimum: 1 },
      payload: { type: ['object', 'boolean'] },
      uses: { type: 'string' },
    },
    patternProperties: { '^x-': true },
    additionalProperties: false,
  },
  references: [{ path: '/uses', kinds: ['tool'] }],
  embeddedSchemas: ['/payload'],
  diff: {
    rules: [
      {
        id: 'widget.colour-changed',
        purpose: 'A widget is painted another colour.',
        backward: 'warning',
        forward: 'warning',
        example: '`colour: red` → `blue`',
      },
      {
        id: 'widget.parts-lowered',
        purpose: 'A widget takes fewer parts.',
        backward: 'breaking',
        forward: 'compatible',
        example: '`max_parts: 4` → `2`',
      },
      {
        id: 'widget.parts-raised',
        purpose: 'A widget takes more parts.',
        backward: 'compatible',
        forward: 'breaking',
        example: '`max_parts: 2` → `4`',
      },
    ],
    compare: [
      { compare: 'schema', pointer: '/payload' },
      { compare: 'value', pointer: '/colour', label: 'colour', rule: 'widget.colour-changed' },
      {
        compare: 'limit',
        pointer: '/max_parts',
        label: 'max parts',
        absent: '(none)',
        lowered: 'widget.parts-lowered',
        raised: 'widget.parts-raised',
      },
    ],
  },
};

const kinds = [...builtinKinds, widgetKind];

function registry(files: Record<string, string>): { path: string; [Symbol.dispose]: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'specstore-kind-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(path, file, '..'), { recursive: true });
    writeFileSync(join(path, file), text);
  }
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

const base = {
  'tools/t.yaml': 'id: t@1\nname: T\nadapter: local\nentry_point: f\n',
  'schemas/part.yaml': 'id: part@1\nschema: {type: object, properties: {n: {type: number}}}\n',
};

test('a test-defined kind: its schema, references and embedded schemas are checked by the real pipeline', async () => {
  using bad = registry({
    ...base,
    'widgets/w.yaml': 'id: w@1\ncolour: purple\nuses: gone@1\npayload: {$ref: "nope@1"}\n',
  });
  const error = await compileRegistry({ registry: bad.path, cwd: bad.path, kinds }).then(
    () => assert.fail('an invalid widget built'),
    (caught: unknown) => caught,
  );
  assert.ok(isSpecError(error) && error.code === 'INVALID_INPUT');
  assert.deepEqual(
    error.diagnostics.map((d) => [d.file, d.pointer, d.code]),
    [
      ['widgets/w.yaml', '/colour', 'SPEC_INVALID'],
      ['widgets/w.yaml', '/uses', 'REF_NOT_FOUND'],
      ['widgets/w.yaml', '/payload/$ref', 'REF_NOT_FOUND'],
    ],
  );

  using wrongKind = registry({ ...base, 'widgets/w.yaml': 'id: w@1\ncolour: red\nuses: part@1\n' });
  const wrong = await compileRegistry({ registry: wrongKind.path, kinds }).catch((caught: unknown) => caught);
  assert.ok(isSpecError(wrong));
  assert.deepEqual(
    wrong.diagnostics.map((d) => [d.pointer, d.code]),
    [['/uses', 'REF_WRONG_KIND']],
    'a schema where the descriptor expects a tool',
  );
});

test('a test-defined kind: stored, referenced, and diffed with the rules its descriptor declares', async () => {
  using before = registry({
    ...base,
    'widgets/w.yaml':
      'id: w@1\ncolour: red\nmax_parts: 4\nuses: t@1\npayload: {type: object, properties: {n: {type: number}}}\n',
  });
  using after = registry({
    ...base,
    'widgets/w.yaml':
      'id: w@2\ncolour: blue\nmax_parts: 2\nuses: t@1\npayload: {type: object, properties: {n: {type: integer}}}\nx-note: hi\n',
  });
  const store = await openStore({ directory: ':memory:' });
  try {
    const first = await buildSnapshot({ registry: before.path, store, kinds });
    const second = await buildSnapshot({ registry: after.path, store, kinds });
    const [oldView, newView] = await Promise.all([
      SnapshotView.open(store, first.snapshot),
      SnapshotView.open(store, second.snapshot),
    ]);
    assert.equal((await newView.get('w@2'))?.kind, 'widget');
    assert.deepEqual(
      (await findSpecReferrers(newView, 't@1', kinds)).referrers.map((referrer) => referrer.id),
      ['w@2'],
    );

    const report = await diffSnapshots(oldView, newView, { kinds });
    const widget = report.specs.find((spec) => spec.name === 'w')!;
    assert.deepEqual(
      widget.changes.map((change) => [change.rule, change.pointer, change.severity]),
      [
        ['spec.version-removed', '', 'breaking'],
        ['spec.version-added', '', 'compatible'],
        ['schema.type-narrowed', '/payload/properties/n/type', 'breaking'],
        ['widget.colour-changed', '/colour', 'warning'],
        ['widget.parts-lowered', '/max_parts', 'breaking'],
        ['spec.annotation-changed', '/x-note', 'compatible'],
      ],
    );
    // Forward, the same records give the other severities.
    const forward = await diffSnapshots(oldView, newView, {
      kinds,
      config: { ...defaultDiffConfig, defaults: { mode: 'forward', ignore: [] } },
    });
    assert.deepEqual(
      forward.specs
        .find((spec) => spec.name === 'w')!
        .changes.filter((change) => change.rule.startsWith('widget.'))
        .map((change) => [change.rule, change.severity]),
      [
        ['widget.colour-changed', 'warning'],
        ['widget.parts-lowered', 'compatible'],
      ],
    );
    // Without the kind, the engine knows nothing of widgets: every field is a generic change for a person to judge.
    const generic = await diffSnapshots(oldView, newView);
    assert.deepEqual(
      generic.specs
        .find((spec) => spec.name === 'w')!
        .changes.filter((change) => change.pointer !== '')
        .map((change) => change.rule),
      ['spec.field-changed', 'spec.field-changed', 'spec.field-changed', 'spec.annotation-changed'],
    );
  } finally {
    await store.close();
  }
});

test('a test-defined kind: the diff config, the rule tables and the rule checks take the kind set', () => {
  const yaml = new TextEncoder().encode('kinds:\n  widget: {mode: forward, ignore: ["widget.colour-*"]}\n');
  assert.deepEqual(readDiffConfig(yaml, 'specstore.diff.yaml', kinds).kinds['widget'], {
    mode: 'forward',
    ignore: ['widget.colour-*'],
  });
  assert.throws(
    () => readDiffConfig(yaml, 'specstore.diff.yaml'),
    (error: unknown) => isSpecError(error) && error.diagnostics[0]?.code === 'DIFF_CONFIG_INVALID',
  );
  assert.match(
    ruleTables(kinds)['spec-rules']!,
    /\| `widget\.parts-lowered` \| breaking \| compatible \| A widget takes fewer parts\. \|/,
  );
  const undeclared: KindDescriptor = {
    ...widgetKind,
    name: 'gadget',
    diff: {
      rules: [],
      compare: [{ compare: 'value', pointer: '/colour', label: 'colour', rule: 'gadget.colour-changed' }],
    },
  };
  assert.throws(
    () => diffSpecs([], { old: () => undefined, new: () => undefined }, defaultDiffConfig, [...kinds, undeclared]),
    TypeError,
  );
});

test('a test-defined kind crosses worker threads as data; the threaded build equals the single-threaded one', async () => {
  const files: Record<string, string> = { ...base };
  for (let i = 0; i < 400; i++)
    files[`widgets/w${i}.yaml`] = `id: w${i}@1\ncolour: green\nuses: t@1\npayload: {$ref: "part@1"}\n`;
  using many = registry(files);
  assert.ok(kindsForWorkers(kinds));
  assert.equal(
    kindsForWorkers([...kinds, { ...widgetKind, name: 'checked', directory: 'checked', check: () => [] }]),
    undefined,
  );
  // Progress is reported per worker batch; the single-threaded path reports every 500 files, so not for these.
  let batches = 0;
  const threaded = await compileRegistry({ registry: many.path, kinds, threads: 2, onProgress: () => batches++ });
  assert.ok(batches > 0, 'the files were analysed in worker threads');
  const single = await compileRegistry({ registry: many.path, kinds, threads: 1 });
  assert.equal(threaded.specs.length, 402);
  assert.equal(threaded.snapshot, single.snapshot);

  files['widgets/w7.yaml'] = 'id: w7@1\ncolour: purple\nuses: t@1\n';
  using broken = registry(files);
  const failures = await Promise.all(
    [2, 1].map((threads) =>
      compileRegistry({ registry: broken.path, kinds, threads }).catch((caught: unknown) => caught),
    ),
  );
  const codes = failures.map((failure) =>
    isSpecError(failure) ? failure.diagnostics.map((d) => `${d.file} ${d.pointer} ${d.code}`) : [],
  );
  assert.ok(codes[0]!.length > 0);
  assert.deepEqual(codes[0], codes[1]);
});
