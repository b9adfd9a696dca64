// Comparing what the readers return (prototype-free objects, see newJsonObject) with object literals in tests.
import assert from 'node:assert/strict';

/**
 * Asserts that every object in `value` has no prototype, and returns a copy whose objects have Object.prototype (a
 * `__proto__` key kept as data), so that deepStrictEqual can compare it with literals.
 */
export function withPrototypes(value: unknown, pointer = ''): unknown {
  if (Array.isArray(value)) return value.map((item, i) => withPrototypes(item, `${pointer}/${i}`));
  if (value === null || typeof value !== 'object') return value;
  assert.equal(Object.getPrototypeOf(value), null, `the object at "${pointer}" has no prototype`);
  const copy = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(copy, key, {
      value: withPrototypes(item, `${pointer}/${key}`),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}
