// `--remote` of other commands (`plan check`, `run`): the snapshots a store lacks, pulled by id from a named remote.
import type { Digest } from '../core/digest.js';
import type { SpecStore } from '../store/specStore.js';
import { pullMissingSnapshots, type PullResult } from './pullSnapshot.js';
import { remoteClient } from './remoteClient.js';
import { findRemote, type RemoteLocation } from './remotes.js';

/** Finds the remote (saved name or oci:// URL), then pulls each id the store lacks; one result per distinct id. */
export async function pullMissingFromRemote(
  store: SpecStore,
  remote: string,
  ids: readonly Digest[],
  options: { env: Record<string, string | undefined>; plainHttp?: boolean },
): Promise<{ location: RemoteLocation; pulled: PullResult[] }> {
  const location = await findRemote(store, remote, { plainHttp: options.plainHttp === true });
  const client = remoteClient(location, { env: options.env });
  const pulled = await pullMissingSnapshots(store, ids, {
    client,
    repository: location.repository,
    source: location.url,
  });
  return { location, pulled };
}
