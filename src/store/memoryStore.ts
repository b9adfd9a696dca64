// An in-memory KeyValueStore for tests and throwaway work; same contract as the LevelDB one.
import { SpecError } from '../errors.js';
import type { BatchOperation, EntriesOptions, KeyValueStore } from './keyValueStore.js';

export class MemoryStore implements KeyValueStore {
  readonly location = 'memory';
  private readonly data = new Map<string, string>();
  private closed = false;

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    return this.data.get(key);
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    this.assertOpen();
    return keys.map((key) => this.data.get(key));
  }

  async batch(operations: readonly BatchOperation[]): Promise<void> {
    this.assertOpen();
    for (const operation of operations) {
      if (operation.type === 'put') this.data.set(operation.key, operation.value);
      else this.data.delete(operation.key);
    }
  }

  async *entries(prefix: string, options: EntriesOptions = {}): AsyncIterable<[string, string]> {
    this.assertOpen();
    // UTF-8 byte order, as LevelDB iterates: JS string order differs beyond the BMP.
    const keys = [...this.data.keys()].filter((key) => key.startsWith(prefix));
    keys.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    if (options.reverse) keys.reverse();
    for (const key of keys.slice(0, options.limit ?? keys.length)) {
      const value = this.data.get(key);
      if (value !== undefined) yield [key, value];
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new SpecError('STORE_CLOSED', 'the store is closed');
  }
}
