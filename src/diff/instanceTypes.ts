// JSON instance types as JSON Schema sees them, and the set of types a schema can admit.
import type { JsonValue } from '../core/json.js';

/** Concrete instance kinds: 'number' here means a number that is not an integer. */
export type InstanceKind = 'null' | 'boolean' | 'object' | 'array' | 'string' | 'integer' | 'number';

export const allInstanceKinds: readonly InstanceKind[] = [
  'null',
  'boolean',
  'object',
  'array',
  'string',
  'integer',
  'number',
];

const typeNames = new Set(['null', 'boolean', 'object', 'array', 'string', 'integer', 'number']);

export function kindOfJson(value: JsonValue): InstanceKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    default:
      return 'object';
  }
}

/** The names listed by a `type` keyword: undefined when absent (any type), 'invalid' when malformed. */
export function typeKeywordNames(value: JsonValue | undefined): ReadonlySet<string> | undefined | 'invalid' {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && typeNames.has(x))) return 'invalid';
  return new Set(list as string[]);
}

/** Whether a `type` keyword (names, or undefined for absent) admits instances of `kind`. */
export function typeAdmits(names: ReadonlySet<string> | undefined, kind: InstanceKind): boolean {
  if (names === undefined) return true;
  if (kind === 'integer') return names.has('integer') || names.has('number');
  return names.has(kind);
}

/** The kinds a schema can admit judging by `type` and by the values `enum`/`const` allow. */
export function admittedKinds(
  typeNamesOrAbsent: ReadonlySet<string> | undefined,
  values: readonly JsonValue[] | undefined,
): Set<InstanceKind> {
  const kinds = new Set(allInstanceKinds.filter((kind) => typeAdmits(typeNamesOrAbsent, kind)));
  if (values === undefined) return kinds;
  const valueKinds = new Set(values.map(kindOfJson));
  return new Set([...kinds].filter((kind) => valueKinds.has(kind)));
}
