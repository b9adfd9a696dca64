// The content-addressed layer over a KeyValueStore: objects by digest (re-hashed on read), snapshots, tags, build log.
import { isDigest, type CanonicalObject, type Digest } from '../core/digest.js';
import { parseJsonText, type JsonValue } from '../core/json.js';
import { SpecError } from '../errors.js';
import type { BatchOperation, KeyValueStore } from './keyValueStore.js';
import { NamespacedStore } from './namespacedStore.js';
import { verifyObjectText, type ObjectReader } from './objectReader.js';
import { keys, keySpaces, type KeySpace } from './storeKeys.js';

export { keys } from './storeKeys.js';
export { verifyObjectText } from './objectReader.js';

export const storeFormat = 'specstore/store/v1';

/** Kept beside a snapshot, outside its id. */
export interface BuildMetadata {
  createdAt: string;
  source?: string;
  gitCommit?: string;
  tool: string;
  specs: number;
}

export interface LogEntry extends BuildMetadata {
  sequence: number;
  snapshot: Digest;
  tag?: string;
  /** Objects this build added (0 when the content was already stored). */
  newObjects: number;
}

export interface CommitResult {
  snapshot: Digest;
  newObjects: number;
  bytesWritten: number;
  logEntry: LogEntry;
}

const tagPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const reservedTags = new Set(['latest']);

export function assertValidTagName(name: string): void {
  if (!tagPattern.test(name) || reservedTags.has(name) || /^sha256/.test(name) || /^[0-9a-f]{8,}$/.test(name)) {
    throw new SpecError(
      'TAG_INVALID',
      `"${name}" is not a valid tag name (letters, digits, . _ -; not "latest", not hex or a digest)`,
      { data: { tag: name } },
    );
  }
}

/** A record of a key space, as scanned: its key, the name after the prefix, and the value. */
export interface StoredRecord {
  key: string;
  name: string;
  value: string;
}

/** An `obj:` record as stored (not re-hashed): `digest` is undefined when the key does not hold one. */
export interface StoredObject {
  key: string;
  digest: Digest | undefined;
  text: string;
}

/** A `snap:` record: `id` is undefined when the key does not hold a digest. */
export interface StoredSnapshot {
  key: string;
  id: Digest | undefined;
  metadata: string;
}

/** Serialises work on one store inside one process (LevelDB's lock only guards against other processes). */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

export class SpecStore implements ObjectReader {
  private readonly writes = new Mutex();

  constructor(readonly kv: KeyValueStore) {}

  get location(): string {
    return this.kv.location;
  }

  /** A view of one key space (a build-cache namespace, say): its keys are the names inside it. */
  namespace(space: KeySpace): NamespacedStore {
    return new NamespacedStore(this.kv, space);
  }

  /** Every record of a key space, in key order. */
  async *records(space: KeySpace, options: { reverse?: boolean; limit?: number } = {}): AsyncGenerator<StoredRecord> {
    for await (const [key, value] of this.kv.entries(space.prefix, options))
      yield { key, name: space.nameOf(key), value };
  }

  /** Every stored object as it is on disk, in key order (`spec verify` re-hashes them; gc counts them). */
  async *objects(): AsyncGenerator<StoredObject> {
    for await (const { key, name, value } of this.records(keySpaces.object))
      yield { key, digest: isDigest(name) ? name : undefined, text: value };
  }

  /** Every snapshot record, in key order. */
  async *snapshots(): AsyncGenerator<StoredSnapshot> {
    for await (const { key, name, value } of this.records(keySpaces.snapshot))
      yield { key, id: isDigest(name) ? name : undefined, metadata: value };
  }

  /** The canonical text of an object, re-hashed: DIGEST_MISMATCH when the bytes do not match their key. */
  async readObjectText(digest: Digest): Promise<string | undefined> {
    const text = await this.kv.get(keys.object(digest));
    if (text === undefined) return undefined;
    verifyObjectText(digest, text);
    return text;
  }

