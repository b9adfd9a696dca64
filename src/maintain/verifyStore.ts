// `spec verify`, like git fsck: re-hash every object, walk every snapshot, and check every record that names one.
import { canonicalJsonTrusted } from '../core/canonicalJson.js';
import { digestText, isDigest, sha256HexOfString, type Digest } from '../core/digest.js';
import { isJsonObject, parseJsonText, type JsonValue } from '../core/json.js';
import { isSpecError } from '../errors.js';
import { assertValidTagName, keys, storeFormat, type SpecStore } from '../store/specStore.js';
import { buildCacheProblems } from '../build/buildCache.js';
import { leafCapacity, maxTreeDepth, snapshotFormat } from '../snapshot/manifestTree.js';
import { SnapshotView } from '../snapshot/snapshotView.js';
import { collectedPrefix, parseRecord } from './storeRecords.js';

/** Stable codes of the problems verify reports. */
export const verifyProblemKinds = [
  /** An `obj:` key that is not a digest. */
  'OBJECT_KEY_INVALID',
  /** An object's bytes do not hash to its key (a flipped bit, a forged write). */
  'OBJECT_DIGEST_MISMATCH',
  /** An object hashes to its key but is not canonical JSON, so no build or import could have written it. */
  'OBJECT_UNPARSEABLE',
  /** A snapshot reaches a digest the store does not hold. */
  'OBJECT_MISSING',
  /** A snapshot reaches missing, damaged or malformed objects: it cannot be read in full. */
  'SNAPSHOT_INCOMPLETE',
  /** A snapshot's root or tree breaks the format (wrong object sort, bucket, count, or spec id). */
  'SNAPSHOT_MALFORMED',
  /** A `snap:`, `log:`, `gc:` or `pub:` record that cannot be parsed, or whose key is not what it should be. */
  'RECORD_INVALID',
  /** A tag names a snapshot the store does not have. */
  'TAG_DANGLING',
  /** A build-log entry names a snapshot the store neither has nor records as collected by gc. */
  'LOG_DANGLING',
  /** A published-version record whose spec object or snapshot is missing, damaged, or does not match. */
  'PUBLISHED_INCONSISTENT',
  /** A store file fails its checksum or cannot be decoded: a table block, the MANIFEST, CURRENT, a log record. */
  'FILE_DAMAGED',
  /** A build-cache record that does not decode or match its check value: the next build drops and rebuilds the cache. */
  'CACHE_INVALID',
] as const;

export type VerifyProblemKind = (typeof verifyProblemKinds)[number];

export interface VerifyProblem {
  kind: VerifyProblemKind;
  message: string;
  /** The store key concerned, when the problem is about one record. */
  key?: string;
  object?: Digest;
  snapshot?: Digest;
  tag?: string;
  sequence?: number;
  /** An `id@version`. */
  ref?: string;
  /** For SNAPSHOT_INCOMPLETE: the first bad objects it reaches, and how many there are. */
  objects?: Digest[];
  count?: number;
  /** For FILE_DAMAGED: the file (in the store directory), the byte offset, and the keys a damaged table block holds. */
  file?: string;
  offset?: number;
  keys?: { first?: string; last?: string };
  /** For FILE_DAMAGED: the damaged block holds build-cache entries only (disposable). */
  cacheOnly?: boolean;
}

export interface VerifyReport {
  ok: boolean;
  store: string;
  objects: number;
  /** UTF-8 bytes of the objects' keys and values (not the size on disk). */
  objectBytes: number;
  snapshots: number;
  tags: number;
  logEntries: number;
  /** `pub:` records (published id@versions) and `pin:` records (published snapshots). */
  published: number;
  pinned: number;
  /** Snapshots gc removed (their `gc:` records); log entries may name them. */
  collected: number;
  /** Objects no snapshot reaches: not a problem, `spec gc` removes them. */
  unreachableObjects: number;
  problems: VerifyProblem[];
  /** Problems found beyond `maxProblems`, counted but not listed. */
  problemsOmitted: number;
}

