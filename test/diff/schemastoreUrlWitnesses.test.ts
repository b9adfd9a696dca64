// The SchemaStore pairs that $ref other SchemaStore files by URL, compared with those files resolved by $id (as
// `spec diff` resolves them against a snapshot): every witnessed break must be called breaking or unknown, never
// compatible or a warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue } from '../../src/core/json.js';
import { compareSchemas, worstSeverity } from '../../src/diff/compareSchemas.js';
import { declaredSchemaId, findSchemaUrlRefs } from '../../src/validate/schemaUrlRefs.js';
import { sharedPath, skipWithoutShared } from '../support/sharedCorpus.js';
import { searchWitnesses } from '../support/witnessSearch.js';

const pairsDir = sharedPath('corpus/schemastore/pairs');
const corpus = sharedPath('corpus/schemastore/current');
const missing = skipWithoutShared('corpus/schemastore/pairs') || skipWithoutShared('corpus/schemastore/current');

/** Every corpus schema by the URL it declares as $id (the first, when two declare one). */
function corpusByUrl(): Map<string, JsonValue> {
  const byUrl = new Map<string, JsonValue>();
  for (const name of readdirSync(corpus).filter((each) => each.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(path.join(corpus, name), 'utf8')) as JsonValue;
    const url = declaredSchemaId(schema);
    if (url !== undefined && !byUrl.has(url)) byUrl.set(url, schema);
  }
  return byUrl;
}

/** The corpus schemas `schemas` reach by URL, transitively; undefined when one is not in the corpus. */
function reachable(schemas: JsonValue[], byUrl: Map<string, JsonValue>): Map<string, JsonValue> | undefined {
  const found = new Map<string, JsonValue>();
  const pending = schemas.flatMap((schema) => findSchemaUrlRefs(schema).map((ref) => ref.ref));
  while (pending.length > 0) {
    const url = pending.pop()!;
    if (found.has(url)) continue;
    const schema = byUrl.get(url);
    if (schema === undefined) return undefined;
    found.set(url, schema);
    pending.push(...findSchemaUrlRefs(schema).map((ref) => ref.ref));
  }
  return found;
}

test('SchemaStore pairs with $refs by URL: no witnessed break called compatible', { skip: missing }, (t) => {
  const byUrl = corpusByUrl();
  const missed: string[] = [];
  const unknown: string[] = [];
  let withUrls = 0;
  let searched = 0;
  let witnessed = 0;
  for (const name of readdirSync(pairsDir).sort()) {
    const read = (file: string): JsonValue =>
      JSON.parse(readFileSync(path.join(pairsDir, name, file), 'utf8')) as JsonValue;
    const oldSchema = read('old.json');
    const newSchema = read('new.json');
    if (findSchemaUrlRefs(oldSchema).length + findSchemaUrlRefs(newSchema).length === 0) continue;
    const referenced = reachable([oldSchema, newSchema], byUrl);
    if (referenced === undefined) continue;
    withUrls++;
    const witnesses = searchWitnesses(oldSchema, newSchema, {
      samples: 12,
      seed: 18,
      referenced: [...referenced.values()],
    });
    if (witnesses === undefined) continue; // a referenced file of another draft: ajv cannot hold both
    searched++;
    const resolveRef = (ref: string) => referenced.get(ref);
    for (const direction of ['backward', 'forward'] as const) {
      const witness = witnesses[direction];
      if (witness === undefined) continue;
      witnessed++;
      const verdict = worstSeverity(
        compareSchemas({ schema: oldSchema, resolveRef }, { schema: newSchema, resolveRef }, { direction }),
      );
      if (verdict === 'unknown') unknown.push(`${name} ${direction}`);
      else if (verdict !== 'breaking')
        missed.push(`${name} ${direction}: ${verdict}; witness ${JSON.stringify(witness).slice(0, 200)}`);
    }
  }
  t.diagnostic(
    `${withUrls} pairs $ref only corpus files by URL; ${searched} searched, ${witnessed} witnessed breaks, unknown: ${unknown.join(', ') || 'none'}`,
  );
  assert.ok(searched > 10, `pairs searched: ${searched}`);
  assert.deepEqual(missed, []);
});
