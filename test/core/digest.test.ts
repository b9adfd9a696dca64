// The one hashing module: known SHA-256 vectors, and digests that depend on content only.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  digestBytes,
  digestText,
  digestValue,
  isDigest,
  loadNobleSha256,
  sha256Backend,
  sha256HexOfString,
} from '../../src/core/digest.js';

const nobleSha256 = await loadNobleSha256();
import type { JsonValue } from '../../src/core/json.js';
import { isSpecError } from '../../src/errors.js';

const encoder = new TextEncoder();

function nodeSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Pure JSON as specstore admits it: fast-check's JSON values without -0 and without unsafe integers. */
function isAdmissible(value: JsonValue): boolean {
  if (typeof value === 'number')
    return !Object.is(value, -0) && (!Number.isInteger(value) || Number.isSafeInteger(value));
  if (Array.isArray(value)) return value.every(isAdmissible);
  if (value !== null && typeof value === 'object') return Object.values(value).every(isAdmissible);
  return true;
}

const jsonValues = fc
  .jsonValue({ maxDepth: 5, stringUnit: 'grapheme' })
  .map((value) => value as JsonValue)
  .filter(isAdmissible);

/** A small deterministic PRNG, so a shuffle is reproducible from fast-check's seed. */
function shuffler(seed: number): <T>(items: T[]) => T[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return (items) => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  };
}

/** The same value rebuilt with every object's members inserted in another order. */
function reorderKeys(value: JsonValue, shuffle: <T>(items: T[]) => T[]): JsonValue {
  if (Array.isArray(value)) return value.map((item) => reorderKeys(item, shuffle));
  if (value !== null && typeof value === 'object') {
    // Object.fromEntries defines own properties, so a "__proto__" key stays a key.
    return Object.fromEntries(shuffle(Object.entries(value)).map(([key, item]) => [key, reorderKeys(item, shuffle)]));
  }
  return value;
}

/** Every position whose value is a primitive or an empty container, as a path of keys and indices. */
function leafPaths(value: JsonValue, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value))
    return value.length === 0 ? [path] : value.flatMap((item, index) => leafPaths(item, [...path, index]));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [path] : entries.flatMap(([key, item]) => leafPaths(item, [...path, key]));
  }
  return [path];
}

/** A different JSON value of similar shape. */
function otherValue(leaf: JsonValue): JsonValue {
  if (leaf === null) return false;
  if (typeof leaf === 'boolean') return !leaf;
  if (typeof leaf === 'number') return Number.isInteger(leaf) ? (leaf >= 0 ? leaf - 1 : leaf + 1) : leaf / 2;
  if (typeof leaf === 'string') return `${leaf}x`;
  if (Array.isArray(leaf)) return [null];
  return { x: null };
}

function replaceAt(value: JsonValue, path: (string | number)[], replacement: JsonValue): JsonValue {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value))
    return value.map((item, index) => (index === head ? replaceAt(item, rest, replacement) : item));
  const object = value as Record<string, JsonValue>;
  return Object.fromEntries(
    Object.entries(object).map(([key, item]) => [key, key === head ? replaceAt(item, rest, replacement) : item]),
  );
}

