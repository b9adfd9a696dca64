// The snapshot manifest as a Merkle hash trie: names bucketed by the hex digits of sha256(name). Pure.
import { digestTrustedValue, sha256HexOfString, type CanonicalObject, type Digest } from '../core/digest.js';
import type { JsonObject } from '../core/json.js';

/** One spec in a snapshot. */
export interface ManifestEntry {
  name: string;
  version: string;
  kind: string;
  digest: Digest;
}

/** All versions of one name, as held in a leaf. */
export interface NameEntry {
  kind: string;
  versions: Record<string, Digest>;
}

export type LeafNode = { leaf: Record<string, NameEntry> };
export type BranchNode = { branch: Record<string, Digest> };
export type TreeNode = LeafNode | BranchNode;

/** The object whose digest is the snapshot id. */
export interface SnapshotRoot {
  format: typeof snapshotFormat;
  specs: number;
  tree: Digest;
}

export const snapshotFormat = 'specstore/snapshot/v1';
/** A node holding more than this many names becomes a branch of 16 children (one per hex digit). */
export const leafCapacity = 32;
/** sha256 hex has 64 digits: below that depth a node is a leaf whatever its size. */
export const maxTreeDepth = 64;

export interface BuiltManifest {
  snapshotId: Digest;
  root: SnapshotRoot;
  /** Every object of the manifest (root and tree nodes), each with its digest; parents after children. */
  objects: CanonicalObject[];
}

interface NamedBucket {
  name: string;
  hash: string;
  entry: NameEntry;
}

/** Groups entries by name; throws TypeError on a programmer error (same name in two kinds, same id twice). */
export function groupByName(entries: readonly ManifestEntry[]): Map<string, NameEntry> {
  const byName = new Map<string, NameEntry>();
  for (const { name, version, kind, digest } of entries) {
    let entry = byName.get(name);
    if (!entry) byName.set(name, (entry = { kind, versions: {} }));
    if (entry.kind !== kind) throw new TypeError(`name ${name} appears as kind ${entry.kind} and ${kind}`);
    if (Object.hasOwn(entry.versions, version)) throw new TypeError(`${name}@${version} appears twice`);
    entry.versions[version] = digest;
  }
  return byName;
}

/** Builds the trie for a set of specs. The shape depends only on the set, never on input order. */
export function buildManifest(entries: readonly ManifestEntry[]): BuiltManifest {
  const buckets: NamedBucket[] = [...groupByName(entries)].map(([name, entry]) => ({ name, hash: sha256HexOfString(name), entry }));
  const objects: CanonicalObject[] = [];
  const tree = buildNode(buckets, 0, objects);
  const root: SnapshotRoot = { format: snapshotFormat, specs: entries.length, tree };
  const rootObject = digestTrustedValue(root as unknown as JsonObject);
  objects.push(rootObject);
  return { snapshotId: rootObject.digest, root, objects };
}

function buildNode(buckets: NamedBucket[], depth: number, objects: CanonicalObject[]): Digest {
  let node: TreeNode;
  if (buckets.length <= leafCapacity || depth >= maxTreeDepth) {
    const leaf: Record<string, NameEntry> = {};
    for (const bucket of buckets) leaf[bucket.name] = bucket.entry;
    node = { leaf };
  } else {
    const children = new Map<string, NamedBucket[]>();
    for (const bucket of buckets) {
      const digit = bucket.hash[depth];
      let list = children.get(digit);
      if (!list) children.set(digit, (list = []));
      list.push(bucket);
    }
    const branch: Record<string, Digest> = {};
    for (const digit of [...children.keys()].sort()) branch[digit] = buildNode(children.get(digit)!, depth + 1, objects);
    node = { branch };
  }
  const object = digestTrustedValue(node as unknown as JsonObject);
  objects.push(object);
  return object.digest;
}

export function isLeafNode(node: TreeNode): node is LeafNode {
  return 'leaf' in node;
}

/** The hex digit of sha256(name) that picks the child at `depth`. */
export function bucketDigit(name: string, depth: number): string {
  return sha256HexOfString(name)[depth];
}
