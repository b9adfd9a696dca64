// The manifest hash trie: shape from the set of names alone, the worked example of docs/format.md, structural sharing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { digestValue, sha256HexOfString, type CanonicalObject, type Digest } from '../../src/core/digest.js';
import {
  bucketDigit,
  buildManifest,
  groupByName,
  leafCapacity,
  snapshotFormat,
  updateManifest,
  type BuiltManifest,
  type ManifestEntry,
  type NameEntry,
  type TreeNode,
} from '../../src/snapshot/manifestTree.js';

const encoder = new TextEncoder();

function fakeDigest(seed: string): Digest {
  return digestValue({ seed }).digest;
}

function entriesFor(count: number, versionsPerName = 1): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  for (let i = 0; i < count; i++) {
    for (let v = 1; v <= versionsPerName; v++)
      entries.push({
        name: `spec${i}`,
        version: String(v),
        kind: i % 3 === 0 ? 'tool' : 'policy',
        digest: fakeDigest(`${i}@${v}`),
      });
  }
  return entries;
}

interface VisitedLeaf {
  depth: number;
  /** The hex digits followed from the top node. */
  path: string;
  node: Extract<TreeNode, { leaf: unknown }>;
}

/** Walks the tree from the top node through the manifest's own objects, checking every object hashes to its key. */
function walk(manifest: BuiltManifest): {
  leaves: VisitedLeaf[];
  branches: { depth: number; path: string; names: number }[];
} {
  const byDigest = new Map<string, CanonicalObject>(manifest.objects.map((object) => [object.digest, object]));
  for (const [digest, object] of byDigest) assert.equal(digestValue(JSON.parse(object.text)).digest, digest);
  const leaves: VisitedLeaf[] = [];
  const branches: { depth: number; path: string; names: number }[] = [];
  const visit = (digest: Digest, depth: number, path: string): number => {
    const object = byDigest.get(digest);
    assert.ok(object, `tree node ${digest} is among the manifest's objects`);
    const node = JSON.parse(object.text) as TreeNode;
    assert.equal(Object.keys(node).length, 1);
    if ('leaf' in node) {
      leaves.push({ depth, path, node });
      return Object.keys(node.leaf).length;
    }
    let names = 0;
    for (const [digit, child] of Object.entries(node.branch)) {
      assert.match(digit, /^[0-9a-f]$/);
      names += visit(child, depth + 1, path + digit);
    }
    branches.push({ depth, path, names });
    return names;
  };
  visit(manifest.root.tree, 0, '');
  return { leaves, branches };
}

function leafDepth(manifest: BuiltManifest, name: string): number {
  const leaf = walk(manifest).leaves.find(({ node }) => Object.hasOwn(node.leaf, name));
  assert.ok(leaf, `${name} is in some leaf`);
  return leaf.depth;
}

function objectBytes(objects: readonly CanonicalObject[]): number {
  return objects.reduce((total, object) => total + encoder.encode(object.text).length, 0);
}

