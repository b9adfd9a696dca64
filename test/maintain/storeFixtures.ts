// Snapshots built in memory for the maintain tests: specs in, objects and ids out, committed like a build.
import { digestTrustedValue, digestValue, type CanonicalObject, type Digest } from '../../src/core/digest.js';
import type { JsonObject } from '../../src/core/json.js';
import { buildManifest, type TreeNode } from '../../src/snapshot/manifestTree.js';
import { keys, type SpecStore } from '../../src/store/specStore.js';

export interface FixtureSnapshot {
  snapshot: Digest;
  objects: CanonicalObject[];
  /** Spec digests by id. */
  specs: Map<string, Digest>;
}

/** A snapshot of `count` policies `p<i>@1`; `revision` changes the listed indices' content. */
export function policySnapshot(count: number, changes: Record<number, number> = {}, namePrefix = 'p'): FixtureSnapshot {
  const specs = new Map<string, Digest>();
  const objects: CanonicalObject[] = [];
  const entries = [];
  for (let i = 0; i < count; i++) {
    const id = `${namePrefix}${i}@1`;
    const spec = digestValue({ id, budget: { max_usd_micro: 1000 + i + (changes[i] ?? 0) * 1_000_000 } });
    specs.set(id, spec.digest);
    objects.push(spec);
    entries.push({ name: `${namePrefix}${i}`, version: '1', kind: 'policy', digest: spec.digest });
  }
  const manifest = buildManifest(entries);
  return { snapshot: manifest.snapshotId, objects: [...objects, ...manifest.objects], specs };
}

export const metadata = { createdAt: '2026-01-01T00:00:00.000Z', tool: 'test', specs: 1 };

export async function commit(store: SpecStore, fixture: FixtureSnapshot, tag?: string): Promise<void> {
  await store.commitBuild({
    snapshot: fixture.snapshot,
    objects: fixture.objects,
    metadata,
    ...(tag === undefined ? {} : { tag }),
  });
}

/** Every key and value of the store, to show that something changed nothing. */
export async function dumpStore(store: SpecStore): Promise<[string, string][]> {
  const all: [string, string][] = [];
  for (const prefix of ['cache:', 'gc:', 'log:', 'meta:', 'obj:', 'pub:', 'snap:', 'tag:'])
    for await (const entry of store.kv.entries(prefix)) all.push(entry);
  return all;
}

export async function readNode(store: SpecStore, digest: Digest): Promise<TreeNode> {
  return (await store.readObject(digest)) as unknown as TreeNode;
}

/** Writes a hash-valid object (the store cannot tell it from a real one) and returns its digest. */
export async function putObject(store: SpecStore, value: JsonObject): Promise<Digest> {
  const object = digestTrustedValue(value);
  await store.kv.batch([{ type: 'put', key: keys.object(object.digest), value: object.text }]);
  return object.digest;
}
