import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../../src/core/canonicalJson.js';
import { digestValue } from '../../src/core/digest.js';
import { newJsonObject, parseJsonText } from '../../src/core/json.js';
import { withPrototypes } from '../support/json.js';

const text = '{"__proto__": {"polluted": true}, "constructor": 1, "toString": [{"valueOf": 2}], "nested": {"a": [{}]}}';

test('parseJsonText: every object has no prototype; keys named __proto__, constructor, toString are data', () => {
  const value = parseJsonText(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(value), ['__proto__', 'constructor', 'toString', 'nested']);
  assert.deepEqual(
    withPrototypes(value['__proto__']),
    { polluted: true },
    'withPrototypes checks every object has none',
  );
  assert.equal((value as { polluted?: unknown }).polluted, undefined);
  assert.equal(({} as { polluted?: unknown }).polluted, undefined, 'nothing was polluted');
  assert.equal(parseJsonText('{}') instanceof Object, false);
  assert.equal((parseJsonText('{}') as Record<string, unknown>)['constructor'], undefined, 'nothing is inherited');
  assert.throws(() => parseJsonText('{'), SyntaxError);
  const deep = '['.repeat(50_000) + ']'.repeat(50_000);
  assert.ok(Array.isArray(parseJsonText(deep)), 'iterative: deep nesting costs no stack');
});

test('prototype-free objects canonicalise and hash exactly as the JSON they came from', () => {
  const value = parseJsonText(text);
  assert.equal(canonicalJson(value), canonicalJson(JSON.parse(text)));
  assert.equal(digestValue(value).digest, digestValue(JSON.parse(text)).digest);
  const built = newJsonObject();
  built['__proto__'] = 1;
  assert.equal(canonicalJson(built), '{"__proto__":1}');
});
