// Schemas compared by the values they admit: equivalent rewrites are no change in either direction, and the exact set
// comparison decides what the keyword rules call unknown. The set algebra is checked against ajv on sampled values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import type { JsonValue } from '../../src/core/json.js';
import { compareSchemas, worstSeverity, type SchemaChange } from '../../src/diff/compareSchemas.js';
import { SchemaValueSets } from '../../src/diff/schemaValueSet.js';
import { SchemaRefResolver } from '../../src/diff/schemaRefResolver.js';
import { SchemaNormalizer } from '../../src/diff/schemaNormalizer.js';
import { ComparisonBudget } from '../../src/diff/comparisonBudget.js';
import { isSubset, sameSet, type ValueSet } from '../../src/diff/valueSets.js';

function verdicts(oldSchema: JsonValue, newSchema: JsonValue): { backward: SchemaChange[]; forward: SchemaChange[] } {
  return {
    backward: compareSchemas({ schema: oldSchema }, { schema: newSchema }, { direction: 'backward' }),
    forward: compareSchemas({ schema: oldSchema }, { schema: newSchema }, { direction: 'forward' }),
  };
}

const severity = (changes: SchemaChange[]): string => worstSeverity(changes);

function setOf(schema: JsonValue): ValueSet | undefined {
  const resolver = new SchemaRefResolver(schema);
  const normalizer = new SchemaNormalizer(resolver, new ComparisonBudget(64, 20_000));
  return new SchemaValueSets((node) => normalizer.normalize(node)).of(resolver.document.root);
}

// The rewrites seen on real SchemaStore pairs (issue 18): the same values, written another way.
const equivalentRewrites: [string, JsonValue, JsonValue][] = [
  ['minimum 1, maximum 1 → const 1', { type: 'integer', minimum: 1, maximum: 1 }, { type: 'integer', const: 1 }],
  ['number bounds to a point → const', { type: 'number', minimum: 2.5, maximum: 2.5 }, { const: 2.5 }],
  [
    'anyOf of an enum and a boolean → one enum',
    { anyOf: [{ enum: ['auto', 'never'] }, { type: 'boolean' }] },
    { enum: ['auto', 'never', true, false] },
  ],
  ['type [a, b] → anyOf of two types', { type: ['string', 'null'] }, { anyOf: [{ type: 'string' }, { type: 'null' }] }],
  [
    'type [a, b] → oneOf of two types',
    { type: ['integer', 'boolean'], description: 'a count or a switch' },
    { oneOf: [{ type: 'integer' }, { type: 'boolean' }], description: 'a count or a switch' },
  ],
  [
    'integer exclusive bounds → inclusive ones',
    { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10 },
    { type: 'integer', minimum: 1, maximum: 9 },
  ],
  [
    'draft-04 exclusive flag → draft-06 number',
    { type: 'number', minimum: 0, exclusiveMinimum: true },
    { type: 'number', exclusiveMinimum: 0 },
  ],
  ['small integer range → enum', { type: 'integer', minimum: 1, maximum: 3 }, { enum: [1, 2, 3] }],
  ['enum reordered inside anyOf', { anyOf: [{ const: 'b' }, { const: 'a' }] }, { enum: ['a', 'b'] }],
  [
    'string keywords inert on a schema without strings',
    { type: 'integer', maxLength: 3, minimum: 0 },
    { type: 'integer', minimum: 0 },
  ],
];

for (const [name, before, after] of equivalentRewrites) {
  test(`equivalent both ways: ${name}`, () => {
    for (const [a, b] of [
      [before, after],
      [after, before],
    ] as const) {
      const { backward, forward } = verdicts(a, b);
      assert.equal(severity(backward), 'compatible', JSON.stringify(backward));
      assert.equal(severity(forward), 'compatible', JSON.stringify(forward));
    }
  });
}

// Real changes between such schemas: the sets decide, both ways round.
const strictChanges: [string, JsonValue, JsonValue][] = [
  ['const 1 → integer 1..2', { const: 1 }, { type: 'integer', minimum: 1, maximum: 2 }],
  ['enum → anyOf of the enum and a type', { enum: ['a', 'b'] }, { anyOf: [{ enum: ['a', 'b'] }, { type: 'boolean' }] }],
  [
    'anyOf of types → type list with one more',
    { anyOf: [{ type: 'string' }, { type: 'null' }] },
    { type: ['string', 'null', 'integer'] },
  ],
  ['integer → number', { type: 'integer', minimum: 0 }, { anyOf: [{ type: 'number', minimum: 0 }] }],
];

for (const [name, narrow, wide] of strictChanges) {
  test(`widened one way, narrowed the other: ${name}`, () => {
    const widening = verdicts(narrow, wide);
    assert.equal(severity(widening.backward), 'compatible', JSON.stringify(widening.backward));
    assert.equal(severity(widening.forward), 'breaking', JSON.stringify(widening.forward));
    const narrowing = verdicts(wide, narrow);
    assert.equal(severity(narrowing.backward), 'breaking', JSON.stringify(narrowing.backward));
    assert.equal(severity(narrowing.forward), 'compatible', JSON.stringify(narrowing.forward));
  });
}

test('values that move both ways are breaking in both directions, never unknown', () => {
  const { backward, forward } = verdicts(
    { oneOf: [{ const: 'a' }, { type: 'integer' }] },
    { oneOf: [{ const: 'b' }, { type: 'integer' }, { type: 'null' }] },
  );
  assert.equal(severity(backward), 'breaking');
  assert.equal(severity(forward), 'breaking');
});

