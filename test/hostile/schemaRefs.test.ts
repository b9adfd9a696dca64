// Hostile schema references: deep $ref chains, $ref cycles, schemas that build but cannot compile. Each must end
// within the hang bound with a code and a position, never a stack trace, and never pass data it cannot check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { json, runSpecWithinBound, tempDir } from '../support/cli.js';
import { tool, writeFiles } from '../plan/planFixtures.js';

interface Registry {
  dir: string;
  store: string;
}

function registry(t: { after: (fn: () => unknown) => void }, files: Record<string, string>): Registry {
  const dir = tempDir();
  t.after(dir.cleanup);
  writeFiles(join(dir.path, 'registry'), files);
  return { dir: dir.path, store: join(dir.path, 'store') };
}

function build(r: Registry) {
  return runSpecWithinBound(['build', '--registry', join(r.dir, 'registry'), '--store', r.store, '--json']);
}

/** Builds, writes a plan with one step sending `inputs`, pins it and checks it. */
function checkInputs(r: Registry, toolId: string, inputs: string) {
  const built = build(r);
  assert.equal(built.status, 0, built.stdout + built.stderr);
  const planPath = join(r.dir, 'plan.yaml');
  writeFiles(r.dir, {
    'plan.yaml': `plan: p\nsteps:\n  - id: s\n    processor_ref: "${toolId}"\n    inputs: ${inputs}\n`,
  });
  const pinned = runSpecWithinBound(['plan', 'pin', planPath, '--store', r.store]);
  assert.equal(pinned.status, 0, pinned.stdout + pinned.stderr);
  return runSpecWithinBound(['plan', 'check', planPath, '--store', r.store, '--json']);
}

function codesOf(result: { stdout: string; stderr: string; status: number }): string[] {
  assert.doesNotMatch(result.stderr, /RangeError| {4}at /, 'no stack trace');
  const body = json(result);
  const diagnostics: { code: string; line?: number }[] = Array.isArray(body)
    ? body.flatMap((r: { diagnostics: { code: string }[] }) => r.diagnostics)
    : (body.error?.diagnostics ?? []);
  return diagnostics.map((d) => d.code);
}

function chain(length: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < length; i++) {
    const schema = i === length - 1 ? '{type: integer}' : `{type: object, properties: {n: {$ref: "link${i + 1}@1"}}}`;
    files[`schemas/link${i}.yaml`] = `id: "link${i}@1"\nschema: ${schema}\n`;
  }
  files['tools/t.yaml'] = tool('t@1', ['{name: "v", schema: "link0@1"}']);
  return files;
}

test('a $ref chain deeper than the bound is refused at build with SCHEMA_REF_TOO_DEEP, positioned', (t) => {
  const result = build(registry(t, chain(301)));
  assert.equal(result.status, 1);
  assert.ok(codesOf(result).includes('SCHEMA_REF_TOO_DEEP'));
  const first = json(result).error.diagnostics.find((d: { code: string }) => d.code === 'SCHEMA_REF_TOO_DEEP');
  assert.ok(first.file && first.line !== undefined, 'the diagnostic names a file and a line');
});

test('a $ref chain within the bound validates end to end: invalid input fails plan check', (t) => {
  const result = checkInputs(registry(t, chain(60)), 't@1', '{v: 5}');
  assert.equal(result.status, 1);
  assert.deepEqual([...new Set(codesOf(result))], ['PLAN_INPUT_INVALID']);
});

test('two schema specs that $ref each other without descending into the data are refused: SCHEMA_REF_CYCLE', (t) => {
  const result = build(
    registry(t, {
      'schemas/a.yaml': 'id: "a@1"\nschema: {$ref: "b@1"}\n',
      'schemas/b.yaml': 'id: "b@1"\nschema: {allOf: [{$ref: "a@1"}]}\n',
      'tools/t.yaml': tool('t@1', ['{name: "v", schema: "a@1"}']),
    }),
  );
  assert.equal(result.status, 1);
  assert.ok(codesOf(result).includes('SCHEMA_REF_CYCLE'));
});

test('{$ref: "#"} is refused at build with SCHEMA_REF_CYCLE', (t) => {
  const result = build(registry(t, { 'schemas/self.yaml': 'id: "self@1"\nschema: {$ref: "#"}\n' }));
  assert.equal(result.status, 1);
  assert.deepEqual(codesOf(result), ['SCHEMA_REF_CYCLE']);
});

test('a predicate whose args schema is {$ref: "#"} is refused by spec build, no stack trace', (t) => {
  const result = build(
    registry(t, {
      'predicates/p.yaml': 'id: "p@1"\nargs: {$ref: "#"}\n',
      'tools/t.yaml': tool('t@1', [], [], 'predicates:\n  admission:\n    - {id: "p@1", args: {x: 1}}\n'),
    }),
  );
  assert.equal(result.status, 1);
  assert.ok(codesOf(result).includes('SCHEMA_REF_CYCLE'));
});

test('a recursive tree schema (the cycle descends into the data) builds and validates at any depth', (t) => {
  const files = {
    'schemas/tree.yaml':
      'id: "tree@1"\nschema: {type: object, properties: {value: {type: integer}, children: {type: array, items: {$ref: "tree@1"}}}}\n',
    'schemas/forest.yaml':
      'id: "forest@1"\nschema: {type: array, items: {$ref: "#/$defs/node"}, $defs: {node: {type: object, properties: {kids: {$ref: "#"}}}}}\n',
    'tools/t.yaml': tool('t@1', ['{name: "v", schema: "tree@1"}', '{name: "f", schema: "forest@1"}']),
  };
  const r = registry(t, files);
  const ok = checkInputs(
    r,
    't@1',
    '{v: {value: 1, children: [{value: 2, children: [{value: 3}]}]}, f: [{kids: [{kids: []}]}]}',
  );
  assert.equal(ok.status, 0, ok.stdout);
  const bad = checkInputs(
    r,
    't@1',
    '{v: {value: 1, children: [{value: 2, children: [{value: "x"}]}]}, f: [{kids: [{kids: 3}]}]}',
  );
  assert.equal(bad.status, 1);
  assert.equal(codesOf(bad).filter((code) => code === 'PLAN_INPUT_INVALID').length, 2);
});

test('enum: [] builds no more: SCHEMA_INVALID at build, not "accept everything" at plan check', (t) => {
  const result = build(
    registry(t, {
      'schemas/empty.yaml': 'id: "empty@1"\nschema: {enum: []}\n',
      'tools/t.yaml': tool('t@1', ['{name: "v", schema: "empty@1"}']),
    }),
  );
  assert.equal(result.status, 1);
  assert.deepEqual(codesOf(result), ['SCHEMA_INVALID']);
});
