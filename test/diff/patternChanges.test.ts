// `pattern` changes decided by language inclusion: equal languages are no change, inclusion is a narrowing or a
// widening, and an enum of exactly the strings a pattern admitted is the same schema, both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonValue } from '../../src/core/json.js';
import { compareSchemas, worstSeverity } from '../../src/diff/compareSchemas.js';

function judge(oldSchema: JsonValue, newSchema: JsonValue): { backward: string; forward: string; rules: string[] } {
  const backward = compareSchemas({ schema: oldSchema }, { schema: newSchema }, { direction: 'backward' });
  const forward = compareSchemas({ schema: oldSchema }, { schema: newSchema }, { direction: 'forward' });
  return {
    backward: worstSeverity(backward),
    forward: worstSeverity(forward),
    rules: [...new Set(backward.map((change) => change.rule))].sort(),
  };
}

const string = (keywords: Record<string, JsonValue>): JsonValue => ({ type: 'string', ...keywords });

test('the same language written another way is no change, either way round', () => {
  for (const [a, b] of [
    ['^[0-9]+$', '^\\d+$'],
    ['^(a|b)$', '^[ab]$'],
    ['^(ab)*$', '^(?:ab)*$'],
    ['^a+$', '^aa*$'],
    ['a', '.*a.*'],
  ]) {
    assert.deepEqual(judge(string({ pattern: a! }), string({ pattern: b! })).rules, [], `${a} → ${b}`);
    assert.deepEqual(judge(string({ pattern: b! }), string({ pattern: a! })).rules, [], `${b} → ${a}`);
  }
});

test('a widened pattern breaks forward readers, a narrowed one backward, a replaced one both', () => {
  const fabricOld = { properties: { id: string({ pattern: '^[a-z][a-z0-9-_]{1,63}$' }) } };
  const fabricNew = {
    properties: { id: string({ pattern: '^(?:[a-z][a-z0-9-_]{1,63}|[$]\\{[a-zA-Z0-9-_]+\\})$' }) },
  };
  assert.deepEqual(judge(fabricOld, fabricNew), {
    backward: 'compatible',
    forward: 'breaking',
    rules: ['schema.pattern-widened'],
  });
  assert.deepEqual(judge(fabricNew, fabricOld), {
    backward: 'breaking',
    forward: 'compatible',
    rules: ['schema.pattern-narrowed'],
  });
  assert.deepEqual(judge(string({ pattern: '^v\\d' }), string({ pattern: '^\\d' })), {
    backward: 'breaking',
    forward: 'breaking',
    rules: ['schema.pattern-replaced'],
  });
});

test('patterns that cannot be compared stay unknown', () => {
  assert.deepEqual(judge(string({ pattern: '^(a)\\1$' }), string({ pattern: '^(a)\\1+$' })), {
    backward: 'unknown',
    forward: 'unknown',
    rules: ['schema.pattern-changed'],
  });
});

test('an enum replacing a pattern that admitted exactly its values is no change, both ways', () => {
  const pattern = string({ pattern: '^(?:debug|info|warn|error)$' });
  const listed = string({ enum: ['error', 'warn', 'info', 'debug'] });
  assert.deepEqual(judge(pattern, listed).rules, []);
  assert.deepEqual(judge(listed, pattern).rules, []);
  // one value fewer in the enum: a narrowing (and the removed pattern adds nothing the enum lets through)
  assert.deepEqual(judge(pattern, string({ enum: ['error', 'warn', 'info'] })), {
    backward: 'breaking',
    forward: 'compatible',
    rules: ['schema.enum-added'],
  });
  // a value the pattern did not admit: not the same set
  assert.equal(judge(pattern, string({ enum: ['error', 'warn', 'info', 'debug', 'trace'] })).forward, 'breaking');
  // a pattern with an infinite language is not an enum
  assert.equal(
    judge(string({ pattern: '^(?:debug|info)+$' }), string({ enum: ['debug', 'info'] })).backward,
    'breaking',
  );
  // without `type: string` the pattern side admits every non-string too
  assert.equal(judge({ pattern: '^(?:a|b)$' }, { enum: ['a', 'b'] }).backward, 'breaking');
});

