// The build cache and worker threads are optimisations only: they must never change a result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildSnapshot, compileRegistry } from '../../src/snapshot/buildSnapshot.js';
import { openStore } from '../../src/store/openStore.js';
import { tempDir } from '../support/cli.js';

function writeRegistry(root: string, count: number): void {
  for (const directory of ['tools', 'schemas', 'policies', 'predicates']) mkdirSync(join(root, directory), { recursive: true });
  writeFileSync(join(root, 'predicates/budget.yaml'), 'id: "budget.ok@1"\nargs: {type: object, properties: {usd: {type: integer}}, required: [usd]}\n');
  for (let i = 0; i < count; i++) {
    writeFileSync(join(root, `schemas/s${i}.yaml`), `id: "s${i}@1"\nschema: {type: object, properties: {n: {type: integer, minimum: ${i}}}}\n`);
    writeFileSync(
      join(root, `tools/t${i}.yaml`),
      `id: "t${i}@1"\nname: "Tool ${i}"\nadapter: local\nentry_point: "f${i}"\ninputs:\n  - {name: a, schema: "s${i}@1"}\npredicates:\n  admission:\n    - {id: "budget.ok@1", args: {usd: ${i}}}\n`,
    );
    writeFileSync(join(root, `policies/p${i}.yaml`), `id: "p${i}@1"\nbudget: {max_usd_micro: ${i}}\n`);
  }
}

type Edit = { kind: 'value' | 'add' | 'remove' | 'break' | 'same-size'; index: number; value: number };

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

test('builds with the cache give the same ids as builds without it, across random edits (property)', async (t) => {
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
      fc.array(fc.record({ kind: fc.constantFrom<Edit['kind']>('value', 'add', 'remove', 'break', 'same-size'), index: fc.nat(), value: fc.nat({ max: 99 }) }), { minLength: 1, maxLength: 3 }),
      async (edits) => {
        for (const edit of edits) applyEdit(registry, edit, count);
        let uncached: string | undefined;
        try {
          uncached = (await compileRegistry({ registry, store, useCache: false })).snapshot;
        } catch (error) {
          uncached = (error as { code: string }).code;
        }
        let cached: string;
        try {
          cached = (await buildSnapshot({ registry, store })).snapshot;
        } catch (error) {
          cached = (error as { code: string }).code;
        }
        assert.equal(cached, uncached);
      },
    ),
    { numRuns: 30 },
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
