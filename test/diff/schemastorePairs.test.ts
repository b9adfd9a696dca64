// Real schema evolution from SchemaStore: every pair compares in both directions with well-formed changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getAtPointer, type JsonValue } from '../../src/core/json.js';
import { compareSchemas } from '../../src/diff/compareSchemas.js';
import { isSchemaRuleId, schemaRules, severityOfEffect } from '../../src/diff/schemaRules.js';
import { sharedPath, skipWithoutShared } from '../support/sharedCorpus.js';

const pairsDir = sharedPath('corpus/schemastore/pairs');
const pairsMissing = skipWithoutShared('corpus/schemastore/pairs');
const severities = new Set(['breaking', 'warning', 'compatible', 'unknown']);

if (pairsMissing) {
  test('schemastore pairs', { skip: pairsMissing }, () => {});
} else {
  for (const name of readdirSync(pairsDir).sort()) {
    test(`schemastore pair ${name}`, () => {
      const read = (file: string): JsonValue =>
        JSON.parse(readFileSync(path.join(pairsDir, name, file), 'utf8')) as JsonValue;
      const oldSchema = read('old.json');
      const newSchema = read('new.json');
      for (const direction of ['backward', 'forward'] as const) {
        // Time is measured by the benchmark (npm run bench), not asserted here.
        const changes = compareSchemas({ schema: oldSchema }, { schema: newSchema }, { direction });
        for (const change of changes) {
          assert.ok(isSchemaRuleId(change.rule), change.rule);
          assert.ok(severities.has(change.severity), change.severity);
          assert.equal(change.severity, severityOfEffect(schemaRules[change.rule].effect, direction), change.rule);
          // Every pointer names something that exists in the new schema or, for removals, the old one.
          if (change.rule !== 'schema.too-complex' && change.rule !== 'schema.dialect-changed') {
            const found = getAtPointer(newSchema, change.pointer) ?? getAtPointer(oldSchema, change.pointer);
            assert.notEqual(found, undefined, `${change.rule} at ${change.pointer}`);
          }
        }
      }
    });
  }
}
