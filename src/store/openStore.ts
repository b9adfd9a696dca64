// Opening the store a command works on: LevelDB at a directory (default .spec/store), or memory for tests.
import { resolve } from 'node:path';
import { SpecError } from '../errors.js';
import { LevelStore } from './levelStore.js';
import { MemoryStore } from './memoryStore.js';
import { keys, SpecStore, storeFormat } from './specStore.js';

export const defaultStoreDirectory = '.spec/store';

export interface OpenStoreOptions {
  /** A directory, or `:memory:` for a throwaway in-memory store. */
  directory: string;
  /** Create the store if there is none (only `build` and `import` do). */
  create?: boolean;
  /** Milliseconds to keep retrying while another process holds the store; then STORE_LOCKED. Default 0. */
  waitMs?: number;
  /**
   * The caller only reads: a store that is locked by another process, read-only, or on a full disk is read from a
   * private copy of its files instead of failing (docs/store.md, "Reading without the lock").
   */
  readOnly?: boolean;
  /** Check every block of every store file before opening (what `spec verify` does). */
  checkFiles?: boolean;
  /** Always read a private copy, never taking the store's lock (a long-lived reader such as `spec serve`). */
  privateCopy?: boolean;
}

export async function openStore(options: OpenStoreOptions): Promise<SpecStore> {
  if (typeof options?.directory !== 'string' || options.directory === '')
    throw new TypeError('openStore: options.directory must be a non-empty string');
  if (options.waitMs !== undefined && !(Number.isFinite(options.waitMs) && options.waitMs >= 0))
    throw new TypeError('openStore: options.waitMs must be a non-negative number');
  if (options.directory === ':memory:') return new SpecStore(new MemoryStore());
  const kv = await LevelStore.open(resolve(options.directory), {
    create: options.create ?? false,
    waitMs: options.waitMs ?? 0,
    readOnly: options.readOnly === true,
    checkFiles: options.checkFiles === true,
    privateCopy: options.privateCopy === true,
  });
  const format = await kv.get(keys.meta('format'));
  if (format !== undefined && format !== storeFormat) {
    await kv.close();
    throw new SpecError(
      'STORE_FORMAT',
      `the store at ${options.directory} has format ${format}; this version of specstore reads ${storeFormat}`,
      { data: { store: options.directory, format } },
    );
  }
  return new SpecStore(kv);
}
