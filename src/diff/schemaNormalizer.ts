// Turns a subschema into a flat keyword map: follows $ref and allOf and merges them in where merging keeps the meaning.
import { isJsonObject, joinPointer, type JsonObject, type JsonValue } from '../core/json.js';
import { BudgetExceeded, type ComparisonBudget } from './comparisonBudget.js';
import { childNode, type SchemaDocument, type SchemaNode } from './schemaDocument.js';
import { isAnnotationKeyword, keywordGroups, structuralKeywords, unevaluatedKeywords } from './schemaKeywords.js';
import type { SchemaRefResolver } from './schemaRefResolver.js';

/** One keyword of a flattened schema and the schema object it came from (for pointers and for its subschemas). */
export interface KeywordEntry {
  readonly value: JsonValue;
  readonly owner: SchemaNode;
  readonly pointer: string;
  /** For `properties` merged from several schemas: where each property's schema is. */
  readonly members?: ReadonlyMap<string, SchemaNode>;
}

/** A conjunct that could not be merged: an allOf entry or $ref target, or a $ref that did not resolve. */
export type Conjunct =
  | { readonly kind: 'schema'; readonly node: SchemaNode }
  | { readonly kind: 'unresolved'; readonly uri: string; readonly pointer: string; readonly document: SchemaDocument };

export type NormalizedSchema =
  | { readonly kind: 'boolean'; readonly value: boolean; readonly node: SchemaNode }
  | { readonly kind: 'invalid'; readonly node: SchemaNode }
  | {
      readonly kind: 'object';
      /** Memo key for pairs being compared: the schema object, or for a bare `{"$ref": …}` its target's key. */
      readonly identity: object;
      readonly node: SchemaNode;
      readonly keywords: ReadonlyMap<string, KeywordEntry>;
      readonly conjuncts: readonly Conjunct[];
    };

type ObjectSchema = Extract<NormalizedSchema, { kind: 'object' }>;

/** Keywords whose values can be combined when two merged parts both carry them. */
const combinable = new Set(['type', 'required']);

export class SchemaNormalizer {
  private readonly cache = new Map<object, NormalizedSchema>();
  private readonly inProgress = new Set<object>();
  private nesting = 0;

  constructor(
    private readonly resolver: SchemaRefResolver,
    private readonly budget: ComparisonBudget,
  ) {}

  normalize(node: SchemaNode): NormalizedSchema {
    const value = node.value;
    if (typeof value === 'boolean') return { kind: 'boolean', value, node };
    if (!isJsonObject(value)) return { kind: 'invalid', node };
    const cached = this.cache.get(value);
    if (cached !== undefined) return cached;
    if (this.inProgress.has(value)) {
      // A $ref or allOf chain that comes back to itself without descending: keep it opaque.
      return { kind: 'object', identity: value, node, keywords: new Map(), conjuncts: [{ kind: 'schema', node }] };
    }
    if (this.nesting >= this.budget.maxDepth) throw new BudgetExceeded(node.pointer, 'reference chain too deep');
    this.inProgress.add(value);
    this.nesting += 1;
    try {
      const result = this.flatten(node, value);
      this.cache.set(value, result);
      return result;
    } finally {
      this.nesting -= 1;
      this.inProgress.delete(value);
    }
  }

  private flatten(node: SchemaNode, value: Record<string, JsonValue>): NormalizedSchema {
    const keywords = new Map<string, KeywordEntry>();
    const conjuncts: Conjunct[] = [];
    const parts: { node: SchemaNode; referenced: boolean }[] = [];
    for (const [keyword, keywordValue] of Object.entries(value)) {
      if (structuralKeywords.has(keyword)) continue;
      if (keyword === '$ref' && typeof keywordValue === 'string') continue;
      if (keyword === 'allOf' && Array.isArray(keywordValue)) continue;
      // anyOf/oneOf with one branch is that branch, merged like an allOf entry.
      if ((keyword === 'anyOf' || keyword === 'oneOf') && Array.isArray(keywordValue) && keywordValue.length === 1)
        continue;
      keywords.set(keyword, { value: keywordValue, owner: node, pointer: joinPointer(node.pointer, keyword) });
    }
    const ref = value['$ref'];
    if (typeof ref === 'string') {
      this.budget.expandRef(node.pointer);
      const resolved = this.resolver.resolve(node, ref);
      if ('node' in resolved) {
        // A bare reference is its target: same memo key, same pointers.
        if (Object.keys(value).length === 1) return this.normalize(resolved.node);
        parts.push({ node: resolved.node, referenced: true });
      } else {
        conjuncts.push({
          kind: 'unresolved',
          uri: resolved.unresolved,
          pointer: joinPointer(node.pointer, '$ref'),
          document: node.document,
        });
      }
    }
    for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
      const entries = value[keyword];
      if (!Array.isArray(entries) || (keyword !== 'allOf' && entries.length !== 1)) continue;
      entries.forEach((entry, i) =>
        parts.push({ node: childNode(node, keyword, i)!, referenced: isJsonObject(entry) && '$ref' in entry }),
      );
    }
    // Inline parts merge first and referenced ones stay conjuncts when they clash, so `allOf: [{$ref: base}, {…}]`
    // and `{…, allOf: [{$ref: base}]}` flatten alike.
    parts.sort((a, b) => Number(a.referenced) - Number(b.referenced));
    for (const { node: partNode } of parts) {
      const part = this.normalize(partNode);
      if (part.kind === 'boolean') {
        if (part.value) continue;
        return { kind: 'boolean', value: false, node };
      }
      if (part.kind === 'object' && canMerge(keywords, part)) merge(keywords, part, conjuncts);
      else conjuncts.push({ kind: 'schema', node: partNode });
    }
    return { kind: 'object', identity: value, node, keywords, conjuncts };
  }
}

