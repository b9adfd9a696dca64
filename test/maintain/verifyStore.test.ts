// verifyStore: a sound store is ok; each kind of damage is reported with its stable code and the ids involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestText, type Digest } from '../../src/core/digest.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyProblemCodes, verifyStore, type VerifyProblem } from '../../src/maintain/verifyStore.js';
import { repoRoot } from '../support/cli.js';
import { collectedKey } from '../../src/maintain/storeRecords.js';
import { snapshotFormat, type BranchNode, type LeafNode } from '../../src/snapshot/manifestTree.js';
import { openStore } from '../../src/store/openStore.js';
import { keys, type SpecStore } from '../../src/store/specStore.js';
import { commit, policySnapshot, putObject, readNode } from './storeFixtures.js';

async function memoryStore(t: { after: (fn: () => Promise<void>) => void }): Promise<SpecStore> {
  const store = await openStore({ directory: ':memory:' });
  t.after(() => store.close());
  return store;
}

const codes = (problems: VerifyProblem[]) => [...new Set(problems.map((problem) => problem.code))].sort();

test('a sound store with shared objects, tags, a log and published versions is ok', async (t) => {
  const store = await memoryStore(t);
  const a = policySnapshot(40);
  const b = policySnapshot(40, { 3: 1 });
  await commit(store, a, 'prod');
  await commit(store, b);
  await store.kv.batch([
    {
      type: 'put',
      key: keys.published('p3@1'),
      value: JSON.stringify({ digest: a.specs.get('p3@1'), snapshot: a.snapshot }),
    },
  ]);
  const report = await verifyStore(store);
  assert.deepEqual(report.problems, []);
  assert.equal(report.ok, true);
  assert.equal(report.snapshots, 2);
  assert.equal(report.tags, 1);
  assert.equal(report.logEntries, 2);
  assert.equal(report.published, 1);
  assert.equal(report.unreachableObjects, 0);
  assert.equal(report.objects, new Set([...a.objects, ...b.objects].map((object) => object.digest)).size);
});

test('changed bytes: OBJECT_DIGEST_MISMATCH for the object, SNAPSHOT_INCOMPLETE for every snapshot that reaches it', async (t) => {
  const store = await memoryStore(t);
  const a = policySnapshot(40);
  const b = policySnapshot(40, { 3: 1 });
  await commit(store, a);
  await commit(store, b);
  const shared = a.specs.get('p7@1')!;
  const text = (await store.kv.get(keys.object(shared)))!;
  await store.kv.batch([{ type: 'put', key: keys.object(shared), value: text.replace('1007', '9007') }]);
  const report = await verifyStore(store);
  assert.equal(report.ok, false);
  assert.deepEqual(codes(report.problems), ['OBJECT_DIGEST_MISMATCH', 'SNAPSHOT_INCOMPLETE']);
  assert.equal(report.problems.find((p) => p.code === 'OBJECT_DIGEST_MISMATCH')!.object, shared);
  const incomplete = report.problems.filter((p) => p.code === 'SNAPSHOT_INCOMPLETE');
  assert.deepEqual(incomplete.map((p) => p.snapshot).sort(), [a.snapshot, b.snapshot].sort());
  for (const problem of incomplete) assert.deepEqual(problem.objects, [shared]);
});

test('a missing spec or tree node: OBJECT_MISSING (with the ref) and SNAPSHOT_INCOMPLETE', async (t) => {
  const store = await memoryStore(t);
  const a = policySnapshot(40);
  await commit(store, a);
  const spec = a.specs.get('p1@1')!;
  await store.kv.batch([{ type: 'del', key: keys.object(spec) }]);
  let report = await verifyStore(store);
  assert.deepEqual(
    report.problems.map((p) => [p.code, p.object ?? p.snapshot, p.ref]),
    [
      ['OBJECT_MISSING', spec, 'p1@1'],
      ['SNAPSHOT_INCOMPLETE', a.snapshot, undefined],
    ],
  );
  assert.deepEqual(report.problems[1]!.objects, [spec]);

  await commit(store, a);
  const root = (await store.readObject(a.snapshot)) as { tree: Digest };
  const child = Object.values(((await readNode(store, root.tree)) as BranchNode).branch)[0]!;
  await store.kv.batch([{ type: 'del', key: keys.object(child) }]);
  report = await verifyStore(store);
  assert.deepEqual(
    report.problems.map((p) => [p.code, p.object ?? p.snapshot]),
    [
      ['OBJECT_MISSING', child],
      ['SNAPSHOT_INCOMPLETE', a.snapshot],
    ],
  );
});

