// The build cache and worker threads are optimisations only: they must never change a result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildSnapshot, compileRegistry } from '../../src/snapshot/buildSnapshot.js';
import { openStore } from '../../src/store/openStore.js';
import { tempDir } from '../support/cli.js';
import type { Diagnostic } from '../../src/errors.js';
import type { BuildIndex } from '../../src/snapshot/buildCache.js';

// The predicate's args $ref schema s0: a change to s0 reaches every tool through the predicate, both unchanged.
const budgetPredicate = 'id: "budget.ok@1"\nargs: {type: object, properties: {usd: {$ref: "s0@1#/properties/n"}}, required: [usd]}\n';

function writeRegistry(root: string, count: number): void {
  for (const directory of ['tools', 'schemas', 'policies', 'predicates']) mkdirSync(join(root, directory), { recursive: true });
  writeFileSync(join(root, 'predicates/budget.yaml'), budgetPredicate);
  for (let i = 0; i < count; i++) writeOne(root, i);
}

function writeOne(root: string, i: number): void {
  {
    writeFileSync(join(root, `schemas/s${i}.yaml`), `id: "s${i}@1"\nschema: {type: object, properties: {n: {type: integer, minimum: ${i}}}}\n`);
    writeFileSync(
      join(root, `tools/t${i}.yaml`),
      `id: "t${i}@1"\nname: "Tool ${i}"\nadapter: local\nentry_point: "f${i}"\ninputs:\n  - {name: a, schema: "s${i}@1"}\npredicates:\n  admission:\n    - {id: "budget.ok@1", args: {usd: ${i}}}\n`,
    );
    writeFileSync(join(root, `policies/p${i}.yaml`), `id: "p${i}@1"\nbudget: {max_usd_micro: ${i}}\n`);
  }
}

type Edit = { kind: 'value' | 'add' | 'remove' | 'break' | 'same-size' | 'remove-schema' | 'tighten-predicate' | 'chain-schema' | 'rename' | 'restore'; index: number; value: number };

const editKinds: Edit['kind'][] = ['value', 'add', 'remove', 'break', 'same-size', 'remove-schema', 'tighten-predicate', 'chain-schema', 'rename', 'restore'];

function applyEdit(root: string, edit: Edit, count: number): void {
  const i = edit.index % count;
  switch (edit.kind) {
    case 'value':
      writeFileSync(join(root, `policies/p${i}.yaml`), `id: "p${i}@1"\nbudget: {max_usd_micro: ${edit.value}}\n`);
      break;
    case 'add':
      writeFileSync(join(root, `policies/extra${edit.value}.yaml`), `id: "extra${edit.value}@1"\n`);
      break;
    case 'remove':
      rmSync(join(root, `policies/p${i}.yaml`), { force: true });
      break;
    case 'break':
      // A schema the tools depend on changes: the cached schema check must not be trusted.
      writeFileSync(join(root, `schemas/s${i}.yaml`), `id: "s${i}@1"\nschema: {type: object, properties: {n: {type: integer, minimum: ${edit.value}}}}\n`);
      break;
    case 'remove-schema':
      // Tool t<i> is unchanged but its input schema is gone: the cache must re-link it (REF_NOT_FOUND).
      rmSync(join(root, `schemas/s${i}.yaml`), { force: true });
      break;
    case 'tighten-predicate':
      // Every tool is unchanged, but the args some of them pass no longer validate (ARGS_INVALID).
      writeFileSync(join(root, 'predicates/budget.yaml'), `id: "budget.ok@1"\nargs: {type: object, properties: {usd: {type: integer, maximum: ${edit.value % count}}}, required: [usd]}\n`);
      break;
    case 'chain-schema': {
      // s<i> now $refs s<j>: a later change to s<j> reaches t<i> through s<i>, whose own file is unchanged.
      const j = (i + 1 + edit.value) % count;
      writeFileSync(join(root, `schemas/s${i}.yaml`), `id: "s${i}@1"\nschema: {type: object, properties: {n: {$ref: "s${j}@1#/properties/n"}}}\n`);
      if (edit.value % 3 === 0) writeFileSync(join(root, `schemas/s${j}.yaml`), `id: "s${j}@1"\nschema: {type: object, properties: {m: {type: integer}}}\n`);
      break;
    }
    case 'rename': {
      const from = join(root, `policies/p${i}.yaml`);
      if (!existsSync(from)) break;
      mkdirSync(join(root, 'policies/moved'), { recursive: true });
      writeFileSync(join(root, `policies/moved/p${i}.yaml`), readFileSync(from));
      rmSync(from);
      break;
    }
    case 'restore':
      rmSync(join(root, `policies/moved/p${i}.yaml`), { force: true });
      writeOne(root, i);
      writeFileSync(join(root, 'predicates/budget.yaml'), budgetPredicate);
      break;
    case 'same-size': {
      // Same size, same mtime: only ctime and content differ (the "racy git" case).
      const path = join(root, `policies/p${i}.yaml`);
      if (!existsSync(path)) break;
      const before = statSync(path);
      const text = readFileSync(path, 'utf8');
      writeFileSync(path, text.replace(/max_usd_micro: (\d)/, (_, digit: string) => `max_usd_micro: ${(Number(digit) + 1) % 10}`));
      utimesSync(path, before.atime, before.mtime);
      break;
    }
  }
}

