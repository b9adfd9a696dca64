// Publishing a snapshot (tag, import, plan pin): its versions become immutable in the same batch as the record.
import type { Digest } from '../core/digest.js';
import { publicationOperations, type VersionEntry } from '../store/publishedVersions.js';
import type { SpecStore } from '../store/specStore.js';
import { SnapshotView } from './snapshotView.js';

/** Every id@version of a snapshot with its digest (reads the tree, not the specs). */
export async function versionEntries(view: SnapshotView): Promise<VersionEntry[]> {
  return (await view.list()).map(({ id, digest }) => ({ id, digest }));
}

/** `spec tag`: the tag and the snapshot's published-version records in one batch; VERSION_MUTATED writes nothing. */
export async function tagSnapshot(
  store: SpecStore,
  name: string,
  snapshot: Digest,
  options: { now?: () => Date } = {},
): Promise<void> {
  const entries = await versionEntries(await SnapshotView.open(store, snapshot));
  const now = (options.now ?? (() => new Date()))();
  await store.setTag(name, snapshot, {
    extraOperations: () => publicationOperations(store, snapshot, entries, [`tag ${name}`], now),
  });
}

/** `spec plan pin`: records that the plans pin the snapshot (so gc keeps it) and publishes its versions, in one batch. */
export async function pinSnapshot(
  store: SpecStore,
  snapshot: Digest,
  plans: readonly string[],
  options: { now?: () => Date } = {},
): Promise<void> {
  const entries = await versionEntries(await SnapshotView.open(store, snapshot));
  const now = (options.now ?? (() => new Date()))();
  await store.exclusive(async () => {
    await store.kv.batch(
      await publicationOperations(
        store,
        snapshot,
        entries,
        plans.map((plan) => `plan ${plan}`),
        now,
      ),
    );
  });
}
