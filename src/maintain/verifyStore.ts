// `spec verify`, like git fsck: re-hash every object, walk every snapshot, and check every record that names one.
import { canonicalJsonTrusted } from '../core/canonicalJson.js';
import { digestText, isDigest, sha256HexOfString, type Digest } from '../core/digest.js';
import { isJsonObject, parseJsonText, type JsonValue } from '../core/json.js';
import { isSpecError } from '../errors.js';
import { assertValidTagName, keys, storeFormat, type SpecStore } from '../store/specStore.js';
import { parseRemoteRecord } from '../store/remoteRecords.js';
import { keySpaces } from '../store/storeKeys.js';
import { buildCacheProblems } from '../build/buildCache.js';
import { isLeafNode, leafCapacity, maxTreeDepth, type LeafNode, type SnapshotRoot } from '../snapshot/manifestTree.js';
import { SnapshotView } from '../snapshot/snapshotView.js';
import { decodeSnapshotRoot, objectSort } from '../snapshot/treeDecoder.js';
import { leafSpecs, walkRootObjects, walkTree, type TreeWalkProblem } from '../snapshot/treeWalk.js';
import { parseRecord } from './storeRecords.js';

/** Stable codes of the problems verify reports. */
export const verifyProblemCodes = [
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

export type VerifyProblemCode = (typeof verifyProblemCodes)[number];

export interface VerifyProblem {
  code: VerifyProblemCode;
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

type ObjectSort = 'root' | 'node' | 'kind' | 'spec' | 'other';
/** What the scan learnt of each object; `sound` is false when its problem was already reported. */
type ObjectInfo = { sound: false } | { sound: true; sort: ObjectSort; specId?: string };

interface SubtreeResult {
  specs: number;
  names: number;
  faults: Digest[];
  faultCount: number;
}

/** One node of the tree being checked, at one position: what it holds itself, then (summed) what lies below. */
interface NodeCheck {
  digest: Digest;
  prefix: string;
  result: SubtreeResult;
  /** Subtree keys of the children the walk entered. */
  children: string[];
  /** Already counted among the faults. */
  faulted: boolean;
  branch: boolean;
}

const subtreeKey = (digest: Digest, prefix: string) => `${digest}/${prefix}`;

function addFault(result: SubtreeResult, listed: readonly Digest[], count = listed.length): void {
  result.faultCount += count;
  for (const item of listed) if (result.faults.length < listedFaults) result.faults.push(item);
}

const listedFaults = 20;

/** Checks the whole store. Damage it can describe is in the report; only an unreadable store throws. */
export async function verifyStore(store: SpecStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const maxProblems = options.maxProblems ?? 1000;
  if (!Number.isSafeInteger(maxProblems) || maxProblems < 0)
    throw new TypeError('verifyStore: options.maxProblems must be a whole number ≥ 0');
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
    for await (const { key, id, metadata: value } of this.store.snapshots()) {
      if (id === undefined)
        this.report({ code: 'RECORD_INVALID', key, message: `snapshot record ${key} is not keyed by a digest` });
      else {
        this.snapshots.add(id);
        if (parseRecord(value) === undefined)
          this.report({
            code: 'RECORD_INVALID',
            key,
            snapshot: id,
            message: `the metadata of snapshot ${id} is not a JSON object`,
          });
      }
    }
    for await (const { key, name: id, value } of this.store.records(keySpaces.collected)) {
      if (isDigest(id) && parseRecord(value) !== undefined) this.collected.add(id);
      else this.report({ code: 'RECORD_INVALID', key, message: `gc record ${key} is not a digest with a JSON object` });
    }
    for (const id of this.snapshots) await this.checkSnapshot(id);
    const tags = await this.checkTags();
    const logEntries = await this.checkLog();
    const { published, pinned } = await this.checkPublished();
    await this.checkMeta();
    await this.checkRemotes();
    let cacheProblems: { key: string; reason: string }[];
    try {
      cacheProblems = await buildCacheProblems(this.store);
    } catch (error) {
      // LevelDB cannot read a damaged block of the cache (reported above as FILE_DAMAGED): builds drop the cache.
      if (!isSpecError(error) || (error.code !== 'STORE_CORRUPT' && error.code !== 'STORE_IO')) throw error;
      cacheProblems = [{ key: keySpaces.cache.prefix, reason: `reading it fails with ${error.code}` }];
    }
    for (const problem of cacheProblems) {
      this.report({
        code: 'CACHE_INVALID',
        key: problem.key,
        message: `build-cache record ${problem.key} is damaged (${problem.reason}): the next \`spec build\` drops the cache and rebuilds it`,
      });
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
      const cacheOnly =
        held?.first !== undefined &&
        held.last !== undefined &&
        keySpaces.cache.holds(held.first) &&
        keySpaces.cache.holds(held.last);
      const holds = held
        ? ` It holds the entries ${held.first === undefined ? 'up to' : `from ${held.first} to`} ${held.last ?? 'the end'}.`
        : '';
      const advice = cacheOnly
        ? ' They are build-cache entries only, which are disposable: `spec build` drops the cache and rebuilds it; the damaged bytes stay in the file until LevelDB rewrites it.'
        : ' What the store reads from there may be wrong; see docs/store.md, "Repairing a store".';
      this.report({
        code: 'FILE_DAMAGED',
        file: damage.file,
        ...(damage.offset === undefined ? {} : { offset: damage.offset }),
        ...(held ? { keys: held, cacheOnly } : {}),
        message: `store file ${damage.file} is damaged${damage.offset === undefined ? '' : ` at byte ${damage.offset}`}: ${damage.reason}.${holds}${advice}`,
      });
    }
  }

  private async checkMeta(): Promise<void> {
    for await (const { key, value } of this.store.records(keySpaces.meta)) {
      const sound =
        key === keys.meta('format')
          ? value === storeFormat
          : key === keys.meta('publications')
            ? /^[1-9][0-9]*$/.test(value)
            : false;
      if (!sound)
        this.report({
          code: 'RECORD_INVALID',
          key,
          message: `store record ${key} is not ${storeFormat}'s format record or publication count`,
        });
    }
  }

  /** `remote:` records (`spec remote add`): JSON with an oci:// URL and an optional plain-HTTP flag. */
  private async checkRemotes(): Promise<void> {
    for await (const { key, value } of this.store.records(keySpaces.remote))
      if (parseRemoteRecord(value) === undefined)
        this.report({
          code: 'RECORD_INVALID',
          key,
          message: `store record ${key} is not a saved remote ({url: "oci://…"})`,
        });
  }

  private report(problem: VerifyProblem): void {
    if (this.problems.length < this.maxProblems) this.problems.push(problem);
    else this.problemsOmitted++;
  }

  /** Re-hashes every object and notes what sort of object it is. */
  private async scanObjects(): Promise<void> {
    for await (const { key, digest, text } of this.store.objects()) {
      this.objectBytes += Buffer.byteLength(key) + Buffer.byteLength(text);
      if (digest === undefined) {
        this.report({ code: 'OBJECT_KEY_INVALID', key, message: `object key ${key} is not a digest` });
        continue;
      }
      const actual = digestText(text);
      if (actual !== digest) {
        this.objects.set(digest, { sound: false });
        this.report({
          code: 'OBJECT_DIGEST_MISMATCH',
          key,
          object: digest,
          message: `object ${digest} hashes to ${actual}: its bytes were changed`,
        });
        continue;
      }
      let value: JsonValue;
      try {
        value = parseJsonText(text);
        if (canonicalJsonTrusted(value) !== text) throw new Error('not canonical');
      } catch {
        this.objects.set(digest, { sound: false });
        this.report({
          code: 'OBJECT_UNPARSEABLE',
          key,
          object: digest,
          message: `object ${digest} is not canonical JSON, so no build or import wrote it`,
        });
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
      this.report({
        code: 'SNAPSHOT_INCOMPLETE',
        snapshot: id,
        objects: [id],
        count: 1,
        message: `snapshot ${id} has a snapshot record but its root object is ${info ? 'damaged' : 'missing'}`,
      });
      return;
    }
    if (info.sort !== 'root') {
      this.report({
        code: 'SNAPSHOT_MALFORMED',
        snapshot: id,
        object: id,
        message: `snapshot ${id} names an object that is not a snapshot root`,
      });
      return;
    }
    const [value] = await this.store.readObjects([id]);
    const decoded = decodeSnapshotRoot(value);
    if (!decoded.ok) {
      this.report({
        code: 'SNAPSHOT_MALFORMED',
        snapshot: id,
        object: id,
        message: `the root of snapshot ${id} ${decoded.problem.message}`,
      });
      return;
    }
    const root = decoded.value;
    const definitionFaults = await this.checkKindDefinitions(root, id);
    const tree = await this.checkTree(root.tree, id);
    if (definitionFaults.length > 0) addFault(tree, definitionFaults);
    if (tree.faultCount > 0) {
      this.report({
        code: 'SNAPSHOT_INCOMPLETE',
        snapshot: id,
        objects: tree.faults,
        count: tree.faultCount,
        message: `snapshot ${id} cannot be read in full: it reaches ${tree.faultCount} missing, damaged or malformed object${tree.faultCount === 1 ? '' : 's'}`,
      });
    } else if (tree.specs !== root.specs) {
      this.report({
        code: 'SNAPSHOT_MALFORMED',
        snapshot: id,
        object: id,
        message: `snapshot ${id} says it has ${root.specs} specs but its tree lists ${tree.specs}`,
      });
    }
  }

  /**
   * The kind definitions a v2 root lists, read by the same walk as every other reader: each must be a stored,
   * sound definition of the kind it is listed as. Returns the ones that are missing, damaged or malformed.
   */
  private async checkKindDefinitions(root: SnapshotRoot, snapshot: Digest): Promise<Digest[]> {
    const faults: Digest[] = [];
    const enter = (digest: Digest): boolean => {
      this.reached.add(digest);
      const info = this.objects.get(digest);
      if (!info || !info.sound) {
        if (!info) this.reportMissing(digest, snapshot, `snapshot ${snapshot}, as a kind definition`);
        faults.push(digest);
        return false;
      }
      return true;
    };
    const onProblem = (problem: TreeWalkProblem) => {
      if (problem.code === 'DEFINITION_MALFORMED')
        this.report({ code: 'SNAPSHOT_MALFORMED', snapshot, object: problem.digest, message: problem.message });
      faults.push(problem.digest);
    };
    await walkRootObjects(this.store, root, { enter, onProblem });
    return faults;
  }

  /**
   * Checks a snapshot's tree, each subtree once per (node, position): snapshots share subtrees, and a subtree's content
   * is fixed by its digest. A node's prefix is the hex path from the top, which every name below must hash under. The
   * walk checks each node as it comes; what a subtree holds is then summed from the deepest level up.
   */
  private async checkTree(top: Digest, snapshot: Digest): Promise<SubtreeResult> {
    const checks = new Map<string, NodeCheck>();
    const order: NodeCheck[] = [];
    const malformed = (check: NodeCheck, message: string) => {
      this.report({ code: 'SNAPSHOT_MALFORMED', snapshot, object: check.digest, message });
      if (!check.faulted) addFault(check.result, [check.digest]);
      check.faulted = true;
    };
    const enter = (digest: Digest, prefix: string, parent: Digest | undefined): boolean => {
      const key = subtreeKey(digest, prefix);
      if (parent !== undefined) checks.get(subtreeKey(parent, prefix.slice(0, -1)))?.children.push(key);
      if (this.subtrees.has(key)) return false;
      this.reached.add(digest);
      const check: NodeCheck = {
        digest,
        prefix,
        result: { specs: 0, names: 0, faults: [], faultCount: 0 },
        children: [],
        faulted: false,
        branch: false,
      };
      checks.set(key, check);
      order.push(check);
      const referrer = parent === undefined ? `snapshot ${snapshot}` : `tree node ${parent}`;
      const info = this.objects.get(digest);
      if (!info || !info.sound) {
        if (!info) this.reportMissing(digest, snapshot, referrer);
        addFault(check.result, [digest]);
        return false;
      }
      if (info.sort !== 'node') {
        malformed(
          check,
          `object ${digest} is used as a tree node by ${referrer} but is a ${info.sort === 'other' ? 'JSON value of no known sort' : info.sort}`,
        );
        return false;
      }
      return true;
    };
    const onProblem = (problem: TreeWalkProblem) => {
      const check = checks.get(subtreeKey(problem.digest, problem.prefix));
      if (!check) return;
      if (problem.code === 'NODE_MALFORMED') malformed(check, problem.message);
      else {
        if (problem.code === 'NODE_MISSING')
          this.reportMissing(
            problem.digest,
            snapshot,
            problem.parent === undefined ? `snapshot ${snapshot}` : `tree node ${problem.parent}`,
          );
        addFault(check.result, [problem.digest]);
      }
    };
    for await (const level of walkTree(this.store, top, { enter, onProblem })) {
      for (const { digest, node, prefix } of level) {
        const check = checks.get(subtreeKey(digest, prefix))!;
        if (isLeafNode(node)) this.checkLeaf(node, check, snapshot, (message) => malformed(check, message));
        else check.branch = true;
      }
    }
    // Deepest first: a node's children are summed before it is.
    for (const check of order.reverse()) {
      const { result } = check;
      for (const child of check.children) {
        const below = this.subtrees.get(child);
        if (!below) continue;
        result.specs += below.specs;
        result.names += below.names;
        if (below.faultCount > 0) addFault(result, below.faults, below.faultCount);
      }
      // Names below missing or damaged nodes are not counted, so the count means something only when all was read.
      if (check.branch && check.children.length > 0 && result.faultCount === 0 && result.names <= leafCapacity) {
        malformed(
          check,
          `tree node ${check.digest} is a branch over only ${result.names} names; the format keeps up to ${leafCapacity} in a leaf`,
        );
      }
      this.subtrees.set(subtreeKey(check.digest, check.prefix), result);
    }
    return this.subtrees.get(subtreeKey(top, ''))!;
  }

  /** A leaf's names must hash under its prefix, fit its capacity, and list spec objects with their ids. */
  private checkLeaf(node: LeafNode, check: NodeCheck, snapshot: Digest, malformed: (message: string) => void): void {
    const { digest, prefix, result } = check;
    for (const name of Object.keys(node.leaf)) {
      result.names++;
      if (!sha256HexOfString(name).startsWith(prefix))
        malformed(`tree node ${digest} holds ${name}, which does not belong under hash prefix "${prefix}"`);
    }
    for (const { name, version, digest: specDigest } of leafSpecs(node)) {
      result.specs++;
      const ref = `${name}@${version}`;
      this.reached.add(specDigest);
      const spec = this.objects.get(specDigest);
      if (!spec || !spec.sound) {
        if (!spec) this.reportMissing(specDigest, snapshot, ref, ref);
        addFault(result, [specDigest]);
      } else if (spec.sort !== 'spec' || spec.specId !== ref) {
        this.report({
          code: 'SNAPSHOT_MALFORMED',
          snapshot,
          object: specDigest,
          ref,
          message: `tree node ${digest} lists ${ref} as ${specDigest}, which is not a spec with that id`,
        });
        addFault(result, [specDigest]);
      }
    }
    if (result.names > leafCapacity && prefix.length < maxTreeDepth)
      malformed(
        `tree node ${digest} is a leaf of ${result.names} names; the format splits nodes above ${leafCapacity}`,
      );
  }

  private reportMissing(object: Digest, snapshot: Digest, referrer: string, ref?: string): void {
    if (this.reportedMissing.has(object)) return;
    this.reportedMissing.add(object);
    this.report({
      code: 'OBJECT_MISSING',
      object,
      snapshot,
      ...(ref === undefined ? {} : { ref }),
      message: `object ${object} (${referrer}) is missing from the store`,
    });
  }

  private async checkTags(): Promise<number> {
    let count = 0;
    for await (const { key, name: tag, value } of this.store.records(keySpaces.tag)) {
      count++;
      if (!isValidTagName(tag))
        this.report({ code: 'RECORD_INVALID', key, tag, message: `tag record ${key} does not have a valid tag name` });
      if (!isDigest(value) || !this.snapshots.has(value)) {
        this.report({
          code: 'TAG_DANGLING',
          key,
          tag,
          ...(isDigest(value) ? { snapshot: value } : {}),
          message: `tag ${tag} names ${isDigest(value) ? `snapshot ${value}, which is not in the store` : 'something that is not a snapshot id'}`,
        });
      }
    }
    return count;
  }

  private async checkLog(): Promise<number> {
    let count = 0;
    for await (const { key, value } of this.store.records(keySpaces.log)) {
      count++;
      const entry = parseRecord(value);
      const snapshot = entry?.['snapshot'];
      if (!isDigest(snapshot)) {
        this.report({ code: 'RECORD_INVALID', key, message: `build-log entry ${key} has no snapshot id` });
        continue;
      }
      const flaw = logEntryFlaw(key, entry!);
      if (flaw)
        this.report({ code: 'RECORD_INVALID', key, snapshot, message: `build-log entry ${key} is damaged: ${flaw}` });
      if (!this.snapshots.has(snapshot) && !this.collected.has(snapshot)) {
        const sequence = Number(keySpaces.log.nameOf(key));
        this.report({
          code: 'LOG_DANGLING',
          key,
          sequence,
          snapshot,
          message: `build #${sequence} names snapshot ${snapshot}, which the store neither has nor records as collected by gc`,
        });
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
    for await (const { key, name: snapshot, value } of this.store.records(keySpaces.pin)) {
      pinned++;
      if (!isDigest(snapshot) || parseRecord(value) === undefined)
        this.report({
          code: 'RECORD_INVALID',
          key,
          message: `pin record ${key} is not a snapshot id with a JSON object`,
        });
      else if (!this.snapshots.has(snapshot))
        this.report({
          code: 'PUBLISHED_INCONSISTENT',
          key,
          snapshot,
          message: `snapshot ${snapshot} is pinned as published, but it is not in the store`,
        });
    }
    for await (const { key, name: ref, value } of this.store.records(keySpaces.published)) {
      count++;
      const record = parseRecord(value);
      const digest = record?.['digest'];
      const snapshot = record?.['snapshot'];
      if (!isDigest(digest) || !isDigest(snapshot)) {
        this.report({
          code: 'RECORD_INVALID',
          key,
          ref,
          message: `published-version record ${key} is not {digest, snapshot}`,
        });
        continue;
      }
      const problem = await this.publishedProblem(ref, digest, snapshot);
      if (problem)
        this.report({
          code: 'PUBLISHED_INCONSISTENT',
          key,
          ref,
          object: digest,
          snapshot,
          message: `${ref} is published as ${digest} in ${snapshot}, but ${problem}`,
        });
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
  const name = keySpaces.log.nameOf(key);
  const sequence = Number(name);
  if (!/^[0-9]{12}$/.test(name) || !Number.isSafeInteger(sequence) || sequence < 1)
    return 'the key is not a 12-digit sequence number';
  if (entry['sequence'] !== sequence) return `it records sequence ${String(entry['sequence'])}`;
  const createdAt = entry['createdAt'];
  if (
    typeof createdAt !== 'string' ||
    Number.isNaN(Date.parse(createdAt)) ||
    new Date(createdAt).toISOString() !== createdAt
  )
    return 'its date is not an ISO 8601 instant';
  for (const count of ['specs', 'newObjects']) {
    const value = entry[count];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return `its ${count} is not a count`;
  }
  if (typeof entry['tool'] !== 'string') return 'it names no tool';
  if (entry['tag'] !== undefined && (typeof entry['tag'] !== 'string' || !isValidTagName(entry['tag'])))
    return 'its tag is not a valid tag name';
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
  const sort = objectSort(value);
  if (sort === 'spec' && isJsonObject(value) && typeof value['id'] === 'string')
    return { sound: true, sort, specId: value['id'] };
  return { sound: true, sort };
}
