// The one tree decoder and the one walk: each malformed shape is the problem it reports; the walk is batched,
// breadth first, and reports each problem once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestTrustedValue, digestValue, type CanonicalObject, type Digest } from '../../src/core/digest.js';
import type { JsonValue } from '../../src/core/json.js';
import { buildManifest, isLeafNode, snapshotFormat, type ManifestEntry } from '../../src/snapshot/manifestTree.js';
import { decodeSnapshotRoot, decodeTreeNode, type TreeProblemCode } from '../../src/snapshot/treeDecoder.js';
import { leafSpecs, walkTree, type TreeWalkProblem, type WalkedNode } from '../../src/snapshot/treeWalk.js';
import { memoryObjectReader, type ObjectReader } from '../../src/store/objectReader.js';

const digest = (n: number) => digestValue({ n }).digest;

const problemOf = (decoded: { ok: true } | { ok: false; problem: { code: TreeProblemCode } }) =>
  decoded.ok ? 'ok' : decoded.problem.code;

test('decodeSnapshotRoot: a root, or NOT_A_ROOT / ROOT_INVALID', () => {
  const tree = digest(1);
  const v1 = 'specstore/snapshot/v1';
  const rules = { kinds: { tool: digest(2) }, plugins: { '@acme/x': '1.0.0' } };
  assert.deepEqual(decodeSnapshotRoot({ format: v1, specs: 2, tree }), {
    ok: true,
    value: { format: v1, specs: 2, tree },
  });
  assert.deepEqual(decodeSnapshotRoot({ format: snapshotFormat, specs: 2, tree, ...rules }), {
    ok: true,
    value: { format: snapshotFormat, specs: 2, tree, ...rules },
  });
  const cases: [JsonValue | undefined, TreeProblemCode][] = [
    [undefined, 'NOT_A_ROOT'],
    [[1], 'NOT_A_ROOT'],
    ['root', 'NOT_A_ROOT'],
    [{ format: 'specstore/snapshot/v3', specs: 2, tree, ...rules }, 'NOT_A_ROOT'],
    [{ format: v1, specs: 2 }, 'ROOT_INVALID'],
    [{ format: v1, specs: 2, tree: 'sha256:xyz' }, 'ROOT_INVALID'],
    [{ format: v1, specs: -1, tree }, 'ROOT_INVALID'],
    [{ format: v1, specs: 1.5, tree }, 'ROOT_INVALID'],
    [{ format: v1, specs: '2', tree }, 'ROOT_INVALID'],
    [{ format: v1, specs: 2, tree, ...rules }, 'ROOT_INVALID'],
    [{ format: snapshotFormat, specs: 2, tree }, 'ROOT_INVALID'],
    [{ format: snapshotFormat, specs: 2, tree, ...rules, kinds: { tool: 'sha256:xyz' } }, 'ROOT_INVALID'],
    [{ format: snapshotFormat, specs: 2, tree, ...rules, plugins: { '@acme/x': 1 } }, 'ROOT_INVALID'],
    [{ format: snapshotFormat, specs: 2, tree, ...rules, extra: true }, 'ROOT_INVALID'],
  ];
  for (const [value, code] of cases) assert.equal(problemOf(decodeSnapshotRoot(value)), code, JSON.stringify(value));
});

