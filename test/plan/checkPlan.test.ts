import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePlan, checkPlan } from '../../src/plan/checkPlan.js';
import { upgradePlan } from '../../src/plan/upgradePlan.js';
import { SnapshotView } from '../../src/snapshot/snapshotView.js';
import { buildSnapshot } from '../../src/build/buildSnapshot.js';
import { openStore } from '../../src/store/openStore.js';
import { parsePlanFile } from '../../src/plan/planFile.js';
import { bundledRegistry, repoRoot, tempDir } from '../support/cli.js';
import { buildInMemory, located, plan, tool } from './planFixtures.js';

const registry = {
  'tools/writer.yaml': tool(
    'writer@1',
    [
      '{name: "prompt", type: "string", required: true}',
      '{name: "count", type: "integer"}',
      '{name: "style", type: "string", required: true, default: "plain"}',
    ],
    ['{name: "text", type: "string"}', '{name: "words", type: "integer"}'],
  ),
  'tools/writer2.yaml': tool(
    'writer@2',
    ['{name: "prompt", type: "string", required: true}'],
    ['{name: "text", type: "string"}'],
  ),
  'tools/renderer.yaml': tool(
    'renderer@1',
    [
      '{name: "script", type: "string", required: true}',
      '{name: "size", schema: "size@1"}',
      '{name: "ratio", type: "number"}',
    ],
    [],
  ),
  'schemas/size.yaml':
    'id: "size@1"\nschema:\n  type: object\n  properties:\n    width: {$ref: "dimension@1"}\n  required: [width]\n  additionalProperties: false\n',
  'schemas/dimension.yaml': 'id: "dimension@1"\nschema: {type: integer, minimum: 1}\n',
  'policies/default.yaml': 'id: "default@1"\nbudget: {max_usd_micro: 10}\n',
  'tools/sender.yaml': tool(
    'sender@1',
    ['{name: "req", schema: "request@1"}', '{name: "meta", type: "object"}'],
    ['{name: "text", type: "string"}'],
  ),
  'schemas/request.yaml':
    'id: "request@1"\nschema:\n  type: object\n  properties:\n    name: {type: string}\n    tags: {type: array, items: {type: string}}\n',
};

async function setup(t: { after: (fn: () => unknown) => void }) {
  const dir = tempDir();
  t.after(dir.cleanup);
  const built = await buildInMemory(dir.path, registry);
  t.after(() => built.store.close());
  return { ...built, view: await SnapshotView.open(built.store, built.snapshot as never) };
}

test('a plan that meets every contract has no diagnostics; floating refs resolve to the highest version', async (t) => {
  const { view } = await setup(t);
  const file = plan(
    `plan: ok\npolicy: default\nsteps:\n  - id: w\n    processor_ref: writer@1\n    inputs: {prompt: "hi", count: 3}\n  - id: r\n    processor_ref: renderer\n    after: [w]\n    inputs: {script: "\${steps.w.outputs.text}", size: {width: 4}, ratio: "\${steps.w.outputs.words}"}\n`,
  );
  const analysis = await analyzePlan(file, view);
  assert.deepEqual(analysis.diagnostics, []);
  assert.deepEqual(
    analysis.references.map((r) => r.resolved?.id),
    ['default@1', 'writer@1', 'renderer@1'],
  );
});

