// oneOf judged type by type: a type two branches admit whole is rejected, a type whose admitting branches are disjoint
// is their anyOf, and a side whose branches may overlap proves one direction only. Verdicts are checked with ajv on
// candidate instances: every breaking verdict has a witness, every compatible one holds on all candidates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonValue } from '../../src/core/json.js';
import { compareSchemas } from '../../src/diff/compareSchemas.js';
import { verdicts, witnesses } from '../support/schemaVerdicts.js';

function rules(oldSchema: JsonValue, newSchema: JsonValue): string[] {
  const changes = compareSchemas({ schema: oldSchema }, { schema: newSchema }, { direction: 'backward' });
  return changes.map((change) => change.rule).sort();
}

/** No compatible verdict is contradicted by a candidate; `breaking` lists the directions that must have a witness. */
function assertAgrees(
  oldSchema: JsonValue,
  newSchema: JsonValue,
  instances: JsonValue[],
  breaking: ('backward' | 'forward')[] = [],
): void {
  const found = witnesses(oldSchema, newSchema, instances);
  const judged = verdicts(oldSchema, newSchema);
  for (const direction of ['backward', 'forward'] as const) {
    if (judged[direction] === 'compatible') assert.deepEqual(found[direction], [], direction);
    if (breaking.includes(direction)) {
      assert.equal(judged[direction], 'breaking', direction);
      assert.ok(found[direction].length > 0, `${direction}: no witness`);
    }
  }
}

const scalars: JsonValue[] = [null, true, 0, 1.5, '', 'text', [], ['x']];

// json-patch: the old operations have no `type`, so every non-object matches all three and the oneOf rejects it.
const operation = (typed: boolean, op: JsonValue, extra: Record<string, JsonValue>, path: JsonValue): JsonValue => ({
  ...(typed ? { type: 'object' } : {}),
  additionalProperties: false,
  required: ['op', 'path', ...Object.keys(extra)],
  properties: { op, path, ...extra },
});
const patch = (typed: boolean, path: JsonValue): JsonValue => ({
  type: 'array',
  items: {
    oneOf: [
      operation(typed, { enum: ['add', 'replace', 'test'] }, { value: {} }, path),
      operation(typed, typed ? { const: 'remove' } : { enum: ['remove'] }, {}, path),
      operation(typed, { enum: ['move', 'copy'] }, { from: path }, path),
    ],
  },
});
const patchInstances: JsonValue[] = [
  ...scalars.map((s) => [s]),
  [{ op: 'add', path: '/a', value: 1 }],
  [{ op: 'add', path: 'a', value: 1 }],
  [{ op: 'remove', path: '/a' }],
  [{ op: 'move', path: '/a', from: 'b' }],
  [{ op: 'remove', path: '/a', value: 1 }],
  [],
];

test('untyped oneOf branches that all admit every non-object reject non-objects: typing them changes nothing', () => {
  const string = { type: 'string' };
  assert.deepEqual(verdicts(patch(false, string), patch(true, string)), {
    backward: 'compatible',
    forward: 'compatible',
  });
  assert.deepEqual(verdicts(patch(true, string), patch(false, string)), {
    backward: 'compatible',
    forward: 'compatible',
  });
  assertAgrees(patch(false, string), patch(true, string), patchInstances);
  // with a pattern added to the path as well (json-patch backward): objects are compared as anyOf, and it is breaking
  const pointer = { type: 'string', pattern: '^(/[^/]*)*$' };
  assert.deepEqual(verdicts(patch(false, string), patch(true, pointer)), {
    backward: 'breaking',
    forward: 'compatible',
  });
  assert.deepEqual([...new Set(rules(patch(false, string), patch(true, pointer)))], ['schema.pattern-added']);
  assertAgrees(patch(false, string), patch(true, pointer), patchInstances, ['backward']);
});

