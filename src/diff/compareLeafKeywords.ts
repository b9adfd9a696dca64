// Rules for the keywords that hold no subschema: type, enum/const, numeric bounds, lengths, counts, pattern, format, required.
import { canonicalJsonTrusted } from '../core/canonicalJson.js';
import type { JsonValue } from '../core/json.js';
import { kindOfJson, typeAdmits, type InstanceKind } from './instanceTypes.js';
import { jsonEqual } from '../core/jsonEqual.js';
import type { SchemaRuleId } from './schemaRules.js';
import { comparePatternLanguages, finiteLanguage } from './regexLanguage.js';
import { compileLinearRegExp } from '../validate/linearRegExp.js';
import {
  allowedValues,
  keywordLocation,
  kindsOf,
  typeNamesOf,
  type ChangeLocation,
  type SchemaView,
} from './schemaView.js';

export type EmitChange = (
  rule: SchemaRuleId,
  location: ChangeLocation,
  message: string,
  values?: { old?: JsonValue | undefined; new?: JsonValue | undefined },
) => void;

/** Compares every keyword without subschemas; groups for a type neither side admits are skipped (they cannot matter). */
export function compareLeafKeywords(o: SchemaView, n: SchemaView, emit: EmitChange): void {
  const kinds = new Set<InstanceKind>([...kindsOf(o), ...kindsOf(n)]);
  compareTypes(o, n, emit);
  // An enum of exactly the strings a pattern admitted (or the reverse) is the same set of strings.
  const rewritten = kinds.has('string') && samePatternAndEnum(o, n);
  if (!rewritten) compareValues(o, n, emit);
  if (kinds.has('integer') || kinds.has('number')) {
    compareBound(o, n, 'lower', emit);
    compareBound(o, n, 'upper', emit);
    compareMultipleOf(o, n, emit);
  }
  if (kinds.has('string')) {
    compareCount(o, n, 'minLength', emit);
    compareCount(o, n, 'maxLength', emit);
    if (!rewritten) comparePattern(o, n, emit);
  }
  compareText(o, n, 'format', emit);
  if (kinds.has('array')) {
    compareCount(o, n, 'minItems', emit);
    compareCount(o, n, 'maxItems', emit);
    compareUniqueItems(o, n, emit);
  }
  if (kinds.has('object')) {
    compareCount(o, n, 'minProperties', emit);
    compareCount(o, n, 'maxProperties', emit);
    compareRequired(o, n, emit);
  }
}

function raw(view: SchemaView, keyword: string): JsonValue | undefined {
  return view.keywords.get(keyword)?.value;
}

interface ScalarTypes {
  number: number;
  string: string;
  boolean: boolean;
}

/**
 * A keyword's value on each side, each absent or of `type`; when either is something else the keyword is reported
 * malformed (if it differs) and undefined is returned.
 */
function scalarPair<T extends keyof ScalarTypes>(
  o: SchemaView,
  n: SchemaView,
  keyword: string,
  type: T,
  emit: EmitChange,
): { a: ScalarTypes[T] | undefined; b: ScalarTypes[T] | undefined } | undefined {
  const a = raw(o, keyword);
  const b = raw(n, keyword);
  if ((a !== undefined && typeof a !== type) || (b !== undefined && typeof b !== type)) {
    malformed(o, n, [keyword], emit);
    return undefined;
  }
  return { a: a as ScalarTypes[T] | undefined, b: b as ScalarTypes[T] | undefined };
}

function malformed(o: SchemaView, n: SchemaView, keywords: string[], emit: EmitChange): void {
  const differs = keywords.some((k) => {
    const a = raw(o, k);
    const b = raw(n, k);
    return a === undefined || b === undefined ? a !== b : !jsonEqual(a, b);
  });
  if (differs) emit('schema.not-a-schema', keywordLocation(o, n, ...keywords), `malformed ${keywords.join('/')}`);
}

