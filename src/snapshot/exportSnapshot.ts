// Self-contained snapshot documents: every object a snapshot reaches, each re-verified on import.
import { digestValue, isDigest, type CanonicalObject, type Digest } from '../core/digest.js';
import { isJsonObject, type JsonValue } from '../core/json.js';
import { SpecError } from '../errors.js';
import { memoryObjectReader, type ObjectReader } from '../store/objectReader.js';
import type { SpecStore } from '../store/specStore.js';
import { isLeafNode } from './manifestTree.js';
import { SnapshotView, type SnapshotEntry } from './snapshotView.js';
import { decodeSnapshotRoot } from './treeDecoder.js';
import { leafSpecs, walkRootObjects, walkTree, type TreeWalkProblem } from './treeWalk.js';

export const exportFormat = 'specstore/export/v1';

export interface SnapshotDocument {
  format: typeof exportFormat;
  snapshot: Digest;
  /** Every object the snapshot reaches, by digest: the root, its kind definitions, the tree nodes, the specs. */
  objects: Record<string, JsonValue>;
}

/** Collects every object of a snapshot from the store (each re-hashed on read): a level of the tree, then its specs. */
export async function exportSnapshot(store: SpecStore, id: Digest): Promise<SnapshotDocument> {
  const view = await SnapshotView.open(store, id);
  const objects: Record<string, JsonValue> = { [id]: view.root };
  const digests = view.kindDigests();
  for (const [kind, definition] of await view.kinds()) objects[digests[kind]!] = definition;
  for await (const level of view.levels()) {
    const specs: SnapshotEntry[] = [];
    for (const { digest, node } of level) {
      objects[digest] = node;
      if (isLeafNode(node))
        for (const spec of leafSpecs(node)) specs.push({ id: `${spec.name}@${spec.version}`, ...spec });
    }
    const documents = await view.readSpecs(specs);
    specs.forEach((spec, i) => (objects[spec.digest] = documents[i]!));
  }
  const sorted: Record<string, JsonValue> = {};
  for (const digest of Object.keys(objects).sort()) sorted[digest] = objects[digest]!;
  return { format: exportFormat, snapshot: id, objects: sorted };
}

/**
 * Every object of a snapshot as its canonical text (re-hashed, not parsed): the root, its kind definitions, the tree
 * nodes and the specs. For senders that pass objects on as they are (an OCI pack).
 */
export async function snapshotObjectTexts(store: SpecStore, id: Digest): Promise<CanonicalObject[]> {
  const digests = await snapshotObjectDigests(store, id);
  const texts = await store.readObjectTexts(digests);
  return digests.map((digest, i) => {
    const text = texts[i];
    if (text === undefined)
      throw new SpecError('STORE_CORRUPT', `object ${digest} of snapshot ${id} is missing from the store`, {
        data: { object: digest, snapshot: id },
      });
    return { digest, text };
  });
}

/**
 * The digest of every object a snapshot reaches (root, kind definitions, tree nodes, specs), each once, from a walk of
 * its tree: the specs themselves are not read.
 */
export async function snapshotObjectDigests(reader: ObjectReader, id: Digest): Promise<Digest[]> {
  const view = await SnapshotView.open(reader, id);
  const digests = new Set<Digest>([id, ...Object.values(view.kindDigests())]);
  await view.kinds(); // reads and checks the definitions, as export does
  for await (const level of view.levels())
    for (const { digest, node } of level) {
      digests.add(digest);
      if (isLeafNode(node)) for (const spec of leafSpecs(node)) digests.add(spec.digest);
    }
  return [...digests];
}

