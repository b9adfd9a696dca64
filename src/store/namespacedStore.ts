// A KeyValueStore view of one key space of another store: its keys are names inside the space (like a sublevel).
import type { BatchOperation, EntriesOptions, KeyValueStore } from './keyValueStore.js';
import type { KeySpace } from './storeKeys.js';

export class NamespacedStore implements KeyValueStore {
  constructor(
    private readonly parent: KeyValueStore,
    readonly space: KeySpace,
  ) {}

  get location(): string {
    return this.parent.location;
  }

  get(name: string): Promise<string | undefined> {
    return this.parent.get(this.space.key(name));
  }

  getMany(names: readonly string[]): Promise<(string | undefined)[]> {
    return this.parent.getMany(names.map((name) => this.space.key(name)));
  }

  batch(operations: readonly BatchOperation[]): Promise<void> {
    return this.parent.batch(this.operations(operations));
  }

  /** The operations with full keys, to join a batch of the parent store (one atomic write). */
  operations(operations: readonly BatchOperation[]): BatchOperation[] {
    return operations.map((operation) =>
      operation.type === 'put' ? this.space.put(operation.key, operation.value) : this.space.del(operation.key),
    );
  }

  async *entries(prefix: string, options: EntriesOptions = {}): AsyncIterable<[string, string]> {
    for await (const [key, value] of this.parent.entries(this.space.key(prefix), options))
      yield [this.space.nameOf(key), value];
  }

  async close(): Promise<void> {
    // The parent store belongs to its opener.
  }
}
