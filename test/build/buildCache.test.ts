// The build cache and worker threads are optimisations only: they must never change a result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { buildSnapshot, compileRegistry } from '../../src/build/buildSnapshot.js';
import { openStore } from '../../src/store/openStore.js';
import { tempDir } from '../support/cli.js';
import type { Diagnostic } from '../../src/errors.js';
import type { BuildIndex, IndexEntry } from '../../src/build/buildCache.js';

// The predicate's args $ref schema s0: a change to s0 reaches every tool through the predicate, both unchanged.
const budgetPredicate =
  'id: "budget.ok@1"\nargs: {type: object, properties: {usd: {$ref: "s0@1#/properties/n"}}, required: [usd]}\n';

function writeRegistry(root: string, count: number): void {
  for (const directory of ['tools', 'schemas', 'policies', 'predicates'])
    mkdirSync(join(root, directory), { recursive: true });
  writeFileSync(join(root, 'predicates/budget.yaml'), budgetPredicate);
  for (let i = 0; i < count; i++) writeOne(root, i);
}

function writeOne(root: string, i: number): void {
  {
    writeFileSync(
      join(root, `schemas/s${i}.yaml`),
      `id: "s${i}@1"\nschema: {type: object, properties: {n: {type: integer, minimum: ${i}}}}\n`,
    );
    writeFileSync(join(root, `tools/t${i}.yaml`), toolText(i, `Tool ${i}`, i));
    writeFileSync(join(root, `policies/p${i}.yaml`), `id: "p${i}@1"\nbudget: {max_usd_micro: ${i}}\n`);
  }
}

function toolText(i: number, name: string, usd: number): string {
  return `id: "t${i}@1"\nname: "${name}"\nadapter: local\nentry_point: "f${i}"\ninputs:\n  - {name: a, schema: "s${i}@1"}\npredicates:\n  admission:\n    - {id: "budget.ok@1", args: {usd: ${usd}}}\n`;
}

/**
 * Makes every file a minute old, as an editor's files are, then lets the clock move on: utimes sets ctime to now, and
 * a listing in that same millisecond would rightly not trust the files. Returns the time set.
 */
async function ageRegistry(root: string): Promise<Date> {
  const old = new Date(Date.now() - 60_000);
  for (const directory of ['tools', 'schemas', 'policies', 'predicates'])
    for (const name of readdirSync(join(root, directory))) utimesSync(join(root, directory, name), old, old);
  await new Promise((done) => setTimeout(done, 25));
  return old;
}

type Edit = {
  kind:
    | 'value'
    | 'add'
    | 'remove'
    | 'break'
    | 'same-size'
    | 'remove-schema'
    | 'tighten-predicate'
    | 'chain-schema'
    | 'rename'
    | 'restore'
    | 'tool-args'
    | 'tool-name'
    | 'add-version'
    | 'add-version-other-kind'
    | 'schema-to-policy'
    | 'duplicate-id'
    | 'remove-predicate';
  index: number;
  value: number;
};