export interface VerifyOptions {
  /** Stop listing problems after this many (they are still counted). Default 1000. */
  maxProblems?: number;
}

type ObjectSort = 'root' | 'node' | 'spec' | 'other';
/** What the scan learnt of each object; `sound` is false when its problem was already reported. */
type ObjectInfo = { sound: false } | { sound: true; sort: ObjectSort; specId?: string };

interface SubtreeResult {
  specs: number;
  names: number;
  faults: Digest[];
  faultCount: number;
}

const listedFaults = 20;
const pinPrefix = keys.pin('' as Digest);

/** Checks the whole store. Damage it can describe is in the report; only an unreadable store throws. */
export async function verifyStore(store: SpecStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const maxProblems = options.maxProblems ?? 1000;
  if (!Number.isSafeInteger(maxProblems) || maxProblems < 0) throw new TypeError('verifyStore: options.maxProblems must be a whole number ≥ 0');
  return store.exclusive(() => new Verifier(store, maxProblems).run());
}

class Verifier {
  private readonly objects = new Map<Digest, ObjectInfo>();
  private readonly snapshots = new Set<Digest>();
  private readonly collected = new Set<Digest>();
  private readonly reached = new Set<Digest>();
  private readonly subtrees = new Map<string, SubtreeResult>();
  private readonly reportedMissing = new Set<Digest>();
  private readonly views = new Map<Digest, SnapshotView>();
  private readonly problems: VerifyProblem[] = [];
  private problemsOmitted = 0;
  private objectBytes = 0;

  constructor(
    private readonly store: SpecStore,
    private readonly maxProblems: number,
  ) {}

  async run(): Promise<VerifyReport> {
    await this.checkFiles();
    await this.scanObjects();
    for await (const [key, value] of this.store.kv.entries('snap:')) {
      const id = key.slice('snap:'.length);
      if (!isDigest(id)) this.report({ kind: 'RECORD_INVALID', key, message: `snapshot record ${key} is not keyed by a digest` });
      else {
        this.snapshots.add(id);
        if (parseRecord(value) === undefined) this.report({ kind: 'RECORD_INVALID', key, snapshot: id, message: `the metadata of snapshot ${id} is not a JSON object` });
      }
    }
    for await (const [key, value] of this.store.kv.entries(collectedPrefix)) {
      const id = key.slice(collectedPrefix.length);
      if (isDigest(id) && parseRecord(value) !== undefined) this.collected.add(id);
      else this.report({ kind: 'RECORD_INVALID', key, message: `gc record ${key} is not a digest with a JSON object` });
    }
    for (const id of this.snapshots) await this.checkSnapshot(id);
    const tags = await this.checkTags();
    const logEntries = await this.checkLog();
    const { published, pinned } = await this.checkPublished();
    await this.checkMeta();
    let cacheProblems: { key: string; reason: string }[];
    try {
      cacheProblems = await buildCacheProblems(this.store);
    } catch (error) {
      // LevelDB cannot read a damaged block of the cache (reported above as FILE_DAMAGED): builds drop the cache.
      if (!isSpecError(error) || (error.code !== 'STORE_CORRUPT' && error.code !== 'STORE_IO')) throw error;
      cacheProblems = [{ key: 'cache:', reason: `reading it fails with ${error.code}` }];
    }
    for (const problem of cacheProblems) {
      this.report({ kind: 'CACHE_INVALID', key: problem.key, message: `build-cache record ${problem.key} is damaged (${problem.reason}): the next \`spec build\` drops the cache and rebuilds it` });
    }
    let unreachable = 0;
    for (const digest of this.objects.keys()) if (!this.reached.has(digest)) unreachable++;
    return {
      ok: this.problems.length === 0 && this.problemsOmitted === 0,
      store: this.store.location,
      objects: this.objects.size,
      objectBytes: this.objectBytes,
      snapshots: this.snapshots.size,
      tags,
      logEntries,
      published,
      pinned,
      collected: this.collected.size,
      unreachableObjects: unreachable,
      problems: this.problems,
      problemsOmitted: this.problemsOmitted,
    };
  }

