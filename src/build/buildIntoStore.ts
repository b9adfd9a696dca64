// Building a registry into the store at a directory: the store is opened first when there is one (it holds the build
// cache), and created only once the registry is valid, so bad input never creates or changes a store.
import { isSpecError } from '../errors.js';
import {
  compileForStore,
  storeSnapshot,
  type BuildResult,
  type CompiledRegistry,
  type CompileRegistryOptions,
} from './buildSnapshot.js';
import type { StoreNotice } from '../store/keyValueStore.js';
import { openStore } from '../store/openStore.js';
import { assertValidTagName, type SpecStore } from '../store/specStore.js';

/** The registry to build and the store to build it into. */
export interface BuildIntoStoreOptions extends Omit<CompileRegistryOptions, 'store'> {
  /** The store's directory (or `:memory:`); a store is created there, once the registry is valid, if there is none. */
  directory: string;
  /** Milliseconds to keep retrying while another process holds the store (see `openStore`). Default 0. */
  waitMs?: number;
  /** Also tag the snapshot. */
  tag?: string;
  /** Refuse a changed digest for an id@version held by any stored snapshot, not only by published ones. */
  strict?: boolean;
  /** Runs on the valid registry before the store is created or written; throwing refuses the build (`build --plans`). */
  check?: (compiled: CompiledRegistry) => Promise<void>;
  /** Bytes per batch when a large build writes its objects ahead of the snapshot record (default 4 MiB). */
  writeAheadBytes?: number;
  /** What opening the store did that a user should know (a store whose first build never finished, started afresh). */
  onNotice?: (notice: StoreNotice) => void;
}

/** Validates the registry and stores its snapshot in the store at `options.directory`, creating the store if needed. */
export async function buildIntoStore(options: BuildIntoStoreOptions): Promise<BuildResult> {
  if (options === null || typeof options !== 'object' || typeof options.registry !== 'string')
    throw new TypeError('buildIntoStore: options.registry must be a string');
  if (typeof options.directory !== 'string' || options.directory === '')
    throw new TypeError('buildIntoStore: options.directory must be a non-empty string');
  const { directory, waitMs = 0, tag, strict, check, onNotice, writeAheadBytes, ...compileOptions } = options;
  if (tag !== undefined) assertValidTagName(tag);
  let store = await openExistingStore(directory, waitMs);
  let compiled: CompiledRegistry | undefined;
  try {
    compiled = await compileForStore({ ...compileOptions, ...(store ? { store } : {}) });
    await check?.(compiled);
    if (!store) {
      store = await openStore({ directory, create: true, waitMs });
      for (const notice of store.kv.notices ?? []) onNotice?.(notice);
    }
    return await storeSnapshot(store, compiled, {
      ...(tag === undefined ? {} : { tag }),
      strict: strict === true,
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(writeAheadBytes === undefined ? {} : { writeAheadBytes }),
    });
  } finally {
    compiled?.release?.();
    await store?.close();
  }
}

/** The store at `directory`, or undefined when there is none yet (missing, or a first build that never finished). */
async function openExistingStore(directory: string, waitMs: number): Promise<SpecStore | undefined> {
  try {
    return await openStore({ directory, waitMs });
  } catch (error) {
    if (isSpecError(error) && (error.code === 'STORE_NOT_FOUND' || error.code === 'STORE_UNFINISHED')) return undefined;
    throw error;
  }
}
