// The drafts API over a real registry directory: every change validated as a build, no lost updates, no deletes of
// specs in use, comments kept, nothing written on a refused change, published versions immutable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRegistryDrafts, type RegistryDrafts } from '../../src/drafts/registryDrafts.js';
import { buildSnapshot } from '../../src/build/buildSnapshot.js';
import { openStore } from '../../src/store/openStore.js';
import { isSpecError } from '../../src/errors.js';
import { repoRoot, copyBundledRegistry, tempDir } from '../support/cli.js';

const codeOf = (code: string) => (error: unknown) => isSpecError(error) && error.code === code;

/** Every file of a folder with its bytes: what "nothing was written" is checked against. */
function snapshotFiles(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(path.slice(directory.length), readFileSync(path, 'utf8'));
    }
  return files;
}

async function openDrafts(t: { after: (f: () => unknown) => void }, options: { plans?: boolean } = {}) {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  let plans: string[] = [];
  if (options.plans) {
    const planDir = join(dir.path, 'plans');
    mkdirSync(planDir);
    cpSync(join(repoRoot, 'examples/plans/trailer-render.yaml'), join(planDir, 'trailer-render.yaml'));
    plans = [planDir];
  }
  const drafts = await openRegistryDrafts({ registry, cwd: registry, plans });
  t.after(() => drafts.close());
  return { drafts, registry, dir: dir.path };
}

const jsonBody = (value: unknown) => ({ format: 'json' as const, text: JSON.stringify(value) });

async function specOf(drafts: RegistryDrafts, directory: string, id: string) {
  return drafts.get(directory, id);
}

