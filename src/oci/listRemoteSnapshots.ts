// `spec remote ls`: the tags of a repository and the snapshots they name, read from each tag's manifest.
import type { Digest } from '../core/digest.js';
import { isSpecError } from '../errors.js';
import type { DistributionClient } from './distributionClient.js';
import { annotationKeys, parseSnapshotManifest } from './snapshotArtifact.js';

export interface RemoteTag {
  tag: string;
  /** True for the `snapshot-<hex>` tags push writes for every snapshot. */
  snapshotTag: boolean;
  /** Undefined when the tag names something that is not a specstore snapshot (`problem` says what). */
  snapshot?: Digest;
  manifest?: Digest;
  created?: string;
  specs?: number;
  objects?: number;
  packs?: number;
  problem?: string;
}

/** Every tag, sorted, with the snapshot it names (manifests read a few at a time). */
export async function listRemoteSnapshots(client: DistributionClient, repository: string): Promise<RemoteTag[]> {
  // distribution 2.8.2 returns tags unsorted and ignores ?n=: sort here.
  const tags = (await client.listTags(repository)).sort();
  const described = new Array<RemoteTag>(tags.length);
  let next = 0;
  const worker = async () => {
    while (next < tags.length) {
      const index = next++;
      described[index] = await describeTag(client, repository, tags[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, tags.length) }, worker));
  return described;
}

async function describeTag(client: DistributionClient, repository: string, tag: string): Promise<RemoteTag> {
  const snapshotTag = tag.startsWith('snapshot-');
  const fetched = await client.getManifest(repository, tag);
  if (fetched === undefined) return { tag, snapshotTag, problem: 'the tag was removed while listing' };
  try {
    const manifest = parseSnapshotManifest(fetched.bytes, tag);
    const count = (key: string) => {
      const text = manifest.annotations[key];
      return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
    };
    const specs = count(annotationKeys.specs);
    const objects = count(annotationKeys.objects);
    const created = manifest.annotations[annotationKeys.created];
    return {
      tag,
      snapshotTag,
      snapshot: manifest.snapshot,
      manifest: fetched.digest,
      ...(created === undefined ? {} : { created }),
      ...(specs === undefined ? {} : { specs }),
      ...(objects === undefined ? {} : { objects }),
      packs: manifest.packs.length,
    };
  } catch (error) {
    if (isSpecError(error) && error.code === 'OCI_MANIFEST_INVALID')
      return { tag, snapshotTag, manifest: fetched.digest, problem: error.message };
    throw error;
  }
}