test('a missing snapshot root is SNAPSHOT_INCOMPLETE and OBJECT_MISSING', async (t) => {
  const store = await memoryStore(t);
  const a = policySnapshot(3);
  await commit(store, a);
  await store.kv.batch([{ type: 'del', key: keys.object(a.snapshot) }]);
  const report = await verifyStore(store);
  assert.deepEqual(codes(report.problems), ['OBJECT_MISSING', 'SNAPSHOT_INCOMPLETE']);
  assert.equal(report.problems.find((p) => p.code === 'SNAPSHOT_INCOMPLETE')!.snapshot, a.snapshot);
});

test('hash-valid forgeries that no build writes: OBJECT_UNPARSEABLE, OBJECT_KEY_INVALID', async (t) => {
  const store = await memoryStore(t);
  await commit(store, policySnapshot(2));
  const notJson = '{"id": "x@1"}';
  const notCanonical = '{"b":1,"a":2}';
  await store.kv.batch([
    { type: 'put', key: keys.object(digestText(notJson)), value: notJson },
    { type: 'put', key: keys.object(digestText(notCanonical)), value: notCanonical },
    { type: 'put', key: 'obj:not-a-digest', value: '{}' },
  ]);
  const report = await verifyStore(store);
  assert.deepEqual(
    report.problems.map((p) => [p.code, p.object ?? p.key]).sort(),
    [
      ['OBJECT_KEY_INVALID', 'obj:not-a-digest'],
      ['OBJECT_UNPARSEABLE', digestText(notCanonical)],
      ['OBJECT_UNPARSEABLE', digestText(notJson)],
    ].sort(),
  );
});

test('tags and log entries must name snapshots; a log entry of a snapshot gc collected is history, not damage', async (t) => {
  const store = await memoryStore(t);
  const a = policySnapshot(2);
  const b = policySnapshot(2, { 0: 1 });
  await commit(store, a, 'prod');
  await commit(store, b);
  await store.kv.batch([{ type: 'del', key: keys.snapshot(a.snapshot) }]);
  let report = await verifyStore(store);
  assert.deepEqual(codes(report.problems), ['LOG_DANGLING', 'TAG_DANGLING']);
  assert.equal(report.problems.find((p) => p.code === 'TAG_DANGLING')!.tag, 'prod');
  assert.deepEqual(
    report.problems.filter((p) => p.code === 'LOG_DANGLING').map((p) => [p.sequence, p.snapshot]),
    [[1, a.snapshot]],
  );
  await store.kv.batch([
    { type: 'put', key: collectedKey(a.snapshot), value: JSON.stringify({ collectedAt: '2026-01-02T00:00:00.000Z' }) },
    { type: 'del', key: keys.tag('prod') },
  ]);
  report = await verifyStore(store);
  assert.deepEqual(report.problems, []);
  assert.equal(report.collected, 1);
  assert.equal(report.unreachableObjects > 0, true, "a's objects are garbage now, not damage");
});

test('published-version records: the spec object must be that spec and the snapshot must list it with that digest', async (t) => {
  const store = await memoryStore(t);
  const a = policySnapshot(3);
  const b = policySnapshot(3, { 1: 1 });
  await commit(store, a);
  await commit(store, b);
  const record = (digest: Digest | undefined, snapshot: Digest) => JSON.stringify({ digest, snapshot });
  const absent = `sha256:${'0'.repeat(64)}` as Digest;
  await store.kv.batch([
    { type: 'put', key: keys.published('p0@1'), value: record(a.specs.get('p0@1'), b.snapshot) }, // same in both: fine
    { type: 'put', key: keys.published('p1@1'), value: record(a.specs.get('p1@1'), b.snapshot) }, // b has another p1@1
    { type: 'put', key: keys.published('p2@1'), value: record(a.specs.get('p1@1'), a.snapshot) }, // object is p1@1
    { type: 'put', key: keys.published('p9@1'), value: record(absent, a.snapshot) }, // no such object
    { type: 'put', key: keys.published('p0@2'), value: record(a.specs.get('p0@1'), absent) }, // no such snapshot
    { type: 'put', key: keys.published('p3@1'), value: '{"digest": 1}' },
    { type: 'put', key: keys.pin(a.snapshot), value: JSON.stringify({ pinnedAt: 'x', by: ['import'] }) },
    { type: 'put', key: keys.pin(absent), value: JSON.stringify({ pinnedAt: 'x', by: ['tag prod'] }) },
  ]);
  const report = await verifyStore(store);
  assert.deepEqual(report.problems.map((p) => [p.code, p.ref]).sort(), [
    ['PUBLISHED_INCONSISTENT', undefined],
    ['PUBLISHED_INCONSISTENT', 'p0@2'],
    ['PUBLISHED_INCONSISTENT', 'p1@1'],
    ['PUBLISHED_INCONSISTENT', 'p2@1'],
    ['PUBLISHED_INCONSISTENT', 'p9@1'],
    ['RECORD_INVALID', 'p3@1'],
  ]);
  assert.equal(report.problems.find((p) => p.key === keys.pin(absent))?.snapshot, absent);
  assert.equal(report.published, 6);
  assert.equal(report.pinned, 2);
});