function compareTypes(o: SchemaView, n: SchemaView, emit: EmitChange): void {
  const namesO = typeNamesOf(o);
  const namesN = typeNamesOf(n);
  if (namesO === 'invalid' || namesN === 'invalid') return malformed(o, n, ['type'], emit);
  const location = keywordLocation(o, n, 'type');
  const values = { old: raw(o, 'type'), new: raw(n, 'type') };
  const removed = [...kindsOf(o)].filter((kind) => !typeAdmits(namesN, kind));
  const added = [...kindsOf(n)].filter((kind) => !typeAdmits(namesO, kind));
  if (removed.length > 0) emit('schema.type-narrowed', location, `no longer accepts ${describeKinds(removed)}`, values);
  if (added.length > 0) emit('schema.type-widened', location, `now also accepts ${describeKinds(added)}`, values);
}

function describeKinds(kinds: InstanceKind[]): string {
  return kinds.map((k) => (k === 'number' ? 'non-integer number' : k)).join(', ');
}

function valueKeyword(view: SchemaView): 'enum' | 'const' {
  return view.keywords.has('const') && !view.keywords.has('enum') ? 'const' : 'enum';
}

function compareValues(o: SchemaView, n: SchemaView, emit: EmitChange): void {
  const valuesO = allowedValues(o);
  const valuesN = allowedValues(n);
  if (valuesO === 'invalid' || valuesN === 'invalid') return malformed(o, n, ['enum'], emit);
  if (valuesO === undefined && valuesN === undefined) return;
  const location = keywordLocation(o, n, 'enum', 'const');
  const keywordO = valueKeyword(o);
  const keywordN = valueKeyword(n);
  if (valuesO === undefined) {
    return emit(keywordN === 'const' ? 'schema.const-added' : 'schema.enum-added', location, `${keywordN} added`, {
      new: raw(n, keywordN),
    });
  }
  if (valuesN === undefined) {
    return emit(
      keywordO === 'const' ? 'schema.const-removed' : 'schema.enum-removed',
      location,
      `${keywordO} removed`,
      { old: raw(o, keywordO) },
    );
  }
  // Only values the other keywords of the same schema let through can make a difference.
  const namesO = typeNamesOf(o);
  const namesN = typeNamesOf(n);
  const keysO = new Set(valuesO.map(canonicalJsonTrusted));
  const keysN = new Set(valuesN.map(canonicalJsonTrusted));
  const removed = valuesO.filter((v) => admitted(namesO, v) && !keysN.has(canonicalJsonTrusted(v)));
  const added = valuesN.filter((v) => admitted(namesN, v) && !keysO.has(canonicalJsonTrusted(v)));
  if (keywordO === 'const' && keywordN === 'const' && removed.length > 0 && added.length > 0) {
    return emit('schema.const-changed', location, 'const changed', { old: raw(o, 'const'), new: raw(n, 'const') });
  }
  if (removed.length > 0)
    emit('schema.enum-value-removed', location, `${removed.length} value(s) no longer allowed`, { old: removed });
  if (added.length > 0)
    emit('schema.enum-value-added', location, `${added.length} value(s) newly allowed`, { new: added });
}

function admitted(names: ReadonlySet<string> | undefined | 'invalid', value: JsonValue): boolean {
  return names === 'invalid' || typeAdmits(names, kindOfJson(value));
}

interface Bound {
  value: number;
  exclusive: boolean;
}

const boundKeywords = {
  lower: {
    inclusive: 'minimum',
    exclusive: 'exclusiveMinimum',
    tightened: 'schema.minimum-tightened',
    loosened: 'schema.minimum-loosened',
    sign: 1,
  },
  upper: {
    inclusive: 'maximum',
    exclusive: 'exclusiveMaximum',
    tightened: 'schema.maximum-tightened',
    loosened: 'schema.maximum-loosened',
    sign: -1,
  },
} as const;