  /** Checksums the reads skip: every block of every table file, CURRENT, the MANIFEST and the logs. */
  private async checkFiles(): Promise<void> {
    for (const damage of (await this.store.kv.damagedFiles?.()) ?? []) {
      const held = damage.keys;
      const cacheOnly = held?.first !== undefined && held.last !== undefined && held.first.startsWith('cache:') && held.last.startsWith('cache:');
      const holds = held ? ` It holds the entries ${held.first === undefined ? 'up to' : `from ${held.first} to`} ${held.last ?? 'the end'}.` : '';
      const advice = cacheOnly
        ? ' They are build-cache entries only, which are disposable: `spec build` drops the cache and rebuilds it; the damaged bytes stay in the file until LevelDB rewrites it.'
        : ' What the store reads from there may be wrong; see docs/store.md, "Repairing a store".';
      this.report({
        kind: 'FILE_DAMAGED',
        file: damage.file,
        ...(damage.offset === undefined ? {} : { offset: damage.offset }),
        ...(held ? { keys: held, cacheOnly } : {}),
        message: `store file ${damage.file} is damaged${damage.offset === undefined ? '' : ` at byte ${damage.offset}`}: ${damage.reason}.${holds}${advice}`,
      });
    }
  }

  private async checkMeta(): Promise<void> {
    for await (const [key, value] of this.store.kv.entries('meta:')) {
      const sound = key === keys.meta('format') ? value === storeFormat : key === keys.meta('publications') ? /^[1-9][0-9]*$/.test(value) : false;
      if (!sound) this.report({ kind: 'RECORD_INVALID', key, message: `store record ${key} is not ${storeFormat}'s format record or publication count` });
    }
  }

  private report(problem: VerifyProblem): void {
    if (this.problems.length < this.maxProblems) this.problems.push(problem);
    else this.problemsOmitted++;
  }

  /** Re-hashes every object and notes what sort of object it is. */
  private async scanObjects(): Promise<void> {
    for await (const [key, text] of this.store.kv.entries('obj:')) {
      this.objectBytes += Buffer.byteLength(key) + Buffer.byteLength(text);
      const digest = key.slice('obj:'.length);
      if (!isDigest(digest)) {
        this.report({ kind: 'OBJECT_KEY_INVALID', key, message: `object key ${key} is not a digest` });
        continue;
      }
      const actual = digestText(text);
      if (actual !== digest) {
        this.objects.set(digest, { sound: false });
        this.report({ kind: 'OBJECT_DIGEST_MISMATCH', key, object: digest, message: `object ${digest} hashes to ${actual}: its bytes were changed` });
        continue;
      }
      let value: JsonValue;
      try {
        value = parseJsonText(text);
        if (canonicalJsonTrusted(value) !== text) throw new Error('not canonical');
      } catch {
        this.objects.set(digest, { sound: false });
        this.report({ kind: 'OBJECT_UNPARSEABLE', key, object: digest, message: `object ${digest} is not canonical JSON, so no build or import wrote it` });
        continue;
      }
      this.objects.set(digest, classify(value));
    }
  }