describe('known vectors', () => {
  test('digestValue({}) is sha256 of the two bytes "{}"', () => {
    const { digest, text } = digestValue({});
    assert.equal(text, '{}');
    assert.equal(digest, `sha256:${nodeSha256('{}')}`);
    assert.equal(digest, 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  test('digestBytes("abc") is the FIPS 180-2 SHA-256 vector', () => {
    assert.equal(
      digestBytes(encoder.encode('abc')),
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    assert.equal(
      digestBytes(new Uint8Array(0)),
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  test('digestValue hashes the UTF-8 bytes of the canonical text', () => {
    const value = { b: ['\u00e9\u{1F602}', 1.5, null], a: true };
    const { digest, text } = digestValue(value);
    assert.equal(text, '{"a":true,"b":["\u00e9\u{1F602}",1.5,null]}');
    assert.equal(digest, `sha256:${nodeSha256(text)}`);
    assert.equal(digestText(text), digest);
    assert.equal(sha256HexOfString(text), nodeSha256(text));
    assert.ok(isDigest(digest));
  });

  test('digestValue refuses what is not JSON before hashing', () => {
    assert.throws(
      () => digestValue({ a: NaN }),
      (error: unknown) => isSpecError(error) && error.code === 'NOT_JSON',
    );
    assert.throws(
      () => digestValue(new Map()),
      (error: unknown) => isSpecError(error) && error.code === 'NOT_JSON',
    );
  });

  test('isDigest accepts only sha256: and 64 lower-case hex digits', () => {
    assert.equal(isDigest(`sha256:${'a'.repeat(64)}`), true);
    for (const bad of [
      `sha256:${'A'.repeat(64)}`,
      `sha256:${'a'.repeat(63)}`,
      `sha256:${'a'.repeat(65)}`,
      `sha512:${'a'.repeat(64)}`,
      'a'.repeat(64),
      1,
    ]) {
      assert.equal(isDigest(bad), false, String(bad));
    }
  });
});

describe('the two SHA-256 backends', () => {
  test('under node the fast backend is node:crypto', () => {
    assert.equal(sha256Backend.name, 'node:crypto');
  });

  test('node:crypto and @noble/hashes agree on any string (lone surrogates included) and any bytes', () => {
    const strings = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.constantFrom('', '\ud800', 'a\udfffb', '\ud83d\ude00'),
    );
    fc.assert(
      fc.property(strings, (text) => {
        assert.equal(sha256Backend.hexOfString(text), nobleSha256.hexOfString(text));
        assert.equal(sha256Backend.hexOfBytes(encoder.encode(text)), nobleSha256.hexOfBytes(encoder.encode(text)));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) =>
        assert.equal(sha256Backend.hexOfBytes(bytes), nobleSha256.hexOfBytes(bytes)),
      ),
    );
  });

  test('the FIPS 180-2 vectors hold for both', () => {
    for (const backend of [sha256Backend, nobleSha256]) {
      assert.equal(backend.hexOfString('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      assert.equal(backend.hexOfString(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      assert.equal(
        backend.hexOfString('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
        '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
      );
    }
  });
});

describe('properties over generated JSON values', () => {
  test('digestValue is deterministic and agrees with node:crypto', () => {
    fc.assert(
      fc.property(jsonValues, (value) => {
        const first = digestValue(value);
        const second = digestValue(structuredClone(value));
        assert.equal(second.digest, first.digest);
        assert.equal(second.text, first.text);
        assert.equal(first.digest, `sha256:${nodeSha256(first.text)}`);
      }),
      { numRuns: 300 },
    );
  });

  test('digestValue does not depend on the insertion order of object members', () => {
    fc.assert(
      fc.property(jsonValues, fc.integer(), (value, seed) => {
        const reordered = reorderKeys(value, shuffler(seed));
        const reversed = reorderKeys(value, (items) => [...items].reverse());
        assert.equal(digestValue(reordered).digest, digestValue(value).digest);
        assert.equal(digestValue(reversed).digest, digestValue(value).digest);
      }),
      { numRuns: 300 },
    );
  });

  test('changing any one leaf value changes the digest', () => {
    fc.assert(
      fc.property(jsonValues, fc.nat(), (value, pick) => {
        const paths = leafPaths(value);
        const path = paths[pick % paths.length];
        assert.ok(path, 'every value has a leaf');
        const leaf = path.reduce<JsonValue>((node, step) => (node as Record<string | number, JsonValue>)[step]!, value);
        const changed = replaceAt(value, path, otherValue(leaf));
        assert.notEqual(
          digestValue(changed).digest,
          digestValue(value).digest,
          `changing ${JSON.stringify(path)} of ${JSON.stringify(value)}`,
        );
      }),
      { numRuns: 500 },
    );
  });
});
