// `spec diff` run as a user runs it: snapshots, the working registry, Markdown, the CI gate, JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';

const dir = tempDir('specstore-diff-');
const spec = (args: string[]) => runSpec([...args, '--store', 'store'], { cwd: dir.path });
let registry = '';

before(() => {
  registry = copyBundledRegistry(dir.path);
  const prod = spec(['build', '--tag', 'prod']);
  assert.equal(prod.status, 0, prod.stderr);
  // text.llm@3: a new required input, so callers moving from @2 break.
  const v2 = readFileSync(join(registry, 'tools/text.llm.v2.yaml'), 'utf8');
  writeFileSync(
    join(registry, 'tools/text.llm.v3.yaml'),
    v2
      .replace('id: "text.llm@2"', 'id: "text.llm@3"')
      .replace('inputs:\n', 'inputs:\n  - name: "audience"\n    type: "string"\n    required: true\n'),
  );
  const latest = spec(['build']);
  assert.equal(latest.status, 0, latest.stderr);
  // Not built: the working tree adds default@2 with a lower budget (a warning only).
  const policy = readFileSync(join(registry, 'policies/default.yaml'), 'utf8');
  writeFileSync(
    join(registry, 'policies/default.v2.yaml'),
    policy.replace('id: "default@1"', 'id: "default@2"').replace(/max_usd_micro: *\d+/, 'max_usd_micro: 1'),
  );
});
after(dir.cleanup);

test('spec diff prod latest: grouped by spec, the upgrade compared, exit 0 without --fail-on', () => {
  const result = spec(['diff', 'prod', 'latest']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /text\.llm \(tool\) text\.llm@2 → text\.llm@3/);
  assert.match(result.stdout, /breaking +tool\.input-added-required +\/inputs\/0/);
  assert.match(result.stdout, /1 spec changed/);
});

test('--json is the library report', () => {
  const report = json(spec(['diff', 'prod', 'latest', '--json']));
  assert.deepEqual(Object.keys(report).sort(), [
    'counts',
    'empty',
    'failed',
    'from',
    'ignored',
    'kinds',
    'read',
    'severity',
    'specs',
    'to',
  ]);
  assert.match(report.from, /^sha256:[0-9a-f]{64}$/);
  assert.equal(report.empty, false);
  assert.equal(report.severity, 'breaking');
  assert.equal(report.specs.length, 1);
  const [llm] = report.specs;
  assert.deepEqual(
    [llm.name, llm.kind, llm.status, llm.from, llm.to, llm.severity],
    ['text.llm', 'tool', 'changed', 'text.llm@2', 'text.llm@3', 'breaking'],
  );
  assert.deepEqual(llm.changes.map((c: { rule: string; severity: string }) => `${c.rule} ${c.severity}`).sort(), [
    'spec.version-added compatible',
    'tool.input-added-required breaking',
  ]);
  const change = llm.changes.find((c: { rule: string }) => c.rule === 'tool.input-added-required');
  assert.equal(change.pointer, '/inputs/0');
  assert.deepEqual(change.new, { name: 'audience', type: 'string', required: true });
});

test('--fail-on breaking: the report, then exit 4; exit 0 when nothing breaks', () => {
  const failing = spec(['diff', 'prod', 'latest', '--fail-on', 'breaking']);
  assert.equal(failing.status, 4);
  assert.match(failing.stdout, /tool\.input-added-required/);
  const failingJson = spec(['diff', 'prod', 'latest', '--fail-on', 'breaking', '--json']);
  assert.equal(failingJson.status, 4);
  assert.equal(json(failingJson).failed, true);
  // latest → working tree: only a lowered budget, a warning.
  const passing = spec(['diff', 'latest', '--registry', 'registry', '--fail-on', 'breaking']);
  assert.equal(passing.status, 0, passing.stdout + passing.stderr);
  assert.match(passing.stdout, /policy\.budget-lowered/);
  assert.equal(spec(['diff', 'latest', '--registry', 'registry', '--fail-on', 'warning']).status, 4);
});

test('--registry compares with the working tree without storing it', () => {
  const report = json(spec(['diff', 'prod', '--registry', 'registry', '--json']));
  assert.deepEqual(
    report.specs.map((s: { name: string }) => s.name),
    ['default', 'text.llm'],
  );
  const logged = json(spec(['log', '--json']));
  assert.equal(logged.length, 2, 'nothing was built');
  assert.equal(
    spec(['diff', 'prod', 'latest', '--registry', 'registry']).status,
    2,
    'a second snapshot and --registry together are a usage error',
  );
});

test('--markdown for a pull-request comment', () => {
  const result = spec(['diff', 'prod', 'latest', '--markdown']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^### spec diff: `sha256:/);
  assert.match(result.stdout, /\*\*Verdict: breaking\*\*/);
  assert.match(result.stdout, /\| \*\*breaking\*\* \| `tool\.input-added-required` \| `\/inputs\/0` \|/);
});

test('an empty diff says so', () => {
  const result = spec(['diff', 'prod', 'prod', '--fail-on', 'warning']);
  assert.equal(result.status, 0);
  assert.match(result.stdout, /no differences/);
  const report = json(spec(['diff', 'latest', 'latest', '--json']));
  assert.equal(report.empty, true);
  assert.deepEqual(report.specs, []);
});

test('specstore.diff.yaml: ignored rules do not fail the gate; a bad file is invalid input', () => {
  const config = join(dir.path, 'specstore.diff.yaml');
  writeFileSync(config, 'kinds:\n  tool: {ignore: ["tool.input-added-*"]}\nfail_on: breaking\n');
  try {
    const result = spec(['diff', 'prod', 'latest', '--json']);
    assert.equal(result.status, 0, result.stdout);
    assert.equal(json(result).ignored, 1);
    writeFileSync(config, 'fail_on: sometimes\n');
    const bad = spec(['diff', 'prod', 'latest', '--json']);
    assert.equal(bad.status, 1);
    assert.equal(json(bad).error.diagnostics[0].code, 'DIFF_CONFIG_INVALID');
    assert.equal(spec(['diff', 'prod', 'latest', '--config', 'missing.yaml']).status, 3);
  } finally {
    writeFileSync(config, '');
  }
});

test('--mode sets the direction of every kind: a new required input breaks backward, not forward', () => {
  // A config that says nothing (the one the tests above leave behind is theirs).
  writeFileSync(join(dir.path, 'plain.diff.yaml'), '{}\n');
  const severityOf = (mode: string) => {
    const result = spec(['diff', 'prod', 'latest', '--config', 'plain.diff.yaml', '--mode', mode, '--json']);
    assert.equal(result.status, 0, result.stderr);
    const report = json(result) as { specs: { changes: { rule: string; severity: string }[] }[] };
    return report.specs.flatMap((each) => each.changes).find((c) => c.rule === 'tool.input-added-required')?.severity;
  };
  assert.equal(severityOf('backward'), 'breaking');
  assert.equal(severityOf('forward'), 'compatible');
  assert.equal(severityOf('full'), 'breaking');
  const gate = spec([
    'diff',
    'prod',
    'latest',
    '--config',
    'plain.diff.yaml',
    '--mode',
    'forward',
    '--fail-on',
    'breaking',
  ]);
  assert.equal(gate.status, 0, 'forward: nothing breaks');
  const bad = spec(['diff', 'prod', 'latest', '--mode', 'sideways']);
  assert.equal(bad.status, 2);
});