/** The effective bound of one side: minimum and exclusiveMinimum combined, in the draft-04 boolean form or the numeric one. */
function boundOf(view: SchemaView, side: 'lower' | 'upper'): Bound | undefined | 'invalid' {
  const { inclusive, exclusive, sign } = boundKeywords[side];
  const limit = raw(view, inclusive);
  const strict = raw(view, exclusive);
  if (
    (limit !== undefined && typeof limit !== 'number') ||
    (strict !== undefined && typeof strict !== 'number' && typeof strict !== 'boolean')
  ) {
    return 'invalid';
  }
  const candidates: Bound[] = [];
  if (typeof limit === 'number') candidates.push({ value: limit, exclusive: strict === true });
  if (typeof strict === 'number') candidates.push({ value: strict, exclusive: true });
  let best: Bound | undefined;
  for (const candidate of candidates) if (best === undefined || stricter(candidate, best, sign)) best = candidate;
  return best;
}

/** Whether bound `a` admits strictly fewer numbers than `b` (sign 1 for lower bounds, -1 for upper). */
function stricter(a: Bound | undefined, b: Bound | undefined, sign: 1 | -1): boolean {
  if (a === undefined) return false;
  if (b === undefined) return true;
  if (a.value !== b.value) return (a.value - b.value) * sign > 0;
  return a.exclusive && !b.exclusive;
}

function compareBound(o: SchemaView, n: SchemaView, side: 'lower' | 'upper', emit: EmitChange): void {
  const { inclusive, exclusive, tightened, loosened, sign } = boundKeywords[side];
  const boundO = boundOf(o, side);
  const boundN = boundOf(n, side);
  if (boundO === 'invalid' || boundN === 'invalid') return malformed(o, n, [inclusive, exclusive], emit);
  const location = keywordLocation(o, n, inclusive, exclusive);
  const values = { old: boundValue(o, inclusive, exclusive), new: boundValue(n, inclusive, exclusive) };
  if (stricter(boundN, boundO, sign)) emit(tightened, location, `${inclusive} bound tightened`, values);
  else if (stricter(boundO, boundN, sign)) emit(loosened, location, `${inclusive} bound loosened`, values);
}

function boundValue(view: SchemaView, ...keywords: string[]): JsonValue | undefined {
  const present = keywords.filter((k) => view.keywords.has(k));
  return present.length === 0 ? undefined : Object.fromEntries(present.map((k) => [k, raw(view, k)!]));
}

/** A positive JSON number as an exact decimal: digits × 10^-scale. */
function decimal(value: number): { digits: bigint; scale: number } | undefined {
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(value));
  if (match === null || value <= 0) return undefined;
  const fraction = match[2] ?? '';
  return { digits: BigInt(match[1] + fraction), scale: fraction.length - Number(match[3] ?? 0) };
}

/** Whether every multiple of `a` is a multiple of `b`, in exact decimal arithmetic (JSON numbers are decimals). */
function isMultipleOf(a: number, b: number): boolean | undefined {
  const x = decimal(a);
  const y = decimal(b);
  if (x === undefined || y === undefined) return undefined;
  const scale = Math.max(x.scale, y.scale);
  const scaledX = x.digits * 10n ** BigInt(scale - x.scale);
  const scaledY = y.digits * 10n ** BigInt(scale - y.scale);
  return scaledX % scaledY === 0n;
}

function compareMultipleOf(o: SchemaView, n: SchemaView, emit: EmitChange): void {
  const pair = scalarPair(o, n, 'multipleOf', 'number', emit);
  if (!pair) return;
  const { a, b } = pair;
  if (a === b) return;
  const location = keywordLocation(o, n, 'multipleOf');
  const values = { old: a, new: b };
  if (a === undefined) return emit('schema.multiple-of-tightened', location, 'multipleOf added', values);
  if (b === undefined) return emit('schema.multiple-of-loosened', location, 'multipleOf removed', values);
  const widened = isMultipleOf(a, b);
  const narrowed = isMultipleOf(b, a);
  if (widened === undefined || narrowed === undefined) return malformed(o, n, ['multipleOf'], emit);
  if (widened) emit('schema.multiple-of-loosened', location, 'every old multiple is still a multiple', values);
  else if (narrowed) emit('schema.multiple-of-tightened', location, 'new multiples are a subset of the old', values);
  else emit('schema.multiple-of-changed', location, 'multipleOf changed to an unrelated value', values);
}

