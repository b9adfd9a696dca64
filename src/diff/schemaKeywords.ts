// Which JSON Schema keywords hold subschemas, which only annotate, and which must be read together.

/** Keywords whose value is one subschema. */
export const singleSchemaKeywords: ReadonlySet<string> = new Set([
  'additionalProperties',
  'additionalItems',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
]);

/** Keywords whose value is an array of subschemas (`items` is one too in its tuple form). */
export const schemaArrayKeywords: ReadonlySet<string> = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);

/** Keywords whose value maps names to subschemas (`dependencies` too, for its non-array values). */
export const schemaMapKeywords: ReadonlySet<string> = new Set([
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
  'dependentSchemas',
]);

/** Keywords that identify or hold schemas but assert nothing themselves. */
export const structuralKeywords: ReadonlySet<string> = new Set([
  '$schema',
  '$id',
  'id',
  '$anchor',
  '$dynamicAnchor',
  '$recursiveAnchor',
  '$vocabulary',
  'definitions',
  '$defs',
]);

/** Annotations by the spec or by widespread editor vocabularies (VS Code, IntelliJ, Taplo): no effect on validity. */
export const annotationKeywords: ReadonlySet<string> = new Set([
  'title',
  'description',
  'examples',
  '$comment',
  'deprecated',
  'readOnly',
  'writeOnly',
  'markdownDescription',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'enumDeprecated',
  'deprecationMessage',
  'markdownDeprecationMessage',
  'errorMessage',
  'patternErrorMessage',
  'defaultSnippets',
  'doNotSuggest',
  'suggestSortText',
  'allowComments',
  'allowTrailingCommas',
  'tsType',
  'links',
]);

/** Content keywords: annotations since 2019-09, optional assertions in draft-07; ajv does not assert them. */
export const contentKeywords: ReadonlySet<string> = new Set(['contentMediaType', 'contentEncoding', 'contentSchema']);

export function isAnnotationKeyword(keyword: string): boolean {
  return annotationKeywords.has(keyword) || keyword.startsWith('x-');
}

/**
 * Keywords whose meaning depends on each other; when schemas are merged (allOf, $ref with siblings) a group must come
 * whole from one place, or the merge would change what the keywords mean.
 */
export const keywordGroups: readonly (readonly string[])[] = [
  ['properties', 'patternProperties', 'additionalProperties'],
  ['items', 'additionalItems', 'prefixItems'],
  ['contains', 'minContains', 'maxContains'],
  ['minimum', 'exclusiveMinimum'],
  ['maximum', 'exclusiveMaximum'],
  ['if', 'then', 'else'],
];

/** Keywords that see every adjacent keyword's annotations: nothing next to them may be merged or compared piecewise. */
export const unevaluatedKeywords: readonly string[] = ['unevaluatedProperties', 'unevaluatedItems'];
