// The snapshot manifest as a Merkle hash trie: names bucketed by the hex digits of sha256(name). Pure.
import { digestTrustedValue, sha256HexOfString, type CanonicalObject, type Digest } from '../core/digest.js';

/** One spec in a snapshot. */
export interface ManifestEntry {
  name: string;
  version: string;
  kind: string;
  digest: Digest;
  /** The plugin package the spec came from; absent for the registry's own specs. */
  origin?: string;
}

/** All versions of one name, as held in a leaf. (Type aliases, not interfaces, so that they are JSON values.) */
export type NameEntry = {
  kind: string;
  versions: Record<string, Digest>;
  /** Version → plugin package, for the versions that came from a plugin (format v2; absent when none did). */
  origins?: Record<string, string>;
};

export type LeafNode = { leaf: Record<string, NameEntry> };
export type BranchNode = { branch: Record<string, Digest> };
export type TreeNode = LeafNode | BranchNode;

/** The root of format v1, still read (docs/format.md "Migration from v1"). */
export type SnapshotRootV1 = {
  format: typeof snapshotFormatV1;
  specs: number;
  tree: Digest;
};

/** The root of format v2: also the digests of the kind definitions that validated it, and the plugins it includes. */
export type SnapshotRootV2 = {
  format: typeof snapshotFormat;
  specs: number;
  tree: Digest;
  /** Kind name → digest of its definition object (specstore/kind/v1). */
  kinds: Record<string, Digest>;
  /** Plugin package → version. */
  plugins: Record<string, string>;
};

/** The object whose digest is the snapshot id. */
export type SnapshotRoot = SnapshotRootV1 | SnapshotRootV2;

/** The format new builds write. */
export const snapshotFormat = 'specstore/snapshot/v2';
export const snapshotFormatV1 = 'specstore/snapshot/v1';

/** What a v2 root records besides the tree: the kind definitions (their digests) and the plugins. */
export interface SnapshotRules {
  kinds: Record<string, Digest>;
  plugins: Record<string, string>;
}
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

const noRules: SnapshotRules = { kinds: {}, plugins: {} };

/** The v2 root over a tree (members in a fixed order; the digest does not depend on it). */
export function snapshotRoot(specs: number, tree: Digest, rules: SnapshotRules): SnapshotRootV2 {
  return {
    format: snapshotFormat,
    specs,
    tree,
    kinds: sortedRecord(rules.kinds),
    plugins: sortedRecord(rules.plugins),
  };
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const sorted: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = record[key]!;
  return sorted;
}

interface NamedBucket {
  name: string;
  hash: string;
  entry: NameEntry;
}

/** Groups entries by name; throws TypeError on a programmer error (same name in two kinds, same id twice). */
export function groupByName(entries: readonly ManifestEntry[]): Map<string, NameEntry> {
  const byName = new Map<string, NameEntry>();
  for (const { name, version, kind, digest, origin } of entries) {
    let entry = byName.get(name);
    if (!entry) byName.set(name, (entry = { kind, versions: {} }));
    if (entry.kind !== kind) throw new TypeError(`name ${name} appears as kind ${entry.kind} and ${kind}`);
    if (Object.hasOwn(entry.versions, version)) throw new TypeError(`${name}@${version} appears twice`);
    entry.versions[version] = digest;
    if (origin !== undefined) (entry.origins ??= {})[version] = origin;
  }
  return byName;
}

/** Builds the trie for a set of specs. The shape depends only on the set, never on input order. */
/** Without `rules`, the root records no kinds and no plugins (a tree for tests and in-memory views). */
export function buildManifest(entries: readonly ManifestEntry[], rules: SnapshotRules = noRules): BuiltManifest {
  const buckets: NamedBucket[] = [...groupByName(entries)].map(([name, entry]) => ({
    name,
    hash: sha256HexOfString(name),
    entry,
  }));
  const objects: CanonicalObject[] = [];
  const tree = buildNode(buckets, 0, objects);
  const root = snapshotRoot(entries.length, tree, rules);
  const rootObject = digestTrustedValue(root);
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
      const digit = bucket.hash[depth]!;
      let list = children.get(digit);
      if (!list) children.set(digit, (list = []));
      list.push(bucket);
    }
    const branch: Record<string, Digest> = {};
    for (const digit of [...children.keys()].sort())
      branch[digit] = buildNode(children.get(digit)!, depth + 1, objects);
    node = { branch };
  }
  const object = digestTrustedValue(node);
  objects.push(object);
  return object.digest;
}

export function isLeafNode(node: TreeNode): node is LeafNode {
  return 'leaf' in node;
}

/** The hex digit of sha256(name) that picks the child at `depth`. */
export function bucketDigit(name: string, depth: number): string {
  return sha256HexOfString(name)[depth]!;
}

/** Reads tree nodes by digest (from the store); throws or returns undefined for a node it does not have. */
export type ReadTreeNodes = (digests: readonly Digest[]) => Promise<(TreeNode | undefined)[]>;

/** A name's new entry, or undefined when the name is gone. */
export type NameChanges = ReadonlyMap<string, NameEntry | undefined>;

/** The result of updating one subtree: its digest and, for a leaf, its names (a parent may fold small leaves). */
interface UpdatedNode {
  digest: Digest | undefined;
  leaf?: Record<string, NameEntry>;
  /** A rewritten branch (not in the store yet): more names than a leaf holds. */
  branch?: true;
}

/**
 * The manifest of a snapshot that differs from `previous` by `changes`, built by rewriting only the paths from the
 * root to the changed names: the same tree `buildManifest` gives for the new set of specs (a leaf that outgrows its
 * capacity splits; a branch whose names fit in one leaf folds), with only the nodes that are new in `objects`.
 * `specs` is the new number of specs. Undefined when a node cannot be read (build from scratch then).
 */
