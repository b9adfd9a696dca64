// SnapshotViews over objects held in memory (a verified import, a registry being built), before anything is stored.
import type { CanonicalObject, Digest } from '../core/digest.js';
import { memoryObjectReader } from '../store/objectReader.js';
import { buildManifest, type ManifestEntry } from './manifestTree.js';
import { SnapshotView } from './snapshotView.js';

/** Opens `snapshot` over `objects`: resolution and listing behave exactly as for a stored snapshot. */
export async function openInMemorySnapshot(
  snapshot: Digest,
  objects: readonly CanonicalObject[],
): Promise<SnapshotView> {
  return SnapshotView.open(memoryObjectReader(objects), snapshot);
}

/**
 * The manifest of a set of specs without their documents: lookup, explain and list work (a floating ref resolves
 * exactly as it will in the stored snapshot); get and resolve do not, as the specs are not there.
 */
export async function openManifestView(entries: readonly ManifestEntry[]): Promise<SnapshotView> {
  const manifest = buildManifest(entries);
  return openInMemorySnapshot(manifest.snapshotId, manifest.objects);
}