test('every problem is reported at once, each with a stable code and file:line:col', async (t) => {
  const { view } = await setup(t);
  const text = [
    'plan: broken', //                                   1
    'policy: writer@1', //                               2  wrong kind
    'steps:', //                                         3
    '  - id: a', //                                      4
    '    processor_ref: writer@9', //                    5  not found
    '  - id: b', //                                      6
    '    processor_ref: writer@1', //                    7
    '    inputs:', //                                    8  prompt missing
    '      count: 1.5', //                               9  not an integer
    '      colour: red', //                              10 unknown
    '  - id: c', //                                      11
    '    processor_ref: renderer@1', //                  12
    '    after: [b, ghost]', //                          13 ghost is no step
    '    inputs:', //                                    14
    '      script: "${steps.a.outputs.text}"', //        15 a is not waited for
    '      size: {width: 0, depth: 1}', //               16 schema: minimum (via $ref), additionalProperties
    '      ratio: "${steps.b.outputs.nope}"', //         17 no such output
    '  - id: b', //                                      18 duplicate
    '    processor_ref: "text.llm"', //                  19 not found
    '  - id: d', //                                      20
    '    processor_ref: writer@2', //                    21
    '    after: [d]', //                                 22 cycle
    '    inputs: {prompt: "${oops}"}', //                23 not a binding
    '',
  ].join('\n');
  const analysis = await analyzePlan(plan(text, 'plans/broken.yaml'), view);
  assert.ok(analysis.diagnostics.every((d) => d.file === 'plans/broken.yaml' && d.severity === 'error'));
  assert.deepEqual(located(analysis.diagnostics), [
    'PLAN_REF_WRONG_KIND@2:1',
    'PLAN_REF_NOT_FOUND@5:5',
    'PLAN_INPUT_MISSING@8:5',
    'PLAN_INPUT_INVALID@9:7',
    'PLAN_INPUT_UNKNOWN@10:7',
    'PLAN_STEP_NOT_FOUND@13:16',
    'PLAN_BINDING_INVALID@15:7',
    'PLAN_INPUT_INVALID@16:7',
    'PLAN_INPUT_INVALID@16:14',
    'PLAN_BINDING_INVALID@17:7',
    'PLAN_STEP_DUPLICATE@18:5',
    'PLAN_REF_NOT_FOUND@19:5',
    'PLAN_CYCLE@22:13',
    'PLAN_BINDING_INVALID@23:14',
  ]);
  const missing = analysis.diagnostics.find((d) => d.code === 'PLAN_INPUT_MISSING')!;
  assert.equal(missing.pointer, '/steps/1/inputs/prompt', 'the pointer names the absent input');
  assert.equal(missing.ref, 'writer@1');
  const schemaProblems = analysis.diagnostics
    .filter((d) => d.line === 16)
    .map((d) => d.pointer)
    .sort();
  assert.deepEqual(schemaProblems, ['/steps/2/inputs/size', '/steps/2/inputs/size/width']);
});

test('an integer output may feed a number input, not the other way round', async (t) => {
  const { view } = await setup(t);
  const text = (from: string, to: string) =>
    `plan: p\nsteps:\n  - {id: w, processor_ref: writer@1, inputs: {prompt: x}}\n  - {id: r, processor_ref: renderer@1, after: [w], inputs: {script: x, ${to}: "\${steps.w.outputs.${from}}"}}\n`;
  assert.deepEqual((await analyzePlan(plan(text('words', 'ratio')), view)).diagnostics, []);
  assert.deepEqual(
    (await analyzePlan(plan(text('words', 'script').replace('script: x, ', '')), view)).diagnostics.map((d) => d.code),
    ['PLAN_INPUT_INVALID'],
  );
});

test('checkPlan: PLAN_NOT_PINNED without a pin, PLAN_SNAPSHOT_NOT_FOUND for a pin the store lacks', async (t) => {
  const { store, snapshot } = await setup(t);
  const steps = 'steps:\n  - {id: w, processor_ref: writer@1, inputs: {prompt: x}}\n';
  const unpinned = await checkPlan(store, plan(`plan: p\n${steps}`));
  assert.equal(unpinned.ok, false);
  assert.deepEqual(located(unpinned.diagnostics), ['PLAN_NOT_PINNED@1:1']);
  const elsewhere = await checkPlan(store, plan(`plan: p\nsnapshot: "sha256:${'0'.repeat(64)}"\n${steps}`));
  assert.deepEqual(located(elsewhere.diagnostics), ['PLAN_SNAPSHOT_NOT_FOUND@2:1']);
  const pinned = await checkPlan(store, plan(`plan: p\nsnapshot: "${snapshot}"\n${steps}`));
  assert.deepEqual(pinned, { file: 'plan.yaml', plan: 'p', snapshot, ok: true, diagnostics: [] });
});

