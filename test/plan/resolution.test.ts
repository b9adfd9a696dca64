// Deterministic resolution: the same snapshot and ref give the same digest in every store, process and run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { openSnapshot } from '../../src/index.js';
import { buildSnapshot } from '../../src/build/buildSnapshot.js';
import { buildManifest, isLeafNode, type TreeNode } from '../../src/snapshot/manifestTree.js';
import type { BatchOperation, KeyValueStore } from '../../src/store/keyValueStore.js';
import { MemoryStore } from '../../src/store/memoryStore.js';
import { openStore } from '../../src/store/openStore.js';
import { SpecStore } from '../../src/store/specStore.js';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';
import { sha256HexOfString } from '../../src/core/digest.js';

const versionPool = ['1', '2', '10', '1.0.0', '1.2.0-rc.1', '1.2.0', '2.0.0', '0.9.1'];

const registryArbitrary = fc.uniqueArray(
  fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9]{0,6}(\.[a-z0-9]{1,4})?$/),
    versions: fc.uniqueArray(fc.constantFrom(...versionPool), { minLength: 1, maxLength: 3 }),
    budget: fc.nat({ max: 1_000_000 }),
  }),
  { minLength: 1, maxLength: 70, selector: (entry) => entry.name },
);

type GeneratedRegistry = { name: string; versions: string[]; budget: number }[];

/** Writes the specs in the given order, with file names that differ between the two layouts. */
function writeRegistry(root: string, registry: GeneratedRegistry, layout: 'forward' | 'reverse'): void {
  const files = registry.flatMap(({ name, versions, budget }) =>
    versions.map((version) => ({
      id: `${name}@${version}`,
      text: `id: "${name}@${version}"\nbudget: {max_usd_micro: ${budget}}\n`,
    })),
  );
  if (layout === 'reverse') files.reverse();
  mkdirSync(join(root, 'policies'), { recursive: true });
  files.forEach(({ id, text }, index) => {
    const file = layout === 'forward' ? `${index}.yaml` : `nested/${id.replace(/[@.]/g, '_')}.yml`;
    mkdirSync(join(root, 'policies', file, '..'), { recursive: true });
    writeFileSync(
      join(root, 'policies', file),
      layout === 'forward' ? text : `# reversed\n${text.replace(/\n/g, '\r\n')}`,
    );
  });
}

test('property: two stores built from the same registry, written in different orders, resolve every ref to the same digest', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      registryArbitrary,
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(...versionPool, '')), { minLength: 1, maxLength: 20 }),
      async (registry, picks) => {
        const root = join(dir.path, String(run++));
        writeRegistry(join(root, 'a'), registry, 'forward');
        writeRegistry(join(root, 'b'), registry, 'reverse');
        const stores = [
          await openStore({ directory: join(root, 'store-a'), create: true }),
          await openStore({ directory: join(root, 'store-b'), create: true }),
        ] as const;
        try {
          const ids = [
            (await buildSnapshot({ registry: join(root, 'a'), store: stores[0], useCache: false })).snapshot,
            (await buildSnapshot({ registry: join(root, 'b'), store: stores[1], useCache: false })).snapshot,
          ] as const;
          assert.equal(ids[0], ids[1]);
          const views = [await openSnapshot(stores[0], ids[0]), await openSnapshot(stores[1], 'latest')] as const;
          for (const [index, version] of picks) {
            const entry = registry[index % registry.length];
            assert.ok(entry, 'the registry has specs');
            const ref = version === '' ? entry.name : `${entry.name}@${version}`;
            const [a, b] = [await views[0].lookup(ref), await views[1].lookup(ref)];
            assert.deepEqual(a, b, ref);
            if (version === '') {
              // A floating ref is the highest version under the documented order.
              const highest = versionPool
                .filter((v) => entry.versions.includes(v))
                .sort((x, y) => order(x) - order(y))
                .at(-1);
              assert.equal(a?.version, highest, ref);
            }
          }
        } finally {
          for (const store of stores) await store.close();
          rmSync(root, { recursive: true, force: true });
        }
      },
    ),
    { numRuns: 12 },
  );
});

/** The documented order of the pool's versions (docs/specs.md#versions), written out by hand. */
function order(version: string): number {
  return ['0.9.1', '1', '1.0.0', '1.2.0-rc.1', '1.2.0', '2', '2.0.0', '10'].indexOf(version);
}