  private async checkSnapshot(id: Digest): Promise<void> {
    this.reached.add(id);
    const info = this.objects.get(id);
    if (!info || !info.sound) {
      if (!info) this.reportMissing(id, id, 'its root');
      this.report({ kind: 'SNAPSHOT_INCOMPLETE', snapshot: id, objects: [id], count: 1, message: `snapshot ${id} has a snapshot record but its root object is ${info ? 'damaged' : 'missing'}` });
      return;
    }
    if (info.sort !== 'root') {
      this.report({ kind: 'SNAPSHOT_MALFORMED', snapshot: id, object: id, message: `snapshot ${id} names an object that is not a snapshot root` });
      return;
    }
    const root = (await this.store.readObject(id)) as { specs: unknown; tree: unknown };
    if (!isDigest(root.tree) || !Number.isSafeInteger(root.specs)) {
      this.report({ kind: 'SNAPSHOT_MALFORMED', snapshot: id, object: id, message: `the root of snapshot ${id} has no valid tree digest or spec count` });
      return;
    }
    const tree = await this.checkSubtree(root.tree, '', id, `snapshot ${id}`);
    if (tree.faultCount > 0) {
      this.report({
        kind: 'SNAPSHOT_INCOMPLETE',
        snapshot: id,
        objects: tree.faults,
        count: tree.faultCount,
        message: `snapshot ${id} cannot be read in full: it reaches ${tree.faultCount} missing, damaged or malformed object${tree.faultCount === 1 ? '' : 's'}`,
      });
    } else if (tree.specs !== root.specs) {
      this.report({ kind: 'SNAPSHOT_MALFORMED', snapshot: id, object: id, message: `snapshot ${id} says it has ${String(root.specs)} specs but its tree lists ${tree.specs}` });
    }
  }

  /**
   * Checks a tree node and everything below it, once per (node, position): snapshots share subtrees, and a subtree's
   * content is fixed by its digest. `prefix` is the hex path from the top, which every name below must hash under.
   */
  private async checkSubtree(digest: Digest, prefix: string, snapshot: Digest, referrer: string): Promise<SubtreeResult> {
    const memoKey = `${digest}/${prefix}`;
    const known = this.subtrees.get(memoKey);
    if (known) return known;
    this.reached.add(digest);
    const result: SubtreeResult = { specs: 0, names: 0, faults: [], faultCount: 0 };
    const fault = (listed: Digest[], count = listed.length) => {
      result.faultCount += count;
      for (const item of listed) if (result.faults.length < listedFaults) result.faults.push(item);
    };
    let nodeFaulted = false;
    const malformed = (message: string) => {
      this.report({ kind: 'SNAPSHOT_MALFORMED', snapshot, object: digest, message });
      if (!nodeFaulted) fault([digest]);
      nodeFaulted = true;
    };
    const info = this.objects.get(digest);
    if (!info || !info.sound) {
      if (!info) this.reportMissing(digest, snapshot, referrer);
      fault([digest]);
    } else if (info.sort !== 'node') {
      malformed(`object ${digest} is used as a tree node by ${referrer} but is a ${info.sort === 'other' ? 'JSON value of no known sort' : info.sort}`);
    } else {
      const node = (await this.store.readObject(digest)) as { leaf?: Record<string, unknown>; branch?: Record<string, unknown> };
      const depth = prefix.length;
      if (node.leaf) {
        for (const [name, entry] of Object.entries(node.leaf)) {
          result.names++;
          if (!sha256HexOfString(name).startsWith(prefix)) malformed(`tree node ${digest} holds ${name}, which does not belong under hash prefix "${prefix}"`);
          const versions = isJsonObject(entry) && typeof entry['kind'] === 'string' && isJsonObject(entry['versions']) ? entry['versions'] : undefined;
          if (!versions || Object.keys(versions).length === 0) {
            malformed(`tree node ${digest} has no valid {kind, versions} entry for ${name}`);
            continue;
          }
          for (const [version, specDigest] of Object.entries(versions)) {
            result.specs++;
            const ref = `${name}@${version}`;
            if (!isDigest(specDigest)) {
              malformed(`tree node ${digest} lists ${ref} with an invalid digest`);
              continue;
            }
            this.reached.add(specDigest);
            const spec = this.objects.get(specDigest);
            if (!spec || !spec.sound) {
              if (!spec) this.reportMissing(specDigest, snapshot, ref, ref);
              fault([specDigest]);
            } else if (spec.sort !== 'spec' || spec.specId !== ref) {
              this.report({ kind: 'SNAPSHOT_MALFORMED', snapshot, object: specDigest, ref, message: `tree node ${digest} lists ${ref} as ${specDigest}, which is not a spec with that id` });
              fault([specDigest]);
            }
          }
        }
        if (result.names > leafCapacity && depth < maxTreeDepth) malformed(`tree node ${digest} is a leaf of ${result.names} names; the format splits nodes above ${leafCapacity}`);
      } else {
        const children = Object.entries(node.branch ?? {});
        if (children.length === 0 || depth >= maxTreeDepth) malformed(`tree node ${digest} is a branch ${children.length === 0 ? 'with no children' : `at depth ${depth}`}`);
        for (const [digit, child] of children) {
          if (!/^[0-9a-f]$/.test(digit) || !isDigest(child)) {
            malformed(`tree node ${digest} has an invalid branch member "${digit}"`);
            continue;
          }
          const below = await this.checkSubtree(child, prefix + digit, snapshot, `tree node ${digest}`);
          result.specs += below.specs;
          result.names += below.names;
          if (below.faultCount > 0) fault(below.faults, below.faultCount);
        }
        // Names below missing or damaged nodes are not counted, so the count means something only when all was read.
        if (children.length > 0 && result.faultCount === 0 && result.names <= leafCapacity) malformed(`tree node ${digest} is a branch over only ${result.names} names; the format keeps up to ${leafCapacity} in a leaf`);
      }
    }
    this.subtrees.set(memoKey, result);
    return result;
  }

