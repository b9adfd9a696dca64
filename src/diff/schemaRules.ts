// The catalogue of schema compatibility rules: each rule id has one fixed effect, mapped to a severity per direction.
import type { Direction, Severity } from './severity.js';

/**
 * What a change does to the set of accepted instances, independent of direction:
 * narrowing = the new schema accepts fewer, widening = it accepts more, both = some of each,
 * none = no effect on validation, warning = no effect under the JSON Schema spec but worth a look,
 * unknown = the rules cannot decide.
 */
export type SchemaEffect = 'narrowing' | 'widening' | 'both' | 'none' | 'warning' | 'unknown';

export const schemaRules = {
  // types and values
  'schema.type-narrowed': 'narrowing',
  'schema.type-widened': 'widening',
  'schema.enum-added': 'narrowing',
  'schema.enum-removed': 'widening',
  'schema.enum-value-removed': 'narrowing',
  'schema.enum-value-added': 'widening',
  'schema.const-added': 'narrowing',
  'schema.const-removed': 'widening',
  'schema.const-changed': 'both',
  // numbers
  'schema.minimum-tightened': 'narrowing',
  'schema.minimum-loosened': 'widening',
  'schema.maximum-tightened': 'narrowing',
  'schema.maximum-loosened': 'widening',
  'schema.multiple-of-tightened': 'narrowing',
  'schema.multiple-of-loosened': 'widening',
  'schema.multiple-of-changed': 'both',
  // strings
  'schema.min-length-tightened': 'narrowing',
  'schema.min-length-loosened': 'widening',
  'schema.max-length-tightened': 'narrowing',
  'schema.max-length-loosened': 'widening',
  'schema.pattern-added': 'narrowing',
  'schema.pattern-removed': 'widening',
  'schema.pattern-changed': 'unknown',
  'schema.format-added': 'narrowing',
  'schema.format-removed': 'widening',
  'schema.format-changed': 'unknown',
  // arrays
  'schema.min-items-tightened': 'narrowing',
  'schema.min-items-loosened': 'widening',
  'schema.max-items-tightened': 'narrowing',
  'schema.max-items-loosened': 'widening',
  'schema.unique-items-added': 'narrowing',
  'schema.unique-items-removed': 'widening',
  'schema.contains-added': 'narrowing',
  'schema.contains-removed': 'widening',
  'schema.contains-changed': 'unknown',
  // objects
  'schema.required-added': 'narrowing',
  'schema.required-removed': 'widening',
  'schema.property-added': 'widening',
  'schema.property-removed': 'narrowing',
  'schema.property-added-open': 'none',
  'schema.property-removed-open': 'none',
  'schema.additional-properties-closed': 'narrowing',
  'schema.additional-properties-opened': 'widening',
  'schema.pattern-properties-changed': 'unknown',
  'schema.min-properties-tightened': 'narrowing',
  'schema.min-properties-loosened': 'widening',
  'schema.max-properties-tightened': 'narrowing',
  'schema.max-properties-loosened': 'widening',
  'schema.dependent-required-added': 'narrowing',
  'schema.dependent-required-removed': 'widening',
  'schema.dependent-schema-added': 'narrowing',
  'schema.dependent-schema-removed': 'widening',
  'schema.unevaluated-changed': 'unknown',
  // combinators
  'schema.all-of-entry-added': 'narrowing',
  'schema.all-of-entry-removed': 'widening',
  'schema.any-of-branch-added': 'widening',
  'schema.any-of-branch-removed': 'narrowing',
  'schema.one-of-branch-added': 'widening',
  'schema.one-of-branch-removed': 'narrowing',
  'schema.one-of-changed': 'unknown',
  'schema.not-changed': 'unknown',
  'schema.if-changed': 'unknown',
  'schema.combinator-added': 'narrowing',
  'schema.combinator-removed': 'widening',
  // boolean schemas
  'schema.false-added': 'narrowing',
  'schema.false-removed': 'widening',
  // references and limits
  'schema.ref-unresolved': 'unknown',
  'schema.dynamic-ref': 'unknown',
  'schema.not-a-schema': 'unknown',
  'schema.too-complex': 'unknown',
  // metadata
  'schema.annotation-changed': 'none',
  'schema.default-changed': 'warning',
  'schema.content-changed': 'warning',
  'schema.unknown-keyword-changed': 'warning',
  'schema.dialect-changed': 'warning',
} as const satisfies Record<string, SchemaEffect>;

export type SchemaRuleId = keyof typeof schemaRules;

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
  }
}

export function isSchemaRuleId(rule: string): rule is SchemaRuleId {
  return Object.hasOwn(schemaRules, rule);
}