test('a oneOf whose branches overlap is not a value set (it is exclusive, not a union)', () => {
  assert.equal(setOf({ oneOf: [{ type: 'number' }, { type: 'integer' }] }), undefined);
  assert.ok(setOf({ oneOf: [{ type: 'string' }, { type: 'integer' }] }));
});

test('schemas with keywords beyond value sets are left to the keyword rules', () => {
  for (const schema of [
    { type: 'string', maxLength: 3 },
    { type: 'number', multipleOf: 2 },
    { not: { const: 1 } },
    { type: 'object', required: ['a'] },
    { enum: [{ a: 1 }], properties: { a: { const: 1 } } },
  ] as JsonValue[])
    assert.equal(setOf(schema), undefined, JSON.stringify(schema));
});

test('keywords named like Object.prototype members are unknown keywords, not kind keywords', () => {
  const set = setOf({ type: 'integer', constructor: 1, toString: 'x' } as JsonValue);
  assert.ok(set && sameSet(set, setOf({ type: 'integer' })!));
});

test('annotation changes next to an equivalent rewrite are still reported', () => {
  const { backward } = verdicts(
    { type: ['string', 'null'], description: 'old' },
    { anyOf: [{ type: 'string' }, { type: 'null' }], description: 'new' },
  );
  assert.deepEqual(
    backward.map((c) => c.rule),
    ['schema.annotation-changed'],
  );
});

// The algebra against the validator: on a grid of values, membership and subset agree with ajv.
const probes: JsonValue[] = [
  null,
  true,
  false,
  '',
  'a',
  'b',
  'auto',
  {},
  { a: 1 },
  [],
  [1],
  ...[-Infinity, -3, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 9, 9.5, 10, 11, 1e9].filter(Number.isFinite),
];

const schemas: JsonValue[] = [
  true,
  false,
  {},
  { type: 'integer' },
  { type: 'number', exclusiveMinimum: 0, maximum: 2.5 },
  { type: 'integer', exclusiveMinimum: 0.5, exclusiveMaximum: 3 },
  { minimum: 1 },
  { maximum: 0, type: ['number', 'string'] },
  { enum: ['a', 1, null, { a: 1 }, [1]] },
  { anyOf: [{ type: 'integer', maximum: 1 }, { type: 'number', minimum: 1, maximum: 2 }, { const: 'b' }] },
  {
    anyOf: [
      { type: 'number', exclusiveMaximum: 1 },
      { type: 'number', minimum: 1 },
    ],
  },
  {
    anyOf: [
      { type: 'integer', maximum: 2 },
      { type: 'integer', minimum: 3 },
    ],
  },
  { oneOf: [{ type: 'boolean' }, { enum: ['auto', 0.5] }] },
  { type: ['object', 'array'], minimum: 5 },
  { anyOf: [{ type: 'number', minimum: 0, exclusiveMaximum: 1 }, { const: 1 }] },
  { type: 'number', minimum: 0, maximum: 1 },
];

test('membership and subset agree with ajv on sampled values', () => {
  const ajv = new Ajv({ strict: false });
  const validators = schemas.map((schema) => ajv.compile(schema as object | boolean));
  const sets = schemas.map((schema) => setOf(schema));
  sets.forEach((set, i) => assert.ok(set, `a value set: ${JSON.stringify(schemas[i])}`));
  for (let i = 0; i < schemas.length; i++) {
    for (let j = 0; j < schemas.length; j++) {
      const subset = isSubset(sets[i]!, sets[j]!);
      const counterexample = probes.find((value) => validators[i]!(value) && !validators[j]!(value));
      // A proven subset has no counterexample among the probes; a refuted one is checked below by hand-picked cases.
      if (subset)
        assert.equal(
          counterexample,
          undefined,
          `${JSON.stringify(schemas[i])} ⊆ ${JSON.stringify(schemas[j])} but ${JSON.stringify(counterexample)}`,
        );
    }
  }
  // Unions of adjacent runs cover what one run covers: (−∞, 1) ∪ [1, ∞) is every number; [0, 1) ∪ {1} is [0, 1].
  assert.ok(
    sameSet(
      setOf({
        anyOf: [
          { type: 'number', exclusiveMaximum: 1 },
          { type: 'number', minimum: 1 },
        ],
      })!,
      setOf({ type: 'number' })!,
    ),
  );
  assert.ok(sameSet(sets[14]!, sets[15]!));
  // integers ≤ 2 and ≥ 3 are every integer; not every number.
  assert.ok(sameSet(sets[11]!, setOf({ type: 'integer' })!));
  assert.ok(!isSubset(setOf({ type: 'number' })!, sets[11]!));
  // An integer run is not covered by a real run with a gap at an integer.
  assert.ok(
    !isSubset(
      setOf({ type: 'integer' })!,
      setOf({ anyOf: [{ exclusiveMaximum: 1 }, { exclusiveMinimum: 1 }], type: 'number' })!,
    ),
  );
  assert.ok(
    isSubset(setOf({ type: 'integer' })!, setOf({ anyOf: [{ maximum: 1 }, { exclusiveMinimum: 1 }], type: 'number' })!),
  );
  for (let i = 0; i < probes.length; i++) {
    for (let s = 0; s < schemas.length; s++) {
      const value = probes[i]!;
      const admitted = validators[s]!(value);
      assert.equal(
        isSubset(setOf({ const: value })!, sets[s]!),
        admitted,
        `${JSON.stringify(value)} in ${JSON.stringify(schemas[s])}`,
      );
    }
  }
});
