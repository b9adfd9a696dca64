// `spec push`: a stored snapshot to an OCI repository, uploading only what the registry lacks (docs/oci.md).
import type { CanonicalObject, Digest } from '../core/digest.js';
import { isSpecError, SpecError } from '../errors.js';
import { snapshotObjectDigests, snapshotObjectTexts } from '../snapshot/exportSnapshot.js';
import type { SpecStore } from '../store/specStore.js';
import type { DistributionClient } from './distributionClient.js';
import { ociManifestMediaType, ociTagPattern } from './distributionClient.js';
import { fetchSnapshotManifest, pullSnapshot } from './pullSnapshot.js';
import {
  annotationKeys,
  buildSnapshotManifest,
  emptyConfig,
  emptyConfigBytes,
  snapshotTag,
  type PackLayer,
} from './snapshotArtifact.js';
import { packLineBytes, writePack } from './snapshotPack.js';

/** When a push writes one fresh pack of the whole snapshot instead of adding a delta pack to the base's packs. */
export interface RepackThresholds {
  /** More packs than this after adding the delta: repack. Default 16 (ECR refuses manifests of about 500 layers). */
  maxPacks: number;
  /** More than this share of the packs' bytes unreachable from the pushed snapshot: repack. Default 0.25. */
  maxUnreachable: number;
}

/** 16 packs, 25 % unreachable (docs/oci.md). */
export const defaultRepackThresholds: RepackThresholds = { maxPacks: 16, maxUnreachable: 0.25 };

export interface PushOptions {
  client: DistributionClient;
  repository: string;
  /** Tags to point at the snapshot besides `snapshot-<hex>`; the first one's current snapshot is the delta's base. */
  tags?: readonly string[];
  /** `org.opencontainers.image.source`: a URL of the source repository. */
  source?: string;
  /** `org.opencontainers.image.revision`: the source revision; default the snapshot's recorded git commit. */
  revision?: string;
  /** Repositories of the same registry to mount blobs from instead of uploading them. */
  mountFrom?: readonly string[];
  repack?: Partial<RepackThresholds>;
  /** Force one fresh pack of the whole snapshot. */
  forceRepack?: boolean;
  now?: () => Date;
  /** Called as each blob is checked or sent. */
  onProgress?: (event: PushProgress) => void;
}

export interface PushProgress {
  blob: Digest;
  bytes: number;
  action: 'present' | 'uploaded' | 'mounted';
}

export interface PushResult {
  snapshot: Digest;
  /** The manifest's digest: what `docker`/`oras` show. */
  manifest: Digest;
  /** Every tag now naming the snapshot, `snapshot-<hex>` first. */
  tags: string[];
  /** True when the registry already had the snapshot: only tags were written. */
  alreadyPresent: boolean;
  /** The snapshot whose packs were reused, when there was one. */
  base?: Digest;
  /** Why the packs were rewritten: `forced`, `no-base`, `packs` (too many) or `unreachable` (too much dead weight). */
  repacked?: 'forced' | 'no-base' | 'packs' | 'unreachable';
  packs: number;
  reusedPacks: number;
  uploadedBlobs: number;
  uploadedBytes: number;
  mountedBlobs: number;
}

/** Checks a tag a user asked for: OCI's tag grammar, and not the `snapshot-` names push manages itself. */
export function checkRemoteTag(tag: string): string {
  if (!ociTagPattern.test(tag) || tag.startsWith('snapshot-'))
    throw new SpecError(
      'TAG_INVALID',
      `${JSON.stringify(tag)} is not a remote tag (letters, digits, . _ -, at most 128; snapshot-… is reserved)`,
      { data: { tag } },
    );
  return tag;
}

/**
 * Pushes snapshot `id` from the store. Blobs go first (each HEADed, uploaded only when missing), then the manifest under
 * `snapshot-<hex>`, then the given tags: a push stopped at any moment leaves no tag naming an incomplete snapshot, and
 * the next push uploads only what is missing.
 */
