// A SnapshotView of a compiled but unstored registry: its new objects from memory, the rest (specs the build cache
// took from the store) from the store. Nothing is written.
import type { CanonicalObject } from '../core/digest.js';
import { SpecError } from '../errors.js';
import type { KeyValueStore } from '../store/keyValueStore.js';
import { keys, SpecStore } from '../store/specStore.js';
import type { CompiledRegistry } from './buildSnapshot.js';
import { SnapshotView } from '../snapshot/snapshotView.js';

class OverlayStore implements KeyValueStore {
  private readonly objects: Map<string, string>;

  constructor(objects: readonly CanonicalObject[], private readonly below: KeyValueStore) {
    this.objects = new Map(objects.map((object) => [keys.object(object.digest), object.text]));
  }

  get location(): string {
    return this.below.location;
  }

  async get(key: string): Promise<string | undefined> {
    return this.objects.get(key) ?? this.below.get(key);
  }

  async getMany(keyList: readonly string[]): Promise<(string | undefined)[]> {
    const below = await this.below.getMany(keyList.filter((key) => !this.objects.has(key)));
    let next = 0;
    return keyList.map((key) => this.objects.get(key) ?? below[next++]);
  }

  async batch(): Promise<void> {
    throw new SpecError('STORE_READ_ONLY', 'a compiled registry view is read only');
  }

  entries(prefix: string): AsyncIterable<[string, string]> {
    return this.below.entries(prefix);
  }

  async close(): Promise<void> {
    // The store below belongs to the caller.
  }
}

/** Opens the snapshot a registry would build to, as if it were stored. */
export async function openCompiledRegistry(store: SpecStore, compiled: CompiledRegistry): Promise<SnapshotView> {
  return SnapshotView.open(new SpecStore(new OverlayStore(compiled.objects, store.kv)), compiled.snapshot);
}