  async readObject(digest: Digest): Promise<JsonValue | undefined> {
    const text = await this.readObjectText(digest);
    return text === undefined ? undefined : parseJsonText(text);
  }

  /** Reads several objects at once, each re-hashed. */
  async readObjects(digests: readonly Digest[]): Promise<(JsonValue | undefined)[]> {
    return (await this.readObjectTexts(digests)).map((text) => (text === undefined ? undefined : parseJsonText(text)));
  }

  /** The canonical texts of several objects, each re-hashed, without parsing them (to send them on as they are). */
  async readObjectTexts(digests: readonly Digest[]): Promise<(string | undefined)[]> {
    const texts = await this.kv.getMany(digests.map(keys.object));
    texts.forEach((text, i) => {
      if (text !== undefined) verifyObjectText(digests[i]!, text);
    });
    return texts;
  }

  async hasObjects(digests: readonly Digest[]): Promise<boolean[]> {
    const values = await this.kv.getMany(digests.map(keys.object));
    return values.map((value) => value !== undefined);
  }

  /**
   * Stores a build: new objects, the snapshot record, the log entry and an optional tag, in one atomic batch. Objects
   * already present are not written again. Extra operations (published-version records) join the batch.
   *
   * A large build streams: once `ahead.check` passed (it throws to refuse the build with nothing written), the spec
   * objects and `ahead.operations` (disposable records: cached analyses) go first, in synced batches of about
   * `ahead.batchBytes`, and the batch that makes the snapshot exist comes last. Each of those records is
   * content-addressed or checked before use, so a build stopped between batches leaves only what gc collects and
   * the next build ignores: the snapshot is complete or absent, as with one batch (docs/store.md).
   */
  async commitBuild(input: {
    snapshot: Digest;
    objects: readonly CanonicalObject[];
    metadata: BuildMetadata;
    tag?: string;
    /** `wroteAhead`: `ahead.operations` were written already (else they are the caller's to add here). */
    extraOperations?: (context: { existingSnapshot: boolean; wroteAhead: boolean }) => Promise<BatchOperation[]>;
    ahead?: {
      check?: () => Promise<void>;
      operations?: () => Iterable<BatchOperation>;
      /** Bytes per batch written ahead (default 4 MiB); writes go ahead only when there is more than one batch. */
      batchBytes?: number;
    };
  }): Promise<CommitResult> {
    if (input.tag !== undefined) assertValidTagName(input.tag);
    return this.writes.run(async () => {
      const unique = new Map(input.objects.map((object) => [object.digest, object]));
      const digests = [...unique.keys()];
      const present = await this.hasObjects(digests);
      // The objects to write, not yet their texts: a large build's are staged in a file and read as each batch is made.
      const fresh: CanonicalObject[] = [];
      let bytesWritten = 0;
      digests.forEach((digest, i) => {
        if (present[i]) return;
        const object = unique.get(digest)!;
        bytesWritten += (object.byteLength ?? Buffer.byteLength(object.text)) + digest.length + 4;
        fresh.push(object);
      });
      unique.clear();
      const newObjects = fresh.length;
      const operations: BatchOperation[] = [];
      let wroteAhead = false;
      const batchBytes = input.ahead?.batchBytes ?? 4 * 1024 * 1024;
      if (input.ahead && bytesWritten > batchBytes) {
        await input.ahead.check?.();
        // The root stays in the last batch: an object named by a snapshot id appears only with its record.
        await this.writeInBatches(objectPuts(fresh, input.snapshot), batchBytes);
        for (const object of fresh) if (object.digest === input.snapshot) operations.push(objectPut(object));
        fresh.length = 0;
        if (input.ahead.operations) await this.writeInBatches(input.ahead.operations(), batchBytes);
        wroteAhead = true;
      } else for (const object of fresh) operations.push(objectPut(object));
      const existingSnapshot = (await this.kv.get(keys.snapshot(input.snapshot))) !== undefined;
      if (!existingSnapshot)
        operations.push({ type: 'put', key: keys.snapshot(input.snapshot), value: JSON.stringify(input.metadata) });
      const sequence = (await this.lastLogSequence()) + 1;
      const logEntry: LogEntry = { ...input.metadata, sequence, snapshot: input.snapshot, newObjects };
      if (input.tag !== undefined) logEntry.tag = input.tag;
      operations.push({ type: 'put', key: keys.log(sequence), value: JSON.stringify(logEntry) });
      if (input.tag !== undefined) operations.push({ type: 'put', key: keys.tag(input.tag), value: input.snapshot });
      if ((await this.kv.get(keys.meta('format'))) === undefined)
        operations.push({ type: 'put', key: keys.meta('format'), value: storeFormat });
      if (input.extraOperations) operations.push(...(await input.extraOperations({ existingSnapshot, wroteAhead })));
      await this.kv.batch(operations);
      return { snapshot: input.snapshot, newObjects, bytesWritten, logEntry };
    });
  }

