// `spec gc`: mark what kept snapshots reach, then delete every other snapshot record and object in one atomic batch.
import { resolve } from 'node:path';
import { isDigest, type Digest } from '../core/digest.js';
import type { JsonValue } from '../core/json.js';
import { isSpecError, SpecError, type Diagnostic } from '../errors.js';
import { findPlanFiles, readPlanFile } from '../plan/findPlanFiles.js';
import type { BatchOperation } from '../store/keyValueStore.js';
import { publishedSnapshots } from '../store/publishedVersions.js';
import { keys, type LogEntry, type SpecStore } from '../store/specStore.js';
import { keySpaces } from '../store/storeKeys.js';
import { isLeafNode } from '../snapshot/manifestTree.js';
import { decodeSnapshotRoot } from '../snapshot/treeDecoder.js';
import { leafSpecs, walkRootObjects, walkTree, type TreeWalkProblem } from '../snapshot/treeWalk.js';
import { collectedKey, parseRecord, type CollectedRecord } from './storeRecords.js';

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
  if (!Number.isSafeInteger(keepLast) || keepLast < 1)
    throw new TypeError('collectGarbage: options.keepLast must be a whole number ≥ 1');
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
    for await (const { value } of store.records(keySpaces.log)) {
      const entry = parseRecord(value) as LogEntry | undefined;
      if (entry && isDigest(entry.snapshot)) recent.push(entry);
      if (recent.length > keepLast) recent.shift();
    }
    for (const entry of recent) keep(entry.snapshot, 'recent');

    const snapshots = new Map<Digest, string>();
    // A record whose key is not a snapshot id names nothing gc could keep: it goes with the removed ones, unlisted.
    const strayRecords: string[] = [];
    for await (const { key, id, metadata } of store.snapshots()) {
      if (id === undefined) strayRecords.push(key);
      else snapshots.set(id, metadata);
    }
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
      operations.push(
        { type: 'del', key: keys.snapshot(id) },
        { type: 'put', key: collectedKey(id), value: JSON.stringify(record) },
      );
    }
    let removedObjects = 0;
    let bytes = 0;
    let remainingObjects = 0;
    for (const key of strayRecords) operations.push({ type: 'del', key });
    for await (const { key, digest, text: value } of store.objects()) {
      if (digest !== undefined && marked.has(digest)) {
        remainingObjects++;
        continue;
      }
      removedObjects++;
      bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
      operations.push({ type: 'del', key });
    }
    for (const id of removedSnapshots)
      bytes += Buffer.byteLength(keys.snapshot(id)) + Buffer.byteLength(snapshots.get(id)!);
    // A collected snapshot that was built again is no longer collected.
    for await (const { key, name } of store.records(keySpaces.collected)) {
      if (isDigest(name) && snapshots.has(name) && reasons.has(name)) operations.push({ type: 'del', key });
    }

    if (!options.dryRun && operations.length > 0) {
      await store.kv.batch(operations);
      await store.kv.compact?.();
    }
    return {
      dryRun: options.dryRun === true,
      kept: [...reasons]
        .filter(([id]) => snapshots.has(id))
        .map(([snapshot, why]) => ({ snapshot, reasons: [...why].sort() })),
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
    throw new SpecError(
      'STORE_CORRUPT',
      'gc deleted nothing: a published-version record is damaged, so what it keeps is unknown (run `spec verify`)',
      { cause },
    );
  }
}

/**
 * Marks the root, tree nodes and spec digests of a kept snapshot. Every node is re-hashed on read; one that is missing
 * or damaged stops gc before anything is deleted, because what lies below it is unknown.
 */
