// collectGarbage: keeps what tags, published versions, plans and recent builds reach, and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Digest } from '../../src/core/digest.js';
import { collectGarbage, findPlanPins } from '../../src/maintain/collectGarbage.js';
import { collectedKey } from '../../src/maintain/storeRecords.js';
import { verifyStore } from '../../src/maintain/verifyStore.js';
import { findPlanFiles } from '../../src/plan/findPlanFiles.js';
import { exportSnapshot } from '../../src/snapshot/exportSnapshot.js';
import { openStore } from '../../src/store/openStore.js';
import { keys, type SpecStore } from '../../src/store/specStore.js';
import { tempDir } from '../support/cli.js';
import { commit, dumpStore, metadata, policySnapshot, type FixtureSnapshot } from './storeFixtures.js';

async function memoryStore(t: { after: (fn: () => Promise<void>) => void }): Promise<SpecStore> {
  const store = await openStore({ directory: ':memory:' });
  t.after(() => store.close());
  return store;
}

const objectDigests = (fixture: FixtureSnapshot) => new Set(fixture.objects.map((object) => object.digest));

async function presentObjects(store: SpecStore): Promise<Set<string>> {
  const present = new Set<string>();
  for await (const [key] of store.kv.entries('obj:')) present.add(key.slice('obj:'.length));
  return present;
}

test('objects shared by a kept and a dropped snapshot stay; only what the dropped one alone reaches goes', async (t) => {
  const store = await memoryStore(t);
  const tagged = policySnapshot(40);
  const dropped = policySnapshot(40, { 5: 1 }); // shares 39 specs and most tree nodes with `tagged`
  const latest = policySnapshot(40, { 5: 2, 6: 2 });
  await commit(store, tagged, 'prod');
  await commit(store, dropped);
  await commit(store, latest);
  const onlyDropped = [...objectDigests(dropped)].filter(
    (digest) => !objectDigests(tagged).has(digest) && !objectDigests(latest).has(digest),
  );
  assert.ok(
    onlyDropped.length >= 3 && onlyDropped.length < dropped.objects.length / 4,
    'the fixture shares most objects',
  );

  const report = await collectGarbage(store, { now: () => new Date('2026-02-01T00:00:00.000Z') });
  assert.deepEqual(report.removed.snapshots, [dropped.snapshot]);
  assert.equal(report.removed.objects, onlyDropped.length);
  assert.ok(report.removed.bytes > 0);
  assert.deepEqual(
    report.kept.map((entry) => [entry.snapshot, entry.reasons]).sort(),
    [
      [tagged.snapshot, ['tag']],
      [latest.snapshot, ['recent']],
    ].sort(),
  );

  const present = await presentObjects(store);
  for (const digest of [...objectDigests(tagged), ...objectDigests(latest)])
    assert.ok(present.has(digest), `kept object ${digest} is still there`);
  for (const digest of onlyDropped) assert.ok(!present.has(digest));
  // Kept snapshots export whole (every object re-hashed); the dropped one is gone but its log entry stays, marked by gc:.
  await exportSnapshot(store, tagged.snapshot);
  await exportSnapshot(store, latest.snapshot);
  assert.equal(await store.snapshotMetadata(dropped.snapshot), undefined);
  assert.deepEqual(JSON.parse((await store.kv.get(collectedKey(dropped.snapshot)))!), {
    collectedAt: '2026-02-01T00:00:00.000Z',
    specs: 1,
  });
  assert.equal((await store.log()).length, 3);
  const verified = await verifyStore(store);
  assert.deepEqual(verified.problems, []);
  assert.equal(verified.unreachableObjects, 0);
});

test('--dry-run reports exactly what a real run removes, and changes nothing', async (t) => {
  const store = await memoryStore(t);
  for (let i = 0; i < 4; i++) await commit(store, policySnapshot(35, { 0: i }));
  const before = await dumpStore(store);
  const dry = await collectGarbage(store, { dryRun: true });
  assert.deepEqual(await dumpStore(store), before);
  const real = await collectGarbage(store);
  assert.deepEqual({ ...dry, dryRun: false }, real);
  assert.equal(real.removed.snapshots.length, 3);
  assert.equal((await collectGarbage(store)).removed.objects, 0, 'a second run finds nothing');
});

