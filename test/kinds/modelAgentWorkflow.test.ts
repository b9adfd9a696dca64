// The model, agent and workflow kinds through the real pipeline: their references, the workflow's graph checks, the
// cross-spec capability check (also after a cached rebuild and in worker threads), their diff rules, and the VRAM call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildSnapshot,
  compileRegistry,
  diffSnapshots,
  isSpecError,
  memoryRoot,
  modelsWithCapability,
  openStore,
  SnapshotView,
  type Diagnostic,
} from '../../src/index.js';
import { repoRoot } from '../support/cli.js';

const tools = {
  'tools/search.yaml': 'id: web.search@1\nname: S\nadapter: local\nentry_point: s\ncapabilities: [search]\n',
  'tools/fetch.yaml': 'id: web.fetch@1\nname: F\nadapter: local\nentry_point: f\ncapabilities: [web.fetch]\n',
  'tools/answer.yaml': 'id: qa.answer@1\nname: A\nadapter: local\nentry_point: a\ncapabilities: [answer]\n',
  'models/m.yaml': 'id: m@1\nname: M\nprovider: local\nmodel_path: /m\ncapabilities: [generate]\n',
};

const searchQa = (graph: string, extra = '') => `id: search_qa@1\nname: QA\n${extra}start: search\ngraph:\n${graph}`;

const linearGraph =
  '  search:\n    step: web.search@1\n    next: [fetch]\n  fetch:\n    step: web.fetch@1\n    next: [answer]\n  answer:\n    step: qa.answer@1\n';

/** The diagnostics a registry in memory builds with (none when it builds), as [file:line:col, pointer, code]. */
async function findings(files: Record<string, string>): Promise<Diagnostic[]> {
  try {
    const compiled = await compileRegistry({ registry: 'r', source: { roots: [memoryRoot(files, '')] } });
    return compiled.diagnostics;
  } catch (error) {
    assert.ok(isSpecError(error) && error.code === 'INVALID_INPUT', String(error));
    return error.diagnostics;
  }
}
const where = (d: Diagnostic) => [`${d.file}:${d.line}:${d.column}`, d.pointer, d.code];

test('the bundled registry has models, agents and a workflow, and builds', async () => {
  const compiled = await compileRegistry({ registry: join(repoRoot, 'registry') });
  const ids = compiled.specs.map((spec) => `${spec.kind} ${spec.id}`);
  for (const id of [
    'model t5-small@1',
    'model llama3.8b-instruct@1',
    'agent orchestrator@1',
    'agent intake@1',
    'agent fraud@1',
    'workflow search_qa@1',
  ])
    assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
  assert.deepEqual(compiled.diagnostics, []);
});

test('agent references: a dangling one is REF_NOT_FOUND, one of the wrong kind names both kinds', async () => {
  const found = await findings({
    ...tools,
    'agents/a.yaml':
      'id: a@1\nname: A\nmodel: web.search@1\nallowed_tools: [gone@1]\nallowed_agents: [m@1]\ninput_schema: {$ref: "m@1"}\n',
  });
  assert.deepEqual(found.map(where), [
    ['agents/a.yaml:3:1', '/model', 'REF_WRONG_KIND'],
    ['agents/a.yaml:4:17', '/allowed_tools/0', 'REF_NOT_FOUND'],
    ['agents/a.yaml:5:18', '/allowed_agents/0', 'REF_WRONG_KIND'],
    ['agents/a.yaml:6:16', '/input_schema/$ref', 'REF_WRONG_KIND'],
  ]);
  const model = found.find((d) => d.pointer === '/model')!;
  assert.match(model.message, /web\.search@1 is a tool; expected model/);
  assert.match(found.find((d) => d.pointer === '/allowed_agents/0')!.message, /is a model; expected agent/);
});

test('an agent input schema may be embedded or a $ref to a schema spec, and is compiled', async () => {
  const schema = { 'schemas/s.yaml': 'id: s@1\nschema: {type: object}\n' };
  assert.deepEqual(
    await findings({
      ...tools,
      ...schema,
      'agents/a.yaml': 'id: a@1\nname: A\nmodel: m@1\ninput_schema: {$ref: "s@1"}\noutput_schema: {type: string}\n',
    }),
    [],
  );
  const bad = await findings({
    ...tools,
    'agents/a.yaml': 'id: a@1\nname: A\nmodel: m@1\noutput_schema: {type: strin}\n',
  });
  assert.ok(
    bad.some((d) => d.pointer?.startsWith('/output_schema') && d.severity === 'error'),
    JSON.stringify(bad),
  );
});

