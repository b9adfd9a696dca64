// The local adapter's limits with real processes, the http adapter against a real server on 127.0.0.1, memo keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { splitCommandLine } from '../../src/runtime/local/entryPoint.js';
import { memoKey, stepSeed } from '../../src/runtime/adapter.js';
import { runtimeSetup } from './runtimeFixtures.js';

/** Whether a process is alive (a zombie, killed but not yet reaped by its new parent, counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

test('entry points split at spaces, quotes group words, no shell', () => {
  assert.deepEqual(splitCommandLine('./run.sh --name "two words" \'a;b\' $HOME'), [
    './run.sh',
    '--name',
    'two words',
    'a;b',
    '$HOME',
  ]);
  assert.deepEqual(splitCommandLine('a ""'), ['a', '']);
  assert.equal(splitCommandLine('a "open'), undefined);
  assert.equal(splitCommandLine('   '), undefined);
});

test('a tool that hangs is killed at its timeout together with its children', async (t) => {
  const { dir, runner, planOf } = await runtimeSetup(t);
  const state = join(dir, 'child.pid');
  const started = Date.now();
  const record = await runner.run(
    planOf(`  - id: hang\n    processor_ref: quick@1\n    inputs: {mode: "hang", state: "${state}"}\n`, ''),
  );
  assert.equal(record.steps[0]!.failure!.code, 'STEP_TIMEOUT');
  assert.ok(Date.now() - started < 4000, 'killed at its 1 s timeout');
  const child = Number(readFileSync(state, 'utf8'));
  for (let i = 0; i < 50 && alive(child); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(alive(child), false, `the tool's child ${child} is still running`);
});

test('a tool that prints 100 MB is cut at the stdout bound', async (t) => {
  const { runner, planOf } = await runtimeSetup(t);
  const record = await runner.run(planOf('  - id: flood\n    processor_ref: work@1\n    inputs: {mode: "flood"}\n'));
  assert.equal(record.steps[0]!.failure!.code, 'STEP_OUTPUT_TOO_LARGE');
  assert.equal(record.steps[0]!.attempts.length, 1);
});

test('writes outside the scratch dir are reported; the world mount is read-only', async (t) => {
  const { runner, planOf } = await runtimeSetup(t, { world: join(import.meta.dirname, '../fixtures/runtime') });
  const escaped = await runner.run(planOf('  - id: escape\n    processor_ref: work@1\n    inputs: {mode: "escape"}\n'));
  assert.equal(escaped.steps[0]!.failure!.code, 'STEP_WROTE_OUTSIDE_SCRATCH');
  assert.match(escaped.steps[0]!.failure!.message, /escaped\.txt/);
  assert.ok(existsSync(join(escaped.directory, 'world/tool.mjs')), 'the world mount holds the copy');
  const world = await runner.run(planOf('  - id: world\n    processor_ref: work@1\n    inputs: {mode: "world"}\n'));
  const step = world.steps[0]!;
  // Without root the write is refused by the file system; as root (which ignores modes) it is caught afterwards.
  if (process.getuid?.() === 0) assert.equal(step.failure!.code, 'STEP_WROTE_OUTSIDE_SCRATCH');
  else assert.equal(step.outputs!['text'], 'denied');
});

test('memo keys and seeds are the same on every run and machine (golden)', async (t) => {
  assert.equal(stepSeed('demo', 'a'), stepSeed('demo', 'a'));
  assert.equal(
    memoKey(`sha256:${'1'.repeat(64)}`, { text: 'hi', n: 1 }, 7),
    memoKey(`sha256:${'1'.repeat(64)}`, { n: 1, text: 'hi' }, 7),
  );
  const golden = { seed: stepSeed('demo', 'a'), memo: memoKey(`sha256:${'1'.repeat(64)}`, { text: 'hi' }, 7) };
  assert.deepEqual(golden, {
    // Recomputed from docs/adapters.md alone (sha256 of the canonical JSON, with python's hashlib).
    seed: 2685565559,
    memo: 'sha256:3bf16e620c783b1c7da90e6e71907ad8797c2f351e5d08b788aba6b1dcd83af7',
  });
  // Through the runner: two runs of one plan (memo off) record the same memo keys.
  const { runner, planOf } = await runtimeSetup(t);
  const planFile = planOf(
    '  - id: a\n    processor_ref: work@1\n  - id: b\n    processor_ref: work@1\n    after: [a]\n    inputs: {text: "${steps.a.outputs.text}"}\n',
  );
  const first = await runner.run(planFile, { noMemo: true });
  const second = await runner.run(planFile, { noMemo: true });
  assert.deepEqual(
    first.steps.map((step) => step.memo_key),
    second.steps.map((step) => step.memo_key),
  );
  assert.notEqual(first.steps[0]!.memo_key, first.steps[1]!.memo_key);
});

test('the http adapter POSTs {inputs, context} to a real server; non-2xx, bad shape, oversize and timeout fail', async (t) => {
  const seen: unknown[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { inputs, context } = JSON.parse(body) as { inputs: { mode: string; text: string }; context: unknown };
      seen.push(context);
      if (inputs.mode === 'echo') response.end(JSON.stringify({ outputs: { text: `${inputs.text}?` } }));
      else if (inputs.mode === 'status') response.writeHead(503).end('busy');
      else if (inputs.mode === 'shape') response.end('{"result": 1}');
      else if (inputs.mode === 'big') response.end(JSON.stringify({ outputs: { text: 'x'.repeat(20 * 1024 * 1024) } }));
      // 'hang': never answers
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/run`;
  const tool = (id: string, timeout: number) =>
    `id: "${id}"\nname: "${id}"\nadapter: "http"\nentry_point: "${url}"\ntimeout_s: ${timeout}\ninputs:\n  - {name: "mode", type: "string"}\n  - {name: "text", type: "string", default: "hi"}\noutputs:\n  - {name: "text", type: "string"}\n`;
  const { runner, planOf } = await runtimeSetup(
    t,
    {},
    {
      'tools/web.yaml': tool('web@1', 5),
      'tools/slow.yaml': tool('slow@1', 0.5),
      'policies/p.yaml': 'id: "p@1"\nretry: {max_attempts: 2, backoff_ms: [0]}\n',
    },
  );
  const record = await runner.run(
    planOf(
      ['echo', 'status', 'shape', 'big']
        .map((mode) => `  - id: ${mode}\n    processor_ref: web@1\n    inputs: {mode: "${mode}"}\n`)
        .join('') + '  - id: hang\n    processor_ref: slow@1\n    inputs: {mode: "hang"}\n',
    ),
    { jobs: 2 },
  );
  const byId = Object.fromEntries(record.steps.map((step) => [step.id, step]));
  assert.equal(byId['echo']!.outputs!['text'], 'hi?');
  assert.equal(byId['status']!.failure!.code, 'STEP_HTTP_STATUS');
  assert.equal(byId['status']!.attempts.length, 2, '503 is retried');
  assert.equal(byId['shape']!.failure!.code, 'STEP_RESULT_INVALID');
  assert.equal(byId['big']!.failure!.code, 'STEP_OUTPUT_TOO_LARGE');
  assert.equal(byId['hang']!.failure!.code, 'STEP_TIMEOUT');
  assert.ok(seen.some((context) => (context as { step_id?: string }).step_id === 'echo'));
});
