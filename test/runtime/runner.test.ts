// The runner with real subprocesses: static checks stop everything before a process starts; steps run in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSpecError } from '../../src/errors.js';
import { listRunRecords, readRunRecord } from '../../src/runtime/runRecords.js';
import { plan } from '../plan/planFixtures.js';
import { runtimeSetup } from './runtimeFixtures.js';

/** The codes of the INVALID_INPUT a run was refused with, each `CODE@line:col`. */
async function refusal(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isSpecError(error), String(error));
    assert.equal(error.code, 'INVALID_INPUT');
    return error.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`);
  }
  assert.fail('the run was not refused');
}

test('each static check stops the run before any process starts (a marker file proves none ran)', async (t) => {
  const { dir, runner, planOf, snapshot } = await runtimeSetup(t);
  const marker = join(dir, 'marker');
  const first = `  - id: first\n    processor_ref: work@1\n    inputs: {marker: "${marker}"}\n`;
  const cases: [string, ReturnType<typeof planOf>, string[]][] = [
    ['unpinned', plan(`plan: demo\nsteps:\n${first}`, 'plans/demo.yaml'), ['PLAN_NOT_PINNED@1:1']],
    ['missing tool', planOf(`${first}  - id: b\n    processor_ref: nothing@1\n`), ['PLAN_REF_NOT_FOUND@9:5']],
    [
      'invalid input',
      planOf(`${first}  - id: b\n    processor_ref: work@1\n    inputs: {cost: "x"}\n`),
      ['PLAN_INPUT_INVALID@10:14'],
    ],
    ['unknown adapter', planOf(`${first}  - id: b\n    processor_ref: modal@1\n`), ['ADAPTER_NOT_FOUND@9:5']],
    ['digest mismatch', planOf(`${first}  - id: b\n    processor_ref: wrong@1\n`), ['ENTRY_POINT_DIGEST_MISMATCH@9:5']],
    ['no evaluator', planOf(`${first}  - id: b\n    processor_ref: unjudged@1\n`), ['PREDICATE_NO_EVALUATOR@9:5']],
    [
      'admission denied',
      planOf(`${first}  - id: b\n    processor_ref: reads@1\n    inputs: {text: "absent.txt"}\n`),
      ['ADMISSION_DENIED@9:5'],
    ],
  ];
  for (const [name, planFile, expected] of cases) {
    assert.deepEqual(await refusal(runner.run(planFile)), expected, name);
    assert.equal(existsSync(marker), false, `${name}: a process ran`);
  }
  // The same first step alone runs (so the marker would have shown a process).
  const record = await runner.run(planOf(first));
  assert.equal(record.status, 'succeeded');
  assert.equal(record.snapshot, snapshot);
  assert.equal(readFileSync(marker, 'utf8'), 'first\n');
});

test('steps run in dependency order; outputs of earlier steps are passed where the plan binds them', async (t) => {
  const { runner, planOf, store } = await runtimeSetup(t);
  const record = await runner.run(
    planOf(
      '  - id: a\n    processor_ref: work@1\n    inputs: {text: "one"}\n' +
        '  - id: b\n    processor_ref: work@1\n    after: [a]\n    inputs: {text: "${steps.a.outputs.text}"}\n' +
        '  - id: c\n    processor_ref: pinned@1\n    after: [b]\n    inputs: {text: "${steps.b.outputs.text}", cost: 5}\n',
    ),
    { jobs: 2 },
  );
  assert.equal(record.status, 'succeeded');
  assert.deepEqual(
    record.steps.map((step) => [step.id, step.status, step.outputs?.['text']]),
    [
      ['a', 'succeeded', 'one!'],
      ['b', 'succeeded', 'one!!'],
      ['c', 'succeeded', 'one!!!'],
    ],
  );
  assert.equal(record.budget.spent_usd_micro, 5);
  assert.match(record.steps[2]!.output_digests!['text']!, /^sha256:[0-9a-f]{64}$/);
  // The record is in the store, and listed.
  assert.deepEqual(await readRunRecord(store, record.id), record);
  assert.deepEqual(
    (await listRunRecords(store)).map((run) => run.id),
    [record.id],
  );
});

test('a failing step stops its dependants (skipped); independent steps still run; the record is written', async (t) => {
  const { runner, planOf, store } = await runtimeSetup(t);
  const record = await runner.run(
    planOf(
      '  - id: bad\n    processor_ref: work@1\n    inputs: {mode: "exit1"}\n' +
        '  - id: after-bad\n    processor_ref: work@1\n    after: [bad]\n' +
        '  - id: later\n    processor_ref: work@1\n    after: [after-bad]\n' +
        '  - id: free\n    processor_ref: work@1\n',
    ),
    { jobs: 2 },
  );
  assert.equal(record.status, 'failed');
  const byId = Object.fromEntries(record.steps.map((step) => [step.id, step]));
  assert.equal(byId['bad']!.failure!.code, 'STEP_FAILED');
  assert.match(byId['bad']!.failure!.stderr!, /something broke/);
  assert.equal(byId['bad']!.attempts.length, 1, 'exit 1 is not retryable');
  assert.equal(byId['after-bad']!.status, 'skipped');
  assert.equal(byId['later']!.status, 'skipped');
  assert.equal(byId['free']!.status, 'succeeded');
  assert.equal((await readRunRecord(store, record.id)).status, 'failed');
});

test('retries follow the policy, only for retryable failures (exit 75)', async (t) => {
  const { dir, runner, planOf } = await runtimeSetup(t);
  const state = join(dir, 'count');
  const record = await runner.run(
    planOf(`  - id: flaky\n    processor_ref: work@1\n    inputs: {mode: "flaky", text: "3", state: "${state}"}\n`),
  );
  assert.equal(record.steps[0]!.status, 'succeeded');
  assert.deepEqual(
    record.steps[0]!.attempts.map((attempt) => attempt.failure?.code ?? 'ok'),
    ['STEP_FAILED', 'STEP_FAILED', 'ok'],
  );
  assert.equal(record.steps[0]!.outputs!['count'], 3);
  // Four needed, three allowed: the step fails after its third attempt.
  writeFileSync(state, '0');
  const failed = await runner.run(
    planOf(`  - id: flaky\n    processor_ref: work@1\n    inputs: {mode: "flaky", text: "5", state: "${state}"}\n`),
  );
  assert.equal(failed.steps[0]!.attempts.length, 3);
  assert.equal(failed.steps[0]!.status, 'failed');
});

test('budget: admission reserves against what was spent; a run over budget stops starting steps', async (t) => {
  const { runner, planOf } = await runtimeSetup(t);
  // The first step costs 500 of 1000; gated needs 600 of what is left: denied at run time, then its dependant skipped.
  const record = await runner.run(
    planOf(
      '  - id: spend\n    processor_ref: work@1\n    inputs: {cost: 500}\n' +
        '  - id: gated\n    processor_ref: gated@1\n    after: [spend]\n' +
        '  - id: next\n    processor_ref: work@1\n    after: [gated]\n',
    ),
  );
  assert.deepEqual(
    record.steps.map((step) => [step.id, step.status, step.failure?.code]),
    [
      ['spend', 'succeeded', undefined],
      ['gated', 'failed', 'ADMISSION_DENIED'],
      ['next', 'skipped', undefined],
    ],
  );
  const over = await runner.run(
    planOf(
      '  - id: big\n    processor_ref: work@1\n    inputs: {cost: 1500}\n' +
        '  - id: other\n    processor_ref: work@1\n    after: [big]\n    inputs: {text: "x"}\n',
    ),
  );
  assert.equal(over.steps[0]!.failure!.code, 'BUDGET_EXCEEDED');
  assert.equal(over.steps[1]!.status, 'skipped');
  assert.equal(over.budget.spent_usd_micro, 1500);
});

test('outputs are validated against the output ports (OUTPUT_INVALID), success predicates against the scratch dir', async (t) => {
  const { runner, planOf } = await runtimeSetup(t);
  const record = await runner.run(
    planOf(
      '  - id: typed\n    processor_ref: work@1\n    inputs: {mode: "bad-output"}\n' +
        '  - id: made\n    processor_ref: produces@1\n    inputs: {mode: "artifact", text: "content"}\n' +
        '  - id: unmade\n    processor_ref: produces@1\n    inputs: {mode: "no-artifact"}\n',
    ),
  );
  const [typed, made, unmade] = record.steps;
  assert.equal(typed!.failure!.code, 'OUTPUT_INVALID');
  assert.match(typed!.failure!.message, /"text"/);
  assert.equal(made!.status, 'succeeded');
  assert.deepEqual(
    made!.artifacts!.map((artifact) => artifact.path),
    ['result.txt'],
  );
  assert.match(made!.artifacts![0]!.sha256, /^sha256:/);
  assert.equal(unmade!.failure!.code, 'SUCCESS_PREDICATE_FAILED');
});

test('memo: a step whose memo key has a successful record is not run again, unless noMemo', async (t) => {
  const { dir, runner, planOf } = await runtimeSetup(t);
  const marker = join(dir, 'memo-marker');
  const planFile = planOf(`  - id: once\n    processor_ref: work@1\n    inputs: {marker: "${marker}"}\n`);
  const first = await runner.run(planFile);
  const second = await runner.run(planFile);
  assert.equal(second.steps[0]!.status, 'memoized');
  assert.deepEqual(second.steps[0]!.memo_of, { run: first.id, step: 'once' });
  assert.deepEqual(second.steps[0]!.outputs, first.steps[0]!.outputs);
  assert.equal(readFileSync(marker, 'utf8'), 'once\n');
  const third = await runner.run(planFile, { noMemo: true });
  assert.equal(third.steps[0]!.status, 'succeeded');
  assert.equal(readFileSync(marker, 'utf8'), 'once\nonce\n');
});

test('dry run: every expanded context, nothing runs, nothing is stored', async (t) => {
  const { dir, runner, planOf, store } = await runtimeSetup(t);
  const marker = join(dir, 'dry-marker');
  const report = await runner.dryRun(
    planOf(
      `  - id: a\n    processor_ref: work@1\n    inputs: {marker: "${marker}"}\n` +
        '  - id: b\n    processor_ref: work@1\n    after: [a]\n    inputs: {text: "${steps.a.outputs.text}"}\n',
    ),
  );
  assert.equal(existsSync(marker), false);
  assert.deepEqual(await listRunRecords(store), []);
  const [a, b] = report.steps;
  assert.match(a!.context.memo_key!, /^sha256:/);
  assert.deepEqual(a!.context.inputs, { marker, mode: 'echo', text: 'hi' });
  assert.equal(b!.context.memo_key, null);
  assert.deepEqual(b!.pending_bindings, ['text']);
  for (const field of [
    'plan_id',
    'step_id',
    'execution_id',
    'attempt',
    'snapshot',
    'policy',
    'inputs',
    'write_set',
    'budget_reserved',
    'world_mount',
    'scratch_dir',
    'seed',
    'memo_key',
    'env_fingerprint',
  ])
    assert.ok(Object.hasOwn(a!.context, field), field);
});

test('the context a tool receives on stdin, its minimal environment and its cwd', async (t) => {
  const { runner, planOf, snapshot } = await runtimeSetup(
    t,
    {
      env: { PATH: process.env['PATH'], SECRET_TOKEN: 'hidden', PASSED: 'yes' },
    },
    { 'policies/p.yaml': 'id: "p@1"\nbudget: {max_usd_micro: 1000}\nenv: ["PASSED"]\n' },
  );
  const record = await runner.run(planOf('  - id: look\n    processor_ref: work@1\n    inputs: {mode: "context"}\n'));
  const seen = JSON.parse(record.steps[0]!.outputs!['text'] as string) as {
    context: Record<string, unknown>;
    env: Record<string, string>;
    cwd: string;
  };
  assert.equal(seen.cwd, seen.context['scratch_dir']);
  assert.equal(seen.context['snapshot'], snapshot);
  assert.equal(seen.context['execution_id'], `${record.id}/look`);
  assert.deepEqual(seen.context['write_set'], [seen.context['scratch_dir']]);
  assert.equal(seen.env['SECRET_TOKEN'], undefined);
  assert.equal(seen.env['PASSED'], 'yes');
  assert.deepEqual(Object.keys(seen.env).sort(), ['HOME', 'LANG', 'PASSED', 'PATH', 'TMPDIR']);
});