test('a workflow whose next names no node: WORKFLOW_NEXT_UNKNOWN at the bad name', async () => {
  const found = await findings({
    ...tools,
    'workflows/w.yaml': searchQa(linearGraph.replace('next: [answer]', 'next: [answer, nowhere]')),
  });
  assert.deepEqual(found.map(where), [['workflows/w.yaml:10:20', '/graph/fetch/next/1', 'WORKFLOW_NEXT_UNKNOWN']]);
  assert.match(found[0]!.message, /"nowhere"/);
});

test('a workflow whose start names no node: WORKFLOW_START_UNKNOWN', async () => {
  const found = await findings({
    ...tools,
    'workflows/w.yaml': searchQa(linearGraph).replace('start: search', 'start: serch'),
  });
  assert.deepEqual(found.map(where), [['workflows/w.yaml:3:1', '/start', 'WORKFLOW_START_UNKNOWN']]);
});

test('a node start cannot reach is a warning (WORKFLOW_NODE_UNREACHABLE): the workflow still builds', async () => {
  const found = await findings({
    ...tools,
    'workflows/w.yaml': searchQa(`${linearGraph}  spare:\n    step: qa.answer@1\n`),
  });
  assert.deepEqual(found.map(where), [['workflows/w.yaml:13:3', '/graph/spare', 'WORKFLOW_NODE_UNREACHABLE']]);
  assert.equal(found[0]!.severity, 'warning');
});

test('a cycle is WORKFLOW_CYCLE, named from where it starts, at the edge that closes it; always the same', async () => {
  const files = {
    ...tools,
    'workflows/w.yaml': searchQa(
      linearGraph.replace('    step: qa.answer@1\n', '    step: qa.answer@1\n    next: [fetch]\n'),
    ),
  };
  const found = await findings(files);
  assert.deepEqual(found.map(where), [['workflows/w.yaml:13:12', '/graph/answer/next/0', 'WORKFLOW_CYCLE']]);
  assert.match(found[0]!.message, /fetch → answer → fetch/);
  assert.deepEqual(
    (await findings(files)).map((d) => d.message),
    found.map((d) => d.message),
  );
  // A node that goes to itself is a cycle too.
  const self = await findings({
    ...tools,
    'workflows/w.yaml': searchQa('  search:\n    step: web.search@1\n    next: [search]\n'),
  });
  assert.deepEqual(
    self.map((d) => [d.code, d.message.split(': ')[1]]),
    [['WORKFLOW_CYCLE', 'search → search']],
  );
});

test('a required capability no step provides is WORKFLOW_CAPABILITY_MISSING naming it; an agent step provides its own', async () => {
  const required = 'required_capabilities: [search, web.fetch, answer, triage]\n';
  const found = await findings({ ...tools, 'workflows/w.yaml': searchQa(linearGraph, required) });
  assert.deepEqual(found.map(where), [
    ['workflows/w.yaml:3:52', '/required_capabilities/3', 'WORKFLOW_CAPABILITY_MISSING'],
  ]);
  assert.match(found[0]!.message, /"triage"/);
  const withAgent = await findings({
    ...tools,
    'agents/t.yaml': 'id: triager@1\nname: T\nmodel: m@1\ncapabilities: [triage]\n',
    'workflows/w.yaml': searchQa(`${linearGraph}    next: [triage]\n  triage:\n    step: triager@1\n`, required),
  });
  assert.deepEqual(withAgent, []);
});

function registryOnDisk(files: Record<string, string>): { path: string; [Symbol.dispose]: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'specstore-kinds-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(path, file, '..'), { recursive: true });
    writeFileSync(join(path, file), text);
  }
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

test('a tool that drops a capability fails the unchanged workflow that needs it, on a cached rebuild too', async () => {
  using registry = registryOnDisk({
    ...tools,
    'workflows/w.yaml': searchQa(linearGraph, 'required_capabilities: [answer]\n'),
  });
  const store = await openStore({ directory: ':memory:' });
  try {
    await buildSnapshot({ registry: registry.path, store });
    writeFileSync(join(registry.path, 'tools/answer.yaml'), tools['tools/answer.yaml'].replace('[answer]', '[reply]'));
    const error = await buildSnapshot({ registry: registry.path, store }).catch((caught: unknown) => caught);
    assert.ok(isSpecError(error), String(error));
    assert.deepEqual(
      error.diagnostics.map((d) => [d.pointer, d.code]),
      [['/required_capabilities/0', 'WORKFLOW_CAPABILITY_MISSING']],
    );
  } finally {
    await store.close();
  }
});