const countRules = {
  minLength: ['min', 'schema.min-length-tightened', 'schema.min-length-loosened'],
  maxLength: ['max', 'schema.max-length-tightened', 'schema.max-length-loosened'],
  minItems: ['min', 'schema.min-items-tightened', 'schema.min-items-loosened'],
  maxItems: ['max', 'schema.max-items-tightened', 'schema.max-items-loosened'],
  minProperties: ['min', 'schema.min-properties-tightened', 'schema.min-properties-loosened'],
  maxProperties: ['max', 'schema.max-properties-tightened', 'schema.max-properties-loosened'],
} as const satisfies Record<string, readonly ['min' | 'max', SchemaRuleId, SchemaRuleId]>;

function compareCount(o: SchemaView, n: SchemaView, keyword: keyof typeof countRules, emit: EmitChange): void {
  const [kind, tightened, loosened] = countRules[keyword];
  const pair = scalarPair(o, n, keyword, 'number', emit);
  if (!pair) return;
  const { a, b } = pair;
  const absent = kind === 'min' ? 0 : Infinity;
  const before = a ?? absent;
  const after = b ?? absent;
  if (before === after) return;
  const narrower = kind === 'min' ? after > before : after < before;
  emit(
    narrower ? tightened : loosened,
    keywordLocation(o, n, keyword),
    `${keyword} ${a ?? 'absent'} → ${b ?? 'absent'}`,
    { old: a, new: b },
  );
}

function compareText(o: SchemaView, n: SchemaView, keyword: 'format', emit: EmitChange): void {
  const pair = scalarPair(o, n, keyword, 'string', emit);
  if (!pair) return;
  const { a, b } = pair;
  if (a === b) return;
  const location = keywordLocation(o, n, keyword);
  const values = { old: a, new: b };
  if (a === undefined) emit('schema.format-added', location, `${keyword} added`, values);
  else if (b === undefined) emit('schema.format-removed', location, `${keyword} removed`, values);
  else emit('schema.format-changed', location, `${keyword} changed`, values);
}

/** Strings a pattern's finite language is listed up to, to compare it with an enum. */
const maxListedPatternStrings = 256;

/**
 * Patterns compared as regular languages (regexLanguage.ts): equal languages are no change, inclusion either way is
 * a narrowing or a widening, with a string that shows it. A pattern added or removed where the enum of the side
 * without it admits only strings that match it changes nothing.
 */
function comparePattern(o: SchemaView, n: SchemaView, emit: EmitChange): void {
  const pair = scalarPair(o, n, 'pattern', 'string', emit);
  if (!pair) return;
  const { a, b } = pair;
  if (a === b) return;
  const location = keywordLocation(o, n, 'pattern');
  const values = { old: a, new: b };
  if (a === undefined) {
    if (!listedStringsMatch(o, b!)) emit('schema.pattern-added', location, 'pattern added', values);
    return;
  }
  if (b === undefined) {
    if (!listedStringsMatch(n, a)) emit('schema.pattern-removed', location, 'pattern removed', values);
    return;
  }
  const languages = comparePatternLanguages(a, b);
  if (languages === undefined)
    return emit('schema.pattern-changed', location, 'pattern changed (the two could not be compared)', values);
  const { aNotB: lost, bNotA: gained } = languages;
  if (lost !== undefined && gained !== undefined)
    emit(
      'schema.pattern-replaced',
      location,
      `pattern replaced: ${JSON.stringify(lost)} no longer matches, ${JSON.stringify(gained)} now does`,
      values,
    );
  else if (lost !== undefined)
    emit('schema.pattern-narrowed', location, `pattern narrowed: ${JSON.stringify(lost)} no longer matches`, values);
  else if (gained !== undefined)
    emit('schema.pattern-widened', location, `pattern widened: ${JSON.stringify(gained)} now matches`, values);
}

