// The LevelDB KeyValueStore: one directory, one process at a time, opened explicitly and never silently recreated.
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Level } from 'level';
import { SpecError, type ErrorCode } from '../errors.js';
import { prefixUpperBound, type BatchOperation, type EntriesOptions, type KeyValueStore } from './keyValueStore.js';
import { findAllLevelDamage, findLevelDamage, liveTableNumbers, type LevelFileDamage } from './levelFileChecks.js';
import type { StoreNotice } from './keyValueStore.js';

export interface OpenLevelStoreOptions {
  /** Create the store when the directory does not exist (or is empty). An existing, damaged store is never replaced. */
  create: boolean;
  /** How long to keep retrying, with backoff, while another process holds the store (0: fail at once). */
  waitMs?: number;
  /**
   * The caller only reads. When the store cannot be opened for writing (another process holds it, it is read-only,
   * or its disk is full), a private copy of its files is opened instead (see docs/store.md, "Reading without the lock").
   */
  readOnly?: boolean;
  /** Check every block of every table file before LevelDB opens the store (for verify); see `damagedFiles`. */
  checkFiles?: boolean;
  /**
   * Read a private copy even when the store is free, so its lock is never taken: a long-lived reader (`spec serve`)
   * never makes a CLI command that writes find the store locked. Implies `readOnly`.
   */
  privateCopy?: boolean;
}

type LevelDatabase = Level<string, string>;

/** Why a command reads a private copy instead of the store itself. */
const copyReasons = new Set(['STORE_LOCKED', 'STORE_READ_ONLY', 'STORE_FULL']);
const copyAttempts = 5;

export class LevelStore implements KeyValueStore {
  readonly notices: StoreNotice[] = [];
  private fileDamage: LevelFileDamage[] | undefined;

  private constructor(
    private readonly db: LevelDatabase,
    readonly location: string,
    /** The private copy this store reads, removed on close. */
    private readonly copy?: string,
  ) {}

