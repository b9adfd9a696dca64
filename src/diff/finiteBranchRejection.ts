// Whether a schema surely rejects a given value, judged by its simple keywords alone: what proves two oneOf branches
// disjoint when one of them admits only a few values (an enum next to a pattern, as in a "name or {json}" field), or
// when both are strings whose patterns no string matches at once.
import type { JsonValue } from '../core/json.js';
import { jsonEqual } from '../core/jsonEqual.js';
import { kindOfJson, typeAdmits } from './instanceTypes.js';
import type { PropertyPatternMatcher } from './propertyPatternMatcher.js';
import { commonMatch } from './regexLanguage.js';
import type { SchemaView } from './schemaView.js';
import { allowedValues, typeNamesOf } from './schemaView.js';
import type { ValueSet } from './valueSets.js';

/** Values enumerated from one finite set at most: a larger enum is not worth checking one by one. */
const maxFiniteValues = 256;

/** The values of a finite set (null, booleans, single numbers, listed strings/objects/arrays); undefined if infinite. */
export function finiteValues(set: ValueSet): JsonValue[] | undefined {
  if ([...set.kinds].some((kind) => kind !== 'null')) return undefined;
  if (set.numbers.some((interval) => interval.low !== interval.high)) return undefined;
  const values: JsonValue[] = [
    ...(set.kinds.has('null') ? [null] : []),
    ...set.booleans,
    ...set.numbers.map((interval) => interval.low),
    ...set.values.values(),
  ];
  return values.length <= maxFiniteValues ? values : undefined;
}

/**
 * True only when `view` certainly rejects `value`: by `type`, `enum`/`const`, string length or `pattern`. False means
 * "not shown" (keywords not looked at here may still reject it), which never makes branches disjoint.
 */
export function surelyRejects(view: SchemaView, value: JsonValue, patterns: PropertyPatternMatcher): boolean {
  const names = typeNamesOf(view);
  if (names !== 'invalid' && !typeAdmits(names, kindOfJson(value))) return true;
  const allowed = allowedValues(view);
  if (Array.isArray(allowed) && !allowed.some((candidate) => jsonEqual(candidate, value))) return true;
  if (typeof value !== 'string') return false;
  const length = [...value].length;
  const minLength = view.keywords.get('minLength')?.value;
  const maxLength = view.keywords.get('maxLength')?.value;
  if (typeof minLength === 'number' && length < minLength) return true;
  if (typeof maxLength === 'number' && length > maxLength) return true;
  const pattern = view.keywords.get('pattern')?.value;
  return typeof pattern === 'string' && patterns.matches(pattern, value) === false;
}

/** Whether the branch `other` rejects every one of `values` (so no instance matches both branches). */
export function rejectsAll(other: SchemaView, values: readonly JsonValue[], patterns: PropertyPatternMatcher): boolean {
  return values.every((value) => surelyRejects(other, value, patterns));
}

/** Whether both views have a pattern and no string matches both (decided on their automata, within their budget). */
export function patternsDisjoint(a: SchemaView, b: SchemaView): boolean {
  const patternA = a.keywords.get('pattern')?.value;
  const patternB = b.keywords.get('pattern')?.value;
  return typeof patternA === 'string' && typeof patternB === 'string' && commonMatch(patternA, patternB) === null;
}
