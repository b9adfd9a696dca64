// One suite, every KeyValueStore: the LevelDB store and the in-memory store must behave the same.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LevelStore } from '../../src/store/levelStore.js';
import { MemoryStore } from '../../src/store/memoryStore.js';
import type { KeyValueStore } from '../../src/store/keyValueStore.js';
import { tempDir } from '../support/cli.js';

const backends: { name: string; open: () => Promise<{ store: KeyValueStore; cleanup: () => Promise<void> }> }[] = [
  {
    name: 'MemoryStore',
    open: async () => {
      const store = new MemoryStore();
      return { store, cleanup: () => store.close() };
    },
  },
  {
    name: 'LevelStore',
    open: async () => {
      const dir = tempDir();
      const store = await LevelStore.open(join(dir.path, 'store'), { create: true });
      return {
        store,
        cleanup: async () => {
          await store.close();
          dir.cleanup();
        },
      };
    },
  },
];

async function collect(store: KeyValueStore, prefix: string): Promise<[string, string][]> {
  const entries: [string, string][] = [];
  for await (const entry of store.entries(prefix)) entries.push(entry);
  return entries;
}

for (const backend of backends) {
  describe(`${backend.name} conformance`, () => {
    test('a missing key is undefined, not an error', async () => {
      const { store, cleanup } = await backend.open();
      try {
        assert.equal(await store.get('nope'), undefined);
        assert.deepEqual(await store.getMany(['a', 'b']), [undefined, undefined]);
      } finally {
        await cleanup();
      }
    });

    test('batch puts and deletes together; getMany keeps order', async () => {
      const { store, cleanup } = await backend.open();
      try {
        await store.batch([
          { type: 'put', key: 'k:1', value: 'one' },
          { type: 'put', key: 'k:2', value: 'two' },
        ]);
        await store.batch([
          { type: 'del', key: 'k:1' },
          { type: 'put', key: 'k:3', value: 'three' },
        ]);
        assert.deepEqual(await store.getMany(['k:3', 'k:1', 'k:2']), ['three', undefined, 'two']);
      } finally {
        await cleanup();
      }
    });

    test('prefix scans stop at the prefix and include non-Latin-1 keys, in UTF-8 byte order', async () => {
      const { store, cleanup } = await backend.open();
      try {
        await store.batch(
          ['p:a', 'p:\u{1F602}', 'p:\uFB33', 'p:z', 'p;', 'p', 'q:a', 'o:z'].map((key) => ({
            type: 'put' as const,
            key,
            value: key,
          })),
        );
        const keys = (await collect(store, 'p:')).map(([key]) => key);
        // UTF-8 order puts U+FB33 (EF AC B3) before U+1F602 (F0 9F 98 82); UTF-16 order would not.
        assert.deepEqual(keys, ['p:a', 'p:z', 'p:\uFB33', 'p:\u{1F602}']);
      } finally {
        await cleanup();
      }
    });

    test('values round-trip exactly, including non-ASCII and large values', async () => {
      const { store, cleanup } = await backend.open();
      try {
        const big = 'x'.repeat(3_000_000);
        const unicode = 'é\u0000\u{1F602}\n"\\';
        await store.batch([
          { type: 'put', key: 'big', value: big },
          { type: 'put', key: 'uni', value: unicode },
        ]);
        assert.equal(await store.get('big'), big);
        assert.equal(await store.get('uni'), unicode);
      } finally {
        await cleanup();
      }
    });
  });
}

for (const backend of backends) {
  test(`${backend.name}: reverse scans with a limit give the last keys of a prefix first`, async () => {
    const { store, cleanup } = await backend.open();
    try {
      await store.batch(
        ['l:001', 'l:002', 'l:010', 'm:000', 'k:999'].map((key) => ({ type: 'put' as const, key, value: key })),
      );
      const keys: string[] = [];
      for await (const [key] of store.entries('l:', { reverse: true, limit: 2 })) keys.push(key);
      assert.deepEqual(keys, ['l:010', 'l:002']);
    } finally {
      await cleanup();
    }
  });
}
