// Canonical JSON: the RFC 8785 published vectors, and the admit walk that refuses anything that is not pure JSON.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { canonicalBytes, canonicalJson, canonicalJsonTrusted } from '../../src/core/canonicalJson.js';
import { assertJsonValue, maxJsonDepth, type JsonValue } from '../../src/core/json.js';
import { isSpecError } from '../../src/errors.js';

const vectorsDirectory = new URL('../fixtures/jcs/', import.meta.url);
const vectorNames = ['arrays', 'french', 'simpleString', 'structures', 'unicode', 'values', 'weird'];

function readVector(name: string): { input: string; output: Buffer } {
  return {
    input: readFileSync(new URL(`input/${name}.json`, vectorsDirectory), 'utf8'),
    output: readFileSync(new URL(`output/${name}.json`, vectorsDirectory)),
  };
}

/** Asserts that `action` throws a SpecError NOT_JSON, and returns its `data.pointer`. */
function notJsonPointer(action: () => unknown): string {
  let pointer: unknown;
  assert.throws(action, (error: unknown) => {
    assert.ok(isSpecError(error), `expected a SpecError, got ${String(error)}`);
    assert.equal(error.code, 'NOT_JSON');
    pointer = error.data['pointer'];
    return true;
  });
  assert.equal(typeof pointer, 'string');
  return pointer as string;
}