test('decodeTreeNode: each malformed node shape is the problem it reports, never a throw', () => {
  const spec = digest(1);
  assert.equal(problemOf(decodeTreeNode({ leaf: {} })), 'ok');
  assert.equal(problemOf(decodeTreeNode({ leaf: { a: { kind: 'policy', versions: { '1': spec } } } })), 'ok');
  assert.equal(problemOf(decodeTreeNode({ branch: { '0': spec, f: spec } })), 'ok');
  const cases: [JsonValue | undefined, TreeProblemCode][] = [
    [undefined, 'NOT_A_NODE'],
    [null, 'NOT_A_NODE'],
    [[{ leaf: {} }], 'NOT_A_NODE'],
    [{}, 'NOT_A_NODE'],
    [{ leaf: {}, branch: {} }, 'NOT_A_NODE'],
    [{ leaf: [] }, 'NOT_A_NODE'],
    [{ twig: {} }, 'NOT_A_NODE'],
    [{ leaf: { a: 'policy' } }, 'ENTRY_INVALID'],
    [{ leaf: { a: { versions: { '1': spec } } } }, 'ENTRY_INVALID'],
    [{ leaf: { a: { kind: 7, versions: { '1': spec } } } }, 'ENTRY_INVALID'],
    [{ leaf: { a: { kind: 'policy', versions: {} } } }, 'ENTRY_INVALID'],
    [{ leaf: { a: { kind: 'policy', versions: [spec] } } }, 'ENTRY_INVALID'],
    [{ leaf: { a: { kind: 'policy', versions: { '1': 'sha256:short' } } } }, 'VERSION_DIGEST_INVALID'],
    [{ leaf: { a: { kind: 'policy', versions: { '1': spec, '2': null } } } }, 'VERSION_DIGEST_INVALID'],
    [{ branch: {} }, 'BRANCH_EMPTY'],
    [{ branch: { g: spec } }, 'BRANCH_MEMBER_INVALID'],
    [{ branch: { '00': spec } }, 'BRANCH_MEMBER_INVALID'],
    [{ branch: { A: spec } }, 'BRANCH_MEMBER_INVALID'],
    [{ branch: { '0': 'sha256:0' } }, 'BRANCH_MEMBER_INVALID'],
  ];
  for (const [value, code] of cases) assert.equal(problemOf(decodeTreeNode(value)), code, JSON.stringify(value));
  const entry = decodeTreeNode({ leaf: { a: { kind: 'policy', versions: { '1': spec, '2': 'x' } } } });
  assert.ok(!entry.ok && entry.problem.message.includes('a@2'), 'the message names the bad version');
});

function manifestOf(count: number): { entries: ManifestEntry[]; objects: CanonicalObject[]; tree: Digest } {
  const entries = Array.from({ length: count }, (_, i): ManifestEntry => ({
    name: `p${i}`,
    version: '1',
    kind: 'policy',
    digest: digest(i),
  }));
  const manifest = buildManifest(entries);
  return { entries, objects: manifest.objects, tree: manifest.root.tree };
}

/** A reader that records every call. */
function countingReader(objects: readonly CanonicalObject[]): ObjectReader & { calls: Digest[][] } {
  const inner = memoryObjectReader(objects);
  const calls: Digest[][] = [];
  return { calls, readObjects: (digests) => (calls.push([...digests]), inner.readObjects(digests)) };
}

async function walkAll(reader: ObjectReader, top: Digest, options: Partial<Parameters<typeof walkTree>[2]> = {}) {
  const batches: WalkedNode[][] = [];
  const problems: TreeWalkProblem[] = [];
  for await (const batch of walkTree(reader, top, { onProblem: (problem) => problems.push(problem), ...options }))
    batches.push(batch);
  return { batches, problems };
}

test('the walk is breadth first and batched: each level read in calls of at most batchSize, every spec reached once', async () => {
  const { entries, objects, tree } = manifestOf(600);
  const reader = countingReader(objects);
  const { batches, problems } = await walkAll(reader, tree, { batchSize: 5 });
  assert.deepEqual(problems, []);
  assert.ok(reader.calls.every((call) => call.length <= 5));
  const nodes = batches.flat();
  const depths = nodes.map((node) => node.prefix.length);
  assert.deepEqual(
    depths,
    [...depths].sort((a, b) => a - b),
    'no node comes before a shallower one',
  );
  assert.equal(nodes[0]!.digest, tree);
  assert.equal(nodes[0]!.parent, undefined);
  // Within a level, in branch-digit order.
  for (let i = 1; i < nodes.length; i++)
    if (depths[i] === depths[i - 1]) assert.ok(nodes[i - 1]!.prefix < nodes[i]!.prefix);
  for (const batch of batches) assert.ok(batch.length <= 5);
  const specs = nodes.flatMap(({ node }) => (isLeafNode(node) ? [...leafSpecs(node)] : []));
  assert.deepEqual(specs.map((spec) => spec.digest).sort(), entries.map((entry) => entry.digest).sort());
  assert.equal(reader.calls.flat().length, nodes.length, 'each node read once');
  // Children are read only after their parent's batch was seen.
  const seenBefore = new Set<Digest>();
  const gen = walkTree(reader, tree, { onProblem: () => assert.fail('no problem expected') });
  for await (const batch of gen)
    for (const { parent, digest } of batch) {
      if (parent !== undefined) assert.ok(seenBefore.has(parent));
      seenBefore.add(digest);
    }
});

