// `spec docs`: the same snapshot gives the same bytes (a golden over the bundled registry), every link resolves, any
// text is escaped, workflows and the reference graph are Mermaid, and the folder is written all or nothing.
//
// Regenerate the golden after the bundled registry changes: `npm run snapshots` (which runs this file with
// SPEC_UPDATE_GOLDEN=1), or `SPEC_UPDATE_GOLDEN=1 node --test --import tsx test/docgen/docs.test.ts`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { buildSnapshot } from '../../src/build/buildSnapshot.js';
import { generateDocs, type GeneratedDocs } from '../../src/docgen/generateDocs.js';
import { safeSegment } from '../../src/docgen/docsLayout.js';
import { writeDocs } from '../../src/docgen/writeDocs.js';
import { isSpecError } from '../../src/errors.js';
import { builtinKinds } from '../../src/kinds/builtinKinds.js';
import type { KindDescriptor } from '../../src/kinds/kindDescriptor.js';
import { SnapshotView } from '../../src/snapshot/snapshotView.js';
import { openStore } from '../../src/store/openStore.js';
import type { BuildMetadata } from '../../src/store/specStore.js';
import { bundledRegistry, copyBundledRegistry, json, repoRoot, runSpec, tempDir } from '../support/cli.js';

const goldenDir = join(repoRoot, 'test/fixtures/docs/bundled');
const fixedMetadata: BuildMetadata = { createdAt: '2000-01-01T00:00:00.000Z', tool: 'specstore (golden)', specs: 0 };
const codeOf = (code: string) => (error: unknown) => isSpecError(error) && error.code === code;

/** A workflow kind of the test's own (the built-in one may differ): named nodes with a step ref and next names. */
const testWorkflowKind: KindDescriptor = {
  name: 'workflow',
  directory: 'workflows',
  summary: 'Steps in a graph.',
  schema: { type: 'object', required: ['id', 'graph', 'start'] },
  references: [{ path: '/graph/*/step', kinds: ['tool', 'agent'] }],
  embeddedSchemas: [],
};
const testKinds = [...builtinKinds.filter((kind) => kind.name !== 'workflow'), testWorkflowKind];

/** Without `kinds`, the build reads the registry's own kind files (as `spec build` does). */
async function docsOf(registry: string, kinds?: readonly KindDescriptor[]): Promise<GeneratedDocs> {
  const store = await openStore({ directory: ':memory:' });
  try {
    const { snapshot, specs } = await buildSnapshot({ registry, store, ...(kinds ? { kinds } : {}) }).catch(
      (error: unknown) => {
        const problems = isSpecError(error) ? error.diagnostics.map((d) => `${d.file} ${d.code} ${d.message}`) : [];
        throw new Error(`the test registry does not build:\n${problems.join('\n')}`, { cause: error });
      },
    );
    return await generateDocs(await SnapshotView.open(store, snapshot), {
      ...(kinds ? { kinds } : {}),
      metadata: { ...fixedMetadata, specs },
    });
  } finally {
    await store.close();
  }
}

function filesUnder(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? filesUnder(root, path) : [path];
  });
}

test('golden: the docs of the bundled registry are byte for byte the files in test/fixtures/docs/bundled', async () => {
  const docs = await docsOf(bundledRegistry);
  if (process.env['SPEC_UPDATE_GOLDEN'] === '1') {
    rmSync(goldenDir, { recursive: true, force: true });
    for (const file of docs.files) {
      mkdirSync(dirname(join(goldenDir, file.path)), { recursive: true });
      writeFileSync(join(goldenDir, file.path), file.text);
    }
  }
  assert.deepEqual(
    docs.files.map((file) => file.path),
    filesUnder(goldenDir).sort(),
    'the pages are the golden pages (regenerate: see the top of this file)',
  );
  for (const file of docs.files)
    assert.equal(file.text, readFileSync(join(goldenDir, file.path), 'utf8'), `${file.path} differs from the golden`);
});

test('the same snapshot gives the same bytes, from another store and another build of it', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const first = await docsOf(bundledRegistry);
  const directory = join(dir.path, 'store');
  const store = await openStore({ directory, create: true });
  t.after(() => store.close());
  const { snapshot, specs } = await buildSnapshot({ registry: copyBundledRegistry(dir.path), store });
  assert.equal(snapshot, first.snapshot);
  const second = await generateDocs(await SnapshotView.open(store, snapshot), {
    metadata: { ...fixedMetadata, specs },
  });
  assert.deepEqual(second, first);
});