test('a floating ref resolved under two snapshots gives different answers, each the same in every process', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  rmSync(join(registry, 'tools/text.llm.v2.yaml'));
  const older = runSpec(['build'], { cwd: dir.path }).stdout.trim();
  copyBundledRegistry(dir.path);
  const current = runSpec(['build'], { cwd: dir.path }).stdout.trim();
  assert.notEqual(older, current);
  const resolveIn = (snapshot: string) => json(runSpec(['resolve', snapshot, 'text.llm', '--json'], { cwd: dir.path }));
  const [first, second] = [resolveIn(older), resolveIn(current)];
  assert.deepEqual([first.id, second.id], ['text.llm@1', 'text.llm@2']);
  assert.deepEqual(resolveIn(older), first, 'the same answer in another process');
  assert.deepEqual(resolveIn(current), second);
  assert.equal(
    resolveIn(older).digest,
    json(runSpec(['resolve', current, 'text.llm@1', '--json'], { cwd: dir.path })).digest,
    'text.llm@1 itself is the same spec in both',
  );
});

test('spec resolve --explain shows the parse, the candidates and the choice (text and --json); an absent name exits 3', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  const snapshot = runSpec(['build'], { cwd: dir.path }).stdout.trim();
  const explained = json(runSpec(['resolve', 'latest', 'text.llm', '--explain', '--json'], { cwd: dir.path }));
  assert.deepEqual(explained.parsed, { name: 'text.llm', floating: true });
  assert.equal(explained.snapshot, snapshot);
  assert.equal(explained.kind, 'tool');
  assert.deepEqual(
    explained.candidates.map((c: { version: string }) => c.version),
    ['1', '2'],
  );
  assert.equal(explained.chosen.version, '2');
  assert.equal(explained.chosen.digest, explained.candidates[1].digest);
  const exact = json(runSpec(['resolve', 'latest', 'text.llm@1', '--explain', '--json'], { cwd: dir.path }));
  assert.deepEqual([exact.parsed.floating, exact.chosen.version], [false, '1']);
  const text = runSpec(['resolve', 'latest', 'text.llm', '--explain'], { cwd: dir.path });
  assert.equal(text.status, 0);
  assert.match(text.stdout, /^candidates: 1, 2$/m);
  assert.match(text.stdout, /^chosen: +text\.llm@2 /m);
  const absent = runSpec(['resolve', 'latest', 'no.such.tool', '--explain', '--json'], { cwd: dir.path });
  assert.equal(absent.status, 3);
  assert.deepEqual(
    [json(absent).candidates, json(absent).chosen],
    [[], undefined],
    '--json still prints the explanation',
  );
  const missingVersion = runSpec(['resolve', 'latest', 'text.llm@7', '--json'], { cwd: dir.path });
  assert.equal(missingVersion.status, 3);
  assert.equal(json(missingVersion).error.code, 'REF_NOT_FOUND');
});

/** A MemoryStore that records every key read. */
class CountingStore implements KeyValueStore {
  readonly location = 'memory';
  readonly reads: string[] = [];
  constructor(private readonly inner = new MemoryStore()) {}
  get(key: string) {
    this.reads.push(key);
    return this.inner.get(key);
  }
  getMany(keys: readonly string[]) {
    this.reads.push(...keys);
    return this.inner.getMany(keys);
  }
  batch(operations: readonly BatchOperation[]) {
    return this.inner.batch(operations);
  }
  entries(prefix: string) {
    return this.inner.entries(prefix);
  }
  close() {
    return this.inner.close();
  }
}

