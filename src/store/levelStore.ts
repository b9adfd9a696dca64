// The LevelDB KeyValueStore: one directory, one process at a time, opened explicitly and never silently recreated.
import { mkdirSync, readdirSync, statSync } from 'node:fs';

import { Level } from 'level';
import { SpecError } from '../errors.js';
import { prefixUpperBound, type BatchOperation, type KeyValueStore } from './keyValueStore.js';

export interface OpenLevelStoreOptions {
  /** Create the store when the directory does not exist (or is empty). An existing, damaged store is never replaced. */
  create: boolean;
}

type LevelDatabase = Level<string, string>;

export class LevelStore implements KeyValueStore {
  private constructor(
    private readonly db: LevelDatabase,
    readonly location: string,
  ) {}

  static async open(directory: string, options: OpenLevelStoreOptions): Promise<LevelStore> {
    const state = inspectDirectory(directory);
    if (state === 'file') {
      throw new SpecError('STORE_NOT_A_DIRECTORY', `store path ${directory} exists and is not a directory`, { data: { store: directory } });
    }
    if (state === 'missing' || state === 'empty') {
      if (!options.create) throw new SpecError('STORE_NOT_FOUND', `no store at ${directory} (run \`spec build\` first)`, { data: { store: directory } });
      try {
        mkdirSync(directory, { recursive: true });
      } catch (cause) {
        throw storeIoError(cause, directory, 'create');
      }
    } else if (state === 'damaged') {
      // LevelDB's default would replace a store whose CURRENT file is gone with an empty one: refuse instead.
      throw new SpecError(
        'STORE_CORRUPT',
        `${directory} holds LevelDB files but no CURRENT file: the store is damaged; it was left as it is (restore it from a backup, or re-import an export)`,
        { data: { store: directory, missing: 'CURRENT' } },
      );
    }
    const db: LevelDatabase = new Level<string, string>(directory, {
      keyEncoding: 'utf8',
      valueEncoding: 'utf8',
      createIfMissing: state !== 'store',
      errorIfExists: false,
    });
    try {
      await db.open();
    } catch (cause) {
      throw levelOpenError(cause, directory);
    }
    return new LevelStore(db, directory);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.db.get(key)) ?? undefined;
    } catch (cause) {
      throw storeIoError(cause, this.location, 'read');
    }
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    try {
      return (await this.db.getMany([...keys])).map((value) => value ?? undefined);
    } catch (cause) {
      throw storeIoError(cause, this.location, 'read');
    }
  }

  async batch(operations: readonly BatchOperation[]): Promise<void> {
    if (operations.length === 0) return;
    try {
      await this.db.batch(operations.map((op) => (op.type === 'put' ? { type: 'put', key: op.key, value: op.value } : { type: 'del', key: op.key })), { sync: true });
    } catch (cause) {
      throw storeIoError(cause, this.location, 'write');
    }
  }

  async *entries(prefix: string): AsyncIterable<[string, string]> {
    try {
      for await (const entry of this.db.iterator({ gte: prefix, lt: prefixUpperBound(prefix) })) yield entry;
    } catch (cause) {
      throw storeIoError(cause, this.location, 'read');
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

type DirectoryState = 'missing' | 'empty' | 'file' | 'store' | 'damaged';

function inspectDirectory(directory: string): DirectoryState {
  let names: string[];
  try {
    if (!statSync(directory).isDirectory()) return 'file';
    names = readdirSync(directory);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw storeIoError(cause, directory, 'open');
  }
  if (names.length === 0) return 'empty';
  if (names.includes('CURRENT')) return 'store';
  const looksLikeLevel = names.some((name) => name === 'LOCK' || name.startsWith('MANIFEST-') || /\.(ldb|log|sst)$/.test(name));
  if (looksLikeLevel) return 'damaged';
  throw new SpecError('STORE_NOT_A_STORE', `${directory} is a non-empty directory that is not a specstore store`, {
    data: { store: directory, entries: names.slice(0, 5) },
  });
}

function levelOpenError(cause: unknown, directory: string): SpecError {
  const error = cause as { code?: string; cause?: { code?: string; message?: string } };
  if (error.cause?.code === 'LEVEL_LOCKED' || error.code === 'LEVEL_LOCKED') {
    return new SpecError('STORE_LOCKED', `the store at ${directory} is in use by another process`, { data: { store: directory }, cause });
  }
  if (error.cause?.code === 'LEVEL_CORRUPTION' || error.code === 'LEVEL_CORRUPTION') {
    return new SpecError('STORE_CORRUPT', `the store at ${directory} is damaged: ${error.cause?.message ?? ''}`.trim(), { data: { store: directory }, cause });
  }
  return storeIoError(cause, directory, 'open');
}

/** Maps a LevelDB or file-system failure to a store error code, keeping the cause. */
export function storeIoError(cause: unknown, directory: string, action: string): SpecError {
  const text = describeCause(cause);
  let code = 'STORE_IO';
  if (/EACCES|EPERM|read-?only|Permission denied/i.test(text)) code = 'STORE_READ_ONLY';
  else if (/ENOSPC|No space left/i.test(text)) code = 'STORE_FULL';
  else if (/ENOTDIR|Not a directory/i.test(text)) code = 'STORE_NOT_A_DIRECTORY';
  else if (/corrupt/i.test(text)) code = 'STORE_CORRUPT';
  return new SpecError(code, `cannot ${action} the store at ${directory}: ${text}`, { data: { store: directory }, cause });
}

function describeCause(cause: unknown): string {
  const parts: string[] = [];
  let current: unknown = cause;
  for (let depth = 0; current && depth < 4; depth++) {
    const error = current as { message?: string; code?: string; cause?: unknown };
    if (error.message) parts.push(error.message);
    if (error.code) parts.push(error.code);
    current = error.cause;
  }
  return parts.join(': ') || String(cause);
}