  /** Writes operations in synced batches of about `batchBytes`, taking them from the iterable as it goes. */
  private async writeInBatches(operations: Iterable<BatchOperation>, batchBytes: number): Promise<void> {
    let batch: BatchOperation[] = [];
    let bytes = 0;
    for (const operation of operations) {
      batch.push(operation);
      bytes += operation.key.length + (operation.type === 'put' ? operation.value.length : 0);
      if (bytes >= batchBytes) {
        await this.kv.batch(batch);
        batch = [];
        bytes = 0;
      }
    }
    await this.kv.batch(batch);
  }

  /** Stores an imported snapshot's verified objects and its record in one atomic batch (no build-log entry). */
  async importSnapshot(input: {
    snapshot: Digest;
    objects: readonly CanonicalObject[];
    metadata: Record<string, unknown>;
    extraOperations?: () => Promise<BatchOperation[]>;
  }): Promise<{ newObjects: number; existed: boolean }> {
    return this.writes.run(async () => {
      const digests = input.objects.map((object) => object.digest);
      const present = await this.hasObjects(digests);
      const operations: BatchOperation[] = [];
      input.objects.forEach((object, i) => {
        if (!present[i]) operations.push({ type: 'put', key: keys.object(object.digest), value: object.text });
      });
      const existed = (await this.kv.get(keys.snapshot(input.snapshot))) !== undefined;
      if (!existed)
        operations.push({ type: 'put', key: keys.snapshot(input.snapshot), value: JSON.stringify(input.metadata) });
      if ((await this.kv.get(keys.meta('format'))) === undefined)
        operations.push({ type: 'put', key: keys.meta('format'), value: storeFormat });
      if (input.extraOperations) operations.push(...(await input.extraOperations()));
      await this.kv.batch(operations);
      return { newObjects: operations.filter((op) => keySpaces.object.holds(op.key)).length, existed };
    });
  }

  /** Runs work that must not interleave with a build (tagging, gc, import). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.writes.run(work);
  }

  async snapshotMetadata(id: Digest): Promise<BuildMetadata | undefined> {
    const text = await this.kv.get(keys.snapshot(id));
    return text === undefined ? undefined : (JSON.parse(text) as BuildMetadata);
  }

  async listSnapshots(): Promise<Digest[]> {
    const ids: Digest[] = [];
    for await (const { id } of this.snapshots()) if (id !== undefined) ids.push(id);
    return ids;
  }

  /** Points a tag at a snapshot; extra operations (published-version records) join the same batch. */
  async setTag(
    name: string,
    snapshot: Digest,
    options: { extraOperations?: () => Promise<BatchOperation[]> } = {},
  ): Promise<void> {
    assertValidTagName(name);
    await this.writes.run(async () => {
      if ((await this.kv.get(keys.snapshot(snapshot))) === undefined) {
        throw new SpecError('SNAPSHOT_NOT_FOUND', `no snapshot ${snapshot} in the store`, { data: { snapshot } });
      }
      const extra = options.extraOperations ? await options.extraOperations() : [];
      await this.kv.batch([{ type: 'put', key: keys.tag(name), value: snapshot }, ...extra]);
    });
  }

