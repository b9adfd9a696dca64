// The set of values a subschema admits, when it is made only of keywords whose meaning is a set of values (type, enum,
// const, numeric bounds, a pattern with a finite language, anyOf, disjoint oneOf): undefined for anything else, which
// the keyword rules then compare.
import { isJsonObject, type JsonValue } from '../core/json.js';
import { typeAdmits, typeKeywordNames } from './instanceTypes.js';
import { finiteLanguage } from './regexLanguage.js';
import { isAnnotationKeyword } from './schemaKeywords.js';
import type { SchemaNode } from './schemaDocument.js';
import { childNode } from './schemaDocument.js';
import type { KeywordEntry, NormalizedSchema } from './schemaNormalizer.js';
import {
  intersect,
  isEmpty,
  setOfBounds,
  setOfTypes,
  setOfValues,
  union,
  universalSet,
  emptySet,
  type ValueSet,
} from './valueSets.js';

/** Keywords that constrain only values of one kind: inert when the rest of the schema admits none of that kind. */
const kindKeywords: ReadonlyMap<string, 'string' | 'number' | 'object' | 'array'> = new Map([
  ['minLength', 'string'],
  ['maxLength', 'string'],
  ['pattern', 'string'],
  ['format', 'string'],
  ['contentMediaType', 'string'],
  ['contentEncoding', 'string'],
  ['contentSchema', 'string'],
  ['multipleOf', 'number'],
  ['properties', 'object'],
  ['patternProperties', 'object'],
  ['additionalProperties', 'object'],
  ['required', 'object'],
  ['propertyNames', 'object'],
  ['minProperties', 'object'],
  ['maxProperties', 'object'],
  ['dependencies', 'object'],
  ['dependentRequired', 'object'],
  ['dependentSchemas', 'object'],
  ['unevaluatedProperties', 'object'],
  ['items', 'array'],
  ['additionalItems', 'array'],
  ['prefixItems', 'array'],
  ['minItems', 'array'],
  ['maxItems', 'array'],
  ['uniqueItems', 'array'],
  ['contains', 'array'],
  ['minContains', 'array'],
  ['maxContains', 'array'],
  ['unevaluatedItems', 'array'],
]);

/** Keywords that never make a schema a value set: their meaning is not a set of values of the schema alone. */
const opaqueKeywords = new Set(['not', 'if', 'then', 'else', '$recursiveRef', '$dynamicRef', '$ref']);

const boundKeywords = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']);

/** Strings listed from one pattern at most (as for an enum): a larger finite language is left to the keyword rules. */
const maxPatternStrings = 256;

const nonStringTypes: ReadonlySet<string> = new Set(['null', 'boolean', 'object', 'array', 'number']);

/** Branches read for one schema at most: a larger anyOf is left to the keyword rules. */
const maxBranches = 64;

export class SchemaValueSets {
  private readonly cache = new WeakMap<object, ValueSet | null>();
  private readonly inProgress = new Set<object>();
  private readonly patternCache = new Map<string, string[] | undefined>();

  constructor(private readonly normalize: (node: SchemaNode) => NormalizedSchema) {}

  /** What the schema at `node` admits, or undefined when it is not a value-set schema. */
  of(node: SchemaNode): ValueSet | undefined {
    return this.ofNormalized(this.normalize(node));
  }

  ofNormalized(schema: NormalizedSchema): ValueSet | undefined {
    if (schema.kind === 'boolean') return schema.value ? universalSet : emptySet;
    if (schema.kind === 'invalid') return undefined;
    const cached = this.cache.get(schema.identity);
    if (cached !== undefined) return cached ?? undefined;
    if (this.inProgress.has(schema.identity)) return undefined; // a cycle through anyOf: not a finite description
    this.inProgress.add(schema.identity);
    try {
      const result = schema.conjuncts.length === 0 ? this.flat(schema.keywords) : undefined;
      this.cache.set(schema.identity, result ?? null);
      return result;
    } finally {
      this.inProgress.delete(schema.identity);
    }
  }

  private flat(keywords: ReadonlyMap<string, KeywordEntry>): ValueSet | undefined {
    if (plainlyNotAValueSet(keywords)) return undefined;
    let set: ValueSet = universalSet;
    const kindBound: string[] = [];
    for (const [keyword, entry] of keywords) {
      if (isAnnotationKeyword(keyword) || keyword === 'default') continue;
      if (opaqueKeywords.has(keyword)) return undefined;
      if (keyword === 'pattern' && typeof entry.value === 'string') {
        // A pattern whose language is finite admits those strings and every value that is not a string.
        const strings = this.patternStrings(entry.value);
        if (strings === undefined) return undefined;
        set = intersect(set, union(setOfTypes(nonStringTypes), setOfValues(strings)));
        continue;
      }
      if (kindKeywords.has(keyword)) {
        kindBound.push(keyword);
        continue;
      }
      if (boundKeywords.has(keyword)) continue;
      let part: ValueSet | undefined;
      if (keyword === 'type') {
        const names = typeKeywordNames(entry.value);
        if (names === undefined || names === 'invalid') return undefined;
        part = setOfTypes(names);
      } else if (keyword === 'enum') {
        if (!Array.isArray(entry.value)) return undefined;
        part = setOfValues(entry.value);
      } else if (keyword === 'const') {
        part = setOfValues([entry.value]);
      } else if (keyword === 'anyOf' || keyword === 'oneOf') {
        part = this.branches(entry, keyword);
      } else {
        // Unknown keywords have no effect on validation (their changes are still reported as warnings).
        continue;
      }
      if (part === undefined) return undefined;
      set = intersect(set, part);
    }
    const bounds = boundsOf(keywords);
    if (bounds === undefined) return undefined;
    if (bounds !== 'none') set = intersect(set, bounds);
    for (const keyword of kindBound) if (admitsKind(set, kindKeywords.get(keyword)!)) return undefined;
    return set;
  }

