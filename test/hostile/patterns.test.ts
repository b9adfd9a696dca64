// Hostile regular expressions in user schemas: every place a user's pattern runs finishes in linear time with the
// right verdict, and patterns a linear-time engine cannot run are refused at build with their position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { json, runSpecWithinBound, tempDir } from '../support/cli.js';

/** Exponential on a backtracking engine: ~1.4 s at 20 characters, doubling with each one. */
const exponential = '^(a+)+$';
/** Polynomial (n^8) on a backtracking engine: ~18 s at 50 characters. */
const polynomial = '^a*a*a*a*a*a*a*a*!$';
const attack = `${'a'.repeat(30)}!`;

interface Project {
  dir: string;
  spec: (args: string[]) => ReturnType<typeof runSpecWithinBound>;
  write: (path: string, text: string) => void;
}

function project(t: { after: (fn: () => void) => void }, files: Record<string, string>): Project {
  const dir = tempDir('specstore-patterns-');
  t.after(dir.cleanup);
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir.path, path)), { recursive: true });
    writeFileSync(join(dir.path, path), text);
  };
  for (const [path, text] of Object.entries(files)) write(path, text);
  return { dir: dir.path, write, spec: (args) => runSpecWithinBound([...args, '--store', 'store'], { cwd: dir.path }) };
}

/** A tool whose one input is held to `schemaYaml` (the `schema:` member of schema spec hostile.input@1). */
function toolWithInputSchema(schemaYaml: string): Record<string, string> {
  return {
    'registry/schemas/hostile.input.yaml': `id: "hostile.input@1"\nschema:\n${schemaYaml}`,
    'registry/tools/hostile.tool.yaml': [
      'id: "hostile.tool@1"',
      'name: "Hostile"',
      'adapter: "local"',
      'entry_point: "hostile:run"',
      'inputs:',
      '  - name: "value"',
      '    schema: "hostile.input@1"',
      '',
    ].join('\n'),
  };
}

function planSending(value: unknown): string {
  return `plan: hostile\nsteps:\n  - id: only\n    processor_ref: hostile.tool@1\n    inputs:\n      value: ${JSON.stringify(value)}\n`;
}

/** Builds, pins and checks a plan sending `value`; returns the codes plan check reported. */
function planCheckCodes(t: { after: (fn: () => void) => void }, schemaYaml: string, value: unknown): string[] {
  const p = project(t, { ...toolWithInputSchema(schemaYaml), 'plans/hostile.yaml': planSending(value) });
  const built = p.spec(['build']);
  assert.equal(built.status, 0, built.stderr);
  assert.equal(p.spec(['plan', 'pin', 'plans/hostile.yaml']).status, 0);
  const checked = p.spec(['plan', 'check', 'plans/hostile.yaml', '--json']);
  assert.equal(checked.status, 1, checked.stdout + checked.stderr);
  return (json(checked)[0].diagnostics as { code: string }[]).map((d) => d.code);
}

test('plan check: ^(a+)+$ in a schema spec against 30 a\'s and "!" is invalid, and quick', (t) => {
  assert.deepEqual(planCheckCodes(t, `  type: "string"\n  pattern: "${exponential}"\n`, attack), [
    'PLAN_INPUT_INVALID',
  ]);
});

test('plan check: a polynomially backtracking pattern against 60 characters is invalid, and quick', (t) => {
  assert.deepEqual(planCheckCodes(t, `  type: "string"\n  pattern: "${polynomial}"\n`, 'a'.repeat(60)), [
    'PLAN_INPUT_INVALID',
  ]);
});

test('plan check: the hostile pattern as a patternProperties key, the name not matching it, is invalid', (t) => {
  const schema = `  type: "object"\n  patternProperties:\n    "${exponential}": {type: "integer"}\n  additionalProperties: false\n`;
  assert.deepEqual(planCheckCodes(t, schema, { [attack]: 1 }), ['PLAN_INPUT_INVALID']);
});

test('plan check: the hostile pattern in propertyNames is invalid', (t) => {
  const schema = `  type: "object"\n  propertyNames: {pattern: "${exponential}"}\n`;
  // ajv reports the name's pattern and then propertyNames itself.
  assert.deepEqual(planCheckCodes(t, schema, { [attack]: 1 }), ['PLAN_INPUT_INVALID', 'PLAN_INPUT_INVALID']);
});

