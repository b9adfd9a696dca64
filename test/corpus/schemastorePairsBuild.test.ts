// The 237 real SchemaStore pairs as schema specs: how many build on their own, and how many once the SchemaStore files
// they $ref by URL are schema specs of the same registry (resolved by $id, never fetched).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileRegistry } from '../../src/build/buildSnapshot.js';
import type { Diagnostic } from '../../src/errors.js';
import { buildWithReferenced, corpusIdIndex } from '../../bench/schemastoreRegistry.mjs';
import { tempDir } from '../support/cli.js';
import { sharedPath, skipWithoutShared } from '../support/sharedCorpus.js';

const pairsDir = sharedPath('corpus/schemastore/pairs');
const corpus = sharedPath('corpus/schemastore/current');
const acceptedReasons = new Set([
  'SCHEMA_REF_UNRESOLVED',
  'SCHEMA_REF_DRAFT_MISMATCH',
  'SCHEMA_REF_AMBIGUOUS',
  'SCHEMA_PATTERN_UNSUPPORTED',
  'SCHEMA_INVALID',
  'SCHEMA_REF_CYCLE',
  'SCHEMA_KEYWORD_UNSUPPORTED',
  'SCHEMA_REF_TOO_DEEP',
  'YAML_NOT_JSON',
]);

test(
  'SchemaStore pairs that $ref other SchemaStore files by URL build once those files are schema specs',
  { skip: skipWithoutShared('corpus/schemastore/pairs') || skipWithoutShared('corpus/schemastore/current') },
  async (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const byUrl = corpusIdIndex(corpus);
    const noCorpus = new Map<string, string>();
    let alone = 0;
    let withReferenced = 0;
    let urlRefused = 0;
    const stillRefused = new Map<string, number>();
    let n = 0;
    for (const name of readdirSync(pairsDir).sort()) {
      const sides = ['old.json', 'new.json'].map((side) => readFileSync(join(pairsDir, name, side), 'utf8'));
      const build = async (extra: Map<string, string>) => {
        const all: Diagnostic[] = [];
        for (const text of sides)
          all.push(...(await buildWithReferenced(compileRegistry, text, corpus, extra, join(dir.path, `r${n++}`))));
        return all;
      };
      const before = await build(noCorpus);
      if (before.length === 0) alone++;
      if (before.some((d) => d.code === 'SCHEMA_REF_UNRESOLVED')) urlRefused++;
      // What builds alone builds with more specs beside it: only the refused are built again.
      const after = before.length === 0 ? [] : await build(byUrl);
      for (const diagnostic of after) assert.ok(acceptedReasons.has(diagnostic.code), `${name}: ${diagnostic.code}`);
      if (after.length === 0) withReferenced++;
      else {
        const reason = after[0]!.code;
        stillRefused.set(reason, (stillRefused.get(reason) ?? 0) + 1);
      }
    }
    t.diagnostic(
      `pairs building both sides: ${alone} alone (${urlRefused} refused for a $ref by URL), ${withReferenced} with the files they reference; still refused: ${[...stillRefused].map(([code, count]) => `${code} ${count}`).join(', ')}`,
    );
    // Most of the pairs refused for a $ref by URL reach only files of the corpus, which now resolve.
    assert.ok(withReferenced - alone > urlRefused / 2, `${withReferenced - alone} of ${urlRefused} more build`);
  },
);