function isAssertionKeyword(keyword: string): boolean {
  return !isAnnotationKeyword(keyword) && keyword !== 'default';
}

function canMerge(target: ReadonlyMap<string, KeywordEntry>, part: ObjectSchema): boolean {
  for (const keyword of unevaluatedKeywords) if (target.has(keyword) || part.keywords.has(keyword)) return false;
  const mergesProperties = canMergeProperties(target, part.keywords);
  for (const [keyword, entry] of part.keywords) {
    if (!target.has(keyword) || !isAssertionKeyword(keyword) || (keyword === 'properties' && mergesProperties))
      continue;
    if (!combinable.has(keyword)) return false;
    if (combine(keyword, target.get(keyword)!.value, entry.value) === undefined) return false;
  }
  for (const group of keywordGroups) {
    if (group[0] === 'properties' && mergesProperties) continue;
    if (group.some((k) => target.has(k)) && group.some((k) => part.keywords.has(k))) return false;
  }
  return true;
}

/**
 * Two `properties` with no patternProperties or additionalProperties beside them, over different names, are one
 * `properties` over all the names (the usual allOf inheritance: a base type and the properties it is extended with).
 */
function canMergeProperties(a: ReadonlyMap<string, KeywordEntry>, b: ReadonlyMap<string, KeywordEntry>): boolean {
  const left = a.get('properties')?.value;
  const right = b.get('properties')?.value;
  if (!isJsonObject(left) || !isJsonObject(right)) return false;
  if (['patternProperties', 'additionalProperties'].some((k) => a.has(k) || b.has(k))) return false;
  return Object.keys(right).every((name) => !Object.hasOwn(left, name));
}

function propertyMembers(entry: KeywordEntry): Map<string, SchemaNode> {
  if (entry.members !== undefined) return new Map(entry.members);
  const names = isJsonObject(entry.value) ? Object.keys(entry.value) : [];
  return new Map(names.map((name) => [name, childNode(entry.owner, 'properties', name)!]));
}

function merge(target: Map<string, KeywordEntry>, part: ObjectSchema, conjuncts: Conjunct[]): void {
  for (const [keyword, entry] of part.keywords) {
    const existing = target.get(keyword);
    if (existing === undefined) target.set(keyword, entry);
    else if (keyword === 'properties') {
      const members = new Map([...propertyMembers(existing), ...propertyMembers(entry)]);
      target.set(keyword, {
        ...existing,
        value: { ...(existing.value as JsonObject), ...(entry.value as JsonObject) },
        members,
      });
    } else if (isAssertionKeyword(keyword))
      target.set(keyword, { ...existing, value: combine(keyword, existing.value, entry.value)! });
  }
  conjuncts.push(...part.conjuncts);
}

/** Both `type`s at once (intersection; integer is within number) or both `required`s (union). */
function combine(keyword: string, a: JsonValue, b: JsonValue): JsonValue | undefined {
  const listA = typeof a === 'string' ? [a] : a;
  const listB = typeof b === 'string' ? [b] : b;
  if (!Array.isArray(listA) || !Array.isArray(listB)) return undefined;
  if (!listA.every((x) => typeof x === 'string') || !listB.every((x) => typeof x === 'string')) return undefined;
  if (keyword === 'required') return [...new Set([...listA, ...listB])];
  const result = new Set<string>();
  for (const x of listA) {
    for (const y of listB) {
      if (x === y) result.add(x);
      else if ((x === 'integer' && y === 'number') || (x === 'number' && y === 'integer')) result.add('integer');
    }
  }
  return [...result];
}