test('update: validated, written in place with its comments and flow style kept, the digest moves', async (t) => {
  const { drafts, registry } = await openDrafts(t);
  const before = await specOf(drafts, 'tools', 'text.llm@1');
  assert.equal(before.file, 'tools/text.llm.yaml');
  const result = await drafts.update('tools', 'text.llm@1', jsonBody({ ...before.spec, timeout_s: 99 }), {
    ifMatch: before.digest,
  });
  assert.notEqual(result.digest, before.digest);
  const text = readFileSync(join(registry, 'tools/text.llm.yaml'), 'utf8');
  assert.match(text, /^# A text-generation tool: the example every doc uses\.\n/, 'the comment is kept');
  assert.match(text, /^timeout_s: 99$/m);
  assert.match(text, /^capabilities: \["text\.generate"\]$/m, 'an unchanged flow sequence keeps its style');
  const after = await specOf(drafts, 'tools', 'text.llm@1');
  assert.equal(after.digest, result.digest, 'the catalog reads the new state at once');
  assert.equal(after.spec['timeout_s'], 99);
  // No temporary file is left next to it.
  assert.deepEqual(
    readdirSync(join(registry, 'tools')).filter((name) => name.startsWith('.')),
    [],
  );
});

test('a change based on an old digest is DRAFT_CHANGED, and a change on disk since counts too', async (t) => {
  const { drafts, registry } = await openDrafts(t);
  const read = await specOf(drafts, 'tools', 'web.search@1');
  await drafts.update('tools', 'web.search@1', jsonBody({ ...read.spec, description: 'first editor' }), {
    ifMatch: read.digest,
  });
  const files = snapshotFiles(registry);
  await assert.rejects(
    drafts.update('tools', 'web.search@1', jsonBody({ ...read.spec, description: 'second editor' }), {
      ifMatch: read.digest,
    }),
    codeOf('DRAFT_CHANGED'),
  );
  assert.deepEqual(snapshotFiles(registry), files, 'the first change is not lost');
  // An editor changes the file on disk: the digest read before no longer matches.
  const fresh = await specOf(drafts, 'tools', 'web.search@1');
  const path = join(registry, 'tools/web.search.yaml');
  writeFileSync(path, readFileSync(path, 'utf8').replace('first editor', 'changed in an editor'));
  await assert.rejects(
    drafts.update('tools', 'web.search@1', jsonBody({ ...fresh.spec, description: 'third' }), {
      ifMatch: fresh.digest,
    }),
    codeOf('DRAFT_CHANGED'),
  );
  assert.match(readFileSync(path, 'utf8'), /changed in an editor/);
});

test('an invalid change is INVALID_INPUT with positioned diagnostics, and nothing is written (dry run too)', async (t) => {
  const { drafts, registry } = await openDrafts(t);
  const files = snapshotFiles(registry);
  const read = await specOf(drafts, 'tools', 'text.llm@1');
  await assert.rejects(
    drafts.update('tools', 'text.llm@1', jsonBody({ ...read.spec, timeout_s: 'soon' }), { ifMatch: read.digest }),
    (error: unknown) => {
      assert.ok(isSpecError(error) && error.code === 'INVALID_INPUT');
      const diagnostic = error.diagnostics.find((each) => each.pointer === '/timeout_s');
      assert.ok(diagnostic, JSON.stringify(error.diagnostics));
      assert.equal(diagnostic.file, 'tools/text.llm.yaml');
      assert.equal(typeof diagnostic.line, 'number');
      return true;
    },
  );
  // A reference to nothing, and an unknown field: the same checks as spec build.
  await assert.rejects(
    drafts.update(
      'tools',
      'text.llm@1',
      jsonBody({ ...read.spec, predicates: { admission: [{ id: 'nothing.here@1' }] } }),
      { ifMatch: read.digest },
    ),
    (error: unknown) => isSpecError(error) && error.diagnostics.some((each) => each.code === 'REF_NOT_FOUND'),
  );
  await assert.rejects(
    drafts.update('tools', 'text.llm@1', jsonBody({ ...read.spec, surprise: true }), { ifMatch: read.digest }),
    codeOf('INVALID_INPUT'),
  );
  // A YAML body with a syntax error: positioned in the body.
  await assert.rejects(
    drafts.create('tools', { format: 'yaml', text: 'id: "x.y@1"\nname: [unclosed\n' }),
    (error: unknown) =>
      isSpecError(error) && error.code === 'INVALID_INPUT' && error.diagnostics.some((d) => d.line !== undefined),
  );
  const dry = await drafts.update('tools', 'text.llm@1', jsonBody({ ...read.spec, timeout_s: 5 }), {
    ifMatch: read.digest,
    dryRun: true,
  });
  assert.equal(dry.dryRun, true);
  assert.notEqual(dry.digest, read.digest);
  assert.deepEqual(snapshotFiles(registry), files, 'refused changes and dry runs write nothing');
  assert.equal((await specOf(drafts, 'tools', 'text.llm@1')).digest, read.digest);
});

test('create writes {directory}/{name}.yaml (or .v{version}.yaml when taken); an existing id is DRAFT_EXISTS', async (t) => {
  const { drafts, registry } = await openDrafts(t);
  const base = (await specOf(drafts, 'tools', 'web.search@1')).spec;
  const created = await drafts.create('tools', jsonBody({ ...base, id: 'web.lookup@1', name: 'Lookup' }));
  assert.equal(created.file, 'tools/web.lookup.yaml');
  assert.match(readFileSync(join(registry, created.file), 'utf8'), /^id: web\.lookup@1$/m);
  assert.ok((await drafts.list('tools')).some((each) => each.id === 'web.lookup@1'));
  const second = await drafts.create('tools', jsonBody({ ...base, id: 'web.lookup@2', name: 'Lookup 2' }));
  assert.equal(second.file, 'tools/web.lookup.v2.yaml');
  await assert.rejects(drafts.create('tools', jsonBody({ ...base, id: 'web.lookup@1' })), codeOf('DRAFT_EXISTS'));
  await assert.rejects(drafts.create('tools', jsonBody({ ...base, id: '../escape@1' })), codeOf('REF_INVALID'));
  // A YAML body is written as it was sent, comments and all.
  const yaml = `# sent as YAML\n${readFileSync(join(registry, 'tools/web.search.yaml'), 'utf8').replace(/id: "web\.search@1"/, 'id: "web.yaml@1"')}`;
  const fromYaml = await drafts.create('tools', { format: 'yaml', text: yaml });
  assert.equal(readFileSync(join(registry, fromYaml.file), 'utf8'), yaml);
  // A user-defined kind's directory works the same.
  const datasets = await drafts.list('datasets');
  assert.ok(datasets.length > 0);
  await assert.rejects(drafts.list('nowhere'), codeOf('SERVE_NOT_FOUND'));
});

test('an update must keep the id and the kind: DRAFT_ID_MISMATCH', async (t) => {
  const { drafts } = await openDrafts(t);
  const read = await specOf(drafts, 'tools', 'web.search@1');
  await assert.rejects(
    drafts.update('tools', 'web.search@1', jsonBody({ ...read.spec, id: 'web.search@9' }), { ifMatch: read.digest }),
    codeOf('DRAFT_ID_MISMATCH'),
  );
  await assert.rejects(
    drafts.update('schemas', 'web.search@1', jsonBody(read.spec), { ifMatch: read.digest }),
    codeOf('REF_NOT_FOUND'),
  );
});

test('delete: refused while specs or plans use it (SPEC_IN_USE, naming them), for protected specs; else removed', async (t) => {
  const { drafts, registry } = await openDrafts(t, { plans: true });
  const ledger = await specOf(drafts, 'tools', 'ledger.lookup@1');
  await assert.rejects(drafts.remove('tools', 'ledger.lookup@1', { ifMatch: ledger.digest }), (error: unknown) => {
    assert.ok(isSpecError(error) && error.code === 'SPEC_IN_USE');
    assert.equal(error.message, 'Cannot delete tool ledger.lookup@1: used by agents fraud@1, intake@1');
    return true;
  });
  const render = await specOf(drafts, 'tools', 'video.render@1');
  assert.ok(render.referrers.plans.length > 0, 'the plan is a referrer');
  await assert.rejects(drafts.remove('tools', 'video.render@1', { ifMatch: render.digest }), (error: unknown) => {
    assert.ok(isSpecError(error) && error.code === 'SPEC_IN_USE');
    assert.match(error.message, /plan/);
    return true;
  });
  const orchestrator = (await drafts.list('agents')).find((each) => each.file === 'agents/orchestrator.yaml')!;
  await assert.rejects(
    drafts.remove('agents', orchestrator.id, { ifMatch: orchestrator.digest }),
    codeOf('SPEC_PROTECTED'),
  );
  assert.ok(readFileSync(join(registry, 'tools/ledger.lookup.yaml')));
  const web = await specOf(drafts, 'tools', 'image.caption@1.2.0');
  assert.equal(web.referrers.specs.length + web.referrers.plans.length, 0);
  await drafts.remove('tools', 'image.caption@1.2.0', { ifMatch: web.digest });
  assert.ok(!readdirSync(join(registry, 'tools')).includes('image.caption.yaml'));
  await assert.rejects(specOf(drafts, 'tools', 'image.caption@1.2.0'), codeOf('REF_NOT_FOUND'));
});

test('a version a store publishes cannot change: VERSION_MUTATED, nothing written', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const store = await openStore({ directory: join(dir.path, 'store'), create: true });
  t.after(() => store.close());
  await buildSnapshot({ registry, store, tag: 'prod' });
  const drafts = await openRegistryDrafts({ registry, cwd: registry, publishedVersions: async () => store });
  t.after(() => drafts.close());
  const files = snapshotFiles(registry);
  const read = await drafts.get('tools', 'text.llm@1');
  await assert.rejects(
    drafts.update('tools', 'text.llm@1', jsonBody({ ...read.spec, timeout_s: 1 }), { ifMatch: read.digest }),
    (error: unknown) =>
      isSpecError(error) &&
      error.code === 'VERSION_MUTATED' &&
      error.diagnostics.some((each) => each.file === 'tools/text.llm.yaml'),
  );
  assert.deepEqual(snapshotFiles(registry), files);
  // A new version is fine.
  await drafts.create('tools', jsonBody({ ...read.spec, id: 'text.llm@3', timeout_s: 1 }));
});

