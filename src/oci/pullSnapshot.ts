// `spec pull`: a snapshot from an OCI repository into the store, every object re-hashed and the whole snapshot checked
// before anything is written; and a single spec read through the chunk index without the whole snapshot.
import { digestValue, type CanonicalObject, type Digest } from '../core/digest.js';
import { parseJsonText, type JsonValue } from '../core/json.js';
import { SpecError } from '../errors.js';
import { checkSnapshotObjects } from '../snapshot/exportSnapshot.js';
import { storeImportedSnapshot } from '../snapshot/importSnapshot.js';
import { SnapshotView, type ResolvedSpec } from '../snapshot/snapshotView.js';
import type { ObjectReader } from '../store/objectReader.js';
import type { SpecStore } from '../store/specStore.js';
import type { DistributionClient } from './distributionClient.js';
import { parseSnapshotManifest, snapshotTag, type PackLayer, type SnapshotManifest } from './snapshotArtifact.js';
import { chunkHolding, readPack } from './snapshotPack.js';

export interface PullOptions {
  client: DistributionClient;
  repository: string;
  /** Pull what this tag names… */
  tag?: string;
  /** …or this snapshot (found by its `snapshot-<hex>` tag). */
  snapshot?: Digest;
  /** Where the snapshot came from, for its metadata and messages (`oci://host/repo:tag`). */
  source?: string;
  /** Called as each pack arrives. */
  onProgress?: (event: { blob: Digest; bytes: number }) => void;
}

export interface PullResult {
  snapshot: Digest;
  /** The manifest's digest; undefined when a pull by id found the snapshot in the store without asking. */
  manifest?: Digest;
  /** True when the store already had the snapshot (nothing was downloaded but the manifest, if that). */
  existed: boolean;
  /** Objects of the snapshot, and how many the store lacked. */
  objects: number;
  newObjects: number;
  packs: number;
  /** Bytes of blobs downloaded (root and packs). */
  bytes: number;
}

/**
 * The manifest at a tag or digest, parsed: undefined when there is none, OCI_MANIFEST_INVALID when it is not a
 * specstore snapshot. The one reader of snapshot manifests, for pull and push.
 */
export async function fetchSnapshotManifest(
  client: DistributionClient,
  repository: string,
  reference: string,
  label = `${repository}:${reference}`,
): Promise<{ manifest: SnapshotManifest; bytes: Uint8Array; digest: Digest } | undefined> {
  const fetched = await client.getManifest(repository, reference);
  if (fetched === undefined) return undefined;
  return { manifest: parseSnapshotManifest(fetched.bytes, label), bytes: fetched.bytes, digest: fetched.digest };
}

/** The manifest a tag or snapshot id names, parsed and checked against the id; OCI_NOT_FOUND when there is none. */
export async function readRemoteManifest(
  options: Pick<PullOptions, 'client' | 'repository' | 'tag' | 'snapshot' | 'source'>,
): Promise<{ manifest: SnapshotManifest; digest: Digest }> {
  const { client, repository, tag, snapshot } = options;
  if ((tag === undefined) === (snapshot === undefined))
    throw new TypeError('readRemoteManifest: give exactly one of tag and snapshot');
  const reference = tag ?? snapshotTag(snapshot!);
  const label = options.source ?? `${repository}:${reference}`;
  const fetched = await fetchSnapshotManifest(client, repository, reference, label);
  if (fetched === undefined)
    throw new SpecError(
      'OCI_NOT_FOUND',
      snapshot === undefined
        ? `${label}: the repository has no tag ${tag}`
        : `${label}: snapshot ${snapshot} was not pushed to this repository (no tag ${reference})`,
      { data: { repository, reference } },
    );
  const { manifest } = fetched;
  if (snapshot !== undefined && manifest.snapshot !== snapshot)
    throw new SpecError(
      'OCI_SNAPSHOT_MISMATCH',
      `${label}: the manifest for snapshot ${snapshot} holds snapshot ${manifest.snapshot} in layers[0]`,
      { data: { expected: snapshot, actual: manifest.snapshot } },
    );
  return { manifest, digest: fetched.digest };
}

/**
 * Pulls a snapshot: the manifest, then (unless the store has it) the root and every pack. Each blob is re-hashed, each
 * object re-hashed, and the snapshot must reach only objects the packs hold; only then is it stored, in one batch. A
 * failure at any step leaves the store as it was.
 */
export async function pullSnapshot(store: SpecStore, options: PullOptions): Promise<PullResult> {
  const { client, repository } = options;
  const nothing = { newObjects: 0, packs: 0, bytes: 0 };
  if (options.snapshot !== undefined && (await store.snapshotMetadata(options.snapshot)) !== undefined)
    return { snapshot: options.snapshot, existed: true, objects: 0, ...nothing };
  const { manifest, digest } = await readRemoteManifest(options);
  const label = options.source ?? `${repository}:${options.tag ?? snapshotTag(manifest.snapshot)}`;
  if ((await store.snapshotMetadata(manifest.snapshot)) !== undefined)
    return { snapshot: manifest.snapshot, manifest: digest, existed: true, objects: 0, ...nothing };

  const objects = new Map<Digest, CanonicalObject>();
  const rootBytes = await client.getBlob(repository, manifest.snapshot);
  objects.set(manifest.snapshot, canonicalRoot(rootBytes, manifest.snapshot, label));
  let bytes = rootBytes.length;
  for (const pack of manifest.packs) {
    const packBytes = await client.getBlob(repository, pack.digest);
    bytes += packBytes.length;
    for (const object of readPack(packBytes, `${pack.digest} of ${label}`)) objects.set(object.digest, object);
    options.onProgress?.({ blob: pack.digest, bytes: packBytes.length });
  }
  const reached = await checkSnapshotObjects(
    manifest.snapshot,
    objects,
    { incomplete: 'OCI_SNAPSHOT_INCOMPLETE', invalid: 'OCI_SNAPSHOT_INVALID' },
    `${label} (its packs)`,
  );
  const stored = [...reached].map((objectDigest) => objects.get(objectDigest)!);
  const result = await storeImportedSnapshot(
    store,
    { snapshot: manifest.snapshot, objects: stored },
    { source: label },
  );
  return {
    snapshot: manifest.snapshot,
    manifest: digest,
    existed: result.existed,
    objects: result.objects,
    newObjects: result.newObjects,
    packs: manifest.packs.length,
    bytes,
  };
}