test('one untyped branch alone admits the non-objects: typing it narrows the oneOf, compared as anyOf', () => {
  const tagged = (typed: boolean, tag: number): JsonValue => ({
    ...(typed ? { type: 'object' } : {}),
    required: ['tag'],
    properties: { tag: { const: tag } },
  });
  const before = { oneOf: [tagged(false, 1), tagged(true, 2)] };
  const after = { oneOf: [tagged(true, 1), tagged(true, 2)] };
  assert.deepEqual(verdicts(before, after), { backward: 'breaking', forward: 'compatible' });
  assert.deepEqual(rules(before, after), ['schema.type-narrowed']);
  assert.deepEqual(verdicts(after, before), { backward: 'compatible', forward: 'breaking' });
  assert.deepEqual(rules(after, before), ['schema.type-widened']);
  const instances = [...scalars, { tag: 1 }, { tag: 2 }, { tag: 3 }, {}];
  assertAgrees(before, after, instances, ['backward']);
  assertAgrees(after, before, instances, ['forward']);
  assert.ok(witnesses(before, after, instances).backward.includes('text'));
});

test('a type two branches admit whole is rejected: adding or removing the second one narrows or widens the oneOf', () => {
  const tagged = (tag: number): JsonValue => ({ required: ['a'], properties: { a: { const: tag } } });
  const before = { oneOf: [{ type: 'object', ...(tagged(1) as object) }, tagged(2)] };
  const after = { oneOf: [{ type: 'object', ...(tagged(1) as object) }, tagged(2), { type: 'number' }] };
  // before: numbers match only the untyped branch (exact); after: they match two branches whole, so all are rejected
  assert.deepEqual(rules(before, after), ['schema.one-of-type-narrowed']);
  const instances = [...scalars, 7, { a: 1 }, { a: 2 }, {}];
  assertAgrees(before, after, instances, ['backward']);
  assertAgrees(after, before, instances, ['forward']);
  assert.deepEqual(witnesses(before, after, instances).backward, [0, 1.5, 7]);
});

// hatch: old branches that overlap (a "vcs" version and one with a path, both matched by {source: "vcs", path}), new
// ones made disjoint by `false` properties, a required property the other forbids, and a const tag.
const version = (schema: Record<string, JsonValue>): JsonValue => ({
  required: ['version'],
  properties: { version: { type: 'object', ...schema } },
});
const hatchOld = {
  type: 'object',
  oneOf: [
    { properties: { version: false } },
    version({ required: ['source'], properties: { source: { const: 'vcs' } } }),
    version({ required: ['path'], properties: { path: { type: 'string' } } }),
  ],
};
const hatchNew = {
  type: 'object',
  oneOf: [
    { properties: { version: false } },
    version({ required: ['path'], properties: { source: false, path: { type: 'string' } } }),
    version({ required: ['source'], properties: { path: false, source: { type: 'string' } } }),
    version({ required: ['path', 'source'], properties: { source: { const: 'regex' }, path: { type: 'string' } } }),
  ],
};
const hatchInstances: JsonValue[] = [
  {},
  { version: {} },
  { version: { source: 'vcs' } },
  { version: { source: 'other' } },
  { version: { path: 'p' } },
  { version: { source: 'vcs', path: 'p' } },
  { version: { source: 'regex', path: 'p' } },
  'text',
];

test('oneOf branches disjoint by a nested required property are exact; overlapping old ones prove backward only', () => {
  assert.ok(rules(hatchOld, hatchNew).includes('schema.one-of-old-overlap'));
  assertAgrees(hatchOld, hatchNew, hatchInstances, ['forward']);
  assert.deepEqual(witnesses(hatchOld, hatchNew, hatchInstances).forward, [{ version: { source: 'other' } }]);
  // the other way round the new side overlaps: forward is what the anyOf comparison proves
  assert.ok(rules(hatchNew, hatchOld).includes('schema.one-of-new-overlap'));
  assertAgrees(hatchNew, hatchOld, hatchInstances);
});