/** A registry with hostile text, versions that differ only in case, and a workflow. */
function writeHostileRegistry(root: string): string {
  const registry = copyBundledRegistry(root);
  const tool = (id: string, description: string) =>
    `id: "${id}"\nname: "Case"\nadapter: local\nentry_point: "x"\ndescription: ${JSON.stringify(description)}\ncapabilities: ["search"]\ninputs:\n  - {name: "q", type: string, default: "a|b\`c"}\n`;
  writeFileSync(
    join(registry, 'tools/case.a.yaml'),
    tool('case.tool@1.0.0-RC1', 'pipes | and `ticks` <b>bold</b>\nnew line'),
  );
  writeFileSync(join(registry, 'tools/case.b.yaml'), tool('case.tool@1.0.0-rc1', '# not a heading [not](a-link)'));
  mkdirSync(join(registry, 'workflows'), { recursive: true });
  writeFileSync(
    join(registry, 'workflows/search.qa.yaml'),
    [
      'id: "search.qa@1"',
      'start: search',
      'graph:',
      '  search: {step: "case.tool@1.0.0-rc1", next: [fetch]}',
      '  fetch: {step: "media.probe@2", next: [answer, "odd \\"name\\" #1"]}',
      '  answer: {step: "text.llm@2", next: []}',
      '  "odd \\"name\\" #1": {step: "text.llm@1", next: []}',
      '',
    ].join('\n'),
  );
  return registry;
}

/** Every relative link target of a page (outside code spans), resolved against the page's folder. */
function linkTargets(page: string, text: string): string[] {
  return [...text.replace(/(`+)[\s\S]*?\1/g, '').matchAll(/(?<!\\)\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .map((target) => {
      assert.ok(!/^[a-z]+:/.test(target), `${page}: ${target} is not relative`);
      return posix.normalize(posix.join(posix.dirname(page), target));
    });
}

test('every relative link of every page resolves to a written file (no anchors are used)', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const docs = await docsOf(writeHostileRegistry(dir.path), testKinds);
  const out = join(dir.path, 'out');
  writeDocs(docs, out);
  let links = 0;
  for (const file of docs.files) {
    for (const target of linkTargets(file.path, file.text)) {
      links++;
      assert.ok(!target.includes('#'), `${file.path}: ${target} has an anchor`);
      assert.ok(!target.startsWith('..'), `${file.path}: ${target} leaves the folder`);
      assert.ok(existsSync(join(out, target)), `${file.path}: ${target} does not exist`);
    }
  }
  assert.ok(links > 50, `only ${links} links found: the pattern no longer matches the pages`);
});

test('any text is escaped: table rows keep their cells, Mermaid labels stay quoted, no HTML gets through', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const docs = await docsOf(writeHostileRegistry(dir.path), testKinds);
  const byPath = new Map(docs.files.map((file) => [file.path, file.text]));
  for (const { path, text } of docs.files) {
    let columns: number | undefined;
    for (const line of text.split('\n')) {
      if (!line.startsWith('|')) {
        columns = undefined;
        continue;
      }
      const cells = line.replace(/\\\|/g, '').split('|').length - 2;
      columns ??= cells;
      assert.equal(cells, columns, `${path}: a row with ${cells} cells in a table of ${columns}: ${line}`);
    }
    const outsideCode = text.replace(/(`+)[\s\S]*?\1/g, '');
    assert.ok(!/<b>|<\/b>/.test(outsideCode), `${path} lets HTML through`);
    for (const block of text.matchAll(/```mermaid\n([\s\S]*?)```/g))
      for (const line of block[1]!.split('\n').slice(1, -1))
        assert.match(line, /^ {2}(\w+(\["[^"]*"\]|\(\("[^"]*"\)\))|\w+ --> \w+)$/, `${path}: ${line}`);
  }
  // Versions that differ only in case have different files on any file system.
  const upper = `tools/case.tool@1.0.0-${safeSegment('RC1')}.md`;
  assert.equal(upper, 'tools/case.tool@1.0.0-~52~431.md');
  assert.ok(byPath.has(upper) && byPath.has('tools/case.tool@1.0.0-rc1.md'));
  assert.match(byPath.get(upper)!, /pipes \\\| and \\`ticks\\` \\<b\\>bold\\<\/b\\> new line/);
  assert.match(byPath.get('tools/case.tool@1.0.0-rc1.md')!, /\| `q` \| `string` \| no \| ``"a\\\|b`c"`` \|/);
});

