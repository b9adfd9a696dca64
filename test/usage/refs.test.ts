// `spec refs`, `spec ls --capability`, and builds that would remove what specs or plans use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outgoingReferences } from '../../src/snapshot/referenceIndex.js';
import { toolKind } from '../../src/kinds/tool/toolKind.js';
import { schemaKind } from '../../src/kinds/schema/schemaKind.js';
import { copyBundledRegistry, json, repoRoot, runSpec, tempDir } from '../support/cli.js';

function project(t: { after: (fn: () => void) => void }) {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  assert.equal(runSpec(['build'], { cwd: dir.path }).status, 0);
  mkdirSync(join(dir.path, 'plans'));
  cpSync(join(repoRoot, 'examples/plans/trailer-render.yaml'), join(dir.path, 'plans/trailer-render.yaml'));
  return { dir: dir.path, registry };
}

test('outgoingReferences finds reference fields and schema $refs, with pointers', () => {
  const tool = {
    id: 't@1',
    name: 't',
    adapter: 'a',
    entry_point: 'e',
    inputs: [{ name: 'x', schema: 's@1' }],
    predicates: { admission: [{ id: 'p@1' }] },
  };
  assert.deepEqual(outgoingReferences(tool, toolKind), [
    { pointer: '/inputs/0/schema', ref: 's@1', via: 'field' },
    { pointer: '/predicates/admission/0/id', ref: 'p@1', via: 'field' },
  ]);
  const schema = { id: 's@2', schema: { properties: { a: { $ref: 's@1#/properties/b' }, c: { $ref: '#/$defs/c' } } } };
  assert.deepEqual(outgoingReferences(schema, schemaKind), [
    { pointer: '/schema/properties/a/$ref', ref: 's@1', via: 'schema' },
  ]);
});

test('spec refs lists every spec that references a schema: reference fields and schema $refs', (t) => {
  const p = project(t);
  const result = runSpec(['refs', 'latest', 'media.metadata@1', '--json'], { cwd: p.dir });
  assert.equal(result.status, 0, result.stderr);
  const refs = json(result);
  assert.equal(refs.target.id, 'media.metadata@1');
  assert.deepEqual(
    refs.referrers.map((r: { id: string; pointer: string; via: string }) => [r.id, r.pointer, r.via]),
    [
      ['media.probe@2', '/outputs/0/schema', 'field'],
      ['render.spec@1', '/schema/properties/resolution/$ref', 'schema'],
      ['trailer.samples@1', '/row_schema', 'field'],
      ['trailer.script@1', '/variables/2/schema', 'field'],
      ['video.render@1', '/outputs/1/schema', 'field'],
    ],
  );
  assert.deepEqual(refs.plans, []);
  const text = runSpec(['refs', 'latest', 'media.metadata@1'], { cwd: p.dir });
  assert.match(text.stdout, /^ {2}render\.spec@1 +schema +\/schema\/properties\/resolution\/\$ref$/m);
});

test('spec refs --plans adds the plans whose refs resolve to the spec, with file:line:col; a floating ref counts', (t) => {
  const p = project(t);
  const probe = json(runSpec(['refs', 'latest', 'media.probe@2', '--plans', 'plans', '--json'], { cwd: p.dir }));
  assert.deepEqual(probe.referrers, []);
  assert.deepEqual(
    probe.plans.map((r: { file: string; line: number; plan: string; pointer: string; step: string }) => [
      r.file,
      r.line,
      r.plan,
      r.pointer,
      r.step,
    ]),
    [['plans/trailer-render.yaml', 15, 'trailer-render', '/steps/1/processor_ref', 'metadata']],
  );
  const llm = json(runSpec(['refs', 'latest', 'text.llm', '--plans', 'plans', '--json'], { cwd: p.dir }));
  assert.equal(llm.target.id, 'text.llm@2', 'a floating ref names its highest version');
  assert.deepEqual(
    llm.plans.map((r: { ref: string }) => r.ref),
    ['text.llm'],
  );
  const older = json(runSpec(['refs', 'latest', 'text.llm@1', '--plans', 'plans', '--json'], { cwd: p.dir }));
  assert.deepEqual(older.plans, [], 'the plan uses text.llm@2 in this snapshot, not @1');
  assert.equal(runSpec(['refs', 'latest', 'no.such@1'], { cwd: p.dir }).status, 3);
  assert.equal(runSpec(['refs', 'latest', 'text.llm', '--plans', 'no-dir'], { cwd: p.dir }).status, 3);
});