  static async open(directory: string, options: OpenLevelStoreOptions): Promise<LevelStore> {
    const state = inspectDirectory(directory);
    if (state === 'file') {
      throw new SpecError('STORE_NOT_A_DIRECTORY', `store path ${directory} exists and is not a directory`, {
        data: { store: directory },
      });
    }
    const notices: StoreNotice[] = [];
    if (state === 'unfinished') {
      if (!options.create) {
        throw new SpecError(
          'STORE_UNFINISHED',
          `the store at ${directory} was never finished: its first build stopped before LevelDB wrote its CURRENT file, so it holds no snapshot and nothing to lose; \`spec build\` starts it afresh`,
          { data: { store: directory } },
        );
      }
      try {
        for (const name of readdirSync(directory))
          if (isUnfinishedLevelFile(name) || name.endsWith('.log')) rmSync(join(directory, name), { force: true });
      } catch (cause) {
        throw storeIoError(cause, directory, 'recover');
      }
      notices.push({
        code: 'STORE_RECOVERED',
        message: `the store at ${directory} was never finished (an earlier first build stopped before it held anything); it was started afresh`,
      });
    }
    if (state === 'missing' || state === 'empty' || state === 'unfinished') {
      if (!options.create)
        throw new SpecError('STORE_NOT_FOUND', `no store at ${directory} (run \`spec build\` first)`, {
          data: { store: directory },
        });
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
        if (options.privateCopy) return LevelStore.openCopy(directory);
      }
      const fileDamage = state === 'store' && options.checkFiles ? checkAllFiles(directory) : undefined;
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
        if (options.readOnly && state === 'store' && copyReasons.has(error.code)) {
          const store = await LevelStore.openCopy(directory, error);
          store.fileDamage = fileDamage;
          return store;
        }
        const remaining = deadline - performance.now();
        if (error.code !== 'STORE_LOCKED' || remaining <= 0) {
          if (error.code === 'STORE_LOCKED' && options.waitMs) error.data['waitedMs'] = options.waitMs;
          throw error;
        }
        await sleep(Math.min(remaining, delay * (0.5 + Math.random())));
        continue;
      }
      const store = new LevelStore(db, directory);
      store.notices.push(...notices);
      store.fileDamage = fileDamage;
      return store;
    }
  }

  /**
   * Opens a private copy of a store's files in a temporary directory: table files are immutable, so they are
   * hard-linked where the file system allows it (else copied); the logs, MANIFEST and CURRENT are copied. A process
   * that holds the store may compact it meanwhile, so a copy that misses a file the MANIFEST needs is made again.
   */
  private static async openCopy(directory: string, reason?: SpecError): Promise<LevelStore> {
    for (let attempt = 1; ; attempt++) {
      let copy: string | undefined;
      try {
        copy = mkdtempSync(join(tmpdir(), 'specstore-view-'));
        copyStoreFiles(directory, copy);
        const damage = findLevelDamage(copy, readdirSync(copy));
        if (damage) {
          rmSync(copy, { recursive: true, force: true });
          if (attempt < copyAttempts) {
            await sleep(20 * attempt);
            continue;
          }
          throw damageError(directory, damage);
        }
        dropUnlistedTables(copy);
        const db: LevelDatabase = new Level<string, string>(copy, {
          keyEncoding: 'utf8',
          valueEncoding: 'utf8',
          createIfMissing: false,
        });
        await db.open();
        const store = new LevelStore(db, directory, copy);
        if (reason)
          store.notices.push({
            code: 'STORE_READ_COPY',
            message: `read a private copy of the store at ${directory} (${reason.code}: ${reason.message})`,
          });
        return store;
      } catch (cause) {
        if (copy) rmSync(copy, { recursive: true, force: true });
        if (cause instanceof SpecError) throw cause;
        const error = levelOpenError(cause, directory);
        // The copy failed for want of space or permission in the temporary directory: the original reason stands.
        throw error.code === 'STORE_CORRUPT' || !reason ? error : reason;
      }
    }
  }

  /**
   * What is damaged in the store's files: every block of every table, CURRENT, the MANIFEST and the logs. Read before
   * LevelDB opened the store when it was opened with `checkFiles`, else now.
   */
  async damagedFiles(): Promise<LevelFileDamage[]> {
    return (this.fileDamage ??= checkAllFiles(this.copy ?? this.location));
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
    // A chained batch: each operation goes to LevelDB's write batch as it is added, one atomic write as with an
    // array (one leveldb::WriteBatch either way), but without abstract-level copying and checking the whole array
    // first, which at 200k operations was 2.5–3.5× slower and held ~160 MB more (docs/performance.md).
    let batch: ReturnType<LevelDatabase['batch']> | undefined;
    try {
      batch = this.db.batch();
      for (const op of operations) {
        if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
      await batch.write({ sync: true });
    } catch (cause) {
      await batch?.close().catch(() => undefined); // after a write (or a close) it does nothing
      throw storeIoError(cause, this.location, 'write');
    }
  }

  async *entries(prefix: string, options: EntriesOptions = {}): AsyncIterable<[string, string]> {
    try {
      const range = {
        gte: prefix,
        lt: prefixUpperBound(prefix),
        reverse: options.reverse === true,
        ...(options.limit === undefined ? {} : { limit: options.limit }),
      };
      for await (const entry of this.db.iterator(range)) yield entry;
    } catch (cause) {
      throw storeIoError(cause, this.location, 'read');
    }
  }

  /** Rewrites the table files so that deleted entries stop taking space (after gc). */
  async compact(): Promise<void> {
    try {
      // On Node.js `Level` is classic-level's ClassicLevel, which has compactRange; level's own types omit it.
      await (this.db as unknown as { compactRange(start: string, end: string): Promise<void> }).compactRange(
        '',
        '\u{10FFFF}',
      );
    } catch (cause) {
      throw storeIoError(cause, this.location, 'compact');
    }
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      if (this.copy) rmSync(this.copy, { recursive: true, force: true });
    }
  }
}

function checkAllFiles(directory: string): LevelFileDamage[] {
  try {
    return findAllLevelDamage(directory, readdirSync(directory));
  } catch (cause) {
    throw storeIoError(cause, directory, 'check');
  }
}

/** Files LevelDB never needs to open a store: its lock and its text info logs. */
const notStoreData = new Set(['LOCK', 'LOG', 'LOG.old']);

function copyStoreFiles(from: string, to: string): void {
  const names = readdirSync(from).filter((name) => !notStoreData.has(name));
  // Tables first and CURRENT last: a MANIFEST copied after a compaction names tables the listing missed (then the
  // copy is made again), never the reverse.
  const order = (name: string) =>
    /\.(ldb|sst)$/.test(name) ? 0 : name.endsWith('.log') ? 1 : name === 'CURRENT' ? 3 : 2;
  for (const name of names.sort((a, b) => order(a) - order(b))) {
    const source = join(from, name);
    const target = join(to, name);
    try {
      if (order(name) === 0) {
        try {
          linkSync(source, target);
          continue;
        } catch {
          // another file system, or no permission to link: copy
        }
      }
      copyFileSync(source, target);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') continue; // compacted away meanwhile
      throw cause;
    }
  }
}