test('a hash-valid snapshot that breaks the format is SNAPSHOT_MALFORMED: names in the wrong bucket, wrong spec id, wrong count', async (t) => {
  const store = await memoryStore(t);
  const a = policySnapshot(40);
  await commit(store, a);
  const root = (await store.readObject(a.snapshot)) as { format: string; tree: Digest; specs: number };
  const top = (await readNode(store, root.tree)) as BranchNode;
  // Swap two children: every name below them now sits under the wrong hash digit.
  const [first, second] = Object.entries(top.branch);
  assert.ok(first && second, 'the top node has two children');
  const [[d1, c1], [d2, c2]] = [first, second];
  const swapped = await putObject(store, { branch: { ...top.branch, [d1]: c2, [d2]: c1 } });
  const wrongBucket = await putObject(store, { ...root, format: snapshotFormat, specs: root.specs, tree: swapped });
  // A leaf that lists p0@1 as the digest of p1@1.
  const leafDigest = Object.values(top.branch)[0]!;
  const leaf = (await readNode(store, leafDigest)) as LeafNode;
  const [name] = Object.keys(leaf.leaf);
  const other = [...a.specs].find(([id]) => id !== `${name}@1`)![1];
  const badLeaf = await putObject(store, {
    leaf: { ...leaf.leaf, [name!]: { kind: 'policy', versions: { '1': other } } },
  } as never);
  const wrongId = await putObject(store, {
    ...root,
    format: snapshotFormat,
    specs: root.specs,
    tree: await putObject(store, { branch: { ...top.branch, [Object.keys(top.branch)[0]!]: badLeaf } }),
  });
  const wrongCount = await putObject(store, {
    ...root,
    format: snapshotFormat,
    specs: root.specs + 1,
    tree: root.tree,
  });
  for (const snapshot of [wrongBucket, wrongId, wrongCount])
    await store.commitBuild({ snapshot, objects: [], metadata: { createdAt: 'x', tool: 't', specs: 0 } });
  const report = await verifyStore(store);
  const malformed = new Set(report.problems.filter((p) => p.code === 'SNAPSHOT_MALFORMED').map((p) => p.snapshot));
  assert.deepEqual([...malformed].sort(), [wrongBucket, wrongId, wrongCount].sort());
  assert.ok(
    !report.problems.some((p) => p.snapshot === a.snapshot),
    'the sound snapshot sharing those nodes is not blamed',
  );
  const incomplete = report.problems
    .filter((p) => p.code === 'SNAPSHOT_INCOMPLETE')
    .map((p) => p.snapshot)
    .sort();
  assert.deepEqual(incomplete, [wrongBucket, wrongId].sort());
});

test('problems beyond maxProblems are counted, not listed', async (t) => {
  const store = await memoryStore(t);
  await store.kv.batch(
    Array.from({ length: 12 }, (_, i) => ({
      type: 'put' as const,
      key: `tag:t${i}`,
      value: `sha256:${String(i).padStart(64, '0')}`,
    })),
  );
  const report = await verifyStore(store, { maxProblems: 5 });
  assert.equal(report.problems.length, 5);
  assert.equal(report.problemsOmitted, 7);
  assert.equal(report.ok, false);
  await assert.rejects(verifyStore(store, { maxProblems: -1 }), TypeError);
});

test('every verify problem code is in the table of docs/store.md, and the table lists no other', () => {
  const text = readFileSync(join(repoRoot, 'docs/store.md'), 'utf8');
  const table = text.slice(text.indexOf('| code | meaning |'));
  const documented = [...table.slice(0, table.indexOf('\n\n')).matchAll(/^\| `([A-Z_]+)` \|/gm)].map(
    (match) => match[1],
  );
  assert.deepEqual([...documented].sort(), [...verifyProblemCodes].sort());
});

test('saved remotes: a remote: record must be JSON with an oci:// URL', async (t) => {
  const store = await memoryStore(t);
  await commit(store, policySnapshot(1));
  await store.kv.batch([
    { type: 'put', key: 'remote:origin', value: JSON.stringify({ url: 'oci://127.0.0.1:5000/acme/specs' }) },
    { type: 'put', key: 'remote:plain', value: JSON.stringify({ url: 'oci://r.example/acme', plainHttp: true }) },
    { type: 'put', key: 'remote:broken', value: '{"url": 5}' },
    { type: 'put', key: 'remote:text', value: 'oci://not-json' },
  ]);
  const report = await verifyStore(store);
  assert.deepEqual(report.problems.map((problem) => [problem.code, problem.key]).sort(), [
    ['RECORD_INVALID', 'remote:broken'],
    ['RECORD_INVALID', 'remote:text'],
  ]);
});
