// Which names differ between two snapshots, reading only the tree nodes whose digests differ.
import type { Digest } from '../core/digest.js';
import { isLeafNode, type NameEntry } from './manifestTree.js';
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

/** Compares two snapshots' manifests; equal subtrees (equal digests) are skipped without being read. */
export async function compareTrees(before: SnapshotView, after: SnapshotView): Promise<TreeComparison> {
  const changed: ChangedName[] = [];
  let nodesRead = 0;
  const read = async (view: SnapshotView, digest: Digest) => {
    nodesRead++;
    return view.node(digest);
  };
  /** Every name below a node, with its entry. */
  const flatten = async (view: SnapshotView, digest: Digest | undefined, into: Map<string, NameEntry>): Promise<void> => {
    if (digest === undefined) return;
    const node = await read(view, digest);
    if (isLeafNode(node)) for (const [name, entry] of Object.entries(node.leaf)) into.set(name, entry);
    else await Promise.all(Object.values(node.branch).map((child) => flatten(view, child, into)));
  };
  const visit = async (a: Digest | undefined, b: Digest | undefined): Promise<void> => {
    if (a === b) return;
    if (a !== undefined && b !== undefined) {
      const [nodeA, nodeB] = await Promise.all([read(before, a), read(after, b)]);
      if (!isLeafNode(nodeA) && !isLeafNode(nodeB)) {
        const digits = new Set([...Object.keys(nodeA.branch), ...Object.keys(nodeB.branch)]);
        // Siblings in parallel: the reads overlap; the result is sorted below.
        await Promise.all([...digits].map((digit) => visit(nodeA.branch[digit], nodeB.branch[digit])));
        return;
      }
    }
    // A leaf on either side (or a subtree on one side only): compare the names below both.
    const namesA = new Map<string, NameEntry>();
    const namesB = new Map<string, NameEntry>();
    await Promise.all([flatten(before, a, namesA), flatten(after, b, namesB)]);
    for (const name of new Set([...namesA.keys(), ...namesB.keys()])) {
      const old = namesA.get(name);
      const next = namesB.get(name);
      if (old && next && sameEntry(old, next)) continue;
      changed.push({ name, ...(old ? { old } : {}), ...(next ? { new: next } : {}) });
    }
  };
  await visit(before.root.tree, after.root.tree);
  changed.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return { changed, nodesRead };
}

function sameEntry(a: NameEntry, b: NameEntry): boolean {
  if (a.kind !== b.kind) return false;
  const versionsA = Object.keys(a.versions);
  if (versionsA.length !== Object.keys(b.versions).length) return false;
  return versionsA.every((version) => a.versions[version] === b.versions[version]);
}