async function markSnapshot(store: SpecStore, id: Digest, hasRecord: boolean, marked: Set<Digest>): Promise<void> {
  const refuse = (object: Digest, problem: string, cause?: unknown) =>
    new SpecError(
      'STORE_CORRUPT',
      `gc deleted nothing: kept snapshot ${id} reaches ${problem} object ${object} (run \`spec verify\`)`,
      {
        data: { snapshot: id, object },
        ...(cause === undefined ? {} : { cause }),
      },
    );
  if (marked.has(id)) return;
  let rootValue: JsonValue | undefined;
  try {
    [rootValue] = await store.readObjects([id]);
  } catch (error) {
    if (isSpecError(error) && error.code === 'DIGEST_MISMATCH') throw refuse(id, 'the damaged', error);
    throw error;
  }
  if (rootValue === undefined) {
    // A plan may pin a snapshot this store never had; a recorded snapshot without its root is damage.
    if (hasRecord) throw refuse(id, 'the missing root');
    return;
  }
  const root = decodeSnapshotRoot(rootValue);
  if (!root.ok) throw refuse(id, 'a malformed root');
  marked.add(id);
  const onProblem = (problem: TreeWalkProblem) => {
    const what = {
      NODE_MISSING: 'the missing tree node',
      NODE_DAMAGED: 'the damaged',
      NODE_MALFORMED: 'the malformed tree node',
      DEFINITION_MISSING: 'the missing kind definition',
      DEFINITION_DAMAGED: 'the damaged',
      DEFINITION_MALFORMED: 'the malformed kind definition',
    }[problem.code];
    throw refuse(problem.digest, what, problem.cause);
  };
  const enter = (digest: Digest) => !marked.has(digest);
  for (const { digest } of await walkRootObjects(store, root.value, { enter, onProblem })) marked.add(digest);
  const walk = walkTree(store, root.value.tree, { enter, onProblem });
  for await (const level of walk) {
    for (const { digest, node } of level) {
      marked.add(digest);
      if (isLeafNode(node)) for (const spec of leafSpecs(node)) marked.add(spec.digest);
    }
  }
}

/**
 * Finds the snapshots that plan files pin: every plan file below the directories (found and read exactly as the plan
 * commands and `build --plans` find and read them), with a top-level `snapshot` digest. A file or directory that
 * cannot be read, or a plan with any problem, stops gc (GC_PLAN_UNREADABLE): it might pin a snapshot.
 */
export function findPlanPins(directories: readonly string[]): PlanPin[] {
  const found = findPlanFiles(directories.map((directory) => resolve(directory)));
  if (found.unreadable.length > 0) {
    const first = found.unreadable[0]!;
    throw new SpecError(
      'GC_PLAN_UNREADABLE',
      `gc deleted nothing: cannot read ${first.path} (${first.message}), which might hold a plan that pins a snapshot`,
      {
        data: { file: first.path, unreadable: found.unreadable, outcome: 'gc deleted nothing' },
      },
    );
  }
  const pins: PlanPin[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const path of found.files) {
    let parsed: ReturnType<typeof readPlanFile>;
    try {
      parsed = readPlanFile(path);
    } catch (cause) {
      if (!isSpecError(cause)) throw cause;
      throw new SpecError('GC_PLAN_UNREADABLE', `gc deleted nothing: ${cause.message}; it might pin a snapshot`, {
        data: { file: path, outcome: 'gc deleted nothing' },
        cause,
      });
    }
    const errors = parsed.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    if (errors.length > 0) diagnostics.push(...errors);
    else if (parsed.planFile?.plan.snapshot !== undefined && isDigest(parsed.planFile.plan.snapshot))
      pins.push({ file: path, snapshot: parsed.planFile.plan.snapshot });
  }
  if (diagnostics.length > 0) {
    const files = [...new Set(diagnostics.map((diagnostic) => diagnostic.file))];
    throw new SpecError(
      'GC_PLAN_UNREADABLE',
      `gc deleted nothing: ${files.length === 1 ? `plan ${files[0]} has` : `${files.length} plans have`} problems (fix them, or check them with \`spec plan check\`); a plan gc cannot read might pin a snapshot`,
      {
        data: { file: files[0], files, outcome: 'gc deleted nothing' },
        diagnostics,
      },
    );
  }
  return pins;
}