test('openSnapshot + get(one ref) reads the root, one tree path and one spec; a second get reads nothing', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  mkdirSync(join(dir.path, 'policies'));
  for (let i = 0; i < 200; i++)
    writeFileSync(join(dir.path, 'policies', `p${i}.yaml`), `id: "p${i}@1"\nbudget: {max_usd_micro: ${i}}\n`);
  const kv = new CountingStore();
  const store = new SpecStore(kv);
  t.after(() => store.close());
  const { snapshot } = await buildSnapshot({ registry: dir.path, store, useCache: false });

  // The path to p42 in the manifest, computed independently of SnapshotView.
  const manifest = buildManifest(
    Array.from({ length: 200 }, (_, i) => ({ name: `p${i}`, version: '1', kind: 'policy', digest: '' as never })),
  );
  assert.ok(manifest.objects.length > 2, 'the tree has branches');
  const root = (await store.readObject(snapshot)) as unknown as { tree: string };
  const path: string[] = [];
  for (let digest = root.tree, depth = 0; ; depth++) {
    path.push(digest);
    const node = (await store.readObject(digest as never)) as unknown as TreeNode;
    if (isLeafNode(node)) break;
    digest = node.branch[sha256HexOfString('p42')[depth]!]!;
  }
  assert.ok(path.length >= 2);

  kv.reads.length = 0;
  const view = await openSnapshot(store, snapshot);
  const resolved = await view.get('p42');
  const objectReads = kv.reads.filter((key) => key.startsWith('obj:')).map((key) => key.slice(4));
  assert.deepEqual(objectReads, [snapshot, ...path, resolved!.digest], 'root, the tree path, the spec: nothing else');
  assert.deepEqual(
    kv.reads.filter((key) => !key.startsWith('obj:')),
    [`snap:${snapshot}`],
    'and the snapshot record, to check the id exists',
  );

  kv.reads.length = 0;
  assert.equal(await view.get('p42'), resolved);
  assert.equal(view.resolveCached('p42'), resolved, 'the sync path gives the loaded spec');
  assert.equal(view.resolveCached('p43'), undefined, 'and never reads');
  assert.deepEqual(kv.reads, []);
  assert.ok(
    Object.isFrozen(resolved) && Object.isFrozen(resolved!.spec),
    'shared results cannot be changed by a caller',
  );
});

test('resolveCached is synchronous and never reads the store (its speed is measured by npm run bench, not here)', async (t) => {
  const kv = new CountingStore();
  const store = new SpecStore(kv);
  t.after(() => store.close());
  const dir = tempDir();
  t.after(dir.cleanup);
  mkdirSync(join(dir.path, 'policies'));
  writeFileSync(join(dir.path, 'policies/p.yaml'), 'id: "p@1"\n');
  const { snapshot } = await buildSnapshot({ registry: dir.path, store, useCache: false });
  const view = await openSnapshot(store, snapshot);
  const resolved = await view.resolve('p@1');
  kv.reads.length = 0;
  let found = 0;
  for (let i = 0; i < 10_000; i++) if (view.resolveCached('p@1') === resolved) found++;
  assert.equal(found, 10_000);
  assert.deepEqual(kv.reads, []);
});

test('openSnapshot with preload reads the whole snapshot once; then every exact and floating ref resolves from memory', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  mkdirSync(join(dir.path, 'policies'));
  const ids: string[] = [];
  for (let i = 0; i < 150; i++) {
    for (const version of i % 3 === 0 ? ['1', '2', '10'] : ['1']) {
      ids.push(`p${i}@${version}`);
      writeFileSync(
        join(dir.path, 'policies', `p${i}-${version}.yaml`),
        `id: "p${i}@${version}"\nbudget: {max_usd_micro: ${i * 100 + Number(version)}}\n`,
      );
    }
  }
  const kv = new CountingStore();
  const store = new SpecStore(kv);
  t.after(() => store.close());
  const { snapshot } = await buildSnapshot({ registry: dir.path, store, useCache: false });
  const lazy = await openSnapshot(store, snapshot);
  kv.reads.length = 0;
  const view = await openSnapshot(store, snapshot, { preload: true });
  const objectReads = kv.reads.filter((key) => key.startsWith('obj:'));
  assert.equal(new Set(objectReads).size, objectReads.length, 'each object is read once');
  assert.ok(objectReads.length > ids.length, 'every spec and every tree node');
  kv.reads.length = 0;
  const refs = [...ids, ...Array.from({ length: 150 }, (_, i) => `p${i}`)];
  const fromMemory = refs.map((ref) => view.resolveCached(ref));
  assert.equal(view.resolveCached('p0@3'), undefined);
  assert.equal(view.resolveCached('nope'), undefined);
  assert.deepEqual(kv.reads, [], 'after preload, nothing is read');
  for (const [i, ref] of refs.entries()) {
    assert.ok(fromMemory[i], ref);
    assert.deepEqual(fromMemory[i], await lazy.get(ref), `${ref} resolves as a lazily opened view resolves it`);
  }
  assert.equal(view.resolveCached('p0')!.version, '10', 'a floating ref is the highest version');
  assert.ok(Object.isFrozen(view.resolveCached('p1@1')) && Object.isFrozen(view.resolveCached('p0')));
  await assert.rejects(openSnapshot(store, snapshot, null as never), TypeError);
});