export async function pushSnapshot(store: SpecStore, id: Digest, options: PushOptions): Promise<PushResult> {
  const { client, repository } = options;
  const tags = (options.tags ?? []).map(checkRemoteTag);
  const thresholds = { ...defaultRepackThresholds, ...options.repack };
  const ownTag = snapshotTag(id);
  const allTags = [ownTag, ...tags.filter((tag) => tag !== ownTag)];
  const counts = { uploadedBlobs: 0, uploadedBytes: 0, mountedBlobs: 0 };

  const objects = await snapshotObjects(store, id);
  const root = objects.get(id)!;
  const existing = await readSnapshotManifest(client, repository, ownTag);
  if (existing?.manifest.snapshot === id) {
    for (const tag of tags) await client.putManifest(repository, tag, existing.bytes, ociManifestMediaType);
    return {
      snapshot: id,
      manifest: existing.digest,
      tags: allTags,
      alreadyPresent: true,
      packs: existing.manifest.packs.length,
      reusedPacks: existing.manifest.packs.length,
      ...counts,
    };
  }

  const send = async (digest: Digest, bytes: Uint8Array) => {
    if (await client.hasBlob(repository, digest)) {
      options.onProgress?.({ blob: digest, bytes: bytes.length, action: 'present' });
      return;
    }
    const how = await client.pushBlob(repository, digest, bytes, { mountFrom: options.mountFrom ?? [] });
    if (how === 'mounted') counts.mountedBlobs++;
    else {
      counts.uploadedBlobs++;
      counts.uploadedBytes += bytes.length;
    }
    options.onProgress?.({ blob: digest, bytes: bytes.length, action: how });
  };

  const body = [...objects.values()].filter((object) => object.digest !== id);
  const plan = await planPacks(store, id, body, tags[0], options, thresholds);
  if (plan.base === undefined) await send(emptyConfig.digest, emptyConfigBytes);
  await send(id, new TextEncoder().encode(root.text));
  // A reused pack the registry lost (a clean-up, a partial copy) is sent again from the objects at hand.
  const packs: PackLayer[] = [];
  for (const pack of plan.packs) {
    if ('bytes' in pack) {
      await send(pack.digest, pack.bytes);
      packs.push({ ...pack, size: pack.bytes.length });
    } else if (await client.hasBlob(repository, pack.digest)) {
      packs.push(pack);
    } else {
      return pushSnapshot(store, id, { ...options, forceRepack: true });
    }
  }

  const metadata = await store.snapshotMetadata(id);
  const revision = options.revision ?? metadata?.gitCommit;
  const annotations: Record<string, string> = {
    [annotationKeys.created]: (options.now ?? (() => new Date()))().toISOString(),
    ...(options.source === undefined ? {} : { [annotationKeys.source]: options.source }),
    ...(revision === undefined ? {} : { [annotationKeys.revision]: revision }),
    [annotationKeys.snapshot]: id,
    [annotationKeys.specs]: String((JSON.parse(root.text) as { specs: number }).specs),
    [annotationKeys.objects]: String(objects.size),
  };
  const manifest = buildSnapshotManifest({ snapshot: id, rootSize: Buffer.byteLength(root.text), packs, annotations });
  const digest = await client.putManifest(repository, ownTag, manifest.bytes, ociManifestMediaType);
  for (const tag of tags) await client.putManifest(repository, tag, manifest.bytes, ociManifestMediaType);
  return {
    snapshot: id,
    manifest: digest,
    tags: allTags,
    alreadyPresent: false,
    ...(plan.base === undefined ? {} : { base: plan.base }),
    ...(plan.repacked === undefined ? {} : { repacked: plan.repacked }),
    packs: packs.length,
    reusedPacks: plan.packs.filter((pack) => !('bytes' in pack)).length,
    ...counts,
  };
}

/** A manifest at a tag, parsed; undefined when the tag is absent or names something that is not a snapshot. */
async function readSnapshotManifest(client: DistributionClient, repository: string, reference: string) {
  try {
    return await fetchSnapshotManifest(client, repository, reference);
  } catch (error) {
    if (isSpecError(error) && error.code === 'OCI_MANIFEST_INVALID') return undefined;
    throw error;
  }
}

/** Every object of a snapshot, by digest, as the canonical text the store holds (each re-hashed). */
async function snapshotObjects(store: SpecStore, id: Digest): Promise<Map<Digest, CanonicalObject>> {
  return new Map((await snapshotObjectTexts(store, id)).map((object) => [object.digest, object]));
}

type PlannedPack = PackLayer | (PackLayer & { bytes: Uint8Array });

interface PackPlan {
  packs: PlannedPack[];
  base?: Digest;
  repacked?: PushResult['repacked'];
}

/**
 * The packs of the new manifest: the base's packs plus one delta pack of the objects the base lacks, or one fresh pack
 * of the whole snapshot when there is no base or the thresholds say the packs have piled up.
 */
async function planPacks(
  store: SpecStore,
  id: Digest,
  body: readonly CanonicalObject[],
  baseTag: string | undefined,
  options: PushOptions,
  thresholds: RepackThresholds,
): Promise<PackPlan> {
  const fresh = (repacked: PushResult['repacked']): PackPlan => {
    const pack = writePack(body);
    return { packs: [{ ...pack, size: pack.bytes.length }], repacked };
  };
  if (options.forceRepack) return fresh('forced');
  const base =
    baseTag === undefined ? undefined : await readSnapshotManifest(options.client, options.repository, baseTag);
  if (base === undefined || base.manifest.snapshot === id) return fresh('no-base');
  const baseId = base.manifest.snapshot;
  // The base's packs hold its objects; to know which those are, the base must be in the store (or pulled into it).
  if ((await store.snapshotMetadata(baseId)) === undefined)
    await pullSnapshot(store, { client: options.client, repository: options.repository, snapshot: baseId });
  const held = new Set(await snapshotObjectDigests(store, baseId));
  const added = body.filter((object) => !held.has(object.digest));
  const reachable = body.reduce((sum, object) => sum + packLineBytes(object), 0);
  const addedBytes = added.reduce((sum, object) => sum + packLineBytes(object), 0);
  const total = base.manifest.packs.reduce((sum, pack) => sum + pack.rawBytes, 0) + addedBytes;
  const packCount = base.manifest.packs.length + (added.length > 0 ? 1 : 0);
  if (packCount > thresholds.maxPacks) return fresh('packs');
  if (total > 0 && (total - reachable) / total > thresholds.maxUnreachable) return fresh('unreachable');
  const packs: PlannedPack[] = [...base.manifest.packs];
  if (added.length > 0) {
    const delta = writePack(added);
    packs.push({ ...delta, size: delta.bytes.length });
  }
  return { packs, base: baseId };
}
