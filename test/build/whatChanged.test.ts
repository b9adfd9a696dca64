// The pure "what changed" step: index and listing in, files to re-analyse and re-link and paths removed out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Digest } from '../../src/core/digest.js';
import type { BuildIndex, IndexEntry } from '../../src/build/buildCache.js';
import { buildCacheFormat } from '../../src/build/buildCache.js';
import { unchangedEntries, whatChanged, type FileState } from '../../src/build/whatChanged.js';
import type { RegistryFile } from '../../src/source/listRegistry.js';
import { toolVersion } from '../../src/version.js';

const listedAt = 1_000_000;
const file = (path: string, kind: string, mtimeMs = 10): RegistryFile => ({
  file: path,
  path,
  root: '/r',
  kind,
  size: 1,
  mtimeMs,
  ctimeMs: mtimeMs,
  ino: 1,
});
const entry = (kind: string, id: string, references: string[] = []): IndexEntry => ({
  size: 1,
  mtimeMs: 10,
  ctimeMs: 10,
  ino: 1,
  kind,
  id,
  digest: `sha256:${id}` as Digest,
  references,
});
const index = (files: Record<string, IndexEntry>): BuildIndex => ({
  format: buildCacheFormat,
  tool: toolVersion,
  listedAt,
  files: new Map(Object.entries(files)),
});

// A schema, a predicate whose args $ref it, a tool using the predicate, and an unrelated policy.
const previous = index({
  'schemas/s.yaml': entry('schema', 's@1'),
  'predicates/p.yaml': entry('predicate', 'p@1', ['s@1']),
  'tools/t.yaml': entry('tool', 't@1', ['p@1']),
  'policies/x.yaml': entry('policy', 'x@1'),
});
const listing = [
  file('policies/x.yaml', 'policy'),
  file('predicates/p.yaml', 'predicate'),
  file('schemas/s.yaml', 'schema', listedAt + 5),
  file('tools/t.yaml', 'tool'),
];

test('a changed schema: it is re-analysed, and everything reaching it (through the predicate) is re-linked', () => {
  const known = unchangedEntries(previous, listing);
  assert.deepEqual(known.map(Boolean), [true, true, false, true]);
  const readAgain = new Map<number, FileState>([
    [2, { id: 's@1', kind: 'schema', digest: 'sha256:changed' as Digest, references: [] }],
  ]);
  assert.deepEqual(whatChanged(previous, listing, known, readAgain), { reanalyse: [2], relink: [1, 3], removed: [] });
});

test('a file read again with the same id and digest relinks nothing; a removed file relinks its referrers', () => {
  const known = unchangedEntries(previous, listing);
  const same = new Map<number, FileState>([
    [2, { id: 's@1', kind: 'schema', digest: 'sha256:s@1' as Digest, references: [] }],
  ]);
  assert.deepEqual(whatChanged(previous, listing, known, same), { reanalyse: [2], relink: [], removed: [] });

  const withoutPredicate = listing
    .filter((listed) => listed.path !== 'predicates/p.yaml')
    .map((listed) => ({ ...listed, mtimeMs: 10, ctimeMs: 10 }));
  const knownNow = unchangedEntries(previous, withoutPredicate);
  assert.deepEqual(whatChanged(previous, withoutPredicate, knownNow, new Map()), {
    reanalyse: [],
    relink: [2],
    removed: ['predicates/p.yaml'],
  });
});

test('without an index every file is re-analysed and nothing is re-linked', () => {
  const known = unchangedEntries(undefined, listing);
  assert.deepEqual(whatChanged(undefined, listing, known, new Map()), {
    reanalyse: [0, 1, 2, 3],
    relink: [],
    removed: [],
  });
});