/** The strings `enum`/`const` of a view allow (and its type admits); undefined when it has no enum or const. */
function listedStrings(view: SchemaView): string[] | undefined {
  const values = allowedValues(view);
  if (!Array.isArray(values)) return undefined;
  const names = typeNamesOf(view);
  return values.filter((v): v is string => typeof v === 'string' && admitted(names, v));
}

/** Whether `view` lists its values and every string among them matches `pattern` (on the validation engine). */
function listedStringsMatch(view: SchemaView, pattern: string): boolean {
  const strings = listedStrings(view);
  if (strings === undefined) return false;
  let compiled;
  try {
    compiled = compileLinearRegExp(pattern);
  } catch {
    return false;
  }
  return strings.every((s) => compiled.test(s));
}

/**
 * One side admits only strings by `type: string` and a pattern (no enum), the other only strings by an enum/const (no
 * pattern), and the pattern's language is exactly the enum's strings.
 */
function samePatternAndEnum(o: SchemaView, n: SchemaView): boolean {
  const onlyStrings = (view: SchemaView) => {
    const kinds = kindsOf(view);
    return kinds.size === 1 && kinds.has('string');
  };
  if (!onlyStrings(o) || !onlyStrings(n)) return false;
  const patternO = raw(o, 'pattern');
  const patternN = raw(n, 'pattern');
  const listedO = listedStrings(o);
  const listedN = listedStrings(n);
  let pattern: JsonValue | undefined;
  let listed: string[] | undefined;
  if (typeof patternO === 'string' && listedO === undefined && patternN === undefined && listedN !== undefined)
    [pattern, listed] = [patternO, listedN];
  else if (typeof patternN === 'string' && listedN === undefined && patternO === undefined && listedO !== undefined)
    [pattern, listed] = [patternN, listedO];
  else return false;
  if (typeof pattern !== 'string') return false;
  const language = finiteLanguage(pattern, maxListedPatternStrings);
  if (language === undefined) return false;
  const strings = new Set(listed);
  return language.length === strings.size && language.every((s) => strings.has(s));
}

function compareUniqueItems(o: SchemaView, n: SchemaView, emit: EmitChange): void {
  const pair = scalarPair(o, n, 'uniqueItems', 'boolean', emit);
  if (!pair) return;
  const { a, b } = pair;
  if ((a === true) === (b === true)) return;
  const location = keywordLocation(o, n, 'uniqueItems');
  if (b === true) emit('schema.unique-items-added', location, 'items must now be unique', { old: a, new: b });
  else emit('schema.unique-items-removed', location, 'items need no longer be unique', { old: a, new: b });
}

function stringList(value: JsonValue | undefined): string[] | undefined | 'invalid' {
  if (value === undefined) return undefined;
  return Array.isArray(value) && value.every((x) => typeof x === 'string') ? value : 'invalid';
}

function compareRequired(o: SchemaView, n: SchemaView, emit: EmitChange): void {
  const a = stringList(raw(o, 'required'));
  const b = stringList(raw(n, 'required'));
  if (a === 'invalid' || b === 'invalid') return malformed(o, n, ['required'], emit);
  const before = new Set(a ?? []);
  const after = new Set(b ?? []);
  const location = keywordLocation(o, n, 'required');
  for (const name of after)
    if (!before.has(name)) emit('schema.required-added', location, `"${name}" is now required`, { new: name });
  for (const name of before)
    if (!after.has(name)) emit('schema.required-removed', location, `"${name}" is no longer required`, { old: name });
}