test("spec build: the hostile pattern in a predicate's args schema stalls nothing; the args are ARGS_INVALID", (t) => {
  const p = project(t, {
    'registry/predicates/hostile.check.yaml': [
      'id: "hostile.check@1"',
      'phases: ["admission"]',
      'args:',
      '  type: "object"',
      '  properties:',
      `    name: {type: "string", pattern: "${exponential}"}`,
      '    names: {type: "object", propertyNames: {pattern: "' + exponential + '"}}',
      '',
    ].join('\n'),
    'registry/tools/hostile.tool.yaml': [
      'id: "hostile.tool@1"',
      'name: "Hostile"',
      'adapter: "local"',
      'entry_point: "hostile:run"',
      'predicates:',
      '  admission:',
      '    - id: "hostile.check@1"',
      `      args: {name: "${'a'.repeat(34)}!", names: {"${'a'.repeat(34)}!": 1}}`,
      '',
    ].join('\n'),
  });
  const built = p.spec(['build', '--json']);
  assert.equal(built.status, 1);
  const diagnostics = json(built).error.diagnostics as { code: string; file: string; line: number }[];
  // One for the name, two for the property name (its pattern, then propertyNames).
  assert.deepEqual(
    diagnostics.map((d) => `${d.code} ${d.file}:${d.line}`),
    Array(3).fill('ARGS_INVALID registry/tools/hostile.tool.yaml:8'),
  );
});

test('spec build: a backreference, lookahead, lookbehind or over-large repeat is SCHEMA_PATTERN_UNSUPPORTED at its position', (t) => {
  const p = project(t, {
    'registry/schemas/bad.patterns.yaml': [
      'id: "bad.patterns@1"', // 1
      'schema:', // 2
      '  type: "object"', // 3
      '  properties:', // 4
      '    twice: {type: "string", pattern: "^(a)\\\\1$"}', // 5
      '    ahead:', // 6
      '      type: "string"', // 7
      '      pattern: "^(?=a)a+$"', // 8
      '    big: {type: "string", pattern: "^a{1001}$"}', // 9
      '    names: {type: "object", propertyNames: {pattern: "^(?!x)"}}', // 10
      '  patternProperties:', // 11
      '    "(?<=x)y": {type: "string"}', // 12
      '    "^ok_[a-z]+$": {type: "string"}', // 13
      '',
    ].join('\n'),
  });
  const built = p.spec(['build', '--json']);
  assert.equal(built.status, 1, built.stdout + built.stderr);
  const diagnostics = json(built).error.diagnostics as { code: string; file: string; line: number; column: number }[];
  assert.deepEqual(diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`).sort(), [
    'SCHEMA_PATTERN_UNSUPPORTED registry/schemas/bad.patterns.yaml:10:45',
    'SCHEMA_PATTERN_UNSUPPORTED registry/schemas/bad.patterns.yaml:12:5',
    'SCHEMA_PATTERN_UNSUPPORTED registry/schemas/bad.patterns.yaml:5:29',
    'SCHEMA_PATTERN_UNSUPPORTED registry/schemas/bad.patterns.yaml:8:7',
    'SCHEMA_PATTERN_UNSUPPORTED registry/schemas/bad.patterns.yaml:9:27',
  ]);
  const text = p.spec(['build']);
  assert.equal(text.status, 1);
  assert.match(text.stderr, /^registry\/schemas\/bad\.patterns\.yaml:8:7 SCHEMA_PATTERN_UNSUPPORTED /m);
});

test('spec diff: a hostile patternProperties pattern against a declared name finishes', (t) => {
  const name = 'a'.repeat(60);
  const p = project(t, {
    'registry/schemas/hostile.diffed.yaml': `id: "hostile.diffed@1"\nschema:\n  type: "object"\n  properties:\n    "${name}": {type: "string"}\n`,
  });
  assert.equal(p.spec(['build']).status, 0);
  p.write(
    'registry/schemas/hostile.diffed.yaml',
    [
      'id: "hostile.diffed@1"',
      'schema:',
      '  type: "object"',
      '  patternProperties:',
      // Alone: beside a pattern the old screen refused, the matcher stopped at that one (keys are sorted) and never ran this.
      `    "${polynomial}": {type: "integer"}`,
      '',
    ].join('\n'),
  );
  const diffed = p.spec(['diff', 'latest', '--registry', 'registry', '--json']);
  assert.equal(diffed.status, 0, diffed.stderr);
  const report = json(diffed);
  assert.equal(report.specs.length, 1);
  // The name does not match the pattern, so the names the new pattern takes are compared with the old `true`.
  assert.ok(
    (report.specs[0].changes as { rule: string; pointer: string }[]).some(
      (c) => c.rule === 'schema.type-narrowed' && c.pointer === `/schema/patternProperties/${polynomial}/type`,
    ),
  );
});
