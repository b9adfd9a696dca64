// A flattened schema as the comparison sees it, with helpers for where a change is reported and what a schema admits.
import type { JsonValue } from '../core/json.js';
import { admittedKinds, typeKeywordNames, type InstanceKind } from './instanceTypes.js';
import { childNode, implicitTrue, type SchemaDocument, type SchemaNode } from './schemaDocument.js';
import type { Conjunct, KeywordEntry } from './schemaNormalizer.js';
import { jsonEqual } from '../core/jsonEqual.js';

export interface SchemaView {
  /** The memo key of the flattened schema (absent for `true`). */
  readonly identity?: object;
  readonly node: SchemaNode;
  readonly keywords: ReadonlyMap<string, KeywordEntry>;
  readonly conjuncts: readonly Conjunct[];
}

export interface ChangeLocation {
  readonly pointer: string;
  readonly document: SchemaDocument;
}

/** The new node, or the old one when the new is only an implied `true`. */
export function nodeLocation(oldNode: SchemaNode, newNode: SchemaNode): ChangeLocation {
  return newNode.implicit ? oldNode : newNode;
}

/** The first of `keywords` present in the new schema, else in the old one, else the node itself. */
export function keywordLocation(oldView: SchemaView, newView: SchemaView, ...keywords: string[]): ChangeLocation {
  for (const view of [newView, oldView]) {
    for (const keyword of keywords) {
      const entry = view.keywords.get(keyword);
      if (entry !== undefined) return { pointer: entry.pointer, document: entry.owner.document };
    }
  }
  return nodeLocation(oldView.node, newView.node);
}

/** The subschema at `keyword/...tokens`, or an implied `true` where it is absent. */
export function keywordChild(view: SchemaView, keyword: string, ...tokens: (string | number)[]): SchemaNode {
  const entry = view.keywords.get(keyword);
  const member = tokens.length === 1 ? entry?.members?.get(String(tokens[0])) : undefined;
  if (member !== undefined) return member;
  const owner = entry?.owner ?? view.node;
  return (entry && childNode(owner, keyword, ...tokens)) ?? implicitTrue(owner, keyword, ...tokens);
}

/** The values `enum` and `const` together allow: undefined when neither is present, 'invalid' when malformed. */
export function allowedValues(view: SchemaView): JsonValue[] | undefined | 'invalid' {
  const enumEntry = view.keywords.get('enum');
  const constEntry = view.keywords.get('const');
  if (enumEntry !== undefined && !Array.isArray(enumEntry.value)) return 'invalid';
  let values = enumEntry === undefined ? undefined : (enumEntry.value as JsonValue[]);
  if (constEntry !== undefined)
    values = values === undefined ? [constEntry.value] : values.filter((v) => jsonEqual(v, constEntry.value));
  return values;
}

/** The `type` names of a view: undefined = any, 'invalid' = malformed. */
export function typeNamesOf(view: SchemaView): ReadonlySet<string> | undefined | 'invalid' {
  return typeKeywordNames(view.keywords.get('type')?.value);
}

/** The instance kinds a view can admit (by type, enum and const). */
export function kindsOf(view: SchemaView): Set<InstanceKind> {
  const names = typeNamesOf(view);
  const values = allowedValues(view);
  return admittedKinds(names === 'invalid' ? undefined : names, values === 'invalid' ? undefined : values);
}
