// `spec gc`: mark what kept snapshots reach, then delete every other snapshot record and object in one atomic batch.
import { resolve } from 'node:path';
import { isDigest, type Digest } from '../core/digest.js';
import { isJsonObject } from '../core/json.js';
import { isSpecError, SpecError, type Diagnostic } from '../errors.js';
import { findPlanFiles, readPlanFile } from '../plan/findPlanFiles.js';
import type { BatchOperation } from '../store/keyValueStore.js';
import { publishedSnapshots } from '../store/publishedVersions.js';
import { keys, type LogEntry, type SpecStore } from '../store/specStore.js';
import { snapshotFormat } from '../snapshot/manifestTree.js';
import { collectedKey, collectedPrefix, parseRecord, type CollectedRecord } from './storeRecords.js';

export type KeepReason = 'tag' | 'published' | 'plan' | 'recent';

export interface PlanPin {
  file: string;
  snapshot: Digest;
}

export interface CollectGarbageOptions {
  /** Keep the snapshots of this many newest build-log entries (at least 1, so `latest` stays). Default 1. */
  keepLast?: number;
  /** Report what would be removed, and remove nothing. */
  dryRun?: boolean;
  /** Directories of plan files (found as the plan commands find them): a plan's `snapshot: sha256:…` pins that snapshot. */
  planDirectories?: readonly string[];
  /** Further snapshots to keep. */
  pinned?: readonly Digest[];
  now?: () => Date;
}

export interface GarbageReport {
  dryRun: boolean;
  kept: { snapshot: Digest; reasons: KeepReason[] }[];
  /** Snapshots pinned by plan files, including pins of snapshots the store does not have. */
  plans: PlanPin[];
  removed: {
    snapshots: Digest[];
    objects: number;
    /** UTF-8 bytes of the removed keys and values; the files shrink by about this much once compacted. */
    bytes: number;
  };
  remaining: { snapshots: number; objects: number };
}

/** Runs gc under the store's write lock. Throws, having deleted nothing, if a kept snapshot cannot be read in full. */
export async function collectGarbage(store: SpecStore, options: CollectGarbageOptions = {}): Promise<GarbageReport> {
  const keepLast = options.keepLast ?? 1;
  if (!Number.isSafeInteger(keepLast) || keepLast < 1) throw new TypeError('collectGarbage: options.keepLast must be a whole number ≥ 1');
  const plans = findPlanPins(options.planDirectories ?? []);
  const now = options.now ?? (() => new Date());

  return store.exclusive(async () => {
    const reasons = new Map<Digest, Set<KeepReason>>();
    const keep = (id: Digest, reason: KeepReason) => {
      let set = reasons.get(id);
      if (!set) reasons.set(id, (set = new Set()));
      set.add(reason);
    };
    for (const { snapshot } of await store.listTags()) if (isDigest(snapshot)) keep(snapshot, 'tag');
    for (const id of await readPublishedSnapshots(store)) keep(id, 'published');
    for (const pin of plans) keep(pin.snapshot, 'plan');
    for (const id of options.pinned ?? []) keep(id, 'plan');
    const recent: LogEntry[] = [];
    for await (const [, value] of store.kv.entries('log:')) {
      const entry = parseRecord(value) as LogEntry | undefined;
      if (entry && isDigest(entry.snapshot)) recent.push(entry);
      if (recent.length > keepLast) recent.shift();
    }
    for (const entry of recent) keep(entry.snapshot, 'recent');

    const snapshots = new Map<Digest, string>();
    for await (const [key, value] of store.kv.entries('snap:')) snapshots.set(key.slice('snap:'.length) as Digest, value);
    const marked = new Set<Digest>();
    for (const id of reasons.keys()) await markSnapshot(store, id, snapshots.has(id), marked);

    const operations: BatchOperation[] = [];
    const removedSnapshots: Digest[] = [];
    const collectedAt = now().toISOString();
    for (const [id, metadata] of snapshots) {
      if (reasons.has(id)) continue;
      removedSnapshots.push(id);
      const specs = parseRecord(metadata)?.['specs'];
      const record: CollectedRecord = { collectedAt, ...(typeof specs === 'number' ? { specs } : {}) };
      operations.push({ type: 'del', key: keys.snapshot(id) }, { type: 'put', key: collectedKey(id), value: JSON.stringify(record) });
    }
    let removedObjects = 0;
    let bytes = 0;
    let remainingObjects = 0;
    for await (const [key, value] of store.kv.entries('obj:')) {
      if (marked.has(key.slice('obj:'.length) as Digest)) {
        remainingObjects++;
        continue;
      }
      removedObjects++;
      bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
      operations.push({ type: 'del', key });
    }
    for (const id of removedSnapshots) bytes += Buffer.byteLength(keys.snapshot(id)) + Buffer.byteLength(snapshots.get(id)!);
    // A collected snapshot that was built again is no longer collected.
    for await (const [key] of store.kv.entries(collectedPrefix)) {
      const id = key.slice(collectedPrefix.length) as Digest;
      if (snapshots.has(id) && reasons.has(id)) operations.push({ type: 'del', key });
    }

    if (!options.dryRun && operations.length > 0) {
      await store.kv.batch(operations);
      await store.kv.compact?.();
    }
    return {
      dryRun: options.dryRun === true,
      kept: [...reasons].filter(([id]) => snapshots.has(id)).map(([snapshot, why]) => ({ snapshot, reasons: [...why].sort() })),
      plans,
      removed: { snapshots: removedSnapshots, objects: removedObjects, bytes },
      remaining: { snapshots: snapshots.size - removedSnapshots.length, objects: remainingObjects },
    };
  });
}