/**
 * Removes from a copy the table files its MANIFEST does not list. A table the holding process is still writing is
 * linked into the copy with a number the copy's MANIFEST has not yet used; LevelDB opening the copy would write its
 * own table under that number, through the link, truncating the holder's file (seen as LEVEL_IO_ERROR in `spec gc`
 * while `spec serve` read copies).
 */
function dropUnlistedTables(copy: string): void {
  const live = liveTableNumbers(copy);
  if (live === undefined) return;
  for (const name of readdirSync(copy)) {
    const match = /^([0-9]+)\.(ldb|sst)$/.exec(name);
    if (match && !live.has(Number(match[1]))) rmSync(join(copy, name), { force: true });
  }
}

/** What a first build that stopped before CURRENT existed can leave: nothing that holds data. */
function isUnfinishedLevelFile(name: string): boolean {
  return notStoreData.has(name) || name.startsWith('MANIFEST-') || name.endsWith('.dbtmp');
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
  return new SpecError(
    'STORE_CORRUPT',
    `the store at ${directory} is damaged: ${what}; it was left as it is (restore it from a backup, or re-import an export)`,
    {
      data: {
        store: directory,
        file: damage.file,
        problem: damage.problem,
        ...(damage.offset === undefined ? {} : { offset: damage.offset }),
      },
    },
  );
}

type DirectoryState = 'missing' | 'empty' | 'file' | 'store' | 'damaged' | 'unfinished';

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
  const looksLikeLevel = names.some(
    (name) => name === 'LOCK' || name.startsWith('MANIFEST-') || /\.(ldb|log|sst|dbtmp)$/.test(name),
  );
  // LevelDB writes CURRENT before its first log or table: without either, the store never held anything.
  const holdsData = names.some(
    (name) => /\.(ldb|sst)$/.test(name) || (name.endsWith('.log') && sizeOf(join(directory, name)) !== 0),
  );
  if (looksLikeLevel && !holdsData && names.every((name) => isUnfinishedLevelFile(name) || name.endsWith('.log')))
    return 'unfinished';
  if (looksLikeLevel) return 'damaged';
  throw new SpecError('STORE_NOT_A_STORE', `${directory} is a non-empty directory that is not a specstore store`, {
    data: { store: directory, entries: names.slice(0, 5) },
  });
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

function levelOpenError(cause: unknown, directory: string): SpecError {
  const error = cause as { code?: string; cause?: { code?: string; message?: string } };
  if (error.cause?.code === 'LEVEL_LOCKED' || error.code === 'LEVEL_LOCKED') {
    return new SpecError('STORE_LOCKED', `the store at ${directory} is in use by another process`, {
      data: { store: directory },
      cause,
    });
  }
  if (error.cause?.code === 'LEVEL_CORRUPTION' || error.code === 'LEVEL_CORRUPTION') {
    return new SpecError(
      'STORE_CORRUPT',
      `the store at ${directory} is damaged: ${error.cause?.message ?? ''}`.trim(),
      { data: { store: directory }, cause },
    );
  }
  return storeIoError(cause, directory, 'open');
}

const storeAdvice: Record<string, string> = {
  STORE_FULL:
    'free space on the disk that holds it, then run the command again (a build that failed stored nothing; reading commands and `spec verify` work meanwhile, from a private copy)',
  STORE_READ_ONLY:
    'reading commands work on a read-only store; a command that writes needs write access to the directory',
};

/** Maps a LevelDB or file-system failure to a store error code, keeping the cause. */
export function storeIoError(cause: unknown, directory: string, action: string): SpecError {
  const text = describeCause(cause);
  let code: ErrorCode = 'STORE_IO';
  if (/EACCES|EPERM|read-?only|Permission denied/i.test(text)) code = 'STORE_READ_ONLY';
  else if (/ENOSPC|No space left/i.test(text)) code = 'STORE_FULL';
  else if (/ENOTDIR|Not a directory/i.test(text)) code = 'STORE_NOT_A_DIRECTORY';
  else if (/corrupt/i.test(text)) code = 'STORE_CORRUPT';
  const advice = storeAdvice[code];
  return new SpecError(code, `cannot ${action} the store at ${directory}: ${text}${advice ? `; ${advice}` : ''}`, {
    data: { store: directory },
    cause,
  });
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