/** A build's result as comparable data: the snapshot id, or the error code; and every diagnostic, positioned. */
async function outcome(build: Promise<{ snapshot: string; diagnostics: Diagnostic[] }>): Promise<{ result: string; diagnostics: string[] }> {
  const describe = (diagnostics: readonly Diagnostic[]) => diagnostics.map((d) => `${d.severity} ${d.code} ${d.file}:${d.line}:${d.column} ${d.pointer ?? ''} ${d.message}`).sort();
  try {
    const built = await build;
    return { result: built.snapshot, diagnostics: describe(built.diagnostics) };
  } catch (error) {
    const failure = error as { code: string; diagnostics?: Diagnostic[] };
    return { result: failure.code, diagnostics: describe(failure.diagnostics ?? []) };
  }
}

test('builds with the cache give the same ids and diagnostics as builds without it, across random edits (property)', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = join(dir.path, 'registry');
  const count = 20;
  writeRegistry(registry, count);
  const store = await openStore({ directory: join(dir.path, 'store'), create: true });
  t.after(() => store.close());
  await buildSnapshot({ registry, store });
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ kind: fc.constantFrom(...editKinds), index: fc.nat(), value: fc.nat({ max: 99 }) }), { minLength: 1, maxLength: 3 }),
      async (edits) => {
        for (const edit of edits) applyEdit(registry, edit, count);
        const uncached = await outcome(compileRegistry({ registry, store, useCache: false }));
        const cached = await outcome(buildSnapshot({ registry, store }));
        assert.deepEqual(cached, uncached);
      },
    ),
    { numRuns: 60 },
  );
});

test('an unchanged registry rebuilds from the cache alone; a changed file is analysed again', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = join(dir.path, 'registry');
  writeRegistry(registry, 5);
  const store = await openStore({ directory: join(dir.path, 'store'), create: true });
  t.after(() => store.close());
  const first = await buildSnapshot({ registry, store });
  assert.equal(first.reused, 0);
  // Files written in the same instant as the listing are not trusted; age them as an editor would have.
  const old = new Date(Date.now() - 60_000);
  for (const name of ['policies/p0.yaml', 'policies/p1.yaml', 'tools/t0.yaml']) utimesSync(join(registry, name), old, old);
  const again = await buildSnapshot({ registry, store });
  assert.equal(again.snapshot, first.snapshot);
  const third = await buildSnapshot({ registry, store });
  assert.equal(third.analyzed, 0, `nothing is read when nothing changed: ${JSON.stringify(third)}`);
  writeFileSync(join(registry, 'policies/p0.yaml'), 'id: "p0@1"\nbudget: {max_usd_micro: 42}\n');
  const changed = await buildSnapshot({ registry, store });
  assert.notEqual(changed.snapshot, first.snapshot);
  assert.equal(changed.analyzed, 1, JSON.stringify(changed));
});

