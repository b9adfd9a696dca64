// Which names differ between two snapshots, reading only the tree nodes whose digests differ.
import type { Digest } from '../core/digest.js';
import { isLeafNode, type NameEntry, type TreeNode } from './manifestTree.js';
import type { SnapshotView } from './snapshotView.js';

/** A name whose entry (kind or any version's digest) differs; a side is absent where the name is. */
export interface ChangedName {
  name: string;
  old?: NameEntry;
  new?: NameEntry;
}

export interface TreeComparison {
  changed: ChangedName[];
  /** Tree nodes read from each side: with the Merkle tree, proportional to the change, not to the snapshots. */
  nodesRead: number;
}

/**
 * Compares two snapshots' manifests; equal subtrees (equal digests) are skipped without being read. Breadth first:
 * the nodes of each level are read in one batch per side (hundreds of single reads cost more in waiting than in work).
 */
export async function compareTrees(before: SnapshotView, after: SnapshotView): Promise<TreeComparison> {
  const changed: ChangedName[] = [];
  let nodesRead = 0;
  // Pairs of subtrees still to compare (a side is undefined where the other snapshot has nothing there).
  let pairs: [Digest | undefined, Digest | undefined][] =
    before.root.tree === after.root.tree ? [] : [[before.root.tree, after.root.tree]];
  // Subtrees whose names must be listed (a leaf met, or a subtree on one side only), each with its map of names.
  const leafPairs: [Map<string, NameEntry>, Map<string, NameEntry>][] = [];
  let flattenBefore: [Digest, Map<string, NameEntry>][] = [];
  let flattenAfter: [Digest, Map<string, NameEntry>][] = [];
  const readLevel = async (view: SnapshotView, digests: Digest[]) => {
    nodesRead += digests.length;
    return view.nodes(digests);
  };
  while (pairs.length > 0 || flattenBefore.length > 0 || flattenAfter.length > 0) {
    const both = pairs.filter((pair): pair is [Digest, Digest] => pair[0] !== undefined && pair[1] !== undefined);
    const [nodesA, nodesB, flatA, flatB] = await Promise.all([
      readLevel(
        before,
        both.map((pair) => pair[0]),
      ),
      readLevel(
        after,
        both.map((pair) => pair[1]),
      ),
      readLevel(
        before,
        flattenBefore.map(([digest]) => digest),
      ),
      readLevel(
        after,
        flattenAfter.map(([digest]) => digest),
      ),
    ]);
    const nextPairs: typeof pairs = [];
    const nextBefore: typeof flattenBefore = [];
    const nextAfter: typeof flattenAfter = [];
    // A subtree on one side only, or a leaf on either side: compare the names below both.
    const flatten = (digest: Digest | undefined, into: Map<string, NameEntry>, queue: typeof flattenBefore) => {
      if (digest !== undefined) queue.push([digest, into]);
    };
    for (const pair of pairs) {
      if (pair[0] !== undefined && pair[1] !== undefined) continue;
      const into: [Map<string, NameEntry>, Map<string, NameEntry>] = [
        new Map<string, NameEntry>(),
        new Map<string, NameEntry>(),
      ];
      leafPairs.push(into);
      flatten(pair[0], into[0], nextBefore);
      flatten(pair[1], into[1], nextAfter);
    }
    both.forEach((_, i) => {
      const nodeA = nodesA[i]!;
      const nodeB = nodesB[i]!;
      if (!isLeafNode(nodeA) && !isLeafNode(nodeB)) {
        for (const digit of new Set([...Object.keys(nodeA.branch), ...Object.keys(nodeB.branch)])) {
          const childA = nodeA.branch[digit];
          const childB = nodeB.branch[digit];
          if (childA !== childB) nextPairs.push([childA, childB]);
        }
        return;
      }
      const into: [Map<string, NameEntry>, Map<string, NameEntry>] = [
        new Map<string, NameEntry>(),
        new Map<string, NameEntry>(),
      ];
      leafPairs.push(into);
      collect(nodeA, into[0], nextBefore);
      collect(nodeB, into[1], nextAfter);
    });
    flattenBefore.forEach(([, into], i) => collect(flatA[i]!, into, nextBefore));
    flattenAfter.forEach(([, into], i) => collect(flatB[i]!, into, nextAfter));
    pairs = nextPairs;
    flattenBefore = nextBefore;
    flattenAfter = nextAfter;
  }
  for (const [namesA, namesB] of leafPairs) {
    for (const name of new Set([...namesA.keys(), ...namesB.keys()])) {
      const old = namesA.get(name);
      const next = namesB.get(name);
      if (old && next && sameEntry(old, next)) continue;
      changed.push({ name, ...(old ? { old } : {}), ...(next ? { new: next } : {}) });
    }
  }
  changed.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return { changed, nodesRead };
}

/** A node's names into `into` (a leaf), or its children onto the queue of nodes to flatten next (a branch). */
function collect(node: TreeNode, into: Map<string, NameEntry>, queue: [Digest, Map<string, NameEntry>][]): void {
  if (isLeafNode(node)) for (const [name, entry] of Object.entries(node.leaf)) into.set(name, entry);
  else for (const child of Object.values(node.branch)) queue.push([child, into]);
}

function sameEntry(a: NameEntry, b: NameEntry): boolean {
  if (a.kind !== b.kind) return false;
  const versionsA = Object.keys(a.versions);
  if (versionsA.length !== Object.keys(b.versions).length) return false;
  return versionsA.every((version) => a.versions[version] === b.versions[version]);
}