describe('the worked example of docs/format.md', () => {
  const schema = {
    id: 'media.metadata@1',
    schema: {
      type: 'object',
      properties: { title: { type: 'string' }, duration_ms: { type: 'integer', minimum: 0 } },
      required: ['title', 'duration_ms'],
    },
  };
  const policy = { budget: { max_usd_micro: 1000000 }, id: 'default@1' };

  test('the spec digests', () => {
    assert.equal(
      digestValue(schema).text,
      '{"id":"media.metadata@1","schema":{"properties":{"duration_ms":{"minimum":0,"type":"integer"},"title":{"type":"string"}},"required":["title","duration_ms"],"type":"object"}}',
    );
    assert.equal(digestValue(schema).digest, 'sha256:dff3b99216fd217d55a064c59a6b0843b451ff0b0548d2a831cba6d7d6532189');
    assert.equal(digestValue(policy).digest, 'sha256:b862dff80146dfb6944a656a2a76de7c080be9540a51ceae84403d5346ed21d6');
  });

  test('the tree, the root and the snapshot id', () => {
    const manifest = buildManifest([
      { name: 'media.metadata', version: '1', kind: 'schema', digest: digestValue(schema).digest },
      { name: 'default', version: '1', kind: 'policy', digest: digestValue(policy).digest },
    ]);
    const [leaf, root] = manifest.objects;
    assert.equal(manifest.objects.length, 2);
    assert.equal(
      leaf?.text,
      '{"leaf":{"default":{"kind":"policy","versions":{"1":"sha256:b862dff80146dfb6944a656a2a76de7c080be9540a51ceae84403d5346ed21d6"}},"media.metadata":{"kind":"schema","versions":{"1":"sha256:dff3b99216fd217d55a064c59a6b0843b451ff0b0548d2a831cba6d7d6532189"}}}}',
    );
    assert.equal(leaf?.digest, 'sha256:943acd5f8ed524cd159b496c39aa4530659b2e81194a5401f8218b94360f74fa');
    // The same tree under a v1 root (docs/format.md keeps this example: v1 ids stay valid).
    const v1Root = {
      format: 'specstore/snapshot/v1',
      specs: 2,
      tree: 'sha256:943acd5f8ed524cd159b496c39aa4530659b2e81194a5401f8218b94360f74fa',
    };
    assert.equal(
      digestValue(v1Root).text,
      '{"format":"specstore/snapshot/v1","specs":2,"tree":"sha256:943acd5f8ed524cd159b496c39aa4530659b2e81194a5401f8218b94360f74fa"}',
    );
    assert.equal(digestValue(v1Root).digest, 'sha256:00ee28943f79260da26b2cd28bf378039c27c4331a6c49bdc27387818899be99');
    // New builds write v2; without rules, it records no kinds and no plugins.
    assert.equal(
      root?.text,
      '{"format":"specstore/snapshot/v2","kinds":{},"plugins":{},"specs":2,"tree":"sha256:943acd5f8ed524cd159b496c39aa4530659b2e81194a5401f8218b94360f74fa"}',
    );
    assert.equal(root?.digest, manifest.snapshotId);
  });

  test('the v2 example: a kind definition, a plugin, an origin', () => {
    const definition = {
      format: 'specstore/kind/v1',
      name: 'note',
      directory: 'notes',
      summary: 'A note.',
      schema: { type: 'object', required: ['id'] },
      references: [],
      embedded_schemas: [],
    };
    const kindDigest = digestValue(definition);
    assert.equal(
      kindDigest.text,
      '{"directory":"notes","embedded_schemas":[],"format":"specstore/kind/v1","name":"note","references":[],"schema":{"required":["id"],"type":"object"},"summary":"A note."}',
    );
    assert.equal(kindDigest.digest, 'sha256:1e784e9ad5c58a99943f64aae66c318a9021b69dfa677c09e9d7df5d44642f16');
    const spec = digestValue({ id: 'hello@1', text: 'hi' });
    assert.equal(spec.digest, 'sha256:4fc9d03215d73a5dfe9d75db67b4006803f1293a968ede142414c8db1604965d');
    const manifest = buildManifest(
      [{ name: 'hello', version: '1', kind: 'note', digest: spec.digest, origin: '@acme/notes' }],
      { kinds: { note: kindDigest.digest }, plugins: { '@acme/notes': '1.2.0' } },
    );
    const [leaf, root] = manifest.objects;
    assert.equal(
      leaf?.text,
      '{"leaf":{"hello":{"kind":"note","origins":{"1":"@acme/notes"},"versions":{"1":"sha256:4fc9d03215d73a5dfe9d75db67b4006803f1293a968ede142414c8db1604965d"}}}}',
    );
    assert.equal(leaf?.digest, 'sha256:83af599cdd32214d6ab98588918b9f65deec03683921ae361016c1792b198862');
    assert.equal(
      root?.text,
      '{"format":"specstore/snapshot/v2","kinds":{"note":"sha256:1e784e9ad5c58a99943f64aae66c318a9021b69dfa677c09e9d7df5d44642f16"},"plugins":{"@acme/notes":"1.2.0"},"specs":1,"tree":"sha256:83af599cdd32214d6ab98588918b9f65deec03683921ae361016c1792b198862"}',
    );
    assert.equal(manifest.snapshotId, 'sha256:04409d946fca3b37152ec7ea0f1e80e52d2c9fd9c76ce11f80380bdbde38646c');
  });

  test('the name hashes that would pick the branch members', () => {
    assert.ok(sha256HexOfString('default').startsWith('37a8eec1'));
    assert.ok(sha256HexOfString('media.metadata').startsWith('b8795bf3'));
    assert.equal(bucketDigit('default', 0), '3');
    assert.equal(bucketDigit('media.metadata', 0), 'b');
  });

  test('an empty snapshot is a single empty leaf', () => {
    const manifest = buildManifest([]);
    assert.equal(manifest.objects[0]?.text, '{"leaf":{}}');
    assert.deepEqual(manifest.root, {
      format: snapshotFormat,
      specs: 0,
      tree: digestValue({ leaf: {} }).digest,
      kinds: {},
      plugins: {},
    });
    assert.equal(manifest.snapshotId, digestValue(manifest.root).digest);
  });
});

