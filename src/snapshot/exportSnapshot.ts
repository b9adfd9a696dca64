// Self-contained snapshot documents: every object a snapshot reaches, each re-verified on import.
import { digestValue, isDigest, type CanonicalObject, type Digest } from '../core/digest.js';
import { isJsonObject, parseJsonText, type JsonValue } from '../core/json.js';
import { SpecError } from '../errors.js';
import type { SpecStore } from '../store/specStore.js';
import { isLeafNode, snapshotFormat, type SnapshotRoot, type TreeNode } from './manifestTree.js';
import { SnapshotView } from './snapshotView.js';

export const exportFormat = 'specstore/export/v1';

export interface SnapshotDocument {
  format: typeof exportFormat;
  snapshot: Digest;
  /** Every object the snapshot reaches, by digest: the root, the tree nodes, the specs. */
  objects: Record<string, JsonValue>;
}

/** Collects every object of a snapshot from the store (each re-hashed on read). */
export async function exportSnapshot(store: SpecStore, id: Digest): Promise<SnapshotDocument> {
  const view = await SnapshotView.open(store, id);
  const objects: Record<string, JsonValue> = { [id]: view.root as unknown as JsonValue };
  const visit = async (digest: Digest): Promise<void> => {
    const node = await view.node(digest);
    objects[digest] = node as unknown as JsonValue;
    if (isLeafNode(node)) {
      for (const entry of Object.values(node.leaf)) {
        for (const [version, specDigest] of Object.entries(entry.versions)) {
          objects[specDigest] = await view.readSpec({ id: '', name: '', version, kind: entry.kind, digest: specDigest });
        }
      }
    } else {
      for (const child of Object.values(node.branch)) await visit(child);
    }
  };
  await visit(view.root.tree);
  const sorted: Record<string, JsonValue> = {};
  for (const digest of Object.keys(objects).sort()) sorted[digest] = objects[digest]!;
  return { format: exportFormat, snapshot: id, objects: sorted };
}

/** The document as written to a file: stable across machines (sorted digests, 2-space indent, final newline). */
export function formatSnapshotDocument(document: SnapshotDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Checks a parsed document: the format, every object hashing to its key, and the snapshot reaching only objects the
 * document (or the store) holds. Returns the canonical objects to write.
 */
export function verifySnapshotDocument(document: unknown): { snapshot: Digest; objects: CanonicalObject[] } {
  if (!isJsonObject(document) || (document as Record<string, unknown>)['format'] !== exportFormat) {
    throw new SpecError('IMPORT_INVALID', `not a snapshot document (expected "format": "${exportFormat}")`);
  }
  const { snapshot, objects } = document as { snapshot: unknown; objects: unknown };
  if (!isDigest(snapshot)) throw new SpecError('IMPORT_INVALID', 'the document has no valid "snapshot" id');
  if (!isJsonObject(objects)) throw new SpecError('IMPORT_INVALID', 'the document has no "objects" map');
  const verified = new Map<Digest, CanonicalObject>();
  for (const [key, value] of Object.entries(objects as Record<string, unknown>)) {
    if (!isDigest(key)) throw new SpecError('IMPORT_INVALID', `object key "${key}" is not a digest`, { data: { object: key } });
    let canonical: CanonicalObject;
    try {
      canonical = digestValue(value);
    } catch (cause) {
      throw new SpecError('IMPORT_DIGEST_MISMATCH', `object ${key} is not pure JSON, so it cannot hash to its key`, { data: { expected: key }, cause });
    }
    if (canonical.digest !== key) {
      throw new SpecError('IMPORT_DIGEST_MISMATCH', `object ${key} in the document hashes to ${canonical.digest}: the document was altered or damaged`, { data: { expected: key, actual: canonical.digest } });
    }
    verified.set(key, canonical);
  }
  const need = (digest: Digest, from: string): JsonValue => {
    const object = verified.get(digest);
    if (!object) throw new SpecError('IMPORT_INCOMPLETE', `the document lacks object ${digest} (referenced by ${from})`, { data: { object: digest } });
    return parseJsonText(object.text);
  };
  const root = need(snapshot, 'the document') as unknown as SnapshotRoot;
  if (!isJsonObject(root) || root.format !== snapshotFormat || !isDigest(root.tree)) {
    throw new SpecError('IMPORT_INVALID', `object ${snapshot} is not a snapshot root`);
  }
  let specs = 0;
  const visit = (digest: Digest, from: string): void => {
    const node = need(digest, from) as unknown as TreeNode;
    if (isLeafNode(node)) {
      for (const [name, entry] of Object.entries(node.leaf)) {
        for (const [version, specDigest] of Object.entries(entry.versions)) {
          need(specDigest, `${name}@${version}`);
          specs++;
        }
      }
    } else {
      for (const child of Object.values(node.branch)) visit(child, `tree node ${digest}`);
    }
  };
  visit(root.tree, `snapshot ${snapshot}`);
  if (specs !== root.specs) throw new SpecError('IMPORT_INVALID', `snapshot ${snapshot} says it has ${root.specs} specs but its tree lists ${specs}`);
  return { snapshot, objects: [...verified.values()] };
}