test('the example plan checks clean against the bundled registry once pinned to it', async (t) => {
  const store = await openStore({ directory: ':memory:' });
  t.after(() => store.close());
  const { snapshot } = await buildSnapshot({ registry: bundledRegistry, store, useCache: false });
  const path = join(repoRoot, 'examples/plans/trailer-render.yaml');
  const { planFile } = parsePlanFile(readFileSync(path), 'examples/plans/trailer-render.yaml');
  assert.equal(
    planFile!.plan.snapshot,
    snapshot,
    'the example is pinned to the bundled registry: re-pin it after changing registry/',
  );
  const result = await checkPlan(store, planFile!);
  assert.deepEqual(result.diagnostics, []);
});

test('bindings are checked at every depth of an input value: inside objects and lists, as at the top', async (t) => {
  const { view } = await setup(t);
  const text = [
    'plan: p', //                                              1
    'steps:', //                                               2
    '  - {id: w, processor_ref: writer@1, inputs: {prompt: x}}', // 3
    '  - id: s', //                                            4
    '    processor_ref: sender@1', //                          5
    '    after: [w]', //                                       6
    '    inputs:', //                                          7
    '      req:', //                                           8
    '        name: "${steps.nope.outputs.text}"', //           9  no such step
    '        tags:', //                                        10
    '          - "${typo}"', //                                11 not a binding
    '          - "${steps.w.outputs.nope}"', //                12 no such output
    '          - "${steps.w.outputs.text}"', //                13 fine
    '      meta: {deep: [{x: "${steps.s.outputs.text}"}]}', // 14 its own output
    '  - id: u', //                                            15
    '    processor_ref: sender@1', //                          16
    '    inputs: {req: {name: "${steps.w.outputs.text}"}}', // 17 w is not waited for
    '  - id: r', //                                            18
    '    processor_ref: renderer@1', //                        19
    '    after: [w]', //                                       20
    '    inputs: {script: x, size: {width: "${steps.w.outputs.words}"}}', // 21 fine: a binding is not checked as a literal
    '',
  ].join('\n');
  const analysis = await analyzePlan(plan(text), view);
  assert.deepEqual(
    analysis.diagnostics.map((d) => `${d.code}@${d.line} ${d.pointer}`),
    [
      'PLAN_BINDING_INVALID@9 /steps/1/inputs/req/name',
      'PLAN_BINDING_INVALID@11 /steps/1/inputs/req/tags/0',
      'PLAN_BINDING_INVALID@12 /steps/1/inputs/req/tags/1',
      'PLAN_BINDING_INVALID@14 /steps/1/inputs/meta/deep/0/x',
      'PLAN_BINDING_INVALID@17 /steps/2/inputs/req/name',
    ],
  );
});

test('"add it to after" is suggested only when that edge would not make a cycle', async (t) => {
  const { view } = await setup(t);
  const advice = async (text: string) =>
    (await analyzePlan(plan(text), view)).diagnostics.map((d) => [d.code, /add it to after/.test(d.message)]);
  const waitsForMe =
    'plan: p\nsteps:\n  - {id: a, processor_ref: writer@2, after: [b], inputs: {prompt: x}}\n  - {id: b, processor_ref: writer@2, inputs: {prompt: "${steps.a.outputs.text}"}}\n';
  assert.deepEqual(await advice(waitsForMe), [['PLAN_BINDING_INVALID', false]]);
  const throughOthers =
    'plan: p\nsteps:\n  - {id: a, processor_ref: writer@2, after: [c], inputs: {prompt: x}}\n  - {id: c, processor_ref: writer@2, after: [b], inputs: {prompt: x}}\n  - {id: b, processor_ref: writer@2, inputs: {prompt: "${steps.a.outputs.text}"}}\n';
  assert.deepEqual(await advice(throughOthers), [['PLAN_BINDING_INVALID', false]]);
  const unrelated =
    'plan: p\nsteps:\n  - {id: a, processor_ref: writer@2, inputs: {prompt: x}}\n  - {id: b, processor_ref: writer@2, inputs: {prompt: "${steps.a.outputs.text}"}}\n';
  assert.deepEqual(await advice(unrelated), [['PLAN_BINDING_INVALID', true]]);
});

