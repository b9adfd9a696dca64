// The catalogue of schema compatibility rules, one record each: id, purpose, and one fixed effect on the set of
// accepted instances, which gives its severity in each direction.
import type { CompatibilityRule, Direction, Severity } from '../core/compatibilityRule.js';

/**
 * What a change does to the set of accepted instances, independent of direction:
 * narrowing = the new schema accepts fewer, widening = it accepts more, both = some of each,
 * none = no effect on validation, warning = no effect under the JSON Schema spec but worth a look,
 * unknown = the rules cannot decide; unknown-forward = no effect for backward, undecided for forward (and
 * unknown-backward the reverse): what a comparison that proves only one direction adds.
 */
export type SchemaEffect =
  'narrowing' | 'widening' | 'both' | 'none' | 'warning' | 'unknown' | 'unknown-backward' | 'unknown-forward';

export interface SchemaRule<Id extends string = string> extends CompatibilityRule<Id> {
  effect: SchemaEffect;
}

/** The severity of an effect for one direction: narrowing breaks backward readers, widening breaks forward ones. */
export function severityOfEffect(effect: SchemaEffect, direction: Direction): Severity {
  switch (effect) {
    case 'narrowing':
      return direction === 'backward' ? 'breaking' : 'compatible';
    case 'widening':
      return direction === 'forward' ? 'breaking' : 'compatible';
    case 'both':
      return 'breaking';
    case 'none':
      return 'compatible';
    case 'warning':
      return 'warning';
    case 'unknown':
      return 'unknown';
    case 'unknown-backward':
      return direction === 'backward' ? 'unknown' : 'compatible';
    case 'unknown-forward':
      return direction === 'forward' ? 'unknown' : 'compatible';
  }
}

/** Whether a change of this effect may break that direction: breaking there, or undecided. */
export function mayBreak(effect: SchemaEffect, direction: Direction): boolean {
  const severity = severityOfEffect(effect, direction);
  return severity === 'breaking' || severity === 'unknown';
}

/** Whether the rules leave a change of this effect undecided in some direction. */
export function isUndecided(effect: SchemaEffect): boolean {
  return severityOfEffect(effect, 'backward') === 'unknown' || severityOfEffect(effect, 'forward') === 'unknown';
}

function schemaRule<Id extends string>(id: Id, effect: SchemaEffect, purpose: string, example: string): SchemaRule<Id> {
  return {
    id,
    purpose,
    effect,
    backward: severityOfEffect(effect, 'backward'),
    forward: severityOfEffect(effect, 'forward'),
    example,
  };
}