test('workflow checks hold when files are analysed in worker threads', async () => {
  const many: Record<string, string> = { ...tools };
  for (let i = 0; i < 420; i++) many[`schemas/s${i}.yaml`] = `id: s${i}@1\nschema: {type: object}\n`;
  many['workflows/w.yaml'] = searchQa(
    `${linearGraph}  spare:\n    step: qa.answer@1\n`,
    'required_capabilities: [teleport]\n',
  );
  using registry = registryOnDisk(many);
  const error = await compileRegistry({ registry: registry.path, cwd: registry.path, threads: 2 }).catch(
    (caught: unknown) => caught,
  );
  assert.ok(isSpecError(error), String(error));
  assert.deepEqual(
    error.diagnostics.map((d) => [d.pointer, d.code]),
    [
      ['/required_capabilities/0', 'WORKFLOW_CAPABILITY_MISSING'],
      ['/graph/spare', 'WORKFLOW_NODE_UNREACHABLE'],
    ],
  );
});

test('diff rules: model capability removed and context window lowered break, VRAM raised warns; agents and workflows too', async () => {
  const model = (extra: string) => `id: m@1\nname: M\nprovider: local\nmodel_path: /m\n${extra}`;
  const agent = (extra: string) => `id: a@1\nname: A\nmodel: m@1\n${extra}`;
  using before = registryOnDisk({
    ...tools,
    'models/m.yaml': model('capabilities: [summarize, generate]\nexpected_vram_mb: 500\ncontext_window: 8192\n'),
    'agents/a.yaml': agent(
      'allowed_tools: [web.search@1, web.fetch@1]\noutput_schema: {type: object, properties: {x: {type: string}}}\n',
    ),
    'workflows/w.yaml': searchQa(linearGraph),
  });
  using after = registryOnDisk({
    ...tools,
    'models/m.yaml': model('capabilities: [generate]\nexpected_vram_mb: 900\ncontext_window: 4096\n'),
    'agents/a.yaml': agent(
      'allowed_tools: [web.search@1]\noutput_schema: {type: object, properties: {x: {type: string, maxLength: 5}}}\n',
    ),
    'workflows/w.yaml': searchQa(linearGraph.replace('step: web.fetch@1', 'step: web.search@1')),
  });
  const store = await openStore({ directory: ':memory:' });
  try {
    const first = await buildSnapshot({ registry: before.path, store });
    const second = await buildSnapshot({ registry: after.path, store });
    const report = await diffSnapshots(
      await SnapshotView.open(store, first.snapshot),
      await SnapshotView.open(store, second.snapshot),
    );
    const changes = (name: string) =>
      report.specs
        .find((spec) => spec.name === name)!
        .changes.filter((c) => c.pointer !== '') // the version-level change (same id, new digest) is not the point here
        .map((c) => [c.rule, c.pointer, c.severity]);
    assert.deepEqual(changes('m'), [
      ['model.capability-removed', '/capabilities/0', 'breaking'],
      ['model.context-window-lowered', '/context_window', 'breaking'],
      ['model.vram-raised', '/expected_vram_mb', 'warning'],
    ]);
    // A narrower output is compatible for the agent's callers (outputs compare in the other direction).
    assert.deepEqual(changes('a'), [
      ['schema.max-length-tightened', '/output_schema/properties/x/maxLength', 'compatible'],
      ['agent.tool-removed', '/allowed_tools/1', 'breaking'],
    ]);
    assert.deepEqual(changes('search_qa'), [['workflow.node-changed', '/graph/fetch', 'warning']]);
  } finally {
    await store.close();
  }
});

test('modelsWithCapability: the bundled models that summarize, and their total VRAM', async () => {
  const store = await openStore({ directory: ':memory:' });
  try {
    const built = await buildSnapshot({ registry: join(repoRoot, 'registry'), store });
    const view = await SnapshotView.open(store, built.snapshot);
    const found = await modelsWithCapability(view, 'summarize');
    assert.deepEqual(
      found.models.map((model) => [model.id, model.expectedVramMb]),
      [
        ['llama3.8b-instruct@1', 16384],
        ['t5-small@1', 500],
      ],
    );
    assert.equal(found.totalVramMb, 16884);
    assert.deepEqual(found.withoutVram, []);
    assert.deepEqual((await modelsWithCapability(view, 'Summarize')).models, [], 'capabilities are case-sensitive');
  } finally {
    await store.close();
  }
});