test('keeps the last N builds, published snapshots and snapshots pinned by plan files', async (t) => {
  const store = await memoryStore(t);
  const fixtures = Array.from({ length: 6 }, (_, i) => policySnapshot(3, { 0: i }));
  for (const fixture of fixtures) await commit(store, fixture);
  const extra = policySnapshot(2, {}, 'q');
  await commit(store, extra);
  const [published, pinned, , third, fourth] = fixtures as [
    FixtureSnapshot,
    FixtureSnapshot,
    FixtureSnapshot,
    FixtureSnapshot,
    FixtureSnapshot,
    FixtureSnapshot,
  ];
  const fifth = fixtures[5]!;
  await store.kv.batch([
    {
      type: 'put',
      key: keys.published('p1@1'),
      value: JSON.stringify({ digest: published.specs.get('p1@1'), snapshot: published.snapshot }),
    },
    { type: 'put', key: keys.pin(third.snapshot), value: JSON.stringify({ pinnedAt: 'x', by: ['import'] }) },
  ]);
  const dir = tempDir();
  t.after(dir.cleanup);
  mkdirSync(join(dir.path, 'plans/nested'), { recursive: true });
  writeFileSync(
    join(dir.path, 'plans/nested/deploy.yml'),
    `# pinned\nplan: deploy\nsnapshot: "${pinned.snapshot}"\nsteps: [{id: a, processor_ref: "x@1"}]\n`,
  );
  writeFileSync(join(dir.path, 'plans/other.yaml'), 'plan: other\nsteps: []\n');
  writeFileSync(join(dir.path, 'plans/readme.txt'), `snapshot: ${fixtures[2]!.snapshot}\n`);

  const report = await collectGarbage(store, { keepLast: 3, planDirectories: [join(dir.path, 'plans')] });
  assert.deepEqual(report.plans, [{ file: join(dir.path, 'plans/nested/deploy.yml'), snapshot: pinned.snapshot }]);
  const kept = Object.fromEntries(report.kept.map((entry) => [entry.snapshot, entry.reasons]));
  assert.deepEqual(kept, {
    [published.snapshot]: ['published'],
    [pinned.snapshot]: ['plan'],
    [third.snapshot]: ['published'],
    [fourth.snapshot]: ['recent'],
    [fifth.snapshot]: ['recent'],
    [extra.snapshot]: ['recent'],
  });
  assert.deepEqual(report.removed.snapshots, [fixtures[2]!.snapshot]);
  assert.deepEqual((await verifyStore(store)).problems, []);
  await store.kv.batch([{ type: 'put', key: keys.published('p2@1'), value: 'damaged' }]);
  await assert.rejects(collectGarbage(store), { code: 'STORE_CORRUPT' }, 'a damaged published record stops gc');
});

test('gc deletes nothing when a kept snapshot reaches a damaged or missing node (what lies below is unknown)', async (t) => {
  const store = await memoryStore(t);
  const kept = policySnapshot(40);
  await commit(store, policySnapshot(40, { 1: 1 }));
  await commit(store, kept);
  const root = (await store.readObject(kept.snapshot)) as { tree: Digest };
  const node = Object.values(((await store.readObject(root.tree)) as { branch: Record<string, Digest> }).branch)[0];
  assert.ok(node, 'the tree has a child node');
  const text = (await store.kv.get(keys.object(node)))!;
  await store.kv.batch([{ type: 'put', key: keys.object(node), value: text.replace('policy', 'polic_') }]);
  const before = await dumpStore(store);
  await assert.rejects(collectGarbage(store), (error: { code: string; data: { snapshot: string; object: string } }) => {
    assert.equal(error.code, 'STORE_CORRUPT');
    assert.equal(error.data.snapshot, kept.snapshot);
    assert.equal(error.data.object, node);
    return true;
  });
  await store.kv.batch([{ type: 'del', key: keys.object(node) }]);
  await assert.rejects(collectGarbage(store), { code: 'STORE_CORRUPT' });
  before.splice(
    before.findIndex(([key]) => key === keys.object(node)),
    1,
  );
  assert.deepEqual(await dumpStore(store), before);
});

test('a collected snapshot built again is whole again, and the next gc drops its gc: record', async (t) => {
  const store = await memoryStore(t);
  const first = policySnapshot(5);
  await commit(store, first);
  await commit(store, policySnapshot(5, { 0: 1 }));
  await collectGarbage(store);
  assert.ok(await store.kv.get(collectedKey(first.snapshot)));
  await commit(store, first);
  assert.deepEqual((await verifyStore(store)).problems, []);
  await exportSnapshot(store, first.snapshot);
  await collectGarbage(store);
  assert.equal(await store.kv.get(collectedKey(first.snapshot)), undefined);
  assert.deepEqual((await verifyStore(store)).problems, []);
});

test('builds racing gc in one process are serialised: nothing a build commits is lost', async (t) => {
  const store = await memoryStore(t);
  const fixtures = Array.from({ length: 12 }, (_, i) => policySnapshot(34, { [i % 3]: i }));
  await Promise.all(
    fixtures.flatMap((fixture, i) => [
      store.commitBuild({ snapshot: fixture.snapshot, objects: fixture.objects, metadata }),
      ...(i % 3 === 0 ? [collectGarbage(store, { keepLast: 2 })] : []),
    ]),
  );
  await collectGarbage(store, { keepLast: 2 });
  const report = await verifyStore(store);
  assert.deepEqual(report.problems, []);
  assert.equal(report.snapshots, 2);
  for (const fixture of fixtures.slice(-2)) await exportSnapshot(store, fixture.snapshot);
});