test('worker threads give the same snapshot and diagnostics as a single thread', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = join(dir.path, 'registry');
  writeRegistry(registry, 160); // 481 files: above the worker threshold
  const single = await compileRegistry({ registry, threads: 1 });
  const parallel = await compileRegistry({ registry, threads: 2 });
  assert.equal(parallel.snapshot, single.snapshot);
  writeFileSync(join(registry, 'tools/t7.yaml'), 'id: "t7@1"\nname: 1\n');
  const errors = async (threads: number) => {
    try {
      await compileRegistry({ registry, threads });
      return [];
    } catch (error) {
      return (error as { diagnostics: unknown[] }).diagnostics;
    }
  };
  const singleErrors = await errors(1);
  assert.ok(singleErrors.length > 0);
  assert.deepEqual(await errors(2), singleErrors);
});

test('the build index round-trips through its stored form; a damaged or foreign one is no index at all', async () => {
  const { encodeBuildIndex, decodeBuildIndex, buildCacheFormat } = await import('../../src/snapshot/buildCache.js');
  const { toolVersion } = await import('../../src/version.js');
  const warning: Diagnostic = { code: 'SPEC_WARNING', message: 'a "quoted"\u0000 message\nover lines', severity: 'warning', file: 'tools/a b.yaml', line: 2, column: 3 };
  const index: BuildIndex = {
    format: buildCacheFormat,
    tool: toolVersion,
    listedAt: 1764576000123.5,
    files: new Map([
      ['tools/a b.yaml', { size: 120, mtimeMs: 1764576000000.25, ctimeMs: 1764576000001, ino: 42, kind: 'tool', id: 't.a@1', digest: `sha256:${'a'.repeat(64)}` as const, warnings: [warning], references: ['s.b@1', 'p.c@2'] }],
      ['schemas/ünï\ncode.yaml', { size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0, kind: 'schema', references: [] }],
      ['schemas/last.yaml', { size: 7, mtimeMs: 1, ctimeMs: 2, ino: 3, kind: 'schema', id: 's.b@1', digest: `sha256:${'c'.repeat(64)}` as const, references: ['s.d@1'] }],
    ]),
    last: { snapshot: `sha256:${'b'.repeat(64)}` as const },
  };
  const text = encodeBuildIndex(index);
  assert.deepEqual(decodeBuildIndex(text), index);
  assert.deepEqual([...decodeBuildIndex(text)!.files.keys()], ['tools/a b.yaml', 'schemas/ünï\ncode.yaml', 'schemas/last.yaml'], 'listing order is kept');
  // Entries decoded and written again unchanged are written as the same text; a replaced entry is encoded afresh.
  const decoded = decodeBuildIndex(text)!;
  assert.equal(encodeBuildIndex(decoded), text);
  decoded.files.set('schemas/last.yaml', { ...decoded.files.get('schemas/last.yaml')!, references: ['s.e@1', 's.f@1'] });
  const reencoded = encodeBuildIndex(decoded);
  assert.deepEqual(decodeBuildIndex(reencoded)!.files.get('schemas/last.yaml')!.references, ['s.e@1', 's.f@1']);
  assert.deepEqual(decodeBuildIndex(reencoded)!.files.get('tools/a b.yaml'), index.files.get('tools/a b.yaml'));
  decoded.files.delete('tools/a b.yaml');
  decoded.files.set('tools/renamed.yaml', index.files.get('tools/a b.yaml')!);
  assert.deepEqual([...decodeBuildIndex(encodeBuildIndex(decoded))!.files.keys()].sort(), ['schemas/last.yaml', 'schemas/ünï\ncode.yaml', 'tools/renamed.yaml']);
  assert.deepEqual(decodeBuildIndex(encodeBuildIndex({ ...index, files: new Map() }))!.files.size, 0);
  assert.equal(decodeBuildIndex(text.slice(0, text.lastIndexOf('\u0000'))), undefined, 'a truncated entry');
  assert.equal(decodeBuildIndex(text.replace('\u00002\u0000s.b@1', '\u0000x\u0000s.b@1')), undefined, 'a reference count that is not a number');
  assert.equal(decodeBuildIndex(text.replace(buildCacheFormat, 'specstore/build-cache/v1')), undefined, 'another format');
  assert.equal(decodeBuildIndex(text.replace(JSON.stringify(toolVersion), '"0.0.0-other"')), undefined, 'another tool version');
  assert.equal(decodeBuildIndex('{"format":'), undefined, 'no header line');
  assert.equal(decodeBuildIndex(JSON.stringify({ format: buildCacheFormat, tool: toolVersion, files: {} })), undefined, 'the older JSON form');
});