test('changes are serialised: concurrent updates from the same digest, exactly one wins', async (t) => {
  const { drafts } = await openDrafts(t);
  const read = await specOf(drafts, 'tools', 'qa.answer@1');
  const results = await Promise.allSettled(
    [1, 2, 3, 4].map((n) =>
      drafts.update('tools', 'qa.answer@1', jsonBody({ ...read.spec, description: `editor ${n}` }), {
        ifMatch: read.digest,
      }),
    ),
  );
  assert.equal(results.filter((each) => each.status === 'fulfilled').length, 1);
  for (const failed of results.filter((each) => each.status === 'rejected'))
    assert.ok(codeOf('DRAFT_CHANGED')((failed as PromiseRejectedResult).reason));
});

test("a draft's referrers, from the build's record of references, are those found by reading every spec", async (t) => {
  const { drafts } = await openDrafts(t);
  const { findSpecReferrers } = await import('../../src/snapshot/referenceIndex.js');
  const view = drafts.catalog.snapshot;
  const kinds = new Map((await drafts.kinds()).map((kind) => [kind.name, kind.directory]));
  let referenced = 0;
  for (const entry of await view.list()) {
    if (entry.origin !== undefined) continue;
    const draft = await drafts.get(kinds.get(entry.kind)!, entry.id);
    const read = (await findSpecReferrers(view, entry.id)).referrers.filter((each) => each.id !== entry.id);
    assert.deepEqual(draft.referrers.specs, read, entry.id);
    if (read.length > 0) referenced++;
  }
  assert.ok(referenced >= 5, `the registry has referenced specs (${referenced})`);
});

test("a kind's first spec makes its folder; a dry run or a refused create leaves no folder behind", async (t) => {
  const { drafts, registry } = await openDrafts(t);
  const prompt = await specOf(drafts, 'prompts', 'trailer.script@1');
  await drafts.remove('prompts', 'trailer.script@1', { ifMatch: prompt.digest });
  rmSync(join(registry, 'prompts'), { recursive: true });
  const files = snapshotFiles(registry);
  const body = jsonBody({ ...prompt.spec, id: 'first.prompt@1' });
  await drafts.create('prompts', body, { dryRun: true });
  await assert.rejects(
    drafts.create('prompts', jsonBody({ ...prompt.spec, id: 'first.prompt@1', variables: 3 })),
    codeOf('INVALID_INPUT'),
  );
  assert.ok(!existsSync(join(registry, 'prompts')), 'no folder after a dry run or a refused create');
  assert.deepEqual(snapshotFiles(registry), files);
  const created = await drafts.create('prompts', body);
  assert.equal(created.file, 'prompts/first.prompt.yaml');
  assert.ok(existsSync(join(registry, created.file)));
});