test('plan reading: the strict plan reader; flow maps and quoted keys count; a broken plan or a missing directory stops gc', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const digest = `sha256:${'a'.repeat(64)}`;
  mkdirSync(join(dir.path, 'plans/.hidden'), { recursive: true });
  writeFileSync(join(dir.path, 'plans/flow.yaml'), `{"plan": flow, "snapshot": '${digest}', steps: []}\n`);
  writeFileSync(
    join(dir.path, 'plans/nested-key.yaml'),
    `plan: nested\nx-meta:\n  snapshot: sha256:${'b'.repeat(64)}\nsteps: []\n`,
  );
  writeFileSync(join(dir.path, 'plans/unpinned.yaml'), 'plan: unpinned\nsnapshot: null\nsteps: []\n');
  writeFileSync(join(dir.path, 'plans/.hidden/skip.yaml'), `snapshot: sha256:${'c'.repeat(64)}\n`);
  assert.deepEqual(findPlanPins([join(dir.path, 'plans')]), [
    { file: join(dir.path, 'plans/flow.yaml'), snapshot: digest },
  ]);
  writeFileSync(join(dir.path, 'plans/broken.yaml'), 'snapshot: "unterminated\n');
  assert.throws(() => findPlanPins([join(dir.path, 'plans')]), { code: 'GC_PLAN_UNREADABLE' });
  assert.throws(() => findPlanPins([join(dir.path, 'nope')]), { code: 'FILE_NOT_FOUND' });
  const store = await memoryStore(t);
  await assert.rejects(collectGarbage(store, { planDirectories: [join(dir.path, 'plans')] }), {
    code: 'GC_PLAN_UNREADABLE',
  });
  await assert.rejects(collectGarbage(store, { keepLast: 0 }), TypeError);
});

test('gc stops, deleting nothing, on a plan it cannot read as `plan check` reads it (UTF-16, invalid UTF-8, a malformed plan)', async (t) => {
  const store = await memoryStore(t);
  const pinned = policySnapshot(3, { 0: 1 });
  await commit(store, pinned);
  await commit(store, policySnapshot(3, { 0: 2 }));
  const pinText = `plan: pinned\nsnapshot: ${pinned.snapshot}\nsteps: []\n`;
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pinText, 'utf16le')]);
  const cases: [string, Uint8Array][] = [
    ['UTF-16 with a byte order mark', utf16],
    ['UTF-16 without one', Buffer.from(pinText, 'utf16le')],
    ['invalid UTF-8', Buffer.concat([Buffer.from(pinText), Buffer.from([0xc3, 0x28, 0x0a])])],
    ['a duplicate key', Buffer.from(`${pinText}snapshot: ${pinned.snapshot}\n`)],
    ['a pin in the wrong shape', Buffer.from(pinText.replace('steps: []', 'steps: {}'))],
  ];
  for (const [name, bytes] of cases) {
    const dir = tempDir();
    t.after(dir.cleanup);
    writeFileSync(join(dir.path, 'pinned.yaml'), bytes);
    const before = await dumpStore(store);
    await assert.rejects(collectGarbage(store, { planDirectories: [dir.path] }), { code: 'GC_PLAN_UNREADABLE' }, name);
    assert.deepEqual(await dumpStore(store), before, `${name}: nothing deleted`);
  }
  assert.notEqual(await store.snapshotMetadata(pinned.snapshot), undefined);
});

test('gc and the plan commands find the same plan files: symlinked files and directories count, dot-entries do not', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  mkdirSync(join(dir.path, 'elsewhere/deep'), { recursive: true });
  mkdirSync(join(dir.path, 'plans'), { recursive: true });
  writeFileSync(join(dir.path, 'elsewhere/linked.yaml'), `plan: linked\nsnapshot: ${digest('a')}\nsteps: []\n`);
  writeFileSync(join(dir.path, 'elsewhere/deep/inner.yml'), `plan: inner\nsnapshot: ${digest('b')}\nsteps: []\n`);
  symlinkSync(join(dir.path, 'elsewhere/linked.yaml'), join(dir.path, 'plans/linked.yaml'));
  symlinkSync(join(dir.path, 'elsewhere/deep'), join(dir.path, 'plans/deep'));
  symlinkSync(join(dir.path, 'elsewhere/deep'), join(dir.path, 'elsewhere/deep/loop'));
  const found = findPlanFiles([join(dir.path, 'plans')]);
  assert.deepEqual(found.unreadable, []);
  assert.deepEqual(found.files, [join(dir.path, 'plans/deep/inner.yml'), join(dir.path, 'plans/linked.yaml')]);
  assert.deepEqual(
    findPlanPins([join(dir.path, 'plans')]).map((pin) => pin.snapshot),
    [digest('b'), digest('a')],
  );
});
