import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlanFile, planReferences } from '../../src/plan/planFile.js';
import { checkStepGraph, stepsBefore } from '../../src/plan/stepGraph.js';
import { located, plan } from './planFixtures.js';

const encode = (text: string) => new TextEncoder().encode(text);

test('a plan is read with the safe YAML reader: YAML problems come back positioned, with no model', () => {
  const { planFile, diagnostics } = parsePlanFile(encode('plan: a\nplan: b\nsteps: []\n'), 'p.yaml');
  assert.equal(planFile, undefined);
  assert.deepEqual(located(diagnostics), ['YAML_DUPLICATE_KEY@2:1']);
  assert.deepEqual(
    parsePlanFile(encode('- a\n'), 'p.yaml').diagnostics.map((d) => d.code),
    ['YAML_NOT_A_MAPPING'],
  );
});

test('shape problems are PLAN_INVALID, each positioned; the rest of the plan is still modelled', () => {
  const { planFile, diagnostics } = parsePlanFile(
    encode(
      'plan: Bad Name\nsnapshot: latest\ntypo: 1\nsteps:\n  - id: a\n    processor_ref: x\n    after: a\n  - processor_ref: y\n',
    ),
    'p.yaml',
  );
  assert.ok(planFile);
  assert.deepEqual(
    located(diagnostics).sort(),
    ['PLAN_INVALID@1:1', 'PLAN_INVALID@2:1', 'PLAN_INVALID@3:1', 'PLAN_INVALID@7:5', 'PLAN_INVALID@8:5'].sort(),
  );
  const [first, second] = planFile.plan.steps;
  assert.ok(first && second, 'both steps are modelled');
  assert.equal(first.id, 'a');
  assert.deepEqual(first.after, [], 'a non-list after is left out of the model');
  assert.equal(second.processorRef, 'y');
});

test('planReferences lists the policy and every processor_ref with its pointer and step', () => {
  const file = plan(
    'plan: p\npolicy: default\nsteps:\n  - {id: a, processor_ref: text.llm}\n  - {id: b, processor_ref: "media.probe@2"}\n',
  );
  assert.deepEqual(planReferences(file.plan), [
    { pointer: '/policy', ref: 'default', kind: 'policy' },
    { pointer: '/steps/0/processor_ref', ref: 'text.llm', kind: 'tool', step: 'a' },
    { pointer: '/steps/1/processor_ref', ref: 'media.probe@2', kind: 'tool', step: 'b' },
  ]);
});

test('step graph: duplicate ids, unknown after, and every distinct cycle once, spelled out', () => {
  const file = plan(
    [
      'plan: p',
      'steps:',
      '  - {id: a, processor_ref: t, after: [c]}',
      '  - {id: b, processor_ref: t, after: [a, nope]}',
      '  - {id: c, processor_ref: t, after: [b]}',
      '  - {id: a, processor_ref: t}',
      '  - {id: d, processor_ref: t, after: [d]}',
      '',
    ].join('\n'),
  );
  const { findings, steps } = checkStepGraph(file.plan);
  const byCode = (code: string) => findings.filter((finding) => finding.code === code);
  assert.deepEqual(
    byCode('PLAN_STEP_DUPLICATE').map((f) => f.pointer),
    ['/steps/3/id'],
  );
  assert.deepEqual(
    byCode('PLAN_STEP_NOT_FOUND').map((f) => f.pointer),
    ['/steps/1/after/1'],
  );
  const cycles = byCode('PLAN_CYCLE');
  assert.equal(cycles.length, 2, 'a→c→b→a and d→d');
  assert.ok(cycles.some((f) => f.message.includes('a → c → b → a')));
  assert.ok(cycles.some((f) => f.pointer === '/steps/4/after/0' && f.message.includes('d → d')));
  assert.deepEqual(
    [...stepsBefore({ steps, findings }, 'b')].sort(),
    ['a', 'b', 'c'],
    'transitive, and tolerant of the cycle',
  );
});

test('an acyclic plan has no graph findings, whatever the order of its steps', () => {
  const file = plan(
    'plan: p\nsteps:\n  - {id: c, processor_ref: t, after: [a, b]}\n  - {id: b, processor_ref: t, after: [a]}\n  - {id: a, processor_ref: t}\n',
  );
  assert.deepEqual(checkStepGraph(file.plan).findings, []);
});

test('a long chain of steps is checked without recursion', () => {
  const steps = Array.from(
    { length: 20_000 },
    (_, i) => `  - {id: s${i}, processor_ref: t${i === 0 ? '' : `, after: [s${i - 1}]`}}`,
  );
  const file = plan(`plan: p\nsteps:\n${steps.join('\n')}\n  - {id: first, processor_ref: t, after: [s19999]}\n`);
  assert.deepEqual(checkStepGraph(file.plan).findings, []);
});

test('`snapshot: null`, `snapshot: ~` and an empty `snapshot:` are a plan not pinned yet, as a missing field is', () => {
  for (const pin of ['snapshot: null', 'snapshot: ~', 'snapshot:', 'snapshot:   # to be pinned', 'snapshot: Null']) {
    const { planFile, diagnostics } = parsePlanFile(encode(`plan: p\n${pin}\nsteps: []\n`), 'p.yaml');
    assert.deepEqual(diagnostics, [], pin);
    assert.equal(planFile?.plan.snapshot, undefined, pin);
  }
  assert.deepEqual(
    located(parsePlanFile(encode('plan: p\nsnapshot: ""\nsteps: []\n'), 'p.yaml').diagnostics),
    ['PLAN_INVALID@2:1'],
    'an empty string is not null',
  );
});