test('an overlapping side leaves the direction it cannot prove unknown, and both sides overlapping stay unknown', () => {
  const strings = (second: string): JsonValue => ({
    oneOf: [
      { type: 'string', pattern: '^a' },
      { type: 'string', pattern: second },
    ],
  });
  // an annotation is no change, however the branches overlap
  const old = strings('b$');
  const renamed = {
    oneOf: [
      { type: 'string', pattern: '^a' },
      { type: 'string', pattern: 'b$', title: 'tail' },
    ],
  };
  assert.deepEqual(verdicts(old, renamed), { backward: 'compatible', forward: 'compatible' });
  const narrowed = {
    oneOf: [
      { type: 'string', pattern: '^a' },
      { type: 'string', pattern: 'b$', maxLength: 3 },
    ],
  };
  // both sides overlap: nothing is decided
  assert.deepEqual(verdicts(old, narrowed), { backward: 'unknown', forward: 'unknown' });
  assert.deepEqual(rules(old, narrowed), ['schema.one-of-changed']);
  // the new side overlaps ("ab" matches both of its branches, so its oneOf rejects what the old one accepted): the
  // anyOf comparison says nothing for backward, which is unknown, never compatible; forward it finds the widening
  const disjoint = strings('^b');
  const widened = {
    oneOf: [
      { type: 'string', pattern: '^a' },
      { type: 'string', pattern: 'b' },
    ],
  };
  assert.deepEqual(verdicts(disjoint, widened), { backward: 'unknown', forward: 'breaking' });
  assert.deepEqual(witnesses(disjoint, widened, ['ab']).backward, ['ab']);
  assertAgrees(disjoint, widened, ['a', 'b', 'ab', 'ba', 'cb', 'c']);
});

test('what a branch admits is read through its own anyOf/oneOf, and an anyOf branch may admit a whole type', () => {
  // jscsrc: the old operator list admits every boolean and null, as do the boolean and null branches: both rejected
  const operators = { type: 'array', items: { enum: ['==', '!='] } };
  const before = {
    oneOf: [{ ...operators, type: ['array', 'boolean', 'null'] }, { type: 'boolean' }, { type: 'null' }],
  };
  const after = {
    oneOf: [{ anyOf: [operators, { type: 'boolean' }, { type: 'null' }] }, { type: 'boolean' }, { type: 'null' }],
  };
  assert.ok(!rules(before, after).some((rule) => rule.startsWith('schema.one-of-type-')));
  assertAgrees(before, after, [null, true, false, ['=='], ['x'], 'text', 1]);
  // kustomization: a branch that is a oneOf of objects admits only objects, so no other type is widened
  const inline = { type: 'object', required: ['source'], additionalProperties: false, properties: { source: {} } };
  const path = { type: 'object', required: ['path'], additionalProperties: false, properties: { path: {} } };
  const split = {
    oneOf: [path, { oneOf: [inline, { ...inline, required: ['value'], properties: { value: {} } }] }],
  };
  assert.ok(!rules({ oneOf: [path, inline] }, split).some((rule) => rule.startsWith('schema.one-of-type-')));
  assertAgrees({ oneOf: [path, inline] }, split, [null, 'text', { path: 1 }, { source: 1 }, { value: 1 }, {}]);
});

test('a pattern with a finite language is a value set: inside anyOf an enum of its strings and more is a widening', () => {
  const levels = { type: 'string', pattern: '^(?:debug|info)$' };
  const before = { anyOf: [levels, { type: 'boolean' }] };
  const same = { anyOf: [{ type: 'string', enum: ['info', 'debug'] }, { type: 'boolean' }] };
  const wider = { anyOf: [{ type: 'string', enum: ['debug', 'info', 'warn'] }, { type: 'boolean' }] };
  const instances: JsonValue[] = ['debug', 'info', 'warn', 'debugx', 'xinfo', '', true, null, 1];
  assert.deepEqual(verdicts(before, same), { backward: 'compatible', forward: 'compatible' });
  assert.deepEqual(verdicts(before, wider), { backward: 'compatible', forward: 'breaking' });
  assert.deepEqual(rules(before, wider), ['schema.values-widened']);
  assert.deepEqual(verdicts(wider, before), { backward: 'breaking', forward: 'compatible' });
  assertAgrees(before, same, instances);
  assertAgrees(before, wider, instances, ['forward']);
  assertAgrees(wider, before, instances, ['backward']);
  // an unanchored pattern matches infinitely many strings: not a value set, left to the keyword rules
  const open = { anyOf: [{ type: 'string', pattern: 'debug|info' }, { type: 'boolean' }] };
  assert.equal(verdicts(open, wider).backward, 'breaking');
  assertAgrees(open, wider, instances, ['backward']);
});