/**
 * Pulls by id each snapshot the store lacks (`spec plan check --remote`): the ids plans pin. Ids the store has cost no
 * request; the results are in the order given, one per distinct id.
 */
export async function pullMissingSnapshots(
  store: SpecStore,
  ids: readonly Digest[],
  options: Omit<PullOptions, 'tag' | 'snapshot'>,
): Promise<PullResult[]> {
  const results: PullResult[] = [];
  for (const snapshot of new Set(ids)) results.push(await pullSnapshot(store, { ...options, snapshot }));
  return results;
}

/** The root blob as a canonical object: the blob was re-hashed to the id; it must also be canonical JSON. */
function canonicalRoot(bytes: Uint8Array, id: Digest, label: string): CanonicalObject {
  const text = new TextDecoder().decode(bytes);
  let object: CanonicalObject | undefined;
  try {
    object = digestValue(JSON.parse(text));
  } catch {
    object = undefined;
  }
  if (object?.text !== text || object.digest !== id)
    throw new SpecError('OCI_SNAPSHOT_INVALID', `${label}: layers[0] is not the canonical JSON of snapshot ${id}`, {
      data: { snapshot: id },
    });
  return object;
}

/**
 * An object reader over a remote snapshot that fetches only what is asked: the root blob, and for any other object
 * the one gzip member of a pack whose digest range holds it (a Range read). Every object is re-hashed by readPack.
 */
export function remoteSnapshotReader(
  client: DistributionClient,
  repository: string,
  manifest: SnapshotManifest,
  label: string,
): ObjectReader & { requests: () => number } {
  const members = new Map<string, Promise<Map<Digest, string>>>();
  let requests = 0;
  const member = (pack: PackLayer, index: number) => {
    const key = `${pack.digest}#${index}`;
    let pending = members.get(key);
    if (pending === undefined) {
      const start = pack.chunks[index]!.offset;
      const end = (pack.chunks[index + 1]?.offset ?? pack.size) - 1;
      requests++;
      pending = client.getBlobRange(repository, pack.digest, start, end).then((bytes) => {
        const texts = new Map<Digest, string>();
        for (const object of readPack(bytes, `${pack.digest} (bytes ${start}-${end}) of ${label}`))
          texts.set(object.digest, object.text);
        return texts;
      });
      members.set(key, pending);
    }
    return pending;
  };
  const readOne = async (digest: Digest): Promise<JsonValue | undefined> => {
    if (digest === manifest.snapshot) {
      requests++;
      const root = canonicalRoot(await client.getBlob(repository, digest), digest, label);
      return parseJsonText(root.text);
    }
    for (const pack of manifest.packs) {
      const index = chunkHolding(pack.chunks, digest);
      if (index < 0) continue;
      const text = (await member(pack, index)).get(digest);
      if (text !== undefined) return parseJsonText(text);
    }
    return undefined;
  };
  return {
    readObjects: (digests) => Promise.all(digests.map(readOne)),
    requests: () => requests,
  };
}

export interface PulledSpec {
  snapshot: Digest;
  manifest: Digest;
  spec: ResolvedSpec;
  /** Blob requests made after the manifest (the root and the pack members the lookup needed). */
  requests: number;
}

/**
 * One spec of a remote snapshot, without the whole snapshot: the root, the tree nodes on the path to the name and the
 * spec, each from the pack member that holds it. Nothing is stored: a store holds whole snapshots only.
 */
export async function pullSpec(
  options: Pick<PullOptions, 'client' | 'repository' | 'tag' | 'snapshot' | 'source'> & { ref: string },
): Promise<PulledSpec> {
  const { manifest, digest } = await readRemoteManifest(options);
  const label = options.source ?? `${options.repository}:${options.tag ?? snapshotTag(manifest.snapshot)}`;
  const reader = remoteSnapshotReader(options.client, options.repository, manifest, label);
  let spec: ResolvedSpec;
  try {
    spec = await (await SnapshotView.open(reader, manifest.snapshot)).resolve(options.ref);
  } catch (error) {
    // The view calls an object the reader cannot find "corrupt store"; here it is a pack that lacks it.
    if (error instanceof SpecError && error.code === 'STORE_CORRUPT')
      throw new SpecError('OCI_SNAPSHOT_INCOMPLETE', `${label}: ${error.message}`, { cause: error });
    throw error;
  }
  return { snapshot: manifest.snapshot, manifest: digest, spec, requests: reader.requests() };
}