/** In the order of docs/compatibility.md. The checks are compareSchemas' keyword comparisons, which report these ids. */
export const schemaRuleList = [
  // types and values
  schemaRule(
    'schema.type-narrowed',
    'narrowing',
    'A JSON type the old schema allowed is no longer allowed.',
    '`"type": ["string", "null"]` → `"type": "string"`',
  ),
  schemaRule(
    'schema.type-widened',
    'widening',
    'A JSON type the old schema rejected is now allowed.',
    '`"type": "integer"` → `"type": "number"`; removing `type`',
  ),
  schemaRule(
    'schema.enum-added',
    'narrowing',
    'Values are now limited to a list of allowed values.',
    'no `enum` → `"enum": ["a", "b"]`',
  ),
  schemaRule(
    'schema.enum-removed',
    'widening',
    'The list of allowed values is gone, so any value of the type passes.',
    '`"enum": ["a", "b"]` → no `enum`',
  ),
  schemaRule(
    'schema.enum-value-removed',
    'narrowing',
    'A value the old list allowed is no longer in the list.',
    '`"enum": ["a", "b"]` → `"enum": ["a"]`',
  ),
  schemaRule(
    'schema.enum-value-added',
    'widening',
    'A value the old list did not allow is now in the list.',
    '`"enum": ["a"]` → `"enum": ["a", "b"]`',
  ),
  schemaRule(
    'schema.const-added',
    'narrowing',
    'Values are now limited to one fixed value.',
    'no `const` → `"const": 1`',
  ),
  schemaRule(
    'schema.const-removed',
    'widening',
    'The one fixed value is no longer required.',
    '`"const": 1` → no `const`',
  ),
  schemaRule(
    'schema.const-changed',
    'both',
    'The one fixed value is another value, so no value passes both.',
    '`"const": 1` → `"const": 2`',
  ),
  // numbers
  schemaRule(
    'schema.minimum-tightened',
    'narrowing',
    'The lower bound of numbers rose, so small numbers that passed now fail.',
    '`"minimum": 0` → `"minimum": 1`; draft-04 `"exclusiveMinimum": true` added',
  ),
  schemaRule(
    'schema.minimum-loosened',
    'widening',
    'The lower bound of numbers fell or went away.',
    '`"exclusiveMinimum": 0` → `"minimum": 0`',
  ),
  schemaRule(
    'schema.maximum-tightened',
    'narrowing',
    'The upper bound of numbers fell, so large numbers that passed now fail.',
    '`"maximum": 10` → `"exclusiveMaximum": 10`',
  ),
  schemaRule(
    'schema.maximum-loosened',
    'widening',
    'The upper bound of numbers rose or went away.',
    '`"maximum": 10` → no maximum',
  ),
  schemaRule(
    'schema.multiple-of-tightened',
    'narrowing',
    'Numbers must now be multiples of a multiple of the old divisor.',
    '`"multipleOf": 2` → `"multipleOf": 4`; `multipleOf` added',
  ),
  schemaRule(
    'schema.multiple-of-loosened',
    'widening',
    'Numbers may now be multiples of a divisor of the old divisor.',
    '`"multipleOf": 0.01` → `"multipleOf": 0.001` (exact decimal arithmetic)',
  ),
  schemaRule(
    'schema.multiple-of-changed',
    'both',
    'The divisor changed to one that neither divides nor is divided by the old one.',
    '`"multipleOf": 2` → `"multipleOf": 3`',
  ),
  // strings
  schemaRule(
    'schema.min-length-tightened',
    'narrowing',
    'Strings must now be longer.',
    'no `minLength` → `"minLength": 1`',
  ),
  schemaRule(
    'schema.min-length-loosened',
    'widening',
    'Strings may now be shorter.',
    '`"minLength": 2` → `"minLength": 1`',
  ),
  schemaRule(
    'schema.max-length-tightened',
    'narrowing',
    'Strings must now be shorter.',
    '`"maxLength": 5` → `"maxLength": 4`',
  ),
  schemaRule(
    'schema.max-length-loosened',
    'widening',
    'Strings may now be longer.',
    '`"maxLength": 5` → no `maxLength`',
  ),
  schemaRule(
    'schema.pattern-added',
    'narrowing',
    'Strings must now match a regular expression.',
    'no `pattern` → `"pattern": "^a"`',
  ),
  schemaRule(
    'schema.pattern-removed',
    'widening',
    'Strings no longer have to match a regular expression.',
    '`"pattern": "^a"` → no `pattern`',
  ),
  schemaRule(
    'schema.pattern-narrowed',
    'narrowing',
    'The regular expression now matches fewer strings (compared as languages; the change names one that no longer matches).',
    '`"pattern": "^[a-z]+$"` → `"pattern": "^[a-z]{1,8}$"`',
  ),
  schemaRule(
    'schema.pattern-widened',
    'widening',
    'The regular expression now matches more strings (compared as languages; the change names one that newly matches).',
    '`"pattern": "^[a-z]+$"` → `"pattern": "^[a-z0-9]+$"`',
  ),
  schemaRule(
    'schema.pattern-replaced',
    'both',
    'The regular expression matches some strings it did not and no longer matches others (one of each is named).',
    '`"pattern": "^a"` → `"pattern": "^b"`',
  ),
  schemaRule(
    'schema.pattern-changed',
    'unknown',
    'The regular expression changed and the two could not be compared: a construct not modelled (a backreference, a lookaround, `\\b`, `\\p{…}`) or more than the state budget.',
    '`"pattern": "^a"` → `"pattern": "^a\\b"`',
  ),
  schemaRule(
    'schema.format-added',
    'narrowing',
    'Strings must now have a format (formats are assertions).',
    'no `format` → `"format": "email"`',
  ),
  schemaRule(
    'schema.format-removed',
    'widening',
    'Strings no longer have to have a format.',
    '`"format": "email"` → no `format`',
  ),
  schemaRule(
    'schema.format-changed',
    'unknown',
    'The format changed to another one, whose values may or may not overlap.',
    '`"format": "date"` → `"format": "date-time"`',
  ),
  // arrays
  schemaRule(
    'schema.min-items-tightened',
    'narrowing',
    'Arrays must now have more items.',
    'no `minItems` → `"minItems": 1`',
  ),
  schemaRule(
    'schema.min-items-loosened',
    'widening',
    'Arrays may now have fewer items.',
    '`"minItems": 1` → `"minItems": 0`',
  ),
  schemaRule(
    'schema.max-items-tightened',
    'narrowing',
    'Arrays must now have fewer items.',
    '`"maxItems": 3` → `"maxItems": 2`',
  ),
  schemaRule(
    'schema.max-items-loosened',
    'widening',
    'Arrays may now have more items.',
    '`"maxItems": 3` → `"maxItems": 4`',
  ),
  schemaRule(
    'schema.unique-items-added',
    'narrowing',
    'Array items must now be unique.',
    '`"uniqueItems": true` added',
  ),
  schemaRule(
    'schema.unique-items-removed',
    'widening',
    'Array items no longer have to be unique.',
    '`"uniqueItems": true` → `false`',
  ),
  schemaRule(
    'schema.contains-added',
    'narrowing',
    'Arrays must now contain an item matching a schema.',
    '`"contains": {"const": 1}` added',
  ),
  schemaRule(
    'schema.contains-removed',
    'widening',
    'Arrays no longer have to contain a matching item.',
    '`"contains"` removed',
  ),
  schemaRule(
    'schema.contains-changed',
    'unknown',
    'The contains bounds changed in a way the rules cannot order.',
    '`minContains`/`maxContains` changed, or `contains` changed next to `maxContains`',
  ),
  // objects
  schemaRule(
    'schema.required-added',
    'narrowing',
    'An object property became required.',
    '`"required": []` → `"required": ["a"]`',
  ),
  schemaRule(
    'schema.required-removed',
    'widening',
    'An object property is no longer required.',
    '`"required": ["a"]` → `"required": []`',
  ),
  schemaRule(
    'schema.property-added',
    'widening',
    'A property the closed object rejected is now declared and accepted.',
    'property `b` added where the old schema rejected it (`"additionalProperties": false`)',
  ),
  schemaRule(
    'schema.property-removed',
    'narrowing',
    'A property that was accepted is now rejected.',
    'property `b` removed where the new schema rejects it (`"additionalProperties": false`, or `"b": false`)',
  ),
  schemaRule(
    'schema.property-added-open',
    'none',
    'A property was declared in an open object; its schema is compared as nested changes.',
    'property `b` declared in an open object; what its schema requires beyond the old `additionalProperties` is reported as nested changes (e.g. `schema.type-narrowed` at `/properties/b/type`)',
  ),
  schemaRule(
    'schema.property-removed-open',
    'none',
    'A property declaration was removed from an object that still admits it.',
    'declaration of `b` removed, the new object still admits it; nested changes report what loosened',
  ),
  schemaRule(
    'schema.additional-properties-closed',
    'narrowing',
    'Undeclared properties are no longer accepted.',
    'no `additionalProperties` → `"additionalProperties": false`',
  ),
  schemaRule(
    'schema.additional-properties-opened',
    'widening',
    'Undeclared properties are now accepted.',
    '`"additionalProperties": false` → a schema or `true`; a schema → a schema is compared as nested changes under `/additionalProperties`',
  ),
  schemaRule(
    'schema.pattern-properties-changed',
    'unknown',
    'The property-name patterns changed and could not be compared region by region: two patterns of one side overlap, a declared property falls under a pattern only one side has, or a pattern is not modelled.',
    '`"patternProperties": {"^x-": {}}` → `{"^x-": {}, "-y$": {}}`',
  ),
  schemaRule(
    'schema.min-properties-tightened',
    'narrowing',
    'Objects must now have more properties.',
    '`"minProperties": 1` added',
  ),
  schemaRule(
    'schema.min-properties-loosened',
    'widening',
    'Objects may now have fewer properties.',
    '`"minProperties": 2` → `1`',
  ),
  schemaRule(
    'schema.max-properties-tightened',
    'narrowing',
    'Objects must now have fewer properties.',
    '`"maxProperties": 3` added',
  ),
  schemaRule(
    'schema.max-properties-loosened',
    'widening',
    'Objects may now have more properties.',
    '`"maxProperties": 3` → `4`',
  ),
  schemaRule(
    'schema.dependent-required-added',
    'narrowing',
    'A property now requires other properties when it is present.',
    '`"dependentRequired": {"card": ["billing"]}` added (or draft-07 `dependencies` array)',
  ),
  schemaRule(
    'schema.dependent-required-removed',
    'widening',
    'A property no longer requires other properties when it is present.',
    'the same, removed',
  ),
  schemaRule(
    'schema.dependent-schema-added',
    'narrowing',
    'A property now applies a schema to the object when it is present.',
    '`"dependentSchemas": {"card": {…}}` added (or draft-07 `dependencies` schema)',
  ),
  schemaRule(
    'schema.dependent-schema-removed',
    'widening',
    'A property no longer applies a schema to the object when it is present.',
    'the same, removed',
  ),
  schemaRule(
    'schema.unevaluated-changed',
    'unknown',
    'Something next to unevaluatedProperties or unevaluatedItems changed, which the rules cannot decide.',
    'a property added next to `"unevaluatedProperties": false`',
  ),
  // combinators
  schemaRule(
    'schema.all-of-entry-added',
    'narrowing',
    'A schema every value must also satisfy was added.',
    'an `allOf` entry (or a `$ref` that cannot be merged with its siblings) added',
  ),
  schemaRule(
    'schema.all-of-entry-removed',
    'widening',
    'A schema every value had to satisfy was removed.',
    'the same, removed',
  ),
  schemaRule(
    'schema.any-of-branch-added',
    'widening',
    'An alternative was added to an anyOf.',
    '`anyOf: [A, B]` → `anyOf: [A, B, C]`',
  ),
  schemaRule(
    'schema.any-of-branch-removed',
    'narrowing',
    'An alternative was removed from an anyOf.',
    '`anyOf: [A, B, C]` → `anyOf: [A, C]`',
  ),
  schemaRule(
    'schema.one-of-branch-added',
    'widening',
    'An alternative was added to a oneOf whose branches cannot overlap.',
    'a branch added to a `oneOf` whose branches cannot overlap',
  ),
  schemaRule(
    'schema.one-of-branch-removed',
    'narrowing',
    'An alternative was removed from a oneOf whose branches cannot overlap.',
    'a branch removed from such a `oneOf`',
  ),
  schemaRule(
    'schema.one-of-type-narrowed',
    'narrowing',
    'A oneOf now rejects every value of a JSON type it admitted (no branch admits it, or two admit all of it).',
    'a second `{"type": "object"}` branch added: every object matches two branches',
  ),
  schemaRule(
    'schema.one-of-type-widened',
    'widening',
    'A oneOf now admits values of a JSON type it rejected.',
    'of two `{"type": "object"}` branches, one removed: objects match one branch again',
  ),
  schemaRule(
    'schema.one-of-old-overlap',
    'unknown-forward',
    'The old oneOf’s branches may overlap: compared as anyOf, which proves backward compatibility only.',
    'old string branches with `pattern` `^a` and `b$` (both match `"ab"`); the new ones `^a` and `^b`',
  ),
  schemaRule(
    'schema.one-of-new-overlap',
    'unknown-backward',
    'The new oneOf’s branches may overlap: compared as anyOf, which proves forward compatibility only.',
    'string branches with `pattern` `^a` and `^b` → `^a` and `b$`',
  ),
  schemaRule(
    'schema.one-of-changed',
    'unknown',
    'A oneOf whose branches may overlap changed, which the rules cannot decide.',
    '`oneOf: [{"type": "string"}, {"maxLength": 3}]` → `maxLength: 5` (branches overlap)',
  ),
  schemaRule(
    'schema.not-changed',
    'unknown',
    'The schema under not changed, which the rules cannot decide.',
    '`"not": {"type": "string"}` → `"not": {"type": ["string", "null"]}`',
  ),
  schemaRule(
    'schema.if-changed',
    'unknown',
    'The condition of an if/then/else changed in a way the rules cannot compare as sets (neither within the other, or not made of properties with value sets, required and anyOf).',
    'the `if` of an `if`/`then`/`else` changed',
  ),
  schemaRule(
    'schema.if-widened',
    'none',
    'The if condition holds for more instances (compared as sets). Those that now meet it are judged by the new then instead of the old else; what the two differ in for them is reported as its own change.',
    '`"if": {"properties": {"v": {"const": 1}}}` → `{"enum": [1, 2]}`',
  ),
  schemaRule(
    'schema.if-narrowed',
    'none',
    'The if condition holds for fewer instances (compared as sets). Those that no longer meet it are judged by the new else instead of the old then; what the two differ in for them is reported as its own change.',
    '`"if": {"properties": {"v": {"enum": [1, 2]}}}` → `{"const": 1}`',
  ),
  schemaRule(
    'schema.combinator-added',
    'narrowing',
    'A combinator (anyOf, oneOf, not or if) now constrains values.',
    '`anyOf`, `oneOf`, `not` or `if` added',
  ),
  schemaRule(
    'schema.combinator-removed',
    'widening',
    'A combinator (anyOf, oneOf, not or if) no longer constrains values.',
    '`anyOf`, `oneOf`, `not` or `if` removed',
  ),
  // value sets: schemas of type/enum/const/numeric bounds/anyOf compared by what they admit
  schemaRule(
    'schema.values-narrowed',
    'narrowing',
    'Compared as sets of values, the new schema admits a strict subset of what the old one did.',
    '`"anyOf": [{"enum": ["a", "b"]}, {"type": "boolean"}]` → `"enum": ["a", true, false]`',
  ),
  schemaRule(
    'schema.values-widened',
    'widening',
    'Compared as sets of values, the new schema admits a strict superset of what the old one did.',
    '`"type": "integer", "minimum": 1, "maximum": 1` → `"enum": [1, 2]`',
  ),
  schemaRule(
    'schema.values-changed',
    'both',
    'Compared as sets of values, each schema admits a value the other rejects.',
    '`"enum": ["a", "b"]` → `"anyOf": [{"const": "a"}, {"type": "integer"}]`',
  ),
  // boolean schemas
  schemaRule(
    'schema.false-added',
    'narrowing',
    'A place that accepted values now accepts none.',
    '`"items": {"type": "string"}` → `"items": false`',
  ),
  schemaRule(
    'schema.false-removed',
    'widening',
    'A place that accepted no value now accepts some.',
    '`"items": false` → absent (tuple opened)',
  ),
  // references and limits
  schemaRule(
    'schema.ref-unresolved',
    'unknown',
    'A reference cannot be followed on both sides, so what it names cannot be compared.',
    '`$ref` that resolves on one side only, or two different unresolvable references',
  ),
  schemaRule(
    'schema.dynamic-ref',
    'unknown',
    'A dynamic reference depends on the dynamic scope, which the rules do not follow.',
    'any `$dynamicRef` / `$recursiveRef` (depends on the dynamic scope)',
  ),
  schemaRule(
    'schema.not-a-schema',
    'unknown',
    'A malformed keyword changed, so its meaning cannot be compared.',
    'a malformed keyword (`"properties": {"a": 5}`, `"required": "a"`) that changed',
  ),
  schemaRule(
    'schema.too-complex',
    'unknown',
    'The comparison stopped at its depth or reference-expansion limit.',
    '`maxDepth` or `maxRefExpansions` exceeded',
  ),
  // metadata
  schemaRule(
    'schema.annotation-changed',
    'none',
    'An annotation changed, which no validator reads.',
    '`title`, `description`, `examples`, `deprecated`, `x-*` … changed',
  ),
  schemaRule(
    'schema.default-changed',
    'warning',
    'A default changed: validation is the same, but programs that fill in defaults behave differently.',
    '`"default": 1` → `"default": 2`',
  ),
  schemaRule(
    'schema.content-changed',
    'warning',
    'A content keyword changed: not asserted by validators, but consumers may decode differently.',
    '`contentMediaType`, `contentEncoding`, `contentSchema` changed',
  ),
  schemaRule(
    'schema.unknown-keyword-changed',
    'warning',
    'A keyword this library does not know changed: standard validators ignore it, custom vocabularies may not.',
    'a keyword this library does not know changed',
  ),
  schemaRule(
    'schema.dialect-changed',
    'warning',
    'The $schema draft changed; keywords are compared by their shape.',
    '`$schema` draft-07 → 2020-12 (keywords are compared by their shape)',
  ),
] as const;

export type SchemaRuleId = (typeof schemaRuleList)[number]['id'];

export const schemaRules: Readonly<Record<SchemaRuleId, SchemaRule<SchemaRuleId>>> = Object.fromEntries(
  schemaRuleList.map((rule) => [rule.id, rule]),
) as Record<SchemaRuleId, SchemaRule<SchemaRuleId>>;

export function isSchemaRuleId(rule: string): rule is SchemaRuleId {
  return Object.hasOwn(schemaRules, rule);
}