  /**
   * The strings a pattern admits when they are few. Only a pattern anchored at both ends and without an unbounded
   * repeat can have a finite language: the others are not enumerated (building their automaton is the cost).
   */
  private patternStrings(pattern: string): string[] | undefined {
    if (!/^\^.*\$$/s.test(pattern) || /[*+]|\{\d+,\}/.test(pattern)) return undefined;
    if (!this.patternCache.has(pattern)) this.patternCache.set(pattern, finiteLanguage(pattern, maxPatternStrings));
    return this.patternCache.get(pattern);
  }

  /** anyOf: the union of its branches; oneOf: the same when no two branches share a value, else undefined. */
  private branches(entry: KeywordEntry, keyword: 'anyOf' | 'oneOf'): ValueSet | undefined {
    const list = entry.value;
    if (!Array.isArray(list) || list.length === 0 || list.length > maxBranches) return undefined;
    const sets: ValueSet[] = [];
    for (let i = 0; i < list.length; i++) {
      const branch = childNode(entry.owner, keyword, i);
      const set = branch && this.of(branch);
      if (set === undefined) return undefined;
      sets.push(set);
    }
    if (keyword === 'oneOf') {
      for (let i = 0; i < sets.length; i++)
        for (let j = i + 1; j < sets.length; j++) if (!isEmpty(intersect(sets[i]!, sets[j]!))) return undefined;
    }
    return sets.reduce(union);
  }
}

/**
 * Most schemas of a real document (objects with properties, strings with patterns) are not value sets: said before any
 * set is built, when nothing but `type` restricts the kinds and `type` admits the kind a keyword constrains.
 */
function plainlyNotAValueSet(keywords: ReadonlyMap<string, KeywordEntry>): boolean {
  for (const keyword of opaqueKeywords) if (keywords.has(keyword)) return true;
  if (['enum', 'const', 'anyOf', 'oneOf'].some((keyword) => keywords.has(keyword))) return false;
  const names = typeKeywordNames(keywords.get('type')?.value);
  if (names === 'invalid') return false;
  for (const keyword of keywords.keys()) {
    // A pattern may have a finite language (`^(?:a|b)$`): flat() finds out.
    if (keyword === 'pattern') continue;
    const kind = kindKeywords.get(keyword);
    if (kind !== undefined && typeAdmits(names, kind === 'number' ? 'integer' : kind)) return true;
  }
  return false;
}

/** What minimum/maximum and their exclusive forms admit: 'none' when absent, undefined when malformed. */
function boundsOf(keywords: ReadonlyMap<string, KeywordEntry>): ValueSet | 'none' | undefined {
  const value = (keyword: string): JsonValue | undefined => keywords.get(keyword)?.value;
  let low = -Infinity;
  let lowInclusive = false;
  let high = Infinity;
  let highInclusive = false;
  let any = false;
  const raiseLow = (bound: number, inclusive: boolean): void => {
    any = true;
    if (bound > low || (bound === low && !inclusive)) [low, lowInclusive] = [bound, inclusive];
  };
  const lowerHigh = (bound: number, inclusive: boolean): void => {
    any = true;
    if (bound < high || (bound === high && !inclusive)) [high, highInclusive] = [bound, inclusive];
  };
  const sides = [
    ['minimum', 'exclusiveMinimum', raiseLow],
    ['maximum', 'exclusiveMaximum', lowerHigh],
  ] as const;
  for (const [plain, exclusiveKeyword, apply] of sides) {
    const bound = value(plain);
    const exclusive = value(exclusiveKeyword);
    if (bound !== undefined && typeof bound !== 'number') return undefined;
    // draft-04: a boolean exclusiveMinimum/exclusiveMaximum makes minimum/maximum exclusive; since draft-06 it is a
    // bound of its own.
    if (exclusive !== undefined && typeof exclusive !== 'boolean' && typeof exclusive !== 'number') return undefined;
    if (typeof bound === 'number') apply(bound, exclusive !== true);
    if (typeof exclusive === 'number') apply(exclusive, false);
  }
  return any ? setOfBounds(low, lowInclusive, high, highInclusive) : 'none';
}

function admitsKind(set: ValueSet, kind: 'string' | 'number' | 'object' | 'array'): boolean {
  if (kind === 'number') return set.numbers.length > 0;
  if (set.kinds.has(kind)) return true;
  for (const value of set.values.values()) {
    if (kind === 'string' && typeof value === 'string') return true;
    if (kind === 'array' && Array.isArray(value)) return true;
    if (kind === 'object' && isJsonObject(value)) return true;
  }
  return false;
}