test('plan upgrade counts a binding nested inside an input like a whole-value one: the output it binds must not change its schema', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const writer = (type: string) =>
    tool('writer@1', ['{name: "prompt", type: "string"}'], [`{name: "text", type: "${type}"}`]);
  const files = {
    'tools/writer.yaml': writer('string'),
    'tools/sender.yaml': registry['tools/sender.yaml'],
    'schemas/request.yaml': registry['schemas/request.yaml'],
  };
  const first = await buildInMemory(join(dir.path, 'a'), files);
  t.after(() => first.store.close());
  await buildInMemory(join(dir.path, 'b'), { ...files, 'tools/writer.yaml': writer('integer') }, first.store);
  const file = plan(
    `plan: p\nsnapshot: ${first.snapshot}\nsteps:\n  - {id: w, processor_ref: writer@1, inputs: {prompt: x}}\n  - {id: s, processor_ref: sender@1, after: [w], inputs: {req: {name: "\${steps.w.outputs.text}"}}}\n`,
  );
  const report = await upgradePlan(first.store, file, {
    to: 'latest',
    dryRun: true,
    write: () => assert.fail('a dry run writes nothing'),
  });
  const w = report.refs.find((ref) => ref.step === 'w')!;
  assert.deepEqual(
    w.changes.map((change) => [change.rule, change.severity]),
    [['port.schema-changed', 'breaking']],
  );
  assert.equal(report.breaking, true);
});

test('plan inputs keep keys named like JavaScript object properties (__proto__, constructor, toString), in block and flow YAML', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const { store, snapshot } = await buildInMemory(dir.path, {
    'tools/keys.yaml': tool('keys@1', ['{name: "req", schema: "keyed@1"}', '{name: "same", schema: "same@1"}']),
    'schemas/keys.yaml':
      'id: "keyed@1"\nschema:\n  type: object\n  properties:\n    __proto__: {type: number}\n    constructor: {type: number}\n    toString: {type: number}\n  required: [__proto__, constructor, toString]\n',
    'schemas/same.yaml': 'id: "same@1"\nschema:\n  enum: [{valueOf: 1, toString: 2}, {__proto__: 3}]\n',
  });
  t.after(() => store.close());
  const view = await SnapshotView.open(store, snapshot as never);
  const check = async (inputs: string) => {
    const file = plan(`plan: p\nsteps:\n  - id: a\n    processor_ref: keys@1\n    inputs:\n${inputs}`);
    return (await analyzePlan(file, view)).diagnostics.map((d) => `${d.code} ${d.pointer}`).sort();
  };
  const wrong = [
    'PLAN_INPUT_INVALID /steps/0/inputs/req/__proto__',
    'PLAN_INPUT_INVALID /steps/0/inputs/req/constructor',
    'PLAN_INPUT_INVALID /steps/0/inputs/req/toString',
  ];
  assert.deepEqual(
    await check('      req:\n        __proto__: "not a number"\n        constructor: "no"\n        toString: "no"\n'),
    wrong,
    'block',
  );
  assert.deepEqual(
    await check('      req: {__proto__: "not a number", constructor: "no", toString: "no"}\n'),
    wrong,
    'flow',
  );
  assert.deepEqual(
    await check('      req: {"__proto__": "not a number", "constructor": "no", "toString": "no"}\n'),
    wrong,
    'quoted',
  );
  assert.deepEqual(
    await check('      req: {}\n'),
    Array(3).fill('PLAN_INPUT_INVALID /steps/0/inputs/req'),
    'required keys are not found on the prototype',
  );
  assert.deepEqual(await check('      req: {__proto__: 1, constructor: 2, toString: 3}\n'), []);
  // enum compares objects by their own keys: keys named like Object.prototype's methods are data, not methods.
  assert.deepEqual(
    await check('      req: {__proto__: 1, constructor: 2, toString: 3}\n      same: {valueOf: 1, toString: 2}\n'),
    [],
  );
  assert.deepEqual(
    await check('      req: {__proto__: 1, constructor: 2, toString: 3}\n      same: {__proto__: 3}\n'),
    [],
  );
  assert.deepEqual(
    await check('      req: {__proto__: 1, constructor: 2, toString: 3}\n      same: {toString: 2, valueOf: 2}\n'),
    ['PLAN_INPUT_INVALID /steps/0/inputs/same'],
  );
});
