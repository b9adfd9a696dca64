// The instances an `if` condition holds for, when it is made of `properties` with value-set schemas, `required` and
// `anyOf` of such: what lets `spec diff` tell a widened or narrowed condition from one it cannot judge.
import { canonicalJsonTrusted } from '../core/canonicalJson.js';
import { isJsonObject, type JsonValue } from '../core/json.js';
import { finiteValues } from './finiteBranchRejection.js';
import { isAnnotationKeyword } from './schemaKeywords.js';
import type { SchemaNode } from './schemaDocument.js';
import type { NormalizedSchema } from './schemaNormalizer.js';
import { keywordChild } from './schemaView.js';
import { typeKeywordNames } from './instanceTypes.js';
import {
  emptySet,
  intersect,
  isEmpty,
  isSubset,
  setHas,
  setOfTypes,
  union as unionOfSets,
  universalSet,
  type ValueSet,
} from './valueSets.js';

/** What one property may be for an object to meet a condition: absent (when `absent`), or a value in `values`. */
export interface PropertyState {
  readonly absent: boolean;
  readonly values: ValueSet;
}

/** Objects whose named properties are each in their state; properties not named are unconstrained. */
export type ConditionProduct = ReadonlyMap<string, PropertyState>;

/**
 * A condition as a set of instances: the non-objects it holds for (`properties` and `required` hold for every one, so
 * only `type` restricts them), and the objects it holds for as a union of products.
 */
export interface ConditionSet {
  readonly others: ValueSet;
  readonly products: readonly ConditionProduct[];
}

export type ConditionRelation = 'equal' | 'widened' | 'narrowed' | 'unknown';

/** Products built for one condition at most (anyOf distributes over its siblings). */
const maxProducts = 64;

const unconstrained: PropertyState = { absent: true, values: universalSet };

/** Every value but objects. */
const nonObjects: ValueSet = setOfTypes(new Set(['null', 'boolean', 'number', 'string', 'array']));

export interface ConditionReader {
  normalize(node: SchemaNode): NormalizedSchema;
  valueSet(node: SchemaNode): ValueSet | undefined;
}

/**
 * The condition at `node` as a set, or undefined when it uses anything but type, properties with value-set schemas,
 * required, and anyOf of such conditions.
 */
export function conditionSetOf(node: SchemaNode, reader: ConditionReader, depth = 0): ConditionSet | undefined {
  const schema = reader.normalize(node);
  if (schema.kind === 'invalid') return undefined;
  if (schema.kind === 'boolean')
    return schema.value ? { others: nonObjects, products: [new Map()] } : { others: emptySet, products: [] };
  if (schema.conjuncts.length > 0 || depth > 8) return undefined;
  const own = new Map<string, PropertyState>();
  let others = nonObjects;
  let objects = true;
  let union: ConditionSet | undefined;
  for (const [keyword, entry] of schema.keywords) {
    if (isAnnotationKeyword(keyword) || keyword === 'default') continue;
    if (keyword === 'type') {
      const names = typeKeywordNames(entry.value);
      if (names === undefined || names === 'invalid') return undefined;
      others = intersect(others, setOfTypes(names));
      objects = names.has('object');
    } else if (keyword === 'properties') {
      if (!isJsonObject(entry.value)) return undefined;
      for (const name of Object.keys(entry.value)) {
        const values = reader.valueSet(keywordChild(schema, 'properties', name));
        if (values === undefined) return undefined;
        own.set(name, meet(own.get(name) ?? unconstrained, { absent: true, values }));
      }
    } else if (keyword === 'required') {
      if (!Array.isArray(entry.value) || !entry.value.every((name) => typeof name === 'string')) return undefined;
      for (const name of entry.value)
        own.set(name, meet(own.get(name) ?? unconstrained, { absent: false, values: universalSet }));
    } else if (keyword === 'anyOf') {
      if (!Array.isArray(entry.value) || entry.value.length === 0) return undefined;
      let branchOthers = emptySet;
      const products: ConditionProduct[] = [];
      for (let i = 0; i < entry.value.length; i++) {
        const branch = conditionSetOf(keywordChild(schema, 'anyOf', i), reader, depth + 1);
        if (branch === undefined) return undefined;
        branchOthers = unionOfSets(branchOthers, branch.others);
        products.push(...branch.products);
      }
      union = { others: branchOthers, products };
    } else {
      return undefined;
    }
  }
  // The keywords next to an anyOf hold in each of its branches.
  if (union !== undefined) others = intersect(others, union.others);
  const products = !objects
    ? []
    : union === undefined
      ? [own]
      : union.products.map((branch) => meetProducts(branch, own));
  return products.length > maxProducts ? undefined : { others, products };
}