test('a build that removes a spec another spec references fails with REF_NOT_FOUND naming the referrer', (t) => {
  const p = project(t);
  rmSync(join(p.registry, 'schemas/render.spec.yaml'));
  const result = runSpec(['build', '--json'], { cwd: p.dir });
  assert.equal(result.status, 1);
  const diagnostics = json(result).error.diagnostics;
  assert.deepEqual(
    diagnostics.map((d: { code: string; file: string; ref: string }) => [d.code, d.file, d.ref]),
    [['REF_NOT_FOUND', 'registry/tools/video.render.yaml', 'render.spec@1']],
  );
  assert.ok(diagnostics[0].line > 0);
});

test('spec build --plans refuses a registry that lacks a spec a plan uses (exit 1, plan file:line:col, nothing stored)', (t) => {
  const p = project(t);
  assert.equal(
    runSpec(['build', '--plans', 'plans'], { cwd: p.dir }).status,
    0,
    'the plans resolve in the bundled registry',
  );
  const before = json(runSpec(['log', '--json'], { cwd: p.dir })).length;
  rmSync(join(p.registry, 'tools/media.probe.yaml'));
  const result = runSpec(['build', '--plans', 'plans', '--json'], { cwd: p.dir });
  assert.equal(result.status, 1);
  assert.deepEqual(
    json(result).error.diagnostics.map((d: { code: string; file: string; line: number; ref: string }) => [
      d.code,
      d.file,
      d.line,
      d.ref,
    ]),
    [['PLAN_REF_NOT_FOUND', 'plans/trailer-render.yaml', 15, 'media.probe@2']],
  );
  assert.equal(json(runSpec(['log', '--json'], { cwd: p.dir })).length, before, 'nothing was stored');
  assert.equal(
    runSpec(['build'], { cwd: p.dir }).status,
    0,
    'without --plans the build is allowed: pinned plans keep their snapshot',
  );
});

test('spec ls --capability lists the tools that declare it', (t) => {
  const p = project(t);
  const tools = json(runSpec(['ls', '--capability', 'text.generate', '--json'], { cwd: p.dir }));
  assert.deepEqual(
    tools.map((entry: { id: string; kind: string }) => [entry.id, entry.kind]),
    [
      ['image.caption@1.2.0', 'tool'],
      ['qa.answer@1', 'tool'],
      ['text.llm@1', 'tool'],
      ['text.llm@2', 'tool'],
    ],
  );
  // Models and agents declare capabilities too.
  assert.deepEqual(
    json(runSpec(['ls', '--capability', 'summarize', '--json'], { cwd: p.dir })).map(
      (entry: { id: string; kind: string }) => [entry.id, entry.kind],
    ),
    [
      ['llama3.8b-instruct@1', 'model'],
      ['t5-small@1', 'model'],
    ],
  );
  assert.deepEqual(json(runSpec(['ls', '--capability', 'nothing.declares.this', '--json'], { cwd: p.dir })), []);
  assert.deepEqual(
    json(runSpec(['ls', '--capability', 'text.generate', '--kind', 'policy', '--json'], { cwd: p.dir })),
    [],
  );
  const text = runSpec(['ls', '--capability', 'media.inspect'], { cwd: p.dir });
  assert.match(text.stdout, /^media\.probe@2 +tool +sha256:/);
});

test('spec tag publishes: a mutated version is then refused by build', (t) => {
  const p = project(t);
  assert.equal(runSpec(['tag', 'prod', 'latest'], { cwd: p.dir }).status, 0);
  writeFileSync(join(p.registry, 'policies/strict.yaml'), 'id: "strict@1"\nbudget: {max_usd_micro: 1}\n');
  const result = runSpec(['build', '--json'], { cwd: p.dir });
  assert.equal(result.status, 1);
  assert.equal(json(result).error.code, 'VERSION_MUTATED');
});