  private reportMissing(object: Digest, snapshot: Digest, referrer: string, ref?: string): void {
    if (this.reportedMissing.has(object)) return;
    this.reportedMissing.add(object);
    this.report({ kind: 'OBJECT_MISSING', object, snapshot, ...(ref === undefined ? {} : { ref }), message: `object ${object} (${referrer}) is missing from the store` });
  }

  private async checkTags(): Promise<number> {
    let count = 0;
    for await (const [key, value] of this.store.kv.entries('tag:')) {
      count++;
      const tag = key.slice('tag:'.length);
      if (!isValidTagName(tag)) this.report({ kind: 'RECORD_INVALID', key, tag, message: `tag record ${key} does not have a valid tag name` });
      if (!isDigest(value) || !this.snapshots.has(value)) {
        this.report({ kind: 'TAG_DANGLING', key, tag, ...(isDigest(value) ? { snapshot: value } : {}), message: `tag ${tag} names ${isDigest(value) ? `snapshot ${value}, which is not in the store` : 'something that is not a snapshot id'}` });
      }
    }
    return count;
  }

  private async checkLog(): Promise<number> {
    let count = 0;
    for await (const [key, value] of this.store.kv.entries('log:')) {
      count++;
      const entry = parseRecord(value);
      const snapshot = entry?.['snapshot'];
      if (!isDigest(snapshot)) {
        this.report({ kind: 'RECORD_INVALID', key, message: `build-log entry ${key} has no snapshot id` });
        continue;
      }
      const flaw = logEntryFlaw(key, entry!);
      if (flaw) this.report({ kind: 'RECORD_INVALID', key, snapshot, message: `build-log entry ${key} is damaged: ${flaw}` });
      if (!this.snapshots.has(snapshot) && !this.collected.has(snapshot)) {
        const sequence = Number(key.slice('log:'.length));
        this.report({ kind: 'LOG_DANGLING', key, sequence, snapshot, message: `build #${sequence} names snapshot ${snapshot}, which the store neither has nor records as collected by gc` });
      }
    }
    return count;
  }

