// What a oneOf means for the values of one JSON type: none of them (two branches admit each), an anyOf of the branches
// that admit the type (when those are pairwise disjoint on it), or at most that anyOf (branches that may overlap).
import type { InstanceKind } from './instanceTypes.js';
import { isAnnotationKeyword } from './schemaKeywords.js';
import type { KeywordEntry } from './schemaNormalizer.js';
import { allowedValues, typeNamesOf, type SchemaView } from './schemaView.js';

/** The six JSON types a `type` keyword names as a whole: 'number' holds the integers and the other numbers. */
export type TypeGroup = 'null' | 'boolean' | 'object' | 'array' | 'string' | 'number';

export const typeGroups: readonly TypeGroup[] = ['null', 'boolean', 'object', 'array', 'string', 'number'];

export function kindsOfGroup(group: TypeGroup): readonly InstanceKind[] {
  return group === 'number' ? ['integer', 'number'] : [group];
}

/** The groups that hold at least one of `kinds`. */
export function groupsOfKinds(kinds: ReadonlySet<InstanceKind>): Set<TypeGroup> {
  return new Set(typeGroups.filter((group) => kindsOfGroup(group).some((kind) => kinds.has(kind))));
}

/** Keywords that judge only instances of one type: for every other type they hold. */
const keywordsOnlyFor: Readonly<Record<TypeGroup, ReadonlySet<string>>> = {
  null: new Set(),
  boolean: new Set(),
  object: new Set([
    'properties',
    'patternProperties',
    'additionalProperties',
    'required',
    'minProperties',
    'maxProperties',
    'propertyNames',
    'dependencies',
    'dependentRequired',
    'dependentSchemas',
  ]),
  array: new Set([
    'items',
    'additionalItems',
    'prefixItems',
    'minItems',
    'maxItems',
    'uniqueItems',
    'contains',
    'minContains',
    'maxContains',
  ]),
  string: new Set(['minLength', 'maxLength', 'pattern']),
  number: new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']),
};

/**
 * True only when the (flattened) schema surely admits every value of `group`: its `type` admits the whole group, it
 * has no `enum`/`const`, nothing unmerged beside it, and every other keyword is an annotation or judges only other
 * types, or an `anyOf` of which `anyOfAdmitsWhole` shows a branch admits the whole group. False means "not shown".
 * `format` and anything unknown count as constraints.
 */
export function admitsWholeGroup(
  view: SchemaView,
  group: TypeGroup,
  anyOfAdmitsWhole: (view: SchemaView) => boolean = () => false,
): boolean {
  if (view.conjuncts.length > 0) return false;
  const names = typeNamesOf(view);
  if (names === 'invalid' || (names !== undefined && !names.has(group))) return false;
  if (allowedValues(view) !== undefined) return false;
  for (const keyword of view.keywords.keys()) {
    if (keyword === 'type' || keyword === 'default' || isAnnotationKeyword(keyword)) continue;
    if (keyword === 'anyOf' && anyOfAdmitsWhole(view)) continue;
    if (keywordsOnlyFor[group].has(keyword)) return false;
    if (!typeGroups.some((other) => other !== group && keywordsOnlyFor[other].has(keyword))) return false;
  }
  return true;
}

/**
 * The view with its `type` cut down to `groups`: the same schema for the values of those types, rejecting all others.
 * Comparing two branches cut down alike compares them on those types only (a `type: object` added to a branch is no
 * change when only objects are compared).
 */
export function restrictToGroups(view: SchemaView, groups: ReadonlySet<TypeGroup>): SchemaView {
  const names = typeNamesOf(view);
  if (names === 'invalid') return view;
  const kept =
    names === undefined
      ? [...groups]
      : [...names].filter((name) => groups.has(name === 'integer' ? 'number' : (name as TypeGroup)));
  const existing = view.keywords.get('type');
  const entry: KeywordEntry = {
    value: kept,
    owner: existing?.owner ?? view.node,
    pointer: existing?.pointer ?? `${view.node.pointer}/type`,
  };
  const keywords = new Map(view.keywords);
  keywords.set('type', entry);
  return { node: view.node, keywords, conjuncts: view.conjuncts };
}