/** Snapshots named by `pin:` and `pub:` records. A damaged record might have named any snapshot: gc stops. */
async function readPublishedSnapshots(store: SpecStore): Promise<Set<Digest>> {
  try {
    return await publishedSnapshots(store);
  } catch (cause) {
    if (isSpecError(cause)) throw cause;
    throw new SpecError('STORE_CORRUPT', 'gc deleted nothing: a published-version record is damaged, so what it keeps is unknown (run `spec verify`)', { cause });
  }
}

/**
 * Marks the root, tree nodes and spec digests of a kept snapshot. Every node is re-hashed on read; one that is missing
 * or damaged stops gc before anything is deleted, because what lies below it is unknown.
 */
async function markSnapshot(store: SpecStore, id: Digest, hasRecord: boolean, marked: Set<Digest>): Promise<void> {
  const refuse = (object: Digest, problem: string, cause?: unknown) =>
    new SpecError('STORE_CORRUPT', `gc deleted nothing: kept snapshot ${id} reaches ${problem} object ${object} (run \`spec verify\`)`, {
      data: { snapshot: id, object },
      ...(cause === undefined ? {} : { cause }),
    });
  const read = async (digest: Digest) => {
    try {
      return await store.readObject(digest);
    } catch (error) {
      if (isSpecError(error) && error.code === 'DIGEST_MISMATCH') throw refuse(digest, 'the damaged', error);
      throw error;
    }
  };
  if (marked.has(id)) return;
  const root = await read(id);
  if (root === undefined) {
    // A plan may pin a snapshot this store never had; a recorded snapshot without its root is damage.
    if (hasRecord) throw refuse(id, 'the missing root');
    return;
  }
  if (!isJsonObject(root) || root['format'] !== snapshotFormat || !isDigest(root['tree'])) throw refuse(id, 'a malformed root');
  marked.add(id);
  const visit = async (digest: Digest): Promise<void> => {
    if (marked.has(digest)) return;
    const node = await read(digest);
    if (node === undefined) throw refuse(digest, 'the missing tree node');
    marked.add(digest);
    const leaf = isJsonObject(node) ? node['leaf'] : undefined;
    const branch = isJsonObject(node) ? node['branch'] : undefined;
    if (isJsonObject(leaf)) {
      for (const entry of Object.values(leaf)) {
        const versions = isJsonObject(entry) ? entry['versions'] : undefined;
        if (!isJsonObject(versions)) throw refuse(digest, 'the malformed tree node');
        for (const spec of Object.values(versions)) {
          if (!isDigest(spec)) throw refuse(digest, 'the malformed tree node');
          marked.add(spec);
        }
      }
    } else if (isJsonObject(branch)) {
      for (const child of Object.values(branch)) {
        if (!isDigest(child)) throw refuse(digest, 'the malformed tree node');
        await visit(child);
      }
    } else {
      throw refuse(digest, 'the malformed tree node');
    }
  };
  await visit(root['tree']);
}

/**
 * Finds the snapshots that plan files pin: every plan file below the directories (found and read exactly as the plan
 * commands and `build --plans` find and read them), with a top-level `snapshot` digest. A file or directory that
 * cannot be read, or a plan with any problem, stops gc (GC_PLAN_UNREADABLE): it might pin a snapshot.
 */
export function findPlanPins(directories: readonly string[]): PlanPin[] {
  const found = findPlanFiles(directories.map((directory) => resolve(directory)));
  if (found.unreadable.length > 0) {
    const [first] = found.unreadable;
    throw new SpecError('GC_PLAN_UNREADABLE', `gc deleted nothing: cannot read ${first.path} (${first.message}), which might hold a plan that pins a snapshot`, {
      data: { file: first.path, unreadable: found.unreadable, outcome: 'gc deleted nothing' },
    });
  }
  const pins: PlanPin[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const path of found.files) {
    let parsed: ReturnType<typeof readPlanFile>;
    try {
      parsed = readPlanFile(path);
    } catch (cause) {
      if (!isSpecError(cause)) throw cause;
      throw new SpecError('GC_PLAN_UNREADABLE', `gc deleted nothing: ${cause.message}; it might pin a snapshot`, { data: { file: path, outcome: 'gc deleted nothing' }, cause });
    }
    const errors = parsed.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    if (errors.length > 0) diagnostics.push(...errors);
    else if (parsed.planFile?.plan.snapshot !== undefined && isDigest(parsed.planFile.plan.snapshot)) pins.push({ file: path, snapshot: parsed.planFile.plan.snapshot });
  }
  if (diagnostics.length > 0) {
    const files = [...new Set(diagnostics.map((diagnostic) => diagnostic.file))];
    throw new SpecError('GC_PLAN_UNREADABLE', `gc deleted nothing: ${files.length === 1 ? `plan ${files[0]} has` : `${files.length} plans have`} problems (fix them, or check them with \`spec plan check\`); a plan gc cannot read might pin a snapshot`, {
      data: { file: files[0], files, outcome: 'gc deleted nothing' },
      diagnostics,
    });
  }
  return pins;
}