function nestedArrays(levels: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

function nestedObjects(levels: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('RFC 8785 published test vectors (cyberphone/json-canonicalization testdata)', () => {
  test('the fixture folders hold exactly the published vectors', () => {
    const names = (folder: string) =>
      readdirSync(new URL(folder, vectorsDirectory))
        .filter((file) => file.endsWith('.json'))
        .map((file) => file.slice(0, -5))
        .sort();
    assert.deepEqual(names('input/'), [...vectorNames].sort());
    assert.deepEqual(names('output/'), [...vectorNames].sort());
  });

  for (const name of vectorNames) {
    test(`${name}: the serializer gives the published bytes`, () => {
      const { input, output } = readVector(name);
      assert.equal(output.at(-1) === 0x0a, false, 'published outputs have no trailing newline');
      assert.deepEqual(
        Buffer.from(new TextEncoder().encode(canonicalJsonTrusted(JSON.parse(input) as JsonValue))),
        output,
      );
    });
  }

  for (const name of vectorNames.filter((vector) => vector !== 'values')) {
    test(`${name}: canonicalJson (admit walk + serializer) gives the published bytes`, () => {
      const { input, output } = readVector(name);
      assert.equal(canonicalJson(JSON.parse(input)), output.toString('utf8'));
      assert.deepEqual(Buffer.from(canonicalBytes(JSON.parse(input))), output);
    });
  }

  test('values: 1E30 is an integer beyond ±(2^53−1), which specstore refuses (docs/format.md §1); the rest matches', () => {
    const { input, output } = readVector('values');
    const parsed = JSON.parse(input) as { numbers: number[] };
    assert.equal(
      notJsonPointer(() => canonicalJson(parsed)),
      '/numbers/0',
    );
    assert.equal(parsed.numbers[0], 1e30);
    parsed.numbers.shift();
    const expected = output.toString('utf8');
    assert.ok(expected.includes('[1e+30,'));
    assert.equal(canonicalJson(parsed), expected.replace('[1e+30,', '['));
  });
});

describe('canonical form details', () => {
  test('keys are sorted by UTF-16 code units, not code points or UTF-8 bytes', () => {
    // U+1F602 is the surrogate pair D83D DE02, which sorts before U+FB33 by code unit but after it by code point.
    assert.equal(canonicalJson({ '\uFB33': 2, '\u{1F602}': 1 }), '{"\u{1F602}":1,"\uFB33":2}');
    assert.equal(canonicalJson({ '\u{1F602}': 1, '\uFB33': 2 }), '{"\u{1F602}":1,"\uFB33":2}');
    assert.equal(
      canonicalJson({ b: 1, a: 2, B: 3, '\u00e9': 4, '': 5, '10': 6, '1': 7 }),
      '{"":5,"1":7,"10":6,"B":3,"a":2,"b":1,"\u00e9":4}',
    );
  });

  test('strings are escaped minimally', () => {
    const text = '"\\/\b\t\n\f\r\u0000\u001f\u007f\u0080\u2028\u00e9\u{1F602}';
    assert.equal(canonicalJson(text), '"\\"\\\\/\\b\\t\\n\\f\\r\\u0000\\u001f\u007f\u0080\u2028\u00e9\u{1F602}"');
  });

  test('numbers use ECMAScript formatting; -0 is 0', () => {
    assert.equal(
      canonicalJson([
        -0,
        0,
        1,
        -1,
        0.5,
        1e-7,
        -1.5e-10,
        123456789.125,
        0.1 + 0.2,
        2 ** 53 - 1,
        -(2 ** 53 - 1),
        5e-324,
        4503599627370495.5,
      ]),
      '[0,0,1,-1,0.5,1e-7,-1.5e-10,123456789.125,0.30000000000000004,9007199254740991,-9007199254740991,5e-324,4503599627370495.5]',
    );
  });

  test('objects with a null prototype are plain JSON objects', () => {
    const object = Object.create(null) as Record<string, unknown>;
    object['b'] = 1;
    object['a'] = [true, null];
    assert.equal(canonicalJson(object), '{"a":[true,null],"b":1}');
  });

  test('well-formed surrogate pairs are admitted in values and keys', () => {
    assert.equal(canonicalJson({ '\uD83D\uDE02': '\uD83D\uDE02' }), '{"\u{1F602}":"\u{1F602}"}');
  });

  test(`nesting of exactly ${maxJsonDepth} levels is admitted`, () => {
    assert.equal(canonicalJson(nestedArrays(maxJsonDepth)), `${'['.repeat(maxJsonDepth)}0${']'.repeat(maxJsonDepth)}`);
    assert.doesNotThrow(() => assertJsonValue(nestedObjects(maxJsonDepth)));
  });
});

describe('the admit walk refuses everything that is not pure JSON with NOT_JSON', () => {
  class Point {
    x = 1;
    y = 2;
  }
  const sparse: unknown[] = [1, 2, 3];
  delete (sparse as Record<number, unknown>)[1];
  const leadingHole: unknown[] = new Array(2);
  leadingHole[1] = 1;

  const cases: [string, unknown, string][] = [
    ['NaN', NaN, ''],
    ['Infinity', Infinity, ''],
    ['-Infinity', -Infinity, ''],
    ['NaN inside an object', { a: [1, NaN] }, '/a/1'],
    ['Infinity inside an array', [Infinity], '/0'],
    ['the unsafe integer 2^53', 2 ** 53, ''],
    ['the unsafe integer -(2^53)', { n: -(2 ** 53) }, '/n'],
    ['an integral double beyond 2^53', [1e30], '/0'],
    ['1e21, although ECMAScript writes it in exponent form', { n: 1e21 }, '/n'],
    ['an undefined member', { a: 1, b: undefined }, '/b'],
    ['undefined itself', undefined, ''],
    ['undefined in an array', [undefined], '/0'],
    ['a Map', new Map([['a', 1]]), ''],
    ['a Set', { s: new Set([1]) }, '/s'],
    ['a Uint8Array', new Uint8Array([1, 2]), ''],
    ['a Date', { when: new Date(0) }, '/when'],
    ['a class instance', [new Point()], '/0'],
    ['a boxed string', new String('x'), ''],
    ['a lone high surrogate in a value', 'a\uD800', ''],
    ['a lone low surrogate in a value', { v: '\uDC00b' }, '/v'],
    ['reversed surrogates in a value', '\uDE02\uD83D', ''],
    ['a lone surrogate in a key', { '\uD83D': 1 }, '/\uD83D'],
    ['a sparse array', sparse, '/1'],
    ['an array whose first slot was never set', leadingHole, '/0'],
    ['a bigint', 1n, ''],
    ['a function', { f: () => 1 }, '/f'],
    ['a symbol value', Symbol('s'), ''],
    ['a symbol key', { [Symbol('s')]: 1 }, ''],
    [
      `arrays nested ${maxJsonDepth + 1} levels`,
      nestedArrays(maxJsonDepth + 1),
      `/${'0/'.repeat(maxJsonDepth + 1).slice(0, -1)}`,
    ],
    [
      `objects nested ${maxJsonDepth + 1} levels`,
      nestedObjects(maxJsonDepth + 1),
      `/${'a/'.repeat(maxJsonDepth + 1).slice(0, -1)}`,
    ],
  ];

  for (const [name, value, pointer] of cases) {
    test(name, () => {
      assert.equal(
        notJsonPointer(() => canonicalJson(value)),
        pointer,
      );
      assert.equal(
        notJsonPointer(() => assertJsonValue(value)),
        pointer,
      );
    });
  }

  test('nesting 100,000 levels deep is refused without exhausting the stack', () => {
    notJsonPointer(() => canonicalJson(nestedArrays(100_000)));
    notJsonPointer(() => canonicalJson(nestedObjects(100_000)));
  });

  test('a smaller depth bound can be passed to assertJsonValue', () => {
    assert.doesNotThrow(() => assertJsonValue(nestedArrays(3), 3));
    assert.equal(
      notJsonPointer(() => assertJsonValue(nestedArrays(4), 3)),
      '/0/0/0/0',
    );
  });
});