describe('shape', () => {
  const manifest = buildManifest(entriesFor(700, 3));
  const { leaves, branches } = walk(manifest);

  test(`every leaf holds at most ${leafCapacity} names, and every branch more than that`, () => {
    assert.equal(leafCapacity, 32);
    assert.ok(branches.length > 16, 'a 700-name manifest has branches below the top node');
    for (const { node } of leaves) assert.ok(Object.keys(node.leaf).length <= 32);
    for (const { names } of branches) assert.ok(names > 32);
  });

  test('each name sits in exactly one leaf, on the path of its name hash, with all its versions', () => {
    const seen = new Map<string, number>();
    for (const { path, node } of leaves) {
      for (const [name, entry] of Object.entries(node.leaf)) {
        seen.set(name, (seen.get(name) ?? 0) + 1);
        assert.ok(sha256HexOfString(name).startsWith(path), `${name} under ${path}`);
        const index = Number(name.slice('spec'.length));
        assert.deepEqual(entry, {
          kind: index % 3 === 0 ? 'tool' : 'policy',
          versions: { '1': fakeDigest(`${index}@1`), '2': fakeDigest(`${index}@2`), '3': fakeDigest(`${index}@3`) },
        });
      }
    }
    assert.equal(seen.size, 700);
    assert.ok([...seen.values()].every((count) => count === 1));
    assert.equal(manifest.root.specs, 2100);
  });

  test('a node holding exactly 32 names is a leaf; 33 names make a branch', () => {
    assert.equal(walk(buildManifest(entriesFor(32))).leaves.length, 1);
    const split = walk(buildManifest(entriesFor(33)));
    assert.equal(split.branches.length, 1);
    assert.ok(split.leaves.every(({ depth }) => depth === 1));
  });

  test('names sharing a long hash prefix still end in leaves of at most 32 names', () => {
    // 40 names whose hashes share their first two hex digits force a chain of branches.
    const names: string[] = [];
    for (let i = 0; names.length < 40; i++) if (sha256HexOfString(`n${i}`).startsWith('00')) names.push(`n${i}`);
    const chain = walk(
      buildManifest(names.map((name) => ({ name, version: '1', kind: 'tool', digest: fakeDigest(name) }))),
    );
    assert.deepEqual(chain.branches.map(({ path }) => path).sort(), ['', '0', '00']);
    for (const { node, path } of chain.leaves) {
      assert.equal(path.length, 3);
      assert.ok(Object.keys(node.leaf).length <= 32);
    }
  });

  test('the same name under two kinds, or the same id twice, is a programmer error', () => {
    assert.throws(
      () =>
        buildManifest([
          { name: 'a', version: '1', kind: 'tool', digest: fakeDigest('1') },
          { name: 'a', version: '2', kind: 'policy', digest: fakeDigest('2') },
        ]),
      TypeError,
    );
    assert.throws(
      () =>
        buildManifest([
          { name: 'a', version: '1', kind: 'tool', digest: fakeDigest('1') },
          { name: 'a', version: '1', kind: 'tool', digest: fakeDigest('2') },
        ]),
      TypeError,
    );
  });
});

