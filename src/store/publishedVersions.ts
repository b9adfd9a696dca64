// Published versions: once a snapshot is tagged, imported or pinned, every id@version in it is fixed for good.
import type { Digest } from '../core/digest.js';
import { SpecError } from '../errors.js';
import type { BatchOperation } from './keyValueStore.js';
import { keys, type SpecStore } from './specStore.js';
import { keySpaces } from './storeKeys.js';

/** `pub:<id@version>`: the digest an id@version was first published with, and the snapshot that published it. */
export interface PublishedVersion {
  digest: Digest;
  snapshot: Digest;
}

/** `pin:<snapshot>`: the snapshot is published (gc keeps it); `by` says how (`tag prod`, `import`, `plan trailer-render`). */
export interface PinRecord {
  pinnedAt: string;
  by: string[];
}

/** One spec of a snapshot (or of a build) as far as immutability is concerned. */
export interface VersionEntry {
  id: string;
  digest: Digest;
}

/** The same id@version with another digest than a snapshot that already holds it. */
export interface VersionConflict {
  id: string;
  digest: Digest;
  /** The snapshot holding the other digest, and that digest. */
  existing: PublishedVersion;
  /** False when found by `build --strict` in a snapshot that was never published. */
  published: boolean;
}

/**
 * How many batches have published versions in this store (`meta:publications`; 0 if none did). A build that checked
 * its specs against the published versions at count N need not check the same specs again while the count is N.
 */
export async function readPublicationCount(store: SpecStore): Promise<number> {
  const text = await store.kv.get(keys.meta('publications'));
  const count = text === undefined ? 0 : Number(text);
  return Number.isSafeInteger(count) && count >= 0 ? count : Number.NaN; // a damaged count matches nothing
}

/** The published records of the given ids (absent ids are left out). */
export async function readPublishedVersions(
  store: SpecStore,
  ids: readonly string[],
): Promise<Map<string, PublishedVersion>> {
  const values = await store.kv.getMany(ids.map(keys.published));
  const found = new Map<string, PublishedVersion>();
  values.forEach((value, i) => {
    if (value !== undefined) found.set(ids[i]!, JSON.parse(value) as PublishedVersion);
  });
  return found;
}

/** Entries whose id is published with another digest. */
export async function findPublishedConflicts(
  store: SpecStore,
  entries: readonly VersionEntry[],
): Promise<VersionConflict[]> {
  const published = await readPublishedVersions(
    store,
    entries.map((entry) => entry.id),
  );
  const conflicts: VersionConflict[] = [];
  for (const entry of entries) {
    const existing = published.get(entry.id);
    if (existing && existing.digest !== entry.digest)
      conflicts.push({ id: entry.id, digest: entry.digest, existing, published: true });
  }
  return conflicts;
}

/**
 * The batch operations that publish a snapshot: a `pub:` record for each id@version not yet published, and the
 * snapshot's `pin:` record. Throws VERSION_MUTATED (nothing to write) when an id@version is already published with
 * another digest. Run it inside the store's write lock (a commitBuild/setTag/importSnapshot hook) so that the check
 * and the write are one step.
 */
export async function publicationOperations(
  store: SpecStore,
  snapshot: Digest,
  entries: readonly VersionEntry[],
  by: readonly string[],
  now: Date,
): Promise<BatchOperation[]> {
  const published = await readPublishedVersions(
    store,
    entries.map((entry) => entry.id),
  );
  const conflicts: VersionConflict[] = [];
  const operations: BatchOperation[] = [];
  for (const entry of entries) {
    const existing = published.get(entry.id);
    if (existing === undefined) {
      const record: PublishedVersion = { digest: entry.digest, snapshot };
      operations.push({ type: 'put', key: keys.published(entry.id), value: JSON.stringify(record) });
    } else if (existing.digest !== entry.digest) {
      conflicts.push({ id: entry.id, digest: entry.digest, existing, published: true });
    }
  }
  if (conflicts.length > 0) throw versionMutatedError(conflicts, snapshot);
  if (operations.length > 0)
    operations.push({
      type: 'put',
      key: keys.meta('publications'),
      value: String((await readPublicationCount(store)) + 1),
    });
  const pin = await readPinRecord(store, snapshot);
  const reasons = by.filter((reason, i) => !pin?.by.includes(reason) && by.indexOf(reason) === i);
  if (pin === undefined || reasons.length > 0) {
    const record: PinRecord = { pinnedAt: pin?.pinnedAt ?? now.toISOString(), by: [...(pin?.by ?? []), ...reasons] };
    operations.push({ type: 'put', key: keys.pin(snapshot), value: JSON.stringify(record) });
  }
  return operations;
}

export async function readPinRecord(store: SpecStore, snapshot: Digest): Promise<PinRecord | undefined> {
  const text = await store.kv.get(keys.pin(snapshot));
  return text === undefined ? undefined : (JSON.parse(text) as PinRecord);
}

/** Every published id@version, in key order. */
export async function listPublishedVersions(store: SpecStore): Promise<(PublishedVersion & { id: string })[]> {
  const records: (PublishedVersion & { id: string })[] = [];
  for await (const { name, value } of store.records(keySpaces.published))
    records.push({ id: name, ...(JSON.parse(value) as PublishedVersion) });
  return records;
}

/**
 * Every published snapshot: those with a `pin:` record, and those named by a `pub:` record. A snapshot whose versions
 * were all published before by another one is only in the first set, so gc must keep both.
 */
export async function publishedSnapshots(store: SpecStore): Promise<Set<Digest>> {
  const snapshots = new Set<Digest>();
  for await (const { name } of store.records(keySpaces.pin)) snapshots.add(name as Digest);
  for await (const { value } of store.records(keySpaces.published))
    snapshots.add((JSON.parse(value) as PublishedVersion).snapshot);
  return snapshots;
}

/** A version the user could move to instead of changing a published one: the next integer, or the next patch. */
export function suggestNextVersion(id: string): string {
  const at = id.indexOf('@');
  const name = id.slice(0, at);
  const version = id.slice(at + 1);
  if (/^[0-9]+$/.test(version)) return `${name}@${BigInt(version) + 1n}`;
  const semver = /^([0-9]+)\.([0-9]+)\.([0-9]+)/.exec(version);
  return semver ? `${name}@${semver[1]}.${semver[2]}.${BigInt(semver[3]!) + 1n}` : `${name}@<new version>`;
}

/** VERSION_MUTATED naming each spec, the snapshot that holds it, both digests and the fix; `diagnostics` carry files. */
export function versionMutatedError(
  conflicts: readonly VersionConflict[],
  snapshot?: Digest,
  diagnostics: SpecError['diagnostics'] = [],
): SpecError {
  const first = conflicts[0]!; // callers pass at least one conflict
  const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : '';
  return new SpecError('VERSION_MUTATED', `${conflictMessage(first)}${more}`, {
    data: {
      conflicts: conflicts.map((conflict) => ({ ...conflict, fix: suggestNextVersion(conflict.id) })),
      ...(snapshot === undefined ? {} : { snapshot }),
    },
    diagnostics,
  });
}

export function conflictMessage(conflict: VersionConflict): string {
  const where = conflict.published ? 'published in snapshot' : 'already stored in snapshot';
  return (
    `${conflict.id} is ${where} ${conflict.existing.snapshot} as ${conflict.existing.digest}, but here it is ${conflict.digest}: ` +
    `a version is immutable once ${conflict.published ? 'published' : 'stored'}; give the changed spec a new version (e.g. ${suggestNextVersion(conflict.id)})`
  );
}