const editKinds: Edit['kind'][] = [
  'value',
  'add',
  'remove',
  'break',
  'same-size',
  'remove-schema',
  'tighten-predicate',
  'chain-schema',
  'rename',
  'restore',
  'tool-args',
  'tool-name',
  'add-version',
  'add-version-other-kind',
  'schema-to-policy',
  'duplicate-id',
  'remove-predicate',
];

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
      writeFileSync(
        join(root, `schemas/s${i}.yaml`),
        `id: "s${i}@1"\nschema: {type: object, properties: {n: {type: integer, minimum: ${edit.value}}}}\n`,
      );
      break;
    case 'remove-schema':
      // Tool t<i> is unchanged but its input schema is gone: the cache must re-link it (REF_NOT_FOUND).
      rmSync(join(root, `schemas/s${i}.yaml`), { force: true });
      break;
    case 'tighten-predicate':
      // Every tool is unchanged, but the args some of them pass no longer validate (ARGS_INVALID).
      writeFileSync(
        join(root, 'predicates/budget.yaml'),
        `id: "budget.ok@1"\nargs: {type: object, properties: {usd: {type: integer, maximum: ${edit.value % count}}}, required: [usd]}\n`,
      );
      break;
    case 'chain-schema': {
      // s<i> now $refs s<j>: a later change to s<j> reaches t<i> through s<i>, whose own file is unchanged.
      const j = (i + 1 + edit.value) % count;
      writeFileSync(
        join(root, `schemas/s${i}.yaml`),
        `id: "s${i}@1"\nschema: {type: object, properties: {n: {$ref: "s${j}@1#/properties/n"}}}\n`,
      );
      if (edit.value % 3 === 0)
        writeFileSync(
          join(root, `schemas/s${j}.yaml`),
          `id: "s${j}@1"\nschema: {type: object, properties: {m: {type: integer}}}\n`,
        );
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
    case 'tool-args':
      // The payload a tool passes changes: it must be checked again (a tightened predicate may refuse it).
      writeFileSync(join(root, `tools/t${i}.yaml`), toolText(i, `Tool ${i}`, edit.value));
      break;
    case 'tool-name':
      // Only a field outside the payload changes: the payload's earlier verdict may be reused, never a wrong one.
      writeFileSync(join(root, `tools/t${i}.yaml`), toolText(i, `Tool ${i} (${edit.value})`, i));
      break;
    case 'add-version':
      // A second version of a referenced name: what the snapshot resolves `s<i>` (the highest version) to changes,
      // while t<i>'s exact reference to s<i>@1 still holds; s<i>@2 sorts before or after s<i>@1's file by `value`.
      writeFileSync(
        join(root, `schemas/${edit.value % 2 ? 'a' : 'z'}-s${i}-v2.yaml`),
        `id: "s${i}@2"\nschema: {type: object, properties: {n: {type: integer, minimum: ${edit.value}}}}\n`,
      );
      break;
    case 'add-version-other-kind':
      // A version of schema s<i>'s name as a policy: NAME_KIND_CONFLICT, on whichever file sorts later.
      writeFileSync(join(root, `policies/${edit.value % 2 ? 'a' : 'z'}-s${i}-v3.yaml`), `id: "s${i}@3"\n`);
      break;
    case 'schema-to-policy':
      // The id t<i> references stays, but becomes a policy: REF_WRONG_KIND on the unchanged tool.
      rmSync(join(root, `schemas/s${i}.yaml`), { force: true });
      writeFileSync(join(root, `policies/s${i}.yaml`), `id: "s${i}@1"\n`);
      break;
    case 'duplicate-id':
      // Another file defines p<i>@1: DUPLICATE_ID on the later file, which may be the unchanged one.
      writeFileSync(
        join(root, `policies/${edit.value % 2 ? 'a' : 'z'}-dup-p${i}.yaml`),
        `id: "p${i}@1"\nbudget: {max_usd_micro: ${edit.value}}\n`,
      );
      break;
    case 'remove-predicate':
      // Every tool references it and is unchanged: each must be re-linked (REF_NOT_FOUND).
      rmSync(join(root, 'predicates/budget.yaml'), { force: true });
      break;
    case 'restore':
      for (const extra of [
        `schemas/a-s${i}-v2.yaml`,
        `schemas/z-s${i}-v2.yaml`,
        `policies/a-s${i}-v3.yaml`,
        `policies/z-s${i}-v3.yaml`,
        `policies/s${i}.yaml`,
        `policies/a-dup-p${i}.yaml`,
        `policies/z-dup-p${i}.yaml`,
      ])
        rmSync(join(root, extra), { force: true });
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
      writeFileSync(
        path,
        text.replace(/max_usd_micro: (\d)/, (_, digit: string) => `max_usd_micro: ${(Number(digit) + 1) % 10}`),
      );
      utimesSync(path, before.atime, before.mtime);
      break;
    }
  }
}

