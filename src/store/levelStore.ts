// The LevelDB KeyValueStore: one directory, one process at a time, opened explicitly and never silently recreated.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { Level } from 'level';
import { SpecError } from '../errors.js';
import { prefixUpperBound, type BatchOperation, type EntriesOptions, type KeyValueStore } from './keyValueStore.js';
import { findLevelDamage, type LevelFileDamage } from './levelFileChecks.js';

export interface OpenLevelStoreOptions {
  /** Create the store when the directory does not exist (or is empty). An existing, damaged store is never replaced. */
  create: boolean;
  /** How long to keep retrying, with backoff, while another process holds the store (0: fail at once). */
  waitMs?: number;
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
    const deadline = performance.now() + (options.waitMs ?? 0);
    for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
      // Before LevelDB opens it: its recovery would drop a damaged log record and then delete the evidence.
      if (state === 'store') {
        const damage = await findStableDamage(directory);
        if (damage) throw damageError(directory, damage);
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
        const error = levelOpenError(cause, directory);
        const remaining = deadline - performance.now();
        if (error.code !== 'STORE_LOCKED' || remaining <= 0) {
          if (error.code === 'STORE_LOCKED' && options.waitMs) error.data['waitedMs'] = options.waitMs;
          throw error;
        }
        await sleep(Math.min(remaining, delay * (0.5 + Math.random())));
        continue;
      }
      return new LevelStore(db, directory);
    }
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

  async *entries(prefix: string, options: EntriesOptions = {}): AsyncIterable<[string, string]> {
    try {
      const range = { gte: prefix, lt: prefixUpperBound(prefix), reverse: options.reverse === true, ...(options.limit === undefined ? {} : { limit: options.limit }) };
      for await (const entry of this.db.iterator(range)) yield entry;
    } catch (cause) {
      throw storeIoError(cause, this.location, 'read');
    }
  }

  /** Rewrites the table files so that deleted entries stop taking space (after gc). */
  async compact(): Promise<void> {
    try {
      // On Node.js `Level` is classic-level's ClassicLevel, which has compactRange; level's own types omit it.
      await (this.db as unknown as { compactRange(start: string, end: string): Promise<void> }).compactRange('', '\u{10FFFF}');
    } catch (cause) {
      throw storeIoError(cause, this.location, 'compact');
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/**
 * Damage found twice in a row. A process that holds the store may be compacting it while we look (the MANIFEST read
 * can be older than the files), so a first finding is confirmed by a second look.
 */
async function findStableDamage(directory: string): Promise<LevelFileDamage | undefined> {
  const look = () => {
    try {
      return findLevelDamage(directory, readdirSync(directory));
    } catch (cause) {
      throw storeIoError(cause, directory, 'open');
    }
  };
  const first = look();
  if (!first) return undefined;
  await sleep(50);
  const second = look();
  return second && second.file === first.file && second.problem === first.problem ? second : undefined;
}

function damageError(directory: string, damage: LevelFileDamage): SpecError {
  const what =
    damage.problem === 'log-record-damaged'
      ? `its write-ahead log ${damage.file} has a damaged record at byte ${damage.offset} (${damage.reason})`
      : `its table file ${damage.file} is ${damage.problem === 'table-missing' ? 'missing' : 'truncated'} (${damage.reason})`;
  return new SpecError('STORE_CORRUPT', `the store at ${directory} is damaged: ${what}; it was left as it is (restore it from a backup, or re-import an export)`, {
    data: { store: directory, file: damage.file, problem: damage.problem, ...(damage.offset === undefined ? {} : { offset: damage.offset }) },
  });
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