export async function updateManifest(
  previous: SnapshotRoot,
  changes: NameChanges,
  specs: number,
  readNodes: ReadTreeNodes,
  rules: SnapshotRules = noRules,
): Promise<BuiltManifest | undefined> {
  const objects: CanonicalObject[] = [];
  const changed = [...changes].map(([name, entry]) => ({ name, hash: sha256HexOfString(name), entry }));
  let tree: UpdatedNode | undefined;
  try {
    tree = await updateNode(previous.tree, 0, changed, readNodes, objects);
  } catch (error) {
    if (error instanceof MissingTreeNode) return undefined;
    throw error;
  }
  const root = snapshotRoot(specs, tree.digest ?? emptyTree(objects), rules);
  const rootObject = digestTrustedValue(root);
  const reachable = reachableObjects(objects, root.tree); // children rewritten, then folded into their parent, are not
  reachable.push(rootObject);
  return { snapshotId: rootObject.digest, root, objects: reachable };
}

/** The new objects reachable from `top` (the others are nodes an update made and then replaced), children first. */
function reachableObjects(objects: readonly CanonicalObject[], top: Digest): CanonicalObject[] {
  const byDigest = new Map(objects.map((object) => [object.digest, object]));
  const reachable: CanonicalObject[] = [];
  const visit = (digest: Digest) => {
    const object = byDigest.get(digest);
    if (!object) return; // a node the store already has
    byDigest.delete(digest);
    const node = JSON.parse(object.text) as TreeNode;
    if (!isLeafNode(node)) for (const child of Object.values(node.branch)) visit(child);
    reachable.push(object);
  };
  visit(top);
  return reachable;
}

class MissingTreeNode extends Error {}

/** The digest of the empty tree (an empty leaf), adding it to the new objects. */
function emptyTree(objects: CanonicalObject[]): Digest {
  const object = digestTrustedValue({ leaf: {} });
  objects.push(object);
  return object.digest;
}

async function readNode(digest: Digest, readNodes: ReadTreeNodes): Promise<TreeNode> {
  const [node] = await readNodes([digest]);
  if (node === undefined) throw new MissingTreeNode(digest);
  return node;
}

async function updateNode(
  digest: Digest | undefined,
  depth: number,
  changes: { name: string; hash: string; entry: NameEntry | undefined }[],
  readNodes: ReadTreeNodes,
  objects: CanonicalObject[],
): Promise<UpdatedNode> {
  const node: TreeNode = digest === undefined ? { leaf: {} } : await readNode(digest, readNodes);
  if (changes.length === 0) return isLeafNode(node) ? { digest, leaf: node.leaf } : { digest };

  if (isLeafNode(node)) {
    const names = new Map(Object.entries(node.leaf));
    for (const { name, entry } of changes) {
      if (entry) names.set(name, entry);
      else names.delete(name);
    }
    if (names.size === 0) return { digest: undefined };
    const buckets = [...names].map(([name, entry]) => ({ name, hash: sha256HexOfString(name), entry }));
    const built = buildNode(buckets, depth, objects); // splits when it outgrew a leaf
    return buckets.length <= leafCapacity || depth >= maxTreeDepth
      ? { digest: built, leaf: Object.fromEntries(names) }
      : { digest: built, branch: true };
  }

  // A branch: update the children with changes, keep the others as they are.
  const byDigit = new Map<string, typeof changes>();
  for (const change of changes) {
    const digit = change.hash[depth]!;
    let list = byDigit.get(digit);
    if (!list) byDigit.set(digit, (list = []));
    list.push(change);
  }
  const children = new Map<string, UpdatedNode>(
    Object.entries(node.branch).map(([digit, child]) => [digit, { digest: child }]),
  );
  const updated = await Promise.all(
    [...byDigit].map(
      async ([digit, list]) =>
        [digit, await updateNode(node.branch[digit], depth + 1, list, readNodes, objects)] as const,
    ),
  );
  for (const [digit, child] of updated) {
    if (child.digest === undefined) children.delete(digit);
    else children.set(digit, child);
  }

  // Only removals can bring a branch down to one leaf's worth of names: then every child must be a small leaf.
  if (changes.some((change) => change.entry === undefined)) {
    const folded = await foldIfSmall(children, readNodes);
    if (folded) {
      if (Object.keys(folded).length === 0) return { digest: undefined };
      const object = digestTrustedValue({ leaf: folded });
      objects.push(object);
      return { digest: object.digest, leaf: folded };
    }
  }
  if (children.size === 0) return { digest: undefined };
  const branch: Record<string, Digest> = {};
  for (const digit of [...children.keys()].sort()) branch[digit] = children.get(digit)!.digest!;
  const object = digestTrustedValue({ branch });
  objects.push(object);
  return { digest: object.digest, branch: true };
}

/** The names under these children when they fit in one leaf; undefined when they do not (or a child is a branch). */
async function foldIfSmall(
  children: Map<string, UpdatedNode>,
  readNodes: ReadTreeNodes,
): Promise<Record<string, NameEntry> | undefined> {
  const folded: Record<string, NameEntry> = {};
  let count = 0;
  for (const child of children.values()) {
    if (child.branch) return undefined;
    let leaf = child.leaf;
    if (!leaf) {
      const node = await readNode(child.digest!, readNodes);
      if (!isLeafNode(node)) return undefined; // a branch holds more than a leaf's capacity
      leaf = node.leaf;
    }
    for (const [name, entry] of Object.entries(leaf)) {
      folded[name] = entry;
      if (++count > leafCapacity) return undefined;
    }
  }
  return folded;
}