/** A build's result as comparable data: the snapshot id, or the error code; and every diagnostic, positioned. */
async function outcome(
  build: Promise<{ snapshot: string; diagnostics: Diagnostic[] }>,
): Promise<{ result: string; diagnostics: string[] }> {
  const describe = (diagnostics: readonly Diagnostic[]) =>
    diagnostics
      .map((d) => `${d.severity} ${d.code} ${d.file}:${d.line}:${d.column} ${d.pointer ?? ''} ${d.message}`)
      .sort();
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
  // SPECSTORE_CACHE_PROPERTY_SPECS / _RUNS run it at scale once (docs/performance.md: 50k specs, a few runs).
  const count = Number(process.env['SPECSTORE_CACHE_PROPERTY_SPECS'] ?? 20);
  writeRegistry(registry, count);
  const store = await openStore({ directory: join(dir.path, 'store'), create: true });
  t.after(() => store.close());
  await buildSnapshot({ registry, store });
  // Edits accumulate; a registry left invalid compares only errors, so about half of the rounds first restore the
  // specs edited so far, and the edits of a round then meet a valid registry (and its snapshot ids are compared).
  const edited = new Set<number>();
  await fc.assert(
    fc.asyncProperty(
      fc.boolean(),
      fc.array(fc.record({ kind: fc.constantFrom(...editKinds), index: fc.nat(), value: fc.nat({ max: 99 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
      async (restoreFirst, edits) => {
        if (restoreFirst) {
          for (const index of edited) applyEdit(registry, { kind: 'restore', index, value: 0 }, count);
          edited.clear();
        }
        for (const edit of edits) {
          applyEdit(registry, edit, count);
          edited.add(edit.index % count);
        }
        const uncached = await outcome(compileRegistry({ registry, store, useCache: false }));
        const cached = await outcome(buildSnapshot({ registry, store }));
        assert.deepEqual(cached, uncached);
      },
    ),
    { numRuns: Number(process.env['SPECSTORE_CACHE_PROPERTY_RUNS'] ?? 60) },
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
  for (const name of ['policies/p0.yaml', 'policies/p1.yaml', 'tools/t0.yaml'])
    utimesSync(join(registry, name), old, old);
  // utimes sets ctime to now: a listing in the same millisecond would rightly not trust these files next time either.
  await new Promise((resolve) => setTimeout(resolve, 25));
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

test('the build index round-trips through its stored buckets; a build writes only the buckets that changed', async () => {
  const { encodeBuildIndex, decodeBuildIndex, buildCacheFormat, bucketOf, isUnchanged } =
    await import('../../src/build/buildCache.js');
  const { toolVersion } = await import('../../src/version.js');
  type Stored = { header: string; buckets: Map<number, string> };
  const stored = (encoded: { header: string; buckets: Map<number, string | undefined> }, base?: Stored): Stored => {
    const buckets = new Map(base?.buckets ?? []);
    for (const [bucket, text] of encoded.buckets) {
      if (text === undefined) buckets.delete(bucket);
      else buckets.set(bucket, text);
    }
    return { header: encoded.header, buckets };
  };
  const warning: Diagnostic = {
    code: 'SPEC_WARNING',
    message: 'a "quoted"\u0000 message\nover lines',
    severity: 'warning',
    file: 'tools/a b.yaml',
    line: 2,
    column: 3,
  };
  const digest = (c: string) => `sha256:${c.repeat(64)}` as const;
  const files = new Map<string, IndexEntry>([
    [
      'tools/a b.yaml',
      {
        size: 120,
        mtimeMs: 1764576000000.25,
        ctimeMs: 1764576000001,
        ino: 42,
        kind: 'tool',
        id: 't.a@1',
        digest: digest('a'),
        warnings: [warning],
        references: ['s.b@1', 'p.c@2'],
      },
    ],
    ['schemas/ünï\ncode.yaml', { size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0, kind: 'schema', references: [] }],
  ]);
  for (let i = 0; i < 300; i++)
    files.set(`schemas/s${i}.yaml`, {
      size: i,
      mtimeMs: 1000 + i,
      ctimeMs: 1000 + i,
      ino: i,
      kind: 'schema',
      id: `s${i}@1`,
      digest: digest('c'),
      references: i % 2 ? [`s${i - 1}@1`] : [],
    });
  const index: BuildIndex = {
    format: buildCacheFormat,
    tool: toolVersion,
    listedAt: 1764576000123.5,
    files,
    last: { snapshot: digest('b') },
  };
  const first = stored(encodeBuildIndex(index));
  assert.ok(first.buckets.size > 32, 'entries are spread over buckets');
  const decoded = decodeBuildIndex(first)!;
  const { bucketListedAt, ...rest } = decoded;
  assert.deepEqual(rest, index);
  assert.deepEqual(
    [...new Set(bucketListedAt!.filter((time) => time !== undefined))],
    [index.listedAt],
    'each bucket records when it was written',
  );
  assert.deepEqual([...decoded.files.keys()].sort(), [...files.keys()].sort());

  // The next build keeps every entry but one and adds one file: two buckets change, at most.
  const next: BuildIndex = { ...index, listedAt: index.listedAt + 5000, files: new Map(decoded.files) };
  next.files.set('schemas/s7.yaml', {
    ...decoded.files.get('schemas/s7.yaml')!,
    size: 99,
    references: ['s.e@1', 's.f@1'],
  });
  next.files.set('tools/new.yaml', { size: 1, mtimeMs: 1, ctimeMs: 1, ino: 1, kind: 'tool', references: [] });
  const update = encodeBuildIndex(next, decoded);
  assert.deepEqual(
    [...update.buckets.keys()].sort(),
    [...new Set([bucketOf('schemas/s7.yaml'), bucketOf('tools/new.yaml')])].sort(),
  );
  const second = stored(update, first);
  const reread = decodeBuildIndex(second)!;
  assert.deepEqual(reread.files.get('schemas/s7.yaml')!.references, ['s.e@1', 's.f@1']);
  assert.deepEqual(reread.files.get('tools/a b.yaml'), files.get('tools/a b.yaml'));
  assert.equal(reread.files.size, files.size + 1);

  // Trust is per bucket: an entry recorded in the instant its file was modified stays untrusted while its bucket is
  // not rewritten, even when later builds (writing other buckets) move the header's listing time on.
  const racyPath = 'schemas/racy.yaml';
  const otherPath = Array.from({ length: 64 }, (_, i) => `tools/o${i}.yaml`).find(
    (path) => bucketOf(path) !== bucketOf(racyPath),
  )!;
  const t1 = 1764576000000;
  const racyEntry: IndexEntry = { size: 5, mtimeMs: t1, ctimeMs: t1, ino: 7, kind: 'schema', references: [] };
  const racyFirst = stored(
    encodeBuildIndex({
      ...index,
      listedAt: t1,
      files: new Map([
        [racyPath, racyEntry],
        [otherPath, { ...racyEntry, kind: 'tool', mtimeMs: 1, ctimeMs: 1 }],
      ]),
    }),
  );
  const racyDecoded = decodeBuildIndex(racyFirst)!;
  const racyNext = encodeBuildIndex(
    {
      ...racyDecoded,
      listedAt: t1 + 60_000,
      files: new Map([...racyDecoded.files, [otherPath, { ...racyEntry, kind: 'tool', mtimeMs: 2, ctimeMs: 2 }]]),
    },
    racyDecoded,
  );
  assert.deepEqual([...racyNext.buckets.keys()], [bucketOf(otherPath)]);
  const racyLater = decodeBuildIndex(stored(racyNext, racyFirst))!;
  const stat = {
    file: racyPath,
    path: racyPath,
    root: '/r',
    absolutePath: `/r/${racyPath}`,
    kind: 'schema',
    size: 5,
    mtimeMs: t1,
    ctimeMs: t1,
    ino: 7,
  };
  assert.equal(racyLater.listedAt, t1 + 60_000);
  assert.equal(isUnchanged(racyLater, stat), false, 'modified in the instant its bucket was written: not trusted');
  assert.equal(isUnchanged(racyLater, { ...stat, path: otherPath, kind: 'tool', mtimeMs: 2, ctimeMs: 2 }), true);

  // The file system's clock may run behind the listing's (a timer tick; whole seconds on some file systems): a file
  // stamped just before the listing may have been written after it, and is not trusted either.
  const at = (listedAt: number, time: number) => {
    const entry: IndexEntry = { size: 5, mtimeMs: time, ctimeMs: time, ino: 7, kind: 'schema', references: [] };
    return isUnchanged(
      { ...index, listedAt, files: new Map([[racyPath, entry]]) },
      { ...stat, mtimeMs: time, ctimeMs: time },
    );
  };
  const fine = 1764576000123.456;
  assert.equal(at(fine + 10, fine), false, 'stamped 10 ms before the listing: within a tick');
  assert.equal(at(fine + 30, fine), true);
  const whole = 1764576000000;
  assert.equal(at(whole + 30, whole), false, 'whole seconds: the file system may have rounded down');
  assert.equal(at(whole + 1900, whole), false);
  assert.equal(at(whole + 2100, whole), true);

  // An emptied bucket is deleted; without a previous index every empty bucket is cleared (no stale entries survive).
  const emptied = encodeBuildIndex(
    { ...next, files: new Map([...next.files].filter(([path]) => bucketOf(path) !== bucketOf('tools/new.yaml'))) },
    reread,
  );
  assert.equal(emptied.buckets.get(bucketOf('tools/new.yaml')), undefined);
  assert.ok(emptied.buckets.has(bucketOf('tools/new.yaml')));
  assert.equal(
    [...encodeBuildIndex({ ...index, files: new Map() }).buckets.values()].filter((text) => text === undefined).length,
    64,
  );

  // Damaged or foreign: no index at all.
  const [someBucket, someText] = [...first.buckets][0]!;
  const damaged = (text: string) =>
    decodeBuildIndex({ header: first.header, buckets: new Map([...first.buckets, [someBucket, text]]) });
  assert.equal(damaged(someText.slice(0, someText.lastIndexOf('\u0000'))), undefined, 'a truncated entry');
  assert.equal(damaged(someText.replace(/^[0-9.]+\n/, 'x\n')), undefined, 'no listing time');
  const parts = someText.split('\u0000');
  parts[1] = `x${parts[1]}`;
  assert.equal(damaged(parts.join('\u0000')), undefined, 'a size that is not a number');
  assert.equal(
    decodeBuildIndex({ ...first, header: first.header.replace(buildCacheFormat, 'specstore/build-cache/v1') }),
    undefined,
    'another format',
  );
  assert.equal(
    decodeBuildIndex({ ...first, header: first.header.replace(JSON.stringify(toolVersion), '"0.0.0-other"') }),
    undefined,
    'another tool version',
  );
  assert.equal(decodeBuildIndex({ ...first, header: '{"format":' }), undefined, 'a damaged header');
});

test('an unchanged listing is recognised from the index header alone; its specs are still the full list when asked for', async (t) => {
  const { readBuildIndex, listingFingerprint, listingTrusted } = await import('../../src/build/buildCache.js');
  const { listRegistry } = await import('../../src/source/listRegistry.js');
  const { builtinKinds } = await import('../../src/kinds/builtinKinds.js');
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = join(dir.path, 'registry');
  writeRegistry(registry, 40);
  const old = await ageRegistry(registry);
  const store = await openStore({ directory: join(dir.path, 'store'), create: true });
  t.after(() => store.close());
  const built = await buildSnapshot({ registry, store });

  const stored = (await readBuildIndex(store, resolve(registry)))!;
  assert.equal(stored.intact(), true, 'the header vouches for the buckets');
  const files = listRegistry(registry, builtinKinds).files;
  assert.equal(stored.header.listing!.digest, listingFingerprint(files).digest);
  assert.ok(listingTrusted(files, stored.header.listing!));
  // A file as new as its bucket is not trusted, even with the same fingerprint (the racy rule).
  const racy = files.map((file, i) =>
    i === 3 ? { ...file, mtimeMs: stored.header.listing!.bucketListedAt.find((time) => time !== null)! + 1e9 } : file,
  );
  assert.equal(listingTrusted(racy, stored.header.listing!), false);

  const fast = await compileRegistry({ registry, store });
  assert.equal(fast.snapshot, built.snapshot);
  assert.equal(fast.analyzed, 0);
  assert.equal(fast.specCount, 121);
  const fresh = await compileRegistry({ registry, useCache: false });
  assert.deepEqual(
    fast.specs.map((spec) => [spec.path, spec.id, spec.kind, spec.digest]),
    fresh.specs.map((spec) => [spec.path, spec.id, spec.kind, spec.digest]),
  );

  // Any stat that differs changes the fingerprint; a damaged bucket makes the header vouch for nothing.
  utimesSync(join(registry, 'policies/p3.yaml'), new Date(old.getTime() - 1000), new Date(old.getTime() - 1000));
  assert.notEqual(listingFingerprint(listRegistry(registry, builtinKinds).files).digest, stored.header.listing!.digest);
  const bucketKeys: string[] = [];
  for await (const [key] of store.kv.entries('cache:build:')) if (/:\d\d$/.test(key)) bucketKeys.push(key);
  const bucketKey = bucketKeys[0];
  assert.ok(bucketKey, 'the build cache has buckets');
  await store.kv.batch([{ type: 'put', key: bucketKey, value: `${(await store.kv.get(bucketKey))!}x` }]);
  assert.equal((await readBuildIndex(store, resolve(registry)))!.intact(), false);
  const afterDamage = await compileRegistry({ registry, store });
  assert.equal(afterDamage.snapshot, built.snapshot, 'a damaged cache is only a slower build');
  // A header whose fast-path record is malformed is read as having none.
  const headerKey = bucketKey.replace(/:\d\d$/, '');
  const header = JSON.parse((await store.kv.get(headerKey))!) as Record<string, unknown>;
  await store.kv.batch([
    { type: 'put', key: headerKey, value: JSON.stringify({ ...header, listing: { digest: 'x', bucketDigests: 3 } }) },
  ]);
  assert.equal((await readBuildIndex(store, resolve(registry)))!.header.listing, undefined);
  assert.equal((await compileRegistry({ registry, store })).snapshot, built.snapshot);
});

test("a payload's earlier verdict is reused only for the same payload under the same schema", async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = join(dir.path, 'registry');
  writeRegistry(registry, 3);
  const predicate = (maximum: number) =>
    `id: "budget.ok@1"\nargs: {type: object, properties: {usd: {type: integer, maximum: ${maximum}}}, required: [usd]}\n`;
  writeFileSync(join(registry, 'predicates/budget.yaml'), predicate(10));
  const store = await openStore({ directory: join(dir.path, 'store'), create: true });
  t.after(() => store.close());
  const aged = () => ageRegistry(registry);
  await aged();
  await buildSnapshot({ registry, store });
  const { loadCachedAnalyses } = await import('../../src/build/buildCache.js');
  const [cached] = await loadCachedAnalyses(store, resolve(registry), ['tools/t2.yaml']);
  assert.equal(cached?.validPayloads?.length, 1, 'the verdict is kept with the analysis');

  // The tool changes outside its payload: the verdict is reused, and the build succeeds.
  writeFileSync(join(registry, 'tools/t2.yaml'), toolText(2, 'Renamed', 2));
  await aged();
  await buildSnapshot({ registry, store });
  // The schema tightens so that usd 2 fails, and the tool changes again outside its payload: a new verdict is due.
  writeFileSync(join(registry, 'predicates/budget.yaml'), predicate(1));
  writeFileSync(join(registry, 'tools/t2.yaml'), toolText(2, 'Renamed again', 2));
  await aged();
  const failed = await outcome(buildSnapshot({ registry, store }));
  assert.equal(failed.result, 'INVALID_INPUT');
  assert.ok(
    failed.diagnostics.some((line) => line.includes('ARGS_INVALID') && line.includes('t2.yaml')),
    failed.diagnostics.join('\n'),
  );
  assert.deepEqual(failed, await outcome(compileRegistry({ registry, useCache: false })));
});