test('a node missing, damaged or malformed is reported once, with its position, and the walk goes on around it', async () => {
  const { objects, tree } = manifestOf(100);
  const top = decodeTreeNode(JSON.parse(objects.find((object) => object.digest === tree)!.text));
  assert.ok(top.ok && !isLeafNode(top.value));
  const children = Object.entries(top.value.branch);
  const [missingEntry, damagedEntry, badEntry] = children;
  assert.ok(missingEntry && damagedEntry && badEntry, 'the top node has three children to spoil');
  const [[missingDigit, missingChild], [damagedDigit, damagedChild], [badDigit]] = [
    missingEntry,
    damagedEntry,
    badEntry,
  ];
  const malformed = digestTrustedValue({ leaf: { x: { kind: 'policy', versions: {} } } });
  // A top node with a member that is not a hex digit is itself malformed: nothing below it is read.
  const forgedTop = digestTrustedValue({
    branch: { ...top.value.branch, [badDigit!]: malformed.digest, g: missingChild! } as Record<string, Digest>,
  });
  const kept = objects.filter((object) => object.digest !== missingChild && object.digest !== damagedChild);
  const damaged = objects.find((object) => object.digest === damagedChild)!;
  const reader = memoryObjectReader([
    ...kept,
    malformed,
    forgedTop,
    { digest: damaged.digest, text: damaged.text.replace('p', 'q') },
  ]);
  // The top's children with one replaced by a malformed leaf, placed at two positions: each bad node is reported once.
  const variant = digestTrustedValue({
    branch: { ...top.value.branch, [badDigit!]: malformed.digest } as Record<string, Digest>,
  });
  const twice = digestTrustedValue({ branch: { '0': variant.digest, '1': variant.digest } });
  const withVariant = memoryObjectReader([
    ...kept,
    malformed,
    variant,
    twice,
    { digest: damaged.digest, text: damaged.text.replace('p', 'q') },
  ]);

  const forged = await walkAll(reader, forgedTop.digest);
  assert.deepEqual(
    forged.problems.map((problem) => [problem.code, problem.digest]),
    [['NODE_MALFORMED', forgedTop.digest]],
  );

  const { batches, problems } = await walkAll(withVariant, twice.digest);
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.digest]).sort(),
    [
      ['NODE_DAMAGED', damagedChild],
      ['NODE_MALFORMED', malformed.digest],
      ['NODE_MISSING', missingChild],
    ].sort(),
    'each bad node once, though the variant sits at two positions',
  );
  const missing = problems.find((problem) => problem.code === 'NODE_MISSING')!;
  assert.equal(missing.parent, variant.digest);
  assert.equal(missing.prefix, `0${missingDigit}`);
  assert.equal(problems.find((problem) => problem.code === 'NODE_DAMAGED')!.prefix, `0${damagedDigit}`);
  assert.equal(
    (problems.find((problem) => problem.code === 'NODE_DAMAGED')!.cause as { code: string }).code,
    'DIGEST_MISMATCH',
  );
  // Every sound node is still walked, at both positions of the variant.
  const walked = batches.flat();
  const sound = children.length - 3;
  assert.equal(walked.filter((node) => node.prefix.length === 2).length, 2 * sound);
});

test('enter skips a subtree before it is read; a cache saves reads; a branch at the deepest level is malformed', async () => {
  const { objects, tree } = manifestOf(100);
  const reader = countingReader(objects);
  const { batches } = await walkAll(reader, tree, { enter: (_digest, prefix) => prefix.length === 0 });
  assert.equal(batches.flat().length, 1);
  assert.deepEqual(reader.calls, [[tree]]);

  const cache = new Map();
  await walkAll(reader, tree, { cache });
  const reads = reader.calls.flat().length;
  await walkAll(reader, tree, { cache });
  assert.equal(reader.calls.flat().length, reads, 'a second walk with the cache reads nothing');

  let deep: CanonicalObject = digestTrustedValue({ leaf: {} });
  const chain: CanonicalObject[] = [deep];
  for (let i = 0; i < 66; i++) chain.push((deep = digestTrustedValue({ branch: { '0': deep.digest } })));
  const { problems } = await walkAll(memoryObjectReader(chain), deep.digest);
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.prefix.length]),
    [['NODE_MALFORMED', 64]],
  );
});
