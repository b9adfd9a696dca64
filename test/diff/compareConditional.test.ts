// if/then/else with a changed condition: compared as sets of instances, with the instances that change branch judged by
// the branch they left and the one they entered. Every verdict is checked against ajv on the instances that move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonValue } from '../../src/core/json.js';
import { compareSchemas, type SchemaChange } from '../../src/diff/compareSchemas.js';
import { verdicts, witnesses } from '../support/schemaVerdicts.js';

function changes(oldSchema: JsonValue, newSchema: JsonValue): SchemaChange[] {
  return compareSchemas({ schema: oldSchema }, { schema: newSchema }, { direction: 'backward' });
}

const version = (condition: JsonValue): { properties: Record<string, JsonValue> } => ({
  properties: { version: condition },
});

// Instances around a "version" condition: each version value, none, with and without "plugins", and a non-object.
const instances: JsonValue[] = [
  {},
  { plugins: [] },
  ...['v1', 'v1beta1', 'v2'].flatMap((v) => [{ version: v }, { version: v, plugins: [] }]),
  'text',
];

test('an equal condition written differently (const and a one-element enum, required reordered) changes nothing', () => {
  const a = { if: { ...version({ const: 'v1' }), required: ['version', 'kind'] }, then: { required: ['plugins'] } };
  const b = { if: { ...version({ enum: ['v1'] }), required: ['kind', 'version'] }, then: { required: ['plugins'] } };
  const orders: [JsonValue, JsonValue][] = [
    [a, b],
    [b, a],
  ];
  for (const [x, y] of orders) {
    assert.deepEqual(changes(x, y), []);
    assert.deepEqual(verdicts(x, y), { backward: 'compatible', forward: 'compatible' });
  }
});

test('a widened condition whose then restates it (requires the property the movers all have) is compatible', () => {
  const oldSchema = { if: version({ const: 'v1' }), then: { required: ['version'] } };
  const newSchema = { if: version({ enum: ['v1', 'v1beta1'] }), then: { required: ['version'] } };
  const found = changes(oldSchema, newSchema);
  assert.deepEqual(
    found.map((c) => [c.rule, c.pointer]),
    [['schema.if-widened', '/if']],
  );
  assert.match(found[0]!.message, /"version" is "v1beta1".*judged by then instead of else/);
  assert.deepEqual(verdicts(oldSchema, newSchema), { backward: 'compatible', forward: 'compatible' });
  assert.deepEqual(witnesses(oldSchema, newSchema, instances), { backward: [], forward: [] });
  // Only the branch's own `required` is moot for the movers: a nested object that requires "version" is not.
  const then = { required: ['version'], properties: { meta: { required: ['version'] } } };
  const nested: [JsonValue, JsonValue] = [
    { if: version({ const: 'v1' }), then },
    { if: version({ enum: ['v1', 'v1beta1'] }), then },
  ];
  assert.deepEqual(
    changes(...nested)
      .filter((c) => c.severity === 'breaking')
      .map((c) => [c.rule, c.pointer]),
    [['schema.required-added', '/then/properties/meta/required']],
  );
  assert.deepEqual(witnesses(...nested, [{ version: 'v1beta1', meta: {} }]).backward, [
    { version: 'v1beta1', meta: {} },
  ]);
});

test('a widened condition moves instances into a then that rejects them: breaking backward (the buf.gen case)', () => {
  const oldSchema = { type: 'object', if: version({ const: 'v1' }), then: { required: ['plugins'] }, else: {} };
  const newSchema = { type: 'object', if: version({ enum: ['v1', 'v1beta1'] }), then: { required: ['plugins'] } };
  assert.deepEqual(verdicts(oldSchema, newSchema), { backward: 'breaking', forward: 'compatible' });
  const breaking = changes(oldSchema, newSchema).filter((c) => c.severity === 'breaking');
  assert.deepEqual(
    breaking.map((c) => [c.rule, c.pointer]),
    [['schema.required-added', '/then/required']],
  );
  assert.match(breaking[0]!.message, /moved from else to then: "plugins" is now required/);
  assert.deepEqual(witnesses(oldSchema, newSchema, instances), { backward: [{ version: 'v1beta1' }], forward: [] });
});

test('the widened condition names how many changes the movers meet, by rule, once there are several', () => {
  const oldSchema = { type: 'object', if: version({ const: 'v1' }), then: { required: ['plugins'] } };
  const closed = { required: ['plugins'], properties: { plugins: { type: 'array' }, name: { type: 'string' } } };
  const newSchema = { type: 'object', if: version({ enum: ['v1', 'v1beta1'] }), then: closed };
  const found = changes(oldSchema, newSchema);
  const widened = found.find((c) => c.rule === 'schema.if-widened');
  const moved = found.filter((c) => c.message.includes('moved from else to then'));
  assert.ok(moved.length >= 2);
  const byRule = new Map<string, number>();
  for (const change of moved) byRule.set(change.rule, (byRule.get(change.rule) ?? 0) + 1);
  assert.match(widened!.message, new RegExp(`; ${moved.length} changes for them follow \\(`));
  for (const [rule, count] of byRule) assert.ok(widened!.message.includes(`${count} ${rule}`), rule);
  // a single change needs no summary
  const single = changes(oldSchema, { ...newSchema, then: { required: ['plugins'] } });
  assert.doesNotMatch(single.find((c) => c.rule === 'schema.if-widened')!.message, /changes for them follow/);
  assert.deepEqual(witnesses(oldSchema, newSchema, instances).backward, [{ version: 'v1beta1' }]);
});