  async getTag(name: string): Promise<Digest | undefined> {
    return (await this.kv.get(keys.tag(name))) as Digest | undefined;
  }

  async listTags(): Promise<{ name: string; snapshot: Digest }[]> {
    const tags: { name: string; snapshot: Digest }[] = [];
    for await (const { name, value } of this.records(keySpaces.tag)) tags.push({ name, snapshot: value as Digest });
    return tags;
  }

  async log(): Promise<LogEntry[]> {
    const entries: LogEntry[] = [];
    for await (const { value } of this.records(keySpaces.log)) entries.push(JSON.parse(value) as LogEntry);
    return entries;
  }

  private async lastLogSequence(): Promise<number> {
    // Keys are zero-padded, so the first entry of a reverse scan is the newest.
    for await (const { name } of this.records(keySpaces.log, { reverse: true, limit: 1 })) return Number(name);
    return 0;
  }

  /** The snapshot of the newest build, if any. */
  async latest(): Promise<Digest | undefined> {
    for await (const { value } of this.records(keySpaces.log, { reverse: true, limit: 1 }))
      return (JSON.parse(value) as LogEntry).snapshot;
    return undefined;
  }

  /**
   * Resolves what a user typed for a snapshot: a full id, `latest`, a tag, or a unique hex prefix of at least 8
   * characters (with or without `sha256:`).
   */
  async resolveSnapshot(selector: string): Promise<Digest> {
    if (isDigest(selector)) {
      if ((await this.kv.get(keys.snapshot(selector))) !== undefined) return selector;
      throw new SpecError('SNAPSHOT_NOT_FOUND', `no snapshot ${selector} in the store`, {
        data: { snapshot: selector },
      });
    }
    if (selector === 'latest') {
      const latest = await this.latest();
      if (latest) return latest;
      throw new SpecError(
        'SNAPSHOT_NOT_FOUND',
        'the store has no builds yet, so "latest" names nothing (run `spec build`)',
        { data: { snapshot: selector } },
      );
    }
    const tagged = await this.getTag(selector);
    if (tagged) return tagged;
    const hex = selector.startsWith('sha256:') ? selector.slice('sha256:'.length) : selector;
    if (/^[0-9a-f]{8,64}$/.test(hex)) {
      const matches: Digest[] = [];
      for await (const [key] of this.kv.entries(keys.snapshot(`sha256:${hex}`))) {
        const id = keySpaces.snapshot.nameOf(key);
        if (isDigest(id)) matches.push(id);
      }
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) {
        throw new SpecError(
          'SNAPSHOT_AMBIGUOUS',
          `"${selector}" matches ${matches.length} snapshots; give more characters`,
          { data: { snapshot: selector, matches } },
        );
      }
    }
    const hint = /^[0-9a-f]{1,7}$/.test(hex) ? ' (an id prefix needs at least 8 hex characters)' : '';
    throw new SpecError('SNAPSHOT_NOT_FOUND', `no snapshot, tag or id prefix matches "${selector}"${hint}`, {
      data: { snapshot: selector },
    });
  }

  async close(): Promise<void> {
    await this.kv.close();
  }
}

function objectPut(object: CanonicalObject): BatchOperation {
  return { type: 'put', key: keys.object(object.digest), value: object.text };
}

/** The puts of these objects but one, each text read only when its operation is taken. */
function* objectPuts(objects: readonly CanonicalObject[], except: Digest): Iterable<BatchOperation> {
  for (const object of objects) if (object.digest !== except) yield objectPut(object);
}