test('a pattern added or removed next to an enum whose strings all match it changes nothing', () => {
  const listed = string({ enum: ['v1', 'v2'] });
  assert.deepEqual(judge(listed, string({ enum: ['v1', 'v2'], pattern: '^v\\d$' })).rules, []);
  assert.deepEqual(judge(string({ enum: ['v1', 'v2'], pattern: '^v\\d$' }), listed).rules, []);
  // a value the added pattern rejects: a narrowing
  assert.deepEqual(judge(string({ enum: ['v1', 'x'] }), string({ enum: ['v1', 'x'], pattern: '^v\\d$' })), {
    backward: 'breaking',
    forward: 'compatible',
    rules: ['schema.pattern-added'],
  });
});

test('oneOf branches of strings whose patterns no string matches at once are disjoint, so a change in one is judged as in anyOf', () => {
  const oneOf = (second: string): JsonValue => ({
    oneOf: [string({ pattern: '^v\\d+$' }), string({ pattern: second })],
  });
  assert.deepEqual(judge(oneOf('^[a-z]+$'), oneOf('^[a-z]+_?$')), {
    backward: 'compatible',
    forward: 'breaking',
    rules: ['schema.pattern-widened'],
  });
  // "v1" now matches both branches: the new oneOf rejects it, so backward is not decided; forward, the new oneOf holds
  // at most the anyOf of its branches, which admits "ab1" that the old (exact) one did not: breaking
  assert.deepEqual(judge(oneOf('^[a-z]+$'), oneOf('^[a-z]+\\d?$')), {
    backward: 'unknown',
    forward: 'breaking',
    rules: ['schema.one-of-new-overlap', 'schema.pattern-widened'],
  });
});

test('patternProperties whose keys changed are compared region by region: names under a pattern on each side', () => {
  const object = (patterns: Record<string, JsonValue>, extra: Record<string, JsonValue> = {}): JsonValue => ({
    type: 'object',
    patternProperties: patterns,
    additionalProperties: false,
    ...extra,
  });
  // a key rewritten to the same language, with the same schema: no change
  assert.deepEqual(
    judge(object({ '^[0-9]+$': { type: 'string' } }), object({ '^\\d+$': { type: 'string' } })).rules,
    [],
  );
  // apibuilder: names may no longer start with a digit or be empty (closed object): narrowed
  const apiOld = object({ '^[a-zA-Z0-9_]*$': { type: 'object' } });
  const apiNew = object({ '^[a-zA-Z][a-zA-Z0-9_]*$': { type: 'object' } });
  assert.deepEqual(judge(apiOld, apiNew), {
    backward: 'breaking',
    forward: 'compatible',
    rules: ['schema.false-added'],
  });
  assert.deepEqual(judge(apiNew, apiOld), {
    backward: 'compatible',
    forward: 'breaking',
    rules: ['schema.false-removed'],
  });
  // a pattern added to an open object constrains the names it takes: their schema is compared with `true`
  assert.equal(
    judge({ type: 'object' }, { type: 'object', patternProperties: { '^x-': { type: 'string' } } }).backward,
    'breaking',
  );
  // the schema of the names both patterns take is compared
  assert.deepEqual(
    judge(
      object({ '^x-': { type: 'string' } }),
      object({ '^x-[a-z]+$': { type: 'integer' }, '^x-[0-9]': { type: 'string' } }),
    ).rules.includes('schema.type-narrowed'),
    true,
  );
  // overlapping patterns on one side, or patterns not modelled: still unknown
  assert.equal(judge(object({ '^a': {} }), object({ '^a': {}, b$: {} })).backward, 'unknown');
  assert.equal(judge(object({ '^a': {} }), object({ '^(a)\\1': {} })).backward, 'unknown');
});

test('a declared property under a pattern only one side has keeps patternProperties unknown (it is held by both)', () => {
  const withFoo = (pattern: string, schema: JsonValue): JsonValue => ({
    type: 'object',
    properties: { foo: { type: ['string', 'integer'] } },
    patternProperties: { [pattern]: schema },
    additionalProperties: false,
  });
  // "foo" had to be a string under ^f; under ^fo+$ it still must, but "f" is no longer accepted: not decided here
  assert.equal(judge(withFoo('^f', { type: 'string' }), withFoo('^fo+$', { type: 'string' })).forward, 'unknown');
});
