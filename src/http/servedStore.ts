// The store as `spec serve` reads it: immutable snapshots copied into memory once, the mutable records (tags, the build
// log, publications) re-read when the store directory changes, and LevelDB's lock taken only for the moment of a write.
import { watch, type FSWatcher } from 'node:fs';
import type { Digest } from '../core/digest.js';
import { isDigest } from '../core/digest.js';
import { SpecError } from '../errors.js';
import { MemoryStore } from '../store/memoryStore.js';
import { openStore } from '../store/openStore.js';
import { SpecStore } from '../store/specStore.js';
import { keySpaces } from '../store/storeKeys.js';
import type { BatchOperation } from '../store/keyValueStore.js';
import { snapshotObjectTexts } from '../snapshot/exportSnapshot.js';
import { SnapshotView } from '../snapshot/snapshotView.js';

/** The record spaces mirrored into memory: everything but objects (copied per snapshot) and the build cache. */
const mirroredSpaces = [
  keySpaces.snapshot,
  keySpaces.tag,
  keySpaces.log,
  keySpaces.published,
  keySpaces.pin,
  keySpaces.meta,
  keySpaces.collected,
];

/** How long a write waits for a CLI command that holds the store. */
const writeWaitMs = 30_000;

export class ServedStore {
  /** The in-memory copy every read is answered from. */
  readonly memory = new SpecStore(new MemoryStore());
  private readonly loaded = new Set<Digest>();
  private indexRead: Promise<void> | undefined;
  private stale = true;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loading = new Map<Digest, Promise<void>>();
  private onChange: (() => void) | undefined;
  private readonly views = new Map<Digest, Promise<SnapshotView>>();

  constructor(
    /** The store directory (absolute). */
    readonly directory: string,
  ) {}

  /** Reads the records now (STORE_NOT_FOUND when there is no store: `spec build` or `POST /v1/build` makes one). */
  async open(): Promise<void> {
    await this.ensureIndex();
  }

  /**
   * Marks the records stale on every change in the store's directory, and calls `onChange` once they are read again
   * (debounced, like an editor's save: a build is several file events).
   */
  watch(onChange: () => void, debounceMs = 50): void {
    this.onChange = () => {
      this.stale = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.ensureIndex().then(onChange, () => onChange());
      }, debounceMs);
    };
    this.attachWatcher();
  }

  /** A store that does not exist yet is watched from its first write on (`POST /v1/build` creates it). */
  private attachWatcher(): void {
    if (this.watcher || !this.onChange) return;
    try {
      this.watcher = watch(this.directory, this.onChange);
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = undefined;
    }
  }

  /** The snapshot a selector names (id, prefix, tag, `latest`), its objects copied into memory if they are not yet. */
  async view(selector: string): Promise<SnapshotView> {
    const id = await this.resolve(selector);
    await this.ensureSnapshot(id);
    // One view per snapshot, kept: its caches (tree nodes, resolved specs) serve every later request.
    let view = this.views.get(id);
    if (!view) this.views.set(id, (view = SnapshotView.open(this.memory, id)));
    return view;
  }

  /** What a selector names; a full id of a snapshot already in memory is answered without reading the records. */
  async resolve(selector: string): Promise<Digest> {
    if (isDigest(selector) && this.loaded.has(selector)) return selector;
    await this.ensureIndex();
    return this.memory.resolveSnapshot(selector);
  }

  /** The mirrored records, read again first if the store changed since. */
  async records(): Promise<SpecStore> {
    await this.ensureIndex();
    return this.memory;
  }

  /**
   * Runs `work` on the store itself, opened for writing for just that long (waiting up to 30 s for a CLI command
   * that holds it), then reads the records again.
   */
  async write<T>(work: (store: SpecStore) => Promise<T>, options: { create?: boolean } = {}): Promise<T> {
    const store = await openStore({ directory: this.directory, waitMs: writeWaitMs, create: options.create === true });
    try {
      return await work(store);
    } finally {
      await store.close();
      this.stale = true;
      this.attachWatcher();
      await this.ensureIndex().catch(() => undefined);
    }
  }

  close(): void {
    this.onChange = undefined;
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
  }

  private ensureIndex(): Promise<void> {
    if (!this.stale && this.indexRead === undefined) return Promise.resolve();
    this.indexRead ??= this.readIndex().finally(() => {
      this.indexRead = undefined;
    });
    return this.indexRead;
  }

  private async readIndex(): Promise<void> {
    this.stale = false;
    const store = await openStore({ directory: this.directory, readOnly: true, privateCopy: true });
    const operations: BatchOperation[] = [];
    try {
      for (const space of mirroredSpaces)
        for await (const [key, value] of store.kv.entries(space.prefix)) operations.push({ type: 'put', key, value });
    } finally {
      await store.close();
    }
    const kept = new Set(operations.map((operation) => operation.key));
    const removed: BatchOperation[] = [];
    for (const space of mirroredSpaces)
      for await (const [key] of this.memory.kv.entries(space.prefix))
        if (!kept.has(key)) removed.push({ type: 'del', key });
    await this.memory.kv.batch([...removed, ...operations]);
    // A snapshot gc removed from the store is no longer served, even by its id.
    for (const id of this.loaded)
      if (!kept.has(keySpaces.snapshot.key(id))) {
        this.loaded.delete(id);
        this.views.delete(id);
      }
  }

  private ensureSnapshot(id: Digest): Promise<void> {
    if (this.loaded.has(id)) return Promise.resolve();
    let loading = this.loading.get(id);
    if (!loading) {
      loading = this.loadSnapshot(id).finally(() => this.loading.delete(id));
      this.loading.set(id, loading);
    }
    return loading;
  }

  /** Copies every object of a snapshot into memory, re-hashed as it is read (readObjectTexts). */
  private async loadSnapshot(id: Digest): Promise<void> {
    const store = await openStore({ directory: this.directory, readOnly: true, privateCopy: true });
    let objects;
    try {
      if ((await store.snapshotMetadata(id)) === undefined)
        throw new SpecError('SNAPSHOT_NOT_FOUND', `no snapshot ${id} in the store`, { data: { snapshot: id } });
      objects = await snapshotObjectTexts(store, id);
    } finally {
      await store.close();
    }
    const present = await this.memory.hasObjects(objects.map((object) => object.digest));
    await this.memory.kv.batch(
      objects.flatMap((object, i) =>
        present[i] ? [] : [{ type: 'put' as const, key: keySpaces.object.key(object.digest), value: object.text }],
      ),
    );
    this.loaded.add(id);
  }
}