function meet(a: PropertyState, b: PropertyState): PropertyState {
  return { absent: a.absent && b.absent, values: intersect(a.values, b.values) };
}

function meetProducts(a: ConditionProduct, b: ConditionProduct): ConditionProduct {
  const result = new Map(a);
  for (const [name, state] of b) result.set(name, meet(result.get(name) ?? unconstrained, state));
  return result;
}

function stateOf(product: ConditionProduct, name: string): PropertyState {
  return product.get(name) ?? unconstrained;
}

function stateSubset(a: PropertyState, b: PropertyState): boolean {
  return (!a.absent || b.absent) && isSubset(a.values, b.values);
}

/** No object meets the product: some property can be neither absent nor any value. */
function emptyProduct(product: ConditionProduct): boolean {
  return [...product.values()].some((state) => !state.absent && isEmpty(state.values));
}

/** Properties are independent, so one product is within another exactly when each property's states are. */
function productSubset(a: ConditionProduct, b: ConditionProduct): boolean {
  if (emptyProduct(a)) return true;
  return [...b.keys()].every((name) => stateSubset(stateOf(a, name), stateOf(b, name)));
}

/** Whether every instance of `a` is in `b`: for objects, each product of `a` within one of `b` (sufficient only). */
export function conditionSubset(a: ConditionSet, b: ConditionSet): boolean {
  return (
    isSubset(a.others, b.others) &&
    a.products.every((product) => b.products.some((other) => productSubset(product, other)))
  );
}

/** How the new condition relates to the old, as sets of instances; 'unknown' when neither inclusion is shown. */
export function relateConditions(before: ConditionSet, after: ConditionSet): ConditionRelation {
  const widened = conditionSubset(before, after);
  const narrowed = conditionSubset(after, before);
  if (widened && narrowed) return 'equal';
  if (widened) return 'widened';
  if (narrowed) return 'narrowed';
  return 'unknown';
}

/** The instances that meet `wider` and not `narrower` (narrower ⊆ wider): what is known of them. */
export interface Movers {
  /** Properties every such instance has. */
  readonly present: ReadonlySet<string>;
  /** Words for who they are, for messages, when they can be named by one property. */
  readonly description?: string;
}

export function moversBetween(narrower: ConditionSet, wider: ConditionSet): Movers {
  const present = new Set<string>();
  const live = wider.products.filter((product) => !emptyProduct(product));
  if (live.length > 0) {
    for (const [name, state] of live[0]!)
      if (!state.absent && live.every((p) => !stateOf(p, name).absent)) present.add(name);
  }
  let description: string | undefined;
  // `required` holds for non-objects, so `present` is all it takes for them too; naming the movers needs them to be objects.
  if (narrower.products.length === 1 && wider.products.length === 1 && isSubset(wider.others, narrower.others)) {
    const inner = narrower.products[0]!;
    const outer = wider.products[0]!;
    const differing = [...new Set([...inner.keys(), ...outer.keys()])].filter(
      (name) => !stateSubset(stateOf(outer, name), stateOf(inner, name)),
    );
    if (differing.length === 1) {
      // Every other property is in the same states on both sides, so an instance leaves `narrower` by this one alone.
      const name = differing[0]!;
      const a = stateOf(inner, name);
      const b = stateOf(outer, name);
      if (a.absent) present.add(name);
      description = `instances whose "${name}" is ${describeDifference(a, b)}`;
    }
  }
  return description === undefined ? { present } : { present, description };
}

function describeDifference(inner: PropertyState, outer: PropertyState): string {
  const parts: string[] = [];
  if (outer.absent && !inner.absent) parts.push('absent');
  const listed = finiteValues(outer.values);
  if (listed !== undefined) {
    const extra = listed.filter((value: JsonValue) => !setHas(inner.values, value));
    if (extra.length > 0) parts.push(extra.map((value) => canonicalJsonTrusted(value)).join(' or '));
  } else if (!isSubset(outer.values, inner.values)) {
    parts.push('a value only the wider condition admits');
  }
  return parts.length > 0 ? parts.join(', or ') : 'in the wider condition only';
}
