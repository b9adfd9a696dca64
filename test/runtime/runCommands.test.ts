// `spec run`, `spec runs`, `spec runs show` as a user runs them: the example registry under examples/runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, repoRoot, runSpec, tempDir } from '../support/cli.js';

function exampleCopy(t: { after: (fn: () => unknown) => void }): string {
  const dir = tempDir();
  t.after(dir.cleanup);
  cpSync(join(repoRoot, 'examples/runtime'), dir.path, { recursive: true });
  assert.equal(runSpec(['build', '--registry', 'registry'], { cwd: dir.path }).status, 0);
  return dir.path;
}

test('spec run runs the example plan end to end; a second run reuses both steps; runs lists and shows them', (t) => {
  const cwd = exampleCopy(t);
  const env = { TMPDIR: cwd };
  const first = runSpec(['run', 'plans/greet.yaml', '--json'], { cwd, env });
  assert.equal(first.status, 0, first.stderr);
  const record = json(first);
  assert.deepEqual(
    record.steps.map((step: { id: string; status: string; outputs: unknown }) => [step.id, step.status, step.outputs]),
    [
      ['shout', 'succeeded', { text: 'HELLO FROM A PINNED PLAN!' }],
      ['count', 'succeeded', { words: 5, report: 'count.txt' }],
    ],
  );
  assert.equal(readFileSync(join(record.directory, 'steps/count/1/count.txt'), 'utf8'), '5\n');
  const second = runSpec(['run', 'plans/greet.yaml'], { cwd, env });
  assert.equal(second.status, 0);
  assert.match(second.stdout, /shout {2}memoized .*not run: memo key/);
  const again = json(runSpec(['run', 'plans/greet.yaml', '--no-memo', '--json'], { cwd, env }));
  assert.deepEqual(
    again.steps.map((step: { status: string }) => step.status),
    ['succeeded', 'succeeded'],
  );
  const runs = json(runSpec(['runs', '--json'], { cwd }));
  assert.equal(runs.length, 3);
  assert.equal(runs[2].id, record.id, 'newest first');
  const shown = runSpec(['runs', 'show', record.id, '--json'], { cwd });
  assert.deepEqual(json(shown), record);
  const missing = runSpec(['runs', 'show', 'nope', '--json'], { cwd });
  assert.equal(json(missing).error.code, 'RUN_NOT_FOUND');
  assert.equal(missing.status, 3);
});

test('spec run --dry-run runs nothing and stores nothing; bad input exits 1 with its position; a failed step exits 8', (t) => {
  const cwd = exampleCopy(t);
  const env = { TMPDIR: cwd };
  const dry = runSpec(['run', 'plans/greet.yaml', '--dry-run', '--json'], { cwd, env });
  assert.equal(dry.status, 0, dry.stderr);
  assert.equal(json(dry).steps[1].context.memo_key, null);
  assert.deepEqual(json(runSpec(['runs', '--json'], { cwd })), []);
  const plan = readFileSync(join(cwd, 'plans/greet.yaml'), 'utf8');
  writeFileSync(join(cwd, 'plans/bad.yaml'), plan.replace('{text: "hello from a pinned plan"}', '{text: 7}'));
  const bad = runSpec(['run', 'plans/bad.yaml'], { cwd, env });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /plans\/bad\.yaml:8:14 .*PLAN_INPUT_INVALID/);
  assert.deepEqual(json(runSpec(['runs', '--json'], { cwd })), []);
  // A tool that exits non-zero: its step fails, the run is recorded, exit 8.
  writeFileSync(join(cwd, 'bin/count.mjs'), '#!/usr/bin/env node\nprocess.exit(3)\n');
  const failed = runSpec(['run', 'plans/greet.yaml', '--json'], { cwd, env });
  assert.equal(failed.status, 8);
  assert.deepEqual(
    json(failed).steps.map((step: { status: string }) => step.status),
    ['succeeded', 'failed'],
  );
  assert.equal(json(runSpec(['runs', '--json'], { cwd })).length, 1, 'the failed run is recorded');
  assert.equal(runSpec(['run', 'plans/greet.yaml', '--jobs', '0'], { cwd }).status, 2);
  assert.ok(existsSync(join(cwd, 'plans/greet.yaml')));
});