test('a narrowed condition moves instances from then into else: judged by old then and new else', () => {
  const oldSchema = { if: version({ enum: ['v1', 'v1beta1'] }), then: { required: ['plugins'] } };
  const newSchema = { if: version({ const: 'v1' }), then: { required: ['plugins'] } };
  assert.deepEqual(verdicts(oldSchema, newSchema), { backward: 'compatible', forward: 'breaking' });
  assert.deepEqual(
    changes(oldSchema, newSchema).map((c) => c.rule),
    ['schema.if-narrowed', 'schema.required-removed'],
  );
  assert.deepEqual(witnesses(oldSchema, newSchema, instances), { backward: [], forward: [{ version: 'v1beta1' }] });
});

test('missing then and else are `true` on the side of the movers', () => {
  // No else before: the movers were accepted whatever they held; the new then requires plugins.
  const noElse = [
    { if: version({ const: 'v1' }), then: { required: ['plugins'] } },
    { if: version({ enum: ['v1', 'v1beta1'] }), then: { required: ['plugins'] } },
  ] as [JsonValue, JsonValue];
  assert.deepEqual(verdicts(...noElse), { backward: 'breaking', forward: 'compatible' });
  // No then: the movers required plugins under else and now enter a then that accepts anything.
  const noThen = [
    { if: version({ const: 'v1' }), else: { required: ['plugins'] } },
    { if: version({ enum: ['v1', 'v1beta1'] }), else: { required: ['plugins'] } },
  ] as [JsonValue, JsonValue];
  assert.deepEqual(verdicts(...noThen), { backward: 'compatible', forward: 'breaking' });
  assert.deepEqual(witnesses(...noThen, instances), { backward: [], forward: [{ version: 'v1beta1' }] });
});

test('the instances that stay are still compared then with then and else with else', () => {
  const oldSchema = { if: version({ const: 'v1' }), then: { required: ['a'] }, else: { required: ['a'] } };
  const newSchema = {
    if: version({ enum: ['v1', 'v1beta1'] }),
    then: { required: ['a'] },
    else: { required: ['a', 'b'] },
  };
  assert.deepEqual(
    changes(oldSchema, newSchema).map((c) => [c.rule, c.pointer, c.severity]),
    [
      ['schema.if-widened', '/if', 'compatible'],
      ['schema.required-added', '/else/required', 'breaking'],
    ],
  );
  assert.deepEqual(witnesses(oldSchema, newSchema, [{ version: 'v2', a: 1 }]).backward, [{ version: 'v2', a: 1 }]);
});

test('an anyOf condition losing a branch is narrowed; a type in the condition counts for non-objects', () => {
  const kind = (value: string): JsonValue => ({ properties: { kind: { const: value } } });
  const closed = { additionalProperties: false, properties: { kind: true, a: true } };
  const oldSchema = { if: { anyOf: [kind('ts'), kind('ng')] }, then: closed };
  const newSchema = { if: kind('ng'), then: closed };
  assert.equal(changes(oldSchema, newSchema)[0]!.rule, 'schema.if-narrowed');
  assert.deepEqual(verdicts(oldSchema, newSchema), { backward: 'compatible', forward: 'breaking' });
  assert.deepEqual(witnesses(oldSchema, newSchema, [{ kind: 'ts', b: 1 }]).forward, [{ kind: 'ts', b: 1 }]);
  // `type: object` added to the condition: non-objects no longer meet it and move from then to else.
  const typed = [
    { if: version({ const: 'v1' }), then: { type: 'object' } },
    { if: { type: 'object', ...version({ const: 'v1' }) }, then: { type: 'object' } },
  ] as [JsonValue, JsonValue];
  assert.equal(changes(...typed)[0]!.rule, 'schema.if-narrowed');
  assert.deepEqual(verdicts(...typed), { backward: 'compatible', forward: 'breaking' });
  assert.deepEqual(witnesses(...typed, instances).forward, ['text']);
});

test('conditions that are not within one another, or not made of value sets, stay unknown', () => {
  const disjoint = verdicts(
    { if: version({ const: 'v1' }), then: { required: ['a'] } },
    { if: version({ const: 'v2' }), then: { required: ['a'] } },
  );
  assert.deepEqual(disjoint, { backward: 'unknown', forward: 'unknown' });
  const overlapping = changes(
    { if: version({ enum: ['v1', 'v2'] }), then: { required: ['a'] } },
    { if: version({ enum: ['v2', 'v3'] }), then: { required: ['a'] } },
  );
  assert.deepEqual(
    overlapping.map((c) => c.rule),
    ['schema.if-changed'],
  );
  const patterned = verdicts(
    { if: version({ type: 'string', pattern: '^v1' }), then: { required: ['a'] } },
    { if: version({ type: 'string', pattern: '^v' }), then: { required: ['a'] } },
  );
  assert.deepEqual(patterned, { backward: 'unknown', forward: 'unknown' });
});
