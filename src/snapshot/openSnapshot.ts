// openSnapshot: the library's entry point for reading a stored snapshot, with its arguments checked at the boundary.
import type { SpecStore } from '../store/specStore.js';
import { SnapshotView } from './snapshotView.js';

/** Opens a snapshot by id, unique prefix, tag or `latest`: a lazily loaded, read-only view. */
export async function openSnapshot(
  store: SpecStore,
  selector: string,
  options: { preload?: boolean } = {},
): Promise<SnapshotView> {
  if (store === null || typeof store !== 'object' || typeof store.resolveSnapshot !== 'function') {
    throw new TypeError('openSnapshot: store must be a SpecStore (from openStore)');
  }
  if (typeof selector !== 'string') throw new TypeError('openSnapshot: selector must be a string');
  if (options === null || typeof options !== 'object') throw new TypeError('openSnapshot: options must be an object');
  const view = await SnapshotView.open(store, await store.resolveSnapshot(selector));
  if (options.preload === true) await view.preload();
  return view;
}