/** The document as written to a file: stable across machines (sorted digests, 2-space indent, final newline). */
export function formatSnapshotDocument(document: SnapshotDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Checks a parsed document: the format, every object hashing to its key, and the snapshot reaching only objects the
 * document (or the store) holds. Returns the canonical objects to write.
 */
export async function verifySnapshotDocument(
  document: unknown,
): Promise<{ snapshot: Digest; objects: CanonicalObject[] }> {
  if (!isJsonObject(document) || (document as Record<string, unknown>)['format'] !== exportFormat) {
    throw new SpecError('IMPORT_INVALID', `not a snapshot document (expected "format": "${exportFormat}")`);
  }
  const { snapshot, objects } = document as { snapshot: unknown; objects: unknown };
  if (!isDigest(snapshot)) throw new SpecError('IMPORT_INVALID', 'the document has no valid "snapshot" id');
  if (!isJsonObject(objects)) throw new SpecError('IMPORT_INVALID', 'the document has no "objects" map');
  const verified = new Map<Digest, CanonicalObject>();
  for (const [key, value] of Object.entries(objects as Record<string, unknown>)) {
    if (!isDigest(key))
      throw new SpecError('IMPORT_INVALID', `object key "${key}" is not a digest`, { data: { object: key } });
    let canonical: CanonicalObject;
    try {
      canonical = digestValue(value);
    } catch (cause) {
      throw new SpecError('IMPORT_DIGEST_MISMATCH', `object ${key} is not pure JSON, so it cannot hash to its key`, {
        data: { expected: key },
        cause,
      });
    }
    if (canonical.digest !== key) {
      throw new SpecError(
        'IMPORT_DIGEST_MISMATCH',
        `object ${key} in the document hashes to ${canonical.digest}: the document was altered or damaged`,
        { data: { expected: key, actual: canonical.digest } },
      );
    }
    verified.set(key, canonical);
  }
  await checkSnapshotObjects(snapshot, verified);
  return { snapshot, objects: [...verified.values()] };
}

/** The codes a snapshot check throws: an import's by default, a pull's for objects from a registry. */
export interface SnapshotCheckCodes {
  /** An object the snapshot reaches is not among the objects. */
  incomplete: 'IMPORT_INCOMPLETE' | 'OCI_SNAPSHOT_INCOMPLETE';
  /** The root or a node is not what the format says. */
  invalid: 'IMPORT_INVALID' | 'OCI_SNAPSHOT_INVALID';
}

/**
 * Checks that the snapshot `snapshot` reaches only objects among `objects` (already re-hashed) and that its root, kind
 * definitions and tree decode: the one check of a snapshot arriving from outside the store. Returns the digests it
 * reaches (root, definitions, nodes, specs), so a caller can leave out objects it was sent but does not need.
 */
export async function checkSnapshotObjects(
  snapshot: Digest,
  objects: ReadonlyMap<Digest, CanonicalObject>,
  codes: SnapshotCheckCodes = { incomplete: 'IMPORT_INCOMPLETE', invalid: 'IMPORT_INVALID' },
  where = 'the document',
): Promise<Set<Digest>> {
  const incomplete = (digest: Digest, from: string) =>
    new SpecError(codes.incomplete, `${where} lacks object ${digest} (referenced by ${from})`, {
      data: { object: digest },
    });
  const reached = new Set<Digest>([snapshot]);
  const reader = memoryObjectReader([...objects.values()]);
  const [rootValue] = await reader.readObjects([snapshot]);
  if (rootValue === undefined) throw incomplete(snapshot, where);
  const root = decodeSnapshotRoot(rootValue);
  if (!root.ok) throw new SpecError(codes.invalid, `object ${snapshot} is not a snapshot root`);
  let specs = 0;
  const onProblem = (problem: TreeWalkProblem) => {
    if (problem.code === 'NODE_MISSING' || problem.code === 'DEFINITION_MISSING')
      throw incomplete(
        problem.digest,
        problem.parent === undefined ? `snapshot ${snapshot}` : `tree node ${problem.parent}`,
      );
    throw new SpecError(codes.invalid, `snapshot ${snapshot} is malformed: ${problem.message}`, {
      data: { object: problem.digest },
    });
  };
  for (const { digest } of await walkRootObjects(reader, root.value, { onProblem })) reached.add(digest);
  const walk = walkTree(reader, root.value.tree, { onProblem });
  for await (const level of walk) {
    for (const { digest, node } of level) {
      reached.add(digest);
      if (!isLeafNode(node)) continue;
      for (const spec of leafSpecs(node)) {
        if (!objects.has(spec.digest)) throw incomplete(spec.digest, `${spec.name}@${spec.version}`);
        reached.add(spec.digest);
        specs++;
      }
    }
  }
  if (specs !== root.value.specs)
    throw new SpecError(
      codes.invalid,
      `snapshot ${snapshot} says it has ${root.value.specs} specs but its tree lists ${specs}`,
    );
  return reached;
}
