// A constraint added to (or dropped from) a then, else or anyOf branch that the keywords next to it already impose is no
// change: the parent forbids the property, admits only values the branch does, or requires what the branch requires.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonValue } from '../../src/core/json.js';
import type { Severity } from '../../src/diff/compareSchemas.js';
import { accepts, verdicts } from '../support/schemaVerdicts.js';

/** Both orders: a constraint added (backward) is the same pair as one dropped read the other way (forward). */
function bothWays(a: JsonValue, b: JsonValue): [Severity, Severity, Severity, Severity] {
  const there = verdicts(a, b);
  const back = verdicts(b, a);
  return [there.backward, there.forward, back.backward, back.forward];
}

function distinguishing(a: JsonValue, b: JsonValue, instances: JsonValue[]): JsonValue[] {
  return instances.filter((instance) => accepts(a, instance) !== accepts(b, instance));
}

const samples: JsonValue[] = [
  {},
  { kind: 'a' },
  { kind: 'b' },
  { kind: 'b', a: 'x' },
  { kind: 'b', a: null },
  { kind: 'b', a: 1 },
  { kind: 'a', x: 'y' },
  { kind: 'a', x: 2 },
  { a: 'x' },
];

const ifKind = { if: { properties: { kind: { const: 'a' } } } };

test('else restating the type the property already has is no change, added or removed', () => {
  const plain = { type: 'object', properties: { a: { type: 'string' } }, ...ifKind, then: {}, else: {} };
  const restated = { ...plain, else: { properties: { a: { type: 'string', description: 'text' } } } };
  assert.deepEqual(bothWays(plain, restated), ['compatible', 'compatible', 'compatible', 'compatible']);
  assert.deepEqual(distinguishing(plain, restated, samples), []);
});

test('a property the closed parent does not allow: constraining it in an anyOf branch is no change', () => {
  const branches = (extra: Record<string, JsonValue>): JsonValue => ({
    type: 'object',
    additionalProperties: false,
    properties: { kind: true, a: true },
    anyOf: [{ properties: { kind: { const: 'a' }, ...extra } }, { properties: { kind: { const: 'b' } } }],
  });
  const before = branches({});
  const after = branches({ x: { type: 'string' } });
  assert.deepEqual(bothWays(before, after), ['compatible', 'compatible', 'compatible', 'compatible']);
  assert.deepEqual(distinguishing(before, after, samples), []);
});

test('then requiring what the parent already requires is no change', () => {
  const before = { type: 'object', required: ['kind'], ...ifKind, then: {} };
  const after = { ...before, then: { required: ['kind'] } };
  assert.deepEqual(bothWays(before, after), ['compatible', 'compatible', 'compatible', 'compatible']);
  assert.deepEqual(distinguishing(before, after, samples), []);
});

test('a constraint the parent does not already impose is still reported, both ways', () => {
  // The parent admits null for "a"; else now rejects it: breaking backward, and the reverse breaks forward.
  const plain = { type: 'object', properties: { a: { type: ['string', 'null'] } }, ...ifKind, else: {} };
  const strict = { ...plain, else: { properties: { a: { type: 'string' } } } };
  assert.deepEqual(bothWays(plain, strict), ['breaking', 'compatible', 'compatible', 'breaking']);
  assert.deepEqual(distinguishing(plain, strict, samples), [{ kind: 'b', a: null }]);
  // The parent allows "x" (open): the anyOf branch's new constraint on it counts.
  const open = (extra: Record<string, JsonValue>): JsonValue => ({
    type: 'object',
    anyOf: [{ properties: { kind: { const: 'a' }, ...extra } }, { properties: { kind: { const: 'b' } } }],
  });
  assert.deepEqual(bothWays(open({}), open({ x: { type: 'string' } })), [
    'breaking',
    'compatible',
    'compatible',
    'breaking',
  ]);
  assert.deepEqual(distinguishing(open({}), open({ x: { type: 'string' } }), samples), [{ kind: 'a', x: 2 }]);
  // A branch requiring a property the parent only declares.
  const declared = { type: 'object', properties: { kind: true }, ...ifKind, then: {} };
  assert.deepEqual(verdicts(declared, { ...declared, then: { required: ['x'] } }).backward, 'breaking');
});
