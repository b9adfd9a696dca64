import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { JsonObject, JsonValue } from '../../src/core/json.js';
import {
  compareSchemas,
  worstSeverity,
  type SchemaChange,
  type SchemaSide,
  type Severity,
} from '../../src/diff/compareSchemas.js';
import { schemaRules } from '../../src/diff/schemaRules.js';

type Sides = { old: JsonValue | SchemaSide; new: JsonValue | SchemaSide };

function side(value: JsonValue | SchemaSide): SchemaSide {
  return typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'schema' in value &&
    Object.keys(value).every((k) => k === 'schema' || k === 'resolveRef')
    ? (value as SchemaSide)
    : { schema: value as JsonValue };
}

function both(
  pair: Sides,
  options: { maxDepth?: number; maxRefExpansions?: number } = {},
): { backward: SchemaChange[]; forward: SchemaChange[] } {
  return {
    backward: compareSchemas(side(pair.old), side(pair.new), { direction: 'backward', ...options }),
    forward: compareSchemas(side(pair.old), side(pair.new), { direction: 'forward', ...options }),
  };
}

const rulesOf = (changes: SchemaChange[]): string[] => [...new Set(changes.map((c) => c.rule))].sort();

interface RuleCase extends Sides {
  rule: string;
  backward: Severity;
  forward: Severity;
  /** Other rules the fixture also triggers (by default the rule under test must be the only one). */
  with?: string[];
}

const O = (properties: Record<string, JsonValue>, extra: Record<string, JsonValue> = {}): JsonValue => ({
  type: 'object',
  properties,
  ...extra,
});