  /**
   * `pub:<id@version>` → {digest, snapshot}: the spec object must be sound and the snapshot must list it so.
   * `pin:<snapshot>` marks a published snapshot, which gc keeps: it must be in the store.
   */
  private async checkPublished(): Promise<{ published: number; pinned: number }> {
    let count = 0;
    let pinned = 0;
    for await (const [key, value] of this.store.kv.entries(pinPrefix)) {
      pinned++;
      const snapshot = key.slice(pinPrefix.length);
      if (!isDigest(snapshot) || parseRecord(value) === undefined) this.report({ kind: 'RECORD_INVALID', key, message: `pin record ${key} is not a snapshot id with a JSON object` });
      else if (!this.snapshots.has(snapshot)) this.report({ kind: 'PUBLISHED_INCONSISTENT', key, snapshot, message: `snapshot ${snapshot} is pinned as published, but it is not in the store` });
    }
    const prefix = keys.published('');
    for await (const [key, value] of this.store.kv.entries(prefix)) {
      count++;
      const ref = key.slice(prefix.length);
      const record = parseRecord(value);
      const digest = record?.['digest'];
      const snapshot = record?.['snapshot'];
      if (!isDigest(digest) || !isDigest(snapshot)) {
        this.report({ kind: 'RECORD_INVALID', key, ref, message: `published-version record ${key} is not {digest, snapshot}` });
        continue;
      }
      const problem = await this.publishedProblem(ref, digest, snapshot);
      if (problem) this.report({ kind: 'PUBLISHED_INCONSISTENT', key, ref, object: digest, snapshot, message: `${ref} is published as ${digest} in ${snapshot}, but ${problem}` });
    }
    return { published: count, pinned };
  }

  private async publishedProblem(ref: string, digest: Digest, snapshot: Digest): Promise<string | undefined> {
    const info = this.objects.get(digest);
    if (!info) return 'that object is missing';
    if (!info.sound) return 'that object is damaged';
    if (info.sort !== 'spec' || info.specId !== ref) return `that object is not the spec ${ref}`;
    if (!this.snapshots.has(snapshot)) return 'that snapshot is not in the store';
    try {
      let view = this.views.get(snapshot);
      if (!view) this.views.set(snapshot, (view = await SnapshotView.open(this.store, snapshot)));
      const entry = await view.lookup(ref);
      if (!entry) return `the snapshot does not contain ${ref}`;
      if (entry.digest !== digest) return `the snapshot lists ${ref} as ${entry.digest}`;
      return undefined;
    } catch (error) {
      if (isSpecError(error)) return `the snapshot cannot be read (${error.code})`;
      throw error;
    }
  }
}

/** What is wrong with a build-log entry that names a snapshot: its sequence, date, counts and tool as a build writes them. */
function logEntryFlaw(key: string, entry: Record<string, unknown>): string | undefined {
  const sequence = Number(key.slice('log:'.length));
  if (!/^log:[0-9]{12}$/.test(key) || !Number.isSafeInteger(sequence) || sequence < 1) return 'the key is not a 12-digit sequence number';
  if (entry['sequence'] !== sequence) return `it records sequence ${String(entry['sequence'])}`;
  const createdAt = entry['createdAt'];
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || new Date(createdAt).toISOString() !== createdAt) return 'its date is not an ISO 8601 instant';
  for (const count of ['specs', 'newObjects']) {
    const value = entry[count];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return `its ${count} is not a count`;
  }
  if (typeof entry['tool'] !== 'string') return 'it names no tool';
  if (entry['tag'] !== undefined && (typeof entry['tag'] !== 'string' || !isValidTagName(entry['tag']))) return 'its tag is not a valid tag name';
  return undefined;
}

function isValidTagName(name: string): boolean {
  try {
    assertValidTagName(name);
    return true;
  } catch {
    return false;
  }
}

function classify(value: JsonValue): ObjectInfo {
  if (!isJsonObject(value)) return { sound: true, sort: 'other' };
  const members = Object.keys(value);
  if (members.length === 1 && (isJsonObject(value['leaf']) || isJsonObject(value['branch']))) return { sound: true, sort: 'node' };
  if (value['format'] === snapshotFormat) return { sound: true, sort: 'root' };
  if (typeof value['id'] === 'string') return { sound: true, sort: 'spec', specId: value['id'] };
  return { sound: true, sort: 'other' };
}