describe('order independence', () => {
  const entrySets = fc
    .uniqueArray(fc.stringMatching(/^[a-z0-9]{1,6}$/), { maxLength: 120 })
    .chain((names) =>
      fc.tuple(...names.map((name) => fc.integer({ min: 1, max: 3 }).map((count) => ({ name, count })))),
    )
    .map((named) =>
      named.flatMap(({ name, count }, index) =>
        Array.from({ length: count }, (_, v): ManifestEntry => ({
          name,
          version: String(v + 1),
          kind: index % 2 === 0 ? 'tool' : 'schema',
          digest: fakeDigest(`${name}@${v + 1}`),
        })),
      ),
    );

  test('the snapshot id and the set of objects do not depend on the order of entries', () => {
    fc.assert(
      fc.property(
        entrySets.chain((entries) =>
          fc.tuple(
            fc.constant(entries),
            fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }),
          ),
        ),
        ([entries, shuffled]) => {
          const a = buildManifest(entries);
          const b = buildManifest(shuffled);
          assert.equal(b.snapshotId, a.snapshotId);
          assert.deepEqual(
            b.objects.map((object) => object.digest).sort(),
            a.objects.map((object) => object.digest).sort(),
          );
          assert.equal(a.root.specs, entries.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('reversing 2,000 entries gives the same id', () => {
    const entries = entriesFor(2000);
    assert.equal(buildManifest([...entries].reverse()).snapshotId, buildManifest(entries).snapshotId);
  });
});

describe('structural sharing: changing k of n = 2,000 specs', () => {
  const n = 2000;
  const before = entriesFor(n);
  const old = buildManifest(before);
  const oldDigests = new Set(old.objects.map((object) => object.digest));
  const { leaves } = walk(old);
  const levels = Math.max(...leaves.map(({ depth }) => depth)) + 1;
  const totalBytes = objectBytes(old.objects);

  function change(k: number): { changed: string[]; fresh: CanonicalObject[]; manifest: BuiltManifest } {
    const picked = new Set(Array.from({ length: k }, (_, i) => (i * 397 + 11) % n));
    const after = before.map((entry, index) =>
      picked.has(index) ? { ...entry, digest: fakeDigest(`changed ${index}`) } : entry,
    );
    const manifest = buildManifest(after);
    return {
      changed: [...picked].map((index) => `spec${index}`),
      fresh: manifest.objects.filter((object) => !oldDigests.has(object.digest)),
      manifest,
    };
  }

  test('the tree of 2,000 names has branches', () => {
    assert.ok(levels >= 2);
    assert.ok(leaves.length > 16);
  });

  test('k = 1: exactly the path to the leaf and the root are new, under 5% of the manifest bytes', () => {
    const { changed, fresh, manifest } = change(1);
    assert.notEqual(manifest.snapshotId, old.snapshotId);
    assert.equal(fresh.length, leafDepth(old, changed[0]!) + 1 + 1);
    assert.ok(fresh.length <= 1 * (levels + 1));
    const freshBytes = objectBytes(fresh);
    assert.ok(freshBytes < 0.05 * totalBytes, `${freshBytes} new bytes of ${totalBytes}`);
  });

  for (const k of [2, 5, 20, 100]) {
    test(`k = ${k}: at most k · (depth + 1) new objects, each changed name in a new leaf`, () => {
      const { changed, fresh, manifest } = change(k);
      assert.ok(fresh.length <= k * (levels + 1), `${fresh.length} new objects for k = ${k}, ${levels} levels`);
      assert.ok(fresh.length <= k * levels + 1);
      const freshLeaves = fresh.map((object) => JSON.parse(object.text) as TreeNode).filter((node) => 'leaf' in node);
      for (const name of changed)
        assert.ok(
          freshLeaves.some((node) => 'leaf' in node && Object.hasOwn(node.leaf, name)),
          `${name} is in a new leaf`,
        );
      assert.ok(objectBytes(fresh) < objectBytes(manifest.objects));
    });
  }

  test('an unchanged set of specs produces no new objects', () => {
    const { fresh, manifest } = change(0);
    assert.equal(manifest.snapshotId, old.snapshotId);
    assert.equal(fresh.length, 0);
  });
});

describe('updateManifest: rewriting only the changed paths gives the tree built from scratch', () => {
  /** A store of tree nodes: every object of every manifest built so far. */
  function nodeStore(): {
    add: (objects: readonly CanonicalObject[]) => void;
    read: (digests: readonly Digest[]) => Promise<(TreeNode | undefined)[]>;
    reads: () => number;
  } {
    const nodes = new Map<string, TreeNode>();
    let reads = 0;
    return {
      add: (objects) => objects.forEach((object) => nodes.set(object.digest, JSON.parse(object.text) as TreeNode)),
      read: (digests) => {
        reads += digests.length;
        return Promise.resolve(digests.map((digest) => nodes.get(digest)));
      },
      reads: () => reads,
    };
  }

  function changesBetween(
    before: readonly ManifestEntry[],
    after: readonly ManifestEntry[],
  ): Map<string, NameEntry | undefined> {
    const old = groupByName(before);
    const now = groupByName(after);
    const changes = new Map<string, NameEntry | undefined>();
    for (const [name, entry] of now)
      if (JSON.stringify(old.get(name)) !== JSON.stringify(entry)) changes.set(name, entry);
    for (const name of old.keys()) if (!now.has(name)) changes.set(name, undefined);
    return changes;
  }

  async function check(
    before: readonly ManifestEntry[],
    after: readonly ManifestEntry[],
  ): Promise<{ fresh: number; reads: number }> {
    const store = nodeStore();
    const old = buildManifest(before);
    store.add(old.objects);
    const expected = buildManifest(after);
    const updated = await updateManifest(old.root, changesBetween(before, after), after.length, store.read);
    assert.ok(updated);
    assert.equal(updated.snapshotId, expected.snapshotId);
    assert.deepEqual(updated.root, expected.root);
    // Every node of the new tree is either new or was already stored.
    store.add(updated.objects);
    const present = await store.read(expected.objects.map((object) => object.digest));
    assert.ok(present.every(Boolean), 'every node of the new tree is stored');
    const expectedDigests = new Set(expected.objects.map((object) => object.digest));
    for (const object of updated.objects)
      assert.ok(expectedDigests.has(object.digest), 'no object outside the new tree');
    return { fresh: updated.objects.length, reads: store.reads() };
  }

  test('random sets and random changes: additions, removals, new versions, kind changes (property)', async () => {
    const entryFor = (i: number, version: number, salt: number): ManifestEntry => ({
      name: `n${i}`,
      version: String(version),
      kind: salt % 5 === 0 ? 'policy' : 'tool',
      digest: fakeDigest(`${i}.${version}.${salt}`),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300 }),
        fc.array(
          fc.record({
            op: fc.constantFrom('add', 'remove', 'modify', 'version'),
            i: fc.nat({ max: 400 }),
            salt: fc.nat({ max: 9 }),
          }),
          { maxLength: 120 },
        ),
        fc.boolean(),
        async (size, ops, removeMost) => {
          const before = Array.from({ length: size }, (_, i) => entryFor(i, 1, 1));
          const byKey = new Map(before.map((entry) => [`${entry.name}@${entry.version}`, entry]));
          for (const { op, i, salt } of ops) {
            const name = `n${i}`;
            if (op === 'add' || op === 'modify') byKey.set(`${name}@1`, entryFor(i, 1, salt === 1 ? 2 : salt));
            else if (op === 'version')
              byKey.set(`${name}@2`, { ...entryFor(i, 2, salt), kind: byKey.get(`${name}@1`)?.kind ?? 'tool' });
            else for (const key of [...byKey.keys()]) if (key.startsWith(`${name}@`)) byKey.delete(key);
          }
          // A name has one kind: the kind of its first version wins.
          let after = [...byKey.values()].map((entry) => ({
            ...entry,
            kind: byKey.get(`${entry.name}@1`)?.kind ?? entry.kind,
          }));
          if (removeMost) after = after.filter((_, index) => index % 9 === 0); // folds branches back into leaves
          await check(before, after);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('one changed name among 10,000 rewrites one path and reads only it', async () => {
    const before = entriesFor(10_000);
    const after = before.map((entry) =>
      entry.name === 'spec77' ? { ...entry, digest: fakeDigest('changed') } : entry,
    );
    const { fresh, reads } = await check(before, after);
    assert.ok(fresh <= 5, `${fresh} new objects`);
    assert.ok(reads - after.length <= 5, `${reads - after.length} nodes read to update`);
  });

  test('emptying the registry, and filling an empty one', async () => {
    await check(entriesFor(100), []);
    await check([], entriesFor(100));
  });

  test('a node the store lacks gives undefined (the build then starts from scratch)', async () => {
    const before = entriesFor(200);
    const old = buildManifest(before);
    const changes = new Map<string, NameEntry | undefined>([['spec1', undefined]]);
    assert.equal(await updateManifest(old.root, changes, 199, () => Promise.resolve([undefined])), undefined);
  });
});