test('a workflow is a Mermaid flowchart from its start, its nodes in name order, with steps linked', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const docs = await docsOf(writeHostileRegistry(dir.path), testKinds);
  const page = docs.files.find((file) => file.path === 'workflows/search.qa@1.md')!.text;
  const diagram = /```mermaid\n([\s\S]*?)```/.exec(page)![1]!;
  assert.equal(
    diagram,
    [
      'flowchart TD',
      '  start(("start"))',
      '  start --> n3',
      '  n0["answer: text.llm@2"]',
      '  n1["fetch: media.probe@2"]',
      '  n2["odd #34;name#34; #35;1: text.llm@1"]',
      '  n3["search: case.tool@1.0.0-rc1"]',
      '  n1 --> n0',
      '  n1 --> n2',
      '  n3 --> n1',
      '',
    ].join('\n'),
  );
  assert.match(page, /\| `answer` \| \[text\.llm@2\]\(\.\.\/tools\/text\.llm@2\.md\) \|/, 'a step links to its page');
  const llm = docs.files.find((file) => file.path === 'tools/text.llm@2.md')!.text;
  assert.match(
    llm,
    /## Referenced by\n\n\| spec \| kind \| at \|\n\| --- \| --- \| --- \|\n\| \[search\.qa@1\]\(\.\.\/workflows\/search\.qa@1\.md\) \| workflow \| `\/graph\/answer\/step` \|/,
  );
});

test('writing: a new folder, a rerun replaces its own output, a folder of other files is refused unless forced', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const docs = await docsOf(bundledRegistry);
  const out = join(dir.path, 'out');
  const first = writeDocs(docs, out, { shown: 'out' });
  assert.equal(first.replaced, false);
  assert.deepEqual(filesUnder(out).sort(), [...first.files].sort());
  assert.ok(first.files.includes('index.md') && first.files.includes('.spec-docs.json'));

  writeFileSync(join(out, 'tools/stale.md'), 'old');
  const again = writeDocs(docs, out);
  assert.equal(again.replaced, true);
  assert.ok(!existsSync(join(out, 'tools/stale.md')), 'a rerun leaves no stale page');
  assert.deepEqual(readdirSync(dir.path).sort(), ['out'], 'nothing is left beside it (no staging or old folder)');

  const foreign = join(dir.path, 'site');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'notes.txt'), 'mine');
  assert.throws(() => writeDocs(docs, foreign), codeOf('OUTPUT_NOT_EMPTY'));
  assert.deepEqual(readdirSync(foreign), ['notes.txt'], 'nothing written');
  writeDocs(docs, foreign, { force: true });
  assert.ok(!existsSync(join(foreign, 'notes.txt')) && existsSync(join(foreign, 'index.md')));

  const empty = join(dir.path, 'empty');
  mkdirSync(empty);
  assert.equal(writeDocs(docs, empty).replaced, true);
  writeFileSync(join(dir.path, 'file'), 'x');
  assert.throws(() => writeDocs(docs, join(dir.path, 'file')), codeOf('OUTPUT_FAILED'));
  assert.throws(() => writeDocs(docs, join(dir.path, 'missing/out')), codeOf('OUTPUT_NOT_FOUND'));
});

test('spec docs: writes the folder and prints what it wrote; a foreign folder exits 1 with OUTPUT_NOT_EMPTY', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  assert.equal(runSpec(['build'], { cwd: dir.path }).status, 0);
  const result = runSpec(['docs', '-o', 'site', '--json'], { cwd: dir.path });
  assert.equal(result.status, 0, result.stderr);
  const written = json(result);
  assert.equal(written.directory, 'site');
  assert.ok(written.files.includes('tools/text.llm@1.md'));
  assert.match(readFileSync(join(dir.path, 'site/index.md'), 'utf8'), /^# Snapshot `sha256:[0-9a-f]{64}`\n/);
  assert.match(readFileSync(join(dir.path, 'site/index.md'), 'utf8'), /\| built \| `\d{4}-\d\d-\d\dT/);

  mkdirSync(join(dir.path, 'mine'));
  writeFileSync(join(dir.path, 'mine/keep.md'), 'keep');
  const refused = runSpec(['docs', 'latest', '-o', 'mine'], { cwd: dir.path });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^OUTPUT_NOT_EMPTY /m);
  assert.equal(readFileSync(join(dir.path, 'mine/keep.md'), 'utf8'), 'keep');
  assert.equal(runSpec(['docs', 'latest', '-o', 'mine', '--force'], { cwd: dir.path }).status, 0);
  const missing = runSpec(['docs', 'nope', '-o', 'other', '--json'], { cwd: dir.path });
  assert.equal(json(missing).error.code, 'SNAPSHOT_NOT_FOUND');
  assert.ok(!existsSync(join(dir.path, 'other')));
});

test('file names: one-to-one and safe for any text', () => {
  assert.equal(safeSegment('text.llm@1'), 'text.llm@1');
  assert.equal(safeSegment('a/b'), 'a~2fb');
  assert.equal(safeSegment('..'), '~2e~2e');
  assert.equal(safeSegment('é'), '~c3~a9');
  assert.notEqual(safeSegment('~41'), safeSegment('A'));
});