// One small fixture per rule: old → new, and the severity expected for each direction.
const cases: RuleCase[] = [
  {
    rule: 'schema.type-narrowed',
    old: { type: ['string', 'null'] },
    new: { type: 'string' },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.type-widened',
    old: { type: 'integer' },
    new: { type: 'number' },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.enum-added',
    old: { type: 'string' },
    new: { type: 'string', enum: ['a', 'b'] },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.enum-removed',
    old: { type: 'string', enum: ['a', 'b'] },
    new: { type: 'string' },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.enum-value-removed',
    old: { enum: ['a', 'b'] },
    new: { enum: ['a'] },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.enum-value-added',
    old: { enum: ['a'] },
    new: { enum: ['a', 'b'] },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.const-added',
    old: { type: 'integer' },
    new: { type: 'integer', const: 1 },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.const-removed',
    old: { type: 'integer', const: 1 },
    new: { type: 'integer' },
    backward: 'compatible',
    forward: 'breaking',
  },
  { rule: 'schema.const-changed', old: { const: 1 }, new: { const: 2 }, backward: 'breaking', forward: 'breaking' },
  {
    rule: 'schema.minimum-tightened',
    old: { minimum: 0 },
    new: { minimum: 1 },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.minimum-loosened',
    old: { exclusiveMinimum: 0 },
    new: { minimum: 0 },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.maximum-tightened',
    old: { maximum: 10 },
    new: { exclusiveMaximum: 10 },
    backward: 'breaking',
    forward: 'compatible',
  },
  { rule: 'schema.maximum-loosened', old: { maximum: 10 }, new: {}, backward: 'compatible', forward: 'breaking' },
  {
    rule: 'schema.multiple-of-tightened',
    old: { multipleOf: 2 },
    new: { multipleOf: 4 },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.multiple-of-loosened',
    old: { multipleOf: 0.01 },
    new: { multipleOf: 0.001 },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.multiple-of-changed',
    old: { multipleOf: 2 },
    new: { multipleOf: 3 },
    backward: 'breaking',
    forward: 'breaking',
  },
  {
    rule: 'schema.min-length-tightened',
    old: { type: 'string' },
    new: { type: 'string', minLength: 1 },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.min-length-loosened',
    old: { type: 'string', minLength: 2 },
    new: { type: 'string', minLength: 1 },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.max-length-tightened',
    old: { type: 'string', maxLength: 5 },
    new: { type: 'string', maxLength: 4 },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.max-length-loosened',
    old: { type: 'string', maxLength: 5 },
    new: { type: 'string' },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.pattern-added',
    old: { type: 'string' },
    new: { type: 'string', pattern: '^a' },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.pattern-removed',
    old: { type: 'string', pattern: '^a' },
    new: { type: 'string' },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.pattern-narrowed',
    old: { type: 'string', pattern: '^[a-z]+$' },
    new: { type: 'string', pattern: '^[a-z]{1,8}$' },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.pattern-widened',
    old: { type: 'string', pattern: '^[a-z]+$' },
    new: { type: 'string', pattern: '^[a-z0-9]+$' },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.pattern-replaced',
    old: { type: 'string', pattern: '^a' },
    new: { type: 'string', pattern: '^b' },
    backward: 'breaking',
    forward: 'breaking',
  },
  {
    rule: 'schema.pattern-changed',
    old: { type: 'string', pattern: '^a' },
    new: { type: 'string', pattern: '^a\\b' },
    backward: 'unknown',
    forward: 'unknown',
  },
  {
    rule: 'schema.format-added',
    old: { type: 'string' },
    new: { type: 'string', format: 'email' },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.format-removed',
    old: { type: 'string', format: 'email' },
    new: { type: 'string' },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.format-changed',
    old: { type: 'string', format: 'date' },
    new: { type: 'string', format: 'date-time' },
    backward: 'unknown',
    forward: 'unknown',
  },
  {
    rule: 'schema.min-items-tightened',
    old: { type: 'array' },
    new: { type: 'array', minItems: 1 },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.min-items-loosened',
    old: { type: 'array', minItems: 1 },
    new: { type: 'array', minItems: 0 },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.max-items-tightened',
    old: { type: 'array', maxItems: 3 },
    new: { type: 'array', maxItems: 2 },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.max-items-loosened',
    old: { type: 'array', maxItems: 3 },
    new: { type: 'array', maxItems: 4 },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.unique-items-added',
    old: { type: 'array' },
    new: { type: 'array', uniqueItems: true },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.unique-items-removed',
    old: { type: 'array', uniqueItems: true },
    new: { type: 'array', uniqueItems: false },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.contains-added',
    old: { type: 'array' },
    new: { type: 'array', contains: { const: 1 } },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.contains-removed',
    old: { type: 'array', contains: { const: 1 } },
    new: { type: 'array' },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.contains-changed',
    old: { contains: { const: 1 } },
    new: { contains: { const: 1 }, maxContains: 1 },
    backward: 'unknown',
    forward: 'unknown',
  },
  {
    rule: 'schema.required-added',
    old: O({ a: {} }),
    new: O({ a: {} }, { required: ['a'] }),
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.required-removed',
    old: O({ a: {} }, { required: ['a'] }),
    new: O({ a: {} }),
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.property-added',
    old: O({ a: {} }, { additionalProperties: false }),
    new: O({ a: {}, b: { type: 'string' } }, { additionalProperties: false }),
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.property-removed',
    old: O({ a: {}, b: { type: 'string' } }, { additionalProperties: false }),
    new: O({ a: {} }, { additionalProperties: false }),
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.property-added-open',
    old: O({ a: {} }),
    new: O({ a: {}, b: {} }),
    backward: 'compatible',
    forward: 'compatible',
  },
  {
    rule: 'schema.property-removed-open',
    old: O({ a: {}, b: {} }),
    new: O({ a: {} }),
    backward: 'compatible',
    forward: 'compatible',
  },
  {
    rule: 'schema.additional-properties-closed',
    old: O({ a: {} }),
    new: O({ a: {} }, { additionalProperties: false }),
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.additional-properties-opened',
    old: O({ a: {} }, { additionalProperties: false }),
    new: O({ a: {} }, { additionalProperties: { type: 'string' } }),
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.pattern-properties-changed',
    old: { patternProperties: { '^x-': {} } },
    new: { patternProperties: { '^x-': {}, '-y$': { type: 'string' } } },
    backward: 'unknown',
    forward: 'unknown',
  },
  {
    rule: 'schema.min-properties-tightened',
    old: { type: 'object' },
    new: { type: 'object', minProperties: 1 },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.min-properties-loosened',
    old: { type: 'object', minProperties: 2 },
    new: { type: 'object', minProperties: 1 },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.max-properties-tightened',
    old: { type: 'object' },
    new: { type: 'object', maxProperties: 3 },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.max-properties-loosened',
    old: { type: 'object', maxProperties: 3 },
    new: { type: 'object', maxProperties: 4 },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.dependent-required-added',
    old: { type: 'object' },
    new: { type: 'object', dependentRequired: { card: ['billing'] } },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.dependent-required-removed',
    old: { dependencies: { card: ['billing'] } },
    new: {},
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.dependent-schema-added',
    old: {},
    new: { dependentSchemas: { card: { required: ['billing'] } } },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.dependent-schema-removed',
    old: { dependencies: { card: { required: ['billing'] } } },
    new: {},
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.unevaluated-changed',
    old: { properties: { a: {} }, unevaluatedProperties: false },
    new: { properties: { a: {}, b: {} }, unevaluatedProperties: false },
    backward: 'unknown',
    forward: 'unknown',
    with: ['schema.property-added-open'],
  },
  {
    rule: 'schema.all-of-entry-added',
    old: { properties: { x: {} }, allOf: [{ properties: { x: { type: 'string' } } }] },
    new: {
      properties: { x: {} },
      allOf: [{ properties: { x: { type: 'string' } } }, { properties: { x: { maxLength: 3 } } }],
    },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.all-of-entry-removed',
    old: {
      properties: { x: {} },
      allOf: [{ properties: { x: { type: 'string' } } }, { properties: { x: { maxLength: 3 } } }],
    },
    new: { properties: { x: {} }, allOf: [{ properties: { x: { type: 'string' } } }] },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.any-of-branch-added',
    old: { anyOf: [{ type: 'string' }, { type: 'number', minimum: 3 }] },
    new: { anyOf: [{ type: 'string' }, { type: 'number', minimum: 3 }, { type: 'null' }] },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.values-widened',
    old: { const: 1 },
    new: { type: 'integer', minimum: 1, maximum: 2 },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.values-narrowed',
    old: {
      oneOf: [
        { type: 'integer', minimum: 0, maximum: 5 },
        { type: 'integer', minimum: 10 },
      ],
    },
    new: {
      oneOf: [
        { type: 'integer', minimum: 0, maximum: 3 },
        { type: 'integer', minimum: 10 },
      ],
    },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.values-changed',
    old: {
      oneOf: [
        { type: 'integer', minimum: 0, maximum: 5 },
        { type: 'integer', minimum: 10 },
      ],
    },
    new: {
      oneOf: [
        { type: 'integer', minimum: 0, maximum: 3 },
        { type: 'integer', minimum: 8 },
      ],
    },
    backward: 'breaking',
    forward: 'breaking',
  },
  {
    rule: 'schema.any-of-branch-removed',
    old: { anyOf: [{ type: 'string' }, { minimum: 3 }, { type: 'null' }] },
    new: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.one-of-branch-added',
    old: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    new: { oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.one-of-branch-removed',
    old: {
      oneOf: [
        O({ kind: { const: 'a' } }, { required: ['kind'] }),
        O({ kind: { const: 'b' } }, { required: ['kind'] }),
        { type: 'null' },
      ],
    },
    new: {
      oneOf: [O({ kind: { const: 'a' } }, { required: ['kind'] }), O({ kind: { const: 'b' } }, { required: ['kind'] })],
    },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.one-of-type-narrowed',
    old: { oneOf: [{ type: 'string' }, { type: 'object' }] },
    new: { oneOf: [{ type: 'string' }, { type: 'object' }, { type: 'object' }] },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.one-of-type-widened',
    old: { oneOf: [{ type: 'string' }, { type: 'object' }, { type: 'object' }] },
    new: { oneOf: [{ type: 'string' }, { type: 'object' }] },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.one-of-old-overlap',
    old: {
      oneOf: [
        { type: 'string', pattern: '^a' },
        { type: 'string', pattern: 'b$' },
      ],
    },
    new: {
      oneOf: [
        { type: 'string', pattern: '^a' },
        { type: 'string', pattern: '^b' },
      ],
    },
    backward: 'compatible',
    forward: 'unknown',
    with: ['schema.pattern-replaced'],
  },
  {
    rule: 'schema.one-of-new-overlap',
    old: {
      oneOf: [
        { type: 'string', pattern: '^a' },
        { type: 'string', pattern: '^b' },
      ],
    },
    new: {
      oneOf: [
        { type: 'string', pattern: '^a' },
        { type: 'string', pattern: 'b$' },
      ],
    },
    backward: 'unknown',
    forward: 'compatible',
    with: ['schema.pattern-replaced'],
  },
  {
    rule: 'schema.one-of-changed',
    old: { oneOf: [{ type: 'string' }, { maxLength: 3 }] },
    new: { oneOf: [{ type: 'string' }, { maxLength: 5 }] },
    backward: 'unknown',
    forward: 'unknown',
  },
  {
    rule: 'schema.not-changed',
    old: { not: { type: 'string' } },
    new: { not: { type: ['string', 'null'] } },
    backward: 'unknown',
    forward: 'unknown',
  },
  {
    rule: 'schema.if-changed',
    old: { if: O({ a: { const: 1 } }), then: { required: ['b'] } },
    new: { if: O({ a: { const: 2 } }), then: { required: ['b'] } },
    backward: 'unknown',
    forward: 'unknown',
  },
  {
    rule: 'schema.if-widened',
    old: { if: O({ v: { const: 1 } }), then: { required: ['b'] }, else: { required: ['b'] } },
    new: { if: O({ v: { enum: [1, 2] } }), then: { required: ['b'] }, else: { required: ['b'] } },
    backward: 'compatible',
    forward: 'compatible',
  },
  {
    rule: 'schema.if-narrowed',
    old: { if: O({ v: { enum: [1, 2] } }), then: { required: ['b'] }, else: { required: ['b'] } },
    new: { if: O({ v: { const: 1 } }), then: { required: ['b'] }, else: { required: ['b'] } },
    backward: 'compatible',
    forward: 'compatible',
  },
  {
    rule: 'schema.combinator-added',
    old: {},
    new: { not: { type: 'null' } },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.combinator-removed',
    old: { if: { type: 'string' }, then: { minLength: 1 } },
    new: {},
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.false-added',
    old: { type: 'array', items: { type: 'string' } },
    new: { type: 'array', items: false },
    backward: 'breaking',
    forward: 'compatible',
  },
  {
    rule: 'schema.false-removed',
    old: { type: 'array', prefixItems: [{}], items: false },
    new: { type: 'array', prefixItems: [{}] },
    backward: 'compatible',
    forward: 'breaking',
  },
  {
    rule: 'schema.ref-unresolved',
    old: { $ref: 'a.json' },
    new: { $ref: 'b.json' },
    backward: 'unknown',
    forward: 'unknown',
  },
  {
    rule: 'schema.dynamic-ref',
    old: { $dynamicRef: '#meta' },
    new: { $dynamicRef: '#meta' },
    backward: 'unknown',
    forward: 'unknown',
  },
  {
    rule: 'schema.not-a-schema',
    old: { properties: { a: 5 } },
    new: { properties: { a: 6 } },
    backward: 'unknown',
    forward: 'unknown',
  },
  {
    rule: 'schema.annotation-changed',
    old: { type: 'string', title: 'Name' },
    new: { type: 'string', title: 'Full name' },
    backward: 'compatible',
    forward: 'compatible',
  },
  {
    rule: 'schema.default-changed',
    old: { type: 'integer', default: 1 },
    new: { type: 'integer', default: 2 },
    backward: 'warning',
    forward: 'warning',
  },
  {
    rule: 'schema.content-changed',
    old: { type: 'string', contentMediaType: 'text/plain' },
    new: { type: 'string', contentMediaType: 'text/html' },
    backward: 'warning',
    forward: 'warning',
  },
  {
    rule: 'schema.unknown-keyword-changed',
    old: { abcIsAcyclic: true },
    new: { abcIsAcyclic: false },
    backward: 'warning',
    forward: 'warning',
  },
  {
    rule: 'schema.dialect-changed',
    old: { $schema: 'http://json-schema.org/draft-07/schema#' },
    new: { $schema: 'https://json-schema.org/draft/2020-12/schema' },
    backward: 'warning',
    forward: 'warning',
  },
];

for (const c of cases) {
  test(`${c.rule}: backward ${c.backward}, forward ${c.forward}`, () => {
    const result = both(c);
    for (const direction of ['backward', 'forward'] as const) {
      const changes = result[direction];
      assert.deepEqual(rulesOf(changes), [c.rule, ...(c.with ?? [])].sort(), direction);
      for (const change of changes.filter((x) => x.rule === c.rule))
        assert.equal(change.severity, c[direction], direction);
    }
  });
}

test('schema.too-complex: nesting past maxDepth gives exactly one unknown change', () => {
  let deep: JsonValue = { type: 'string' };
  let deeper: JsonValue = { type: 'integer' };
  for (let i = 0; i < 10; i++) {
    deep = O({ a: deep, b: deep });
    deeper = O({ a: deeper, b: deeper });
  }
  const result = both({ old: deep, new: deeper }, { maxDepth: 4 });
  for (const changes of [result.backward, result.forward]) {
    assert.deepEqual(
      changes.map((c) => [c.rule, c.severity]),
      [['schema.too-complex', 'unknown']],
    );
  }
});

test('schema.too-complex: more $ref expansions than allowed stops the comparison', () => {
  const schema = (type: string): JsonValue => ({
    $defs: { t: { type } },
    type: 'object',
    properties: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${i}`, { $ref: '#/$defs/t' }])),
  });
  const changes = compareSchemas(
    { schema: schema('string') },
    { schema: schema('string') },
    { direction: 'backward', maxRefExpansions: 5 },
  );
  assert.deepEqual(
    changes.map((c) => [c.rule, c.severity]),
    [['schema.too-complex', 'unknown']],
  );
  assert.deepEqual(
    compareSchemas({ schema: schema('string') }, { schema: schema('string') }, { direction: 'backward' }),
    [],
  );
});

test('the rule catalogue, the unit cases and docs/compatibility.md agree', () => {
  const tested = new Set([...cases.map((c) => c.rule), 'schema.too-complex']);
  assert.deepEqual([...tested].sort(), Object.keys(schemaRules).sort());
  const doc = readFileSync(new URL('../../docs/compatibility.md', import.meta.url), 'utf8');
  const rows = new Map<string, [string, string]>();
  for (const match of doc.matchAll(/^\| `(schema\.[a-z-]+)` \| (\w+) \| (\w+) \|/gm))
    rows.set(match[1]!, [match[2]!, match[3]!]);
  assert.deepEqual([...rows.keys()].sort(), Object.keys(schemaRules).sort());
  for (const c of cases) assert.deepEqual(rows.get(c.rule), [c.backward, c.forward], c.rule);
  assert.deepEqual(rows.get('schema.too-complex'), ['unknown', 'unknown']);
});

test('identical schemas give no changes, whatever the draft', () => {
  for (const schema of [
    true,
    false,
    {},
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      definitions: { a: { type: 'string' } },
      properties: { x: { $ref: '#/definitions/a' } },
    },
    {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $defs: { n: { properties: { next: { $ref: '#/$defs/n' } } } },
      $ref: '#/$defs/n',
    },
  ] as JsonValue[]) {
    assert.deepEqual(both({ old: schema, new: structuredClone(schema) }), { backward: [], forward: [] });
  }
});

test('boolean schemas: true and {} are the same; false accepts nothing', () => {
  assert.deepEqual(both({ old: true, new: {} }), { backward: [], forward: [] });
  const closing = both({ old: true, new: false });
  assert.deepEqual(
    closing.backward.map((c) => [c.rule, c.severity]),
    [['schema.false-added', 'breaking']],
  );
  assert.deepEqual(
    closing.forward.map((c) => [c.rule, c.severity]),
    [['schema.false-added', 'compatible']],
  );
  const typed = both({ old: {}, new: { type: 'string' } });
  assert.deepEqual(
    typed.backward.map((c) => [c.rule, c.severity]),
    [['schema.type-narrowed', 'breaking']],
  );
});

test('draft-04 boolean exclusiveMinimum and exclusiveMaximum', () => {
  const draft04 = { $schema: 'http://json-schema.org/draft-04/schema#', type: 'number' };
  const tightened = both({ old: { ...draft04, minimum: 0 }, new: { ...draft04, minimum: 0, exclusiveMinimum: true } });
  assert.deepEqual(
    tightened.backward.map((c) => [c.rule, c.severity]),
    [['schema.minimum-tightened', 'breaking']],
  );
  // The same bound written in the draft-04 and the draft-06 form is no change.
  assert.deepEqual(
    both({
      old: { ...draft04, maximum: 5, exclusiveMaximum: true },
      new: { type: 'number', exclusiveMaximum: 5 },
    }).backward.map((c) => c.rule),
    ['schema.dialect-changed'],
  );
  // exclusiveMaximum: true without maximum bounds nothing.
  assert.deepEqual(both({ old: draft04, new: { ...draft04, exclusiveMaximum: true } }).backward, []);
});

test('integer is within number; type arrays; removing type accepts anything', () => {
  assert.equal(
    worstSeverity(both({ old: { type: 'integer' }, new: { type: ['number', 'null'] } }).backward),
    'compatible',
  );
  assert.equal(
    worstSeverity(both({ old: { type: ['integer', 'string'] }, new: { type: ['string', 'number'] } }).backward),
    'compatible',
  );
  const removed = both({ old: { type: 'string' }, new: {} });
  assert.deepEqual(
    removed.forward.map((c) => [c.rule, c.severity]),
    [['schema.type-widened', 'breaking']],
  );
  // A type change that the enum makes moot is no change.
  assert.deepEqual(both({ old: { enum: [1, 2] }, new: { type: 'integer', enum: [1, 2] } }).backward, []);
});

test('tuples: draft-07 items array with additionalItems, and 2020-12 prefixItems with items', () => {
  const draft07 = both({
    old: { items: [{ type: 'string' }], additionalItems: false },
    new: { items: [{ type: 'string' }, { type: 'integer' }], additionalItems: false },
  });
  assert.deepEqual(
    draft07.backward.map((c) => [c.rule, c.pointer, c.severity]),
    [['schema.false-removed', '/items/1', 'compatible']],
  );
  assert.deepEqual(
    draft07.forward.map((c) => [c.rule, c.severity]),
    [['schema.false-removed', 'breaking']],
  );
  const v2020 = both({
    old: { prefixItems: [{ type: 'string' }], items: { type: 'integer' } },
    new: { prefixItems: [{ type: 'string' }, { type: 'integer', minimum: 0 }], items: { type: 'integer' } },
  });
  assert.deepEqual(
    v2020.backward.map((c) => [c.rule, c.pointer, c.severity]),
    [['schema.minimum-tightened', '/prefixItems/1/minimum', 'breaking']],
  );
  // The same tuple in both forms.
  assert.deepEqual(
    both({
      old: { items: [{ type: 'string' }], additionalItems: { type: 'integer' } },
      new: { prefixItems: [{ type: 'string' }], items: { type: 'integer' } },
    }).backward,
    [],
  );
});

test('nested objects report at the pointer of the new schema, removals at the old one', () => {
  const result = both({
    old: O({ user: O({ name: { type: 'string' }, age: { type: 'integer' } }, { additionalProperties: false }) }),
    new: O({ user: O({ name: { type: 'string', maxLength: 10 } }, { additionalProperties: false }) }),
  });
  assert.deepEqual(
    result.backward.map((c) => [c.rule, c.pointer, c.severity]),
    [
      ['schema.max-length-tightened', '/properties/user/properties/name/maxLength', 'breaking'],
      ['schema.property-removed', '/properties/user/properties/age', 'breaking'],
    ],
  );
});

test('an open object: a new property constrains values the old schema let through', () => {
  const result = both({ old: O({ a: {} }), new: O({ a: {}, b: { type: 'string' } }) });
  assert.deepEqual(
    result.backward.map((c) => [c.rule, c.pointer, c.severity]),
    [
      ['schema.property-added-open', '/properties/b', 'compatible'],
      ['schema.type-narrowed', '/properties/b/type', 'breaking'],
    ],
  );
  // additionalProperties as a schema is what the old schema required of the new property.
  const typed = both({
    old: O({}, { additionalProperties: { type: 'string' } }),
    new: O({ b: { type: 'string', minLength: 1 } }, { additionalProperties: { type: 'string' } }),
  });
  assert.deepEqual(
    typed.backward.map((c) => [c.rule, c.severity]),
    [
      ['schema.property-added-open', 'compatible'],
      ['schema.min-length-tightened', 'breaking'],
    ],
  );
});

test('patternProperties: the same patterns are compared per pattern; a pattern the linear engine cannot run is unknown', () => {
  const same = both({
    old: { patternProperties: { '^x-': { type: 'string' } } },
    new: { patternProperties: { '^x-': { type: ['string', 'null'] } } },
  });
  assert.deepEqual(
    same.backward.map((c) => [c.rule, c.pointer, c.severity]),
    [['schema.type-widened', '/patternProperties/^x-/type', 'compatible']],
  );
  // A declared property that a pattern covers: the old schema held it to the pattern only.
  const covered = both({
    old: { patternProperties: { '^x-': { type: 'string' } }, additionalProperties: false },
    new: {
      properties: { 'x-a': { type: 'string' } },
      patternProperties: { '^x-': { type: 'string' } },
      additionalProperties: false,
    },
  });
  assert.equal(worstSeverity(covered.backward), 'compatible');
  assert.equal(worstSeverity(covered.forward), 'compatible');
  const unsupported = both({
    old: { properties: { aaa: {} }, patternProperties: { '^(?=a)a+$': {} } },
    new: { patternProperties: { '^(?=a)a+$': {} } },
  });
  assert.equal(worstSeverity(unsupported.backward), 'unknown');
  // A backtracking-prone pattern is answered (linear time): it takes "aaa", which held to {} on both sides.
  const nested = both({
    old: { properties: { aaa: {} }, patternProperties: { '^(a+)+$': {} } },
    new: { patternProperties: { '^(a+)+$': {} } },
  });
  assert.equal(worstSeverity(nested.backward), 'compatible');
});

test('internal $ref: definitions, $defs, anchors and embedded $id are followed; inlining is no change', () => {
  const inline = O({ a: { type: 'string', minLength: 1 } });
  for (const referenced of [
    {
      definitions: { s: { type: 'string', minLength: 1 } },
      type: 'object',
      properties: { a: { $ref: '#/definitions/s' } },
    },
    { $defs: { s: { type: 'string', minLength: 1 } }, type: 'object', properties: { a: { $ref: '#/$defs/s' } } },
    {
      $defs: { s: { $anchor: 'str', type: 'string', minLength: 1 } },
      type: 'object',
      properties: { a: { $ref: '#str' } },
    },
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      definitions: { s: { $id: '#str', type: 'string', minLength: 1 } },
      type: 'object',
      properties: { a: { $ref: '#str' } },
    },
    {
      $id: 'https://example.com/root.json',
      $defs: { s: { $id: 'string.json', type: 'string', minLength: 1 } },
      type: 'object',
      properties: { a: { $ref: 'string.json' } },
    },
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      id: 'https://example.com/root.json',
      definitions: { s: { id: 'string.json', type: 'string', minLength: 1 } },
      type: 'object',
      properties: { a: { $ref: 'https://example.com/string.json' } },
    },
    // $ref with sibling keywords (ajv applies them in every draft) and allOf are merged when their keywords do not interact.
    { $defs: { s: { type: 'string' } }, type: 'object', properties: { a: { $ref: '#/$defs/s', minLength: 1 } } },
    { allOf: [{ type: 'object' }, { properties: { a: { allOf: [{ type: 'string' }, { minLength: 1 }] } } }] },
  ] as JsonValue[]) {
    const result = both({ old: inline, new: referenced });
    assert.deepEqual(
      result.backward.filter((c) => c.rule !== 'schema.dialect-changed'),
      [],
      JSON.stringify(referenced),
    );
    assert.deepEqual(
      result.forward.filter((c) => c.rule !== 'schema.dialect-changed'),
      [],
      JSON.stringify(referenced),
    );
  }
  // A change inside a definition is reported once, at the definition.
  const changed = both({
    old: { $defs: { s: { type: 'string' } }, properties: { a: { $ref: '#/$defs/s' }, b: { $ref: '#/$defs/s' } } },
    new: {
      $defs: { s: { type: 'string', maxLength: 3 } },
      properties: { a: { $ref: '#/$defs/s' }, b: { $ref: '#/$defs/s' } },
    },
  });
  assert.deepEqual(
    changed.backward.map((c) => [c.rule, c.pointer]),
    [['schema.max-length-tightened', '/$defs/s/maxLength']],
  );
});

test('allOf inheritance: a base type extended with more properties flattens like the inlined object', () => {
  const base: JsonObject = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };
  const extended: JsonValue = {
    $defs: { base },
    allOf: [{ $ref: '#/$defs/base' }, { properties: { name: { type: 'string' } } }],
  };
  const inlined: JsonObject = {
    type: 'object',
    properties: { id: { type: 'string' }, name: { type: 'string' } },
    required: ['id'],
  };
  assert.deepEqual(both({ old: extended, new: inlined }), { backward: [], forward: [] });
  // With additionalProperties next to one part the merge would change its meaning: kept as a conjunct instead.
  const closed: JsonValue = {
    $defs: { base: { ...base, additionalProperties: false } },
    allOf: [{ $ref: '#/$defs/base' }, { properties: { name: { type: 'string' } } }],
  };
  assert.notDeepEqual(both({ old: closed, new: { ...inlined, additionalProperties: false } }).backward, []);
});

test('recursive schemas terminate; a change inside the cycle is found', () => {
  const tree = (leaf: JsonValue): JsonValue => ({
    $defs: { node: O({ value: leaf, children: { type: 'array', items: { $ref: '#/$defs/node' } } }) },
    $ref: '#/$defs/node',
  });
  assert.deepEqual(both({ old: tree({ type: 'integer' }), new: tree({ type: 'integer' }) }).backward, []);
  const result = both({ old: tree({ type: 'integer' }), new: tree({ type: 'number' }) });
  assert.deepEqual(
    result.backward.map((c) => [c.rule, c.pointer, c.severity]),
    [['schema.type-widened', '/$defs/node/properties/value/type', 'compatible']],
  );
  assert.equal(worstSeverity(result.forward), 'breaking');
  // Mutual recursion through two definitions, and a reference chain that never descends.
  const mutual = {
    $defs: { a: O({ b: { $ref: '#/$defs/b' } }), b: O({ a: { $ref: '#/$defs/a' } }) },
    $ref: '#/$defs/a',
  };
  assert.deepEqual(both({ old: mutual, new: structuredClone(mutual) }).backward, []);
  const loop = { $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' };
  assert.doesNotThrow(() => both({ old: loop, new: structuredClone(loop) }));
});

test('external $ref goes through resolveRef, with the fragment resolved in the returned document', () => {
  const metadata = (type: string): JsonValue => ({
    $defs: { id: { type } },
    type: 'object',
    properties: { id: { $ref: '#/$defs/id' } },
  });
  const asked: string[] = [];
  const sideWith = (type: string): SchemaSide => ({
    schema: O({ meta: { $ref: 'media.metadata@1' }, id: { $ref: 'media.metadata@1#/properties/id' } }),
    resolveRef: (ref) => {
      asked.push(ref);
      return ref === 'media.metadata@1' ? metadata(type) : undefined;
    },
  });
  const result = both({ old: sideWith('string'), new: sideWith('integer') });
  assert.ok(asked.every((ref) => ref === 'media.metadata@1'));
  assert.deepEqual(
    result.backward.map((c) => [c.rule, c.document, c.pointer]),
    [
      ['schema.type-narrowed', 'media.metadata@1', '/$defs/id/type'],
      ['schema.type-widened', 'media.metadata@1', '/$defs/id/type'],
    ],
  );
  // Unresolvable on one side only: unknown. The same unresolvable reference on both sides: assumed the same schema.
  const unresolved = both({
    old: sideWith('string'),
    new: { schema: O({ meta: { $ref: 'media.metadata@1' }, id: { $ref: 'media.metadata@1#/properties/id' } }) },
  });
  assert.equal(worstSeverity(unresolved.backward), 'unknown');
  assert.deepEqual(
    both({ old: { $ref: 'https://example.com/x.json' }, new: { $ref: 'https://example.com/x.json' } }).backward,
    [],
  );
});

test('oneOf with disjoint branches (by type or by a required const tag) is compared like anyOf', () => {
  const tagged = (kind: string, extra: Record<string, JsonValue>): JsonValue =>
    O({ kind: { const: kind }, ...extra }, { required: ['kind'] });
  const result = both({
    old: { oneOf: [tagged('a', { x: { type: 'string' } }), tagged('b', {})] },
    new: { oneOf: [tagged('a', { x: { type: ['string', 'null'] } }), tagged('b', {})] },
  });
  assert.deepEqual(
    result.backward.map((c) => [c.rule, c.severity]),
    [['schema.type-widened', 'compatible']],
  );
  assert.deepEqual(
    result.forward.map((c) => [c.rule, c.severity]),
    [['schema.type-widened', 'breaking']],
  );
});

test('oneOf: a branch of a few values is disjoint from a branch that rejects each of them', () => {
  const custom = { type: 'string', pattern: '\\{.*\\}' };
  const widened = both({
    old: { oneOf: [{ type: 'string', enum: ['llvm', 'google'] }, custom] },
    new: { oneOf: [{ type: 'string', enum: ['llvm', 'google', 'gnu'] }, custom] },
  });
  assert.deepEqual(
    widened.forward.map((c) => [c.rule, c.severity]),
    [['schema.enum-value-added', 'breaking']],
  );
  assert.deepEqual(
    widened.backward.map((c) => [c.rule, c.severity]),
    [['schema.enum-value-added', 'compatible']],
  );
  // By length: every listed value is shorter than the other branch allows.
  assert.deepEqual(
    rulesOf(
      both({
        old: { oneOf: [{ enum: ['ab', 1] }, { type: 'string', minLength: 3 }] },
        new: { oneOf: [{ enum: ['ab'] }, { type: 'string', minLength: 3 }] },
      }).backward,
    ),
    ['schema.enum-value-removed'],
  );
});

test('oneOf: a property one branch requires and the other closed branch does not allow makes them disjoint', () => {
  const v1 = (extra: Record<string, JsonValue>): JsonValue => ({
    type: 'object',
    additionalProperties: false,
    properties: { id: { type: 'string' }, ...extra },
  });
  const v2 = { type: 'object', required: ['version'], properties: { version: { enum: ['2.0'] } } };
  const result = both({
    old: { oneOf: [v1({}), v2] },
    new: { oneOf: [v1({ logger: { type: 'string' } }), v2] },
  });
  assert.deepEqual(
    result.forward.map((c) => [c.rule, c.severity]),
    [['schema.property-added', 'breaking']],
  );
  assert.deepEqual(
    result.backward.map((c) => [c.rule, c.severity]),
    [['schema.property-added', 'compatible']],
  );
  // Once the closed branch declares "version" too, an object with it may match both: unknown.
  const open = both({
    old: { oneOf: [v1({ version: {} }), v2] },
    new: { oneOf: [v1({ version: {}, logger: { type: 'string' } }), v2] },
  });
  assert.deepEqual(
    open.forward.map((c) => [c.rule, c.severity]),
    [['schema.one-of-changed', 'unknown']],
  );
});

test('oneOf: a listed value the other branch also admits, or a pattern that cannot be run, leaves it unknown', () => {
  for (const pair of [
    {
      old: { oneOf: [{ enum: ['llvm', '{x}'] }, { type: 'string', pattern: '\\{.*\\}' }] },
      new: { oneOf: [{ enum: ['llvm', '{x}', 'gnu'] }, { type: 'string', pattern: '\\{.*\\}' }] },
    },
    {
      old: { oneOf: [{ enum: ['aa'] }, { type: 'string', pattern: '^(a)\\1$' }] },
      new: { oneOf: [{ enum: ['aa', 'b'] }, { type: 'string', pattern: '^(a)\\1$' }] },
    },
    {
      old: { oneOf: [{ type: 'string' }, { type: 'string', minLength: 3 }] },
      new: { oneOf: [{ type: 'string' }, { type: 'string', minLength: 4 }] },
    },
  ]) {
    const result = both(pair);
    for (const direction of ['backward', 'forward'] as const) {
      assert.deepEqual(
        result[direction].map((c) => [c.rule, c.severity]),
        [['schema.one-of-changed', 'unknown']],
        `${JSON.stringify(pair)} ${direction}`,
      );
    }
  }
});

test('not and if: unchanged conditions are fine; then/else compare covariantly', () => {
  assert.deepEqual(
    both({
      old: { not: { type: 'null' }, title: 'a' },
      new: { not: { type: 'null', description: 'x' }, title: 'a' },
    }).backward.map((c) => c.rule),
    ['schema.annotation-changed'],
  );
  const result = both({
    old: { if: O({ a: { const: 1 } }), then: { required: ['b'] } },
    new: { if: O({ a: { const: 1 } }), then: { required: ['b', 'c'] } },
  });
  assert.deepEqual(
    result.backward.map((c) => [c.rule, c.pointer, c.severity]),
    [['schema.required-added', '/then/required', 'breaking']],
  );
});

test('unevaluatedProperties: compared when everything next to it is equivalent', () => {
  const result = both({
    old: { properties: { a: {} }, unevaluatedProperties: false },
    new: { properties: { a: {} }, unevaluatedProperties: { type: 'string' } },
  });
  assert.deepEqual(
    result.backward.map((c) => [c.rule, c.severity]),
    [['schema.false-removed', 'compatible']],
  );
});

test('worstSeverity orders breaking > unknown > warning > compatible', () => {
  const of = (...severities: Severity[]): Severity => worstSeverity(severities.map((severity) => ({ severity })));
  assert.equal(of(), 'compatible');
  assert.equal(of('compatible', 'warning'), 'warning');
  assert.equal(of('warning', 'unknown', 'compatible'), 'unknown');
  assert.equal(of('unknown', 'breaking', 'warning'), 'breaking');
});

test('options are checked at the boundary', () => {
  const s: SchemaSide = { schema: {} };
  assert.throws(() => compareSchemas(s, s, { direction: 'full' as never }), TypeError);
  assert.throws(() => compareSchemas(s, s, { direction: 'backward', maxDepth: 0 }), TypeError);
  assert.throws(() => compareSchemas(s, s, { direction: 'backward', maxRefExpansions: 1.5 }), TypeError);
});

test('a maxDepth far above the default ends in too-complex, not a stack overflow', () => {
  let deep: JsonValue = { type: 'string' };
  for (let i = 0; i < 20_000; i++) deep = { items: deep };
  const changes = compareSchemas({ schema: deep }, { schema: deep }, { direction: 'backward', maxDepth: 1_000_000 });
  assert.deepEqual(
    changes.map((c) => c.rule),
    ['schema.too-complex'],
  );
});
