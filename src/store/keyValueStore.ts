// The storage interface every backend implements: string keys, string values, atomic batches, prefix scans.

export type BatchOperation = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

export interface EntriesOptions {
  reverse?: boolean;
  /** At most this many entries. */
  limit?: number;
}

/** Something a backend did on opening that the user should hear about (a recovered store, a private copy). */
export interface StoreNotice {
  code: string;
  message: string;
}

/** A damaged store file, as `spec verify` reports it. */
export interface StoreFileDamage {
  file: string;
  problem: string;
  offset?: number;
  reason: string;
  /** For a damaged table block: the first and last key it holds, as far as they can be known. */
  keys?: { first?: string; last?: string };
}

export interface KeyValueStore {
  /** A missing key is `undefined`; NOT_FOUND errors are raised above this layer. */
  get(key: string): Promise<string | undefined>;
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** All operations land together or none do, across a crash. */
  batch(operations: readonly BatchOperation[]): Promise<void>;
  /** Entries whose key starts with `prefix`, in ascending key order (UTF-8 bytes), or descending with `reverse`. */
  entries(prefix: string, options?: EntriesOptions): AsyncIterable<[string, string]>;
  close(): Promise<void>;
  /** Optional: reclaim the space of deleted entries now (LevelDB otherwise does it in its own time). */
  compact?(): Promise<void>;
  /** Optional: what happened on opening that the user should be told. */
  readonly notices?: readonly StoreNotice[];
  /** Optional: damage in the backend's own files (checksums the reads skip); `spec verify` reports it. */
  damagedFiles?(): Promise<StoreFileDamage[]>;
  /** Where the data lives, for messages: a directory, or `memory`. */
  readonly location: string;
}

/** The exclusive upper bound of a prefix scan: the prefix with its last code unit incremented (`p:` → `p;`). */
export function prefixUpperBound(prefix: string): string {
  if (prefix.length === 0) throw new TypeError('prefix must not be empty');
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
