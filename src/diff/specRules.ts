// The catalogue of spec-level rules (tools, prompts, predicates, policies, versions): each id has a fixed severity
// per direction, like the schema rules; the change record every rule emits.
import type { JsonValue } from '../core/json.js';
import { jsonEqual } from '../core/jsonEqual.js';
import { worstSeverity, type Direction, type Severity } from './severity.js';

/** [backward, forward]. Backward: users of the old spec keep working with the new one; forward: the reverse. */
type SeverityPair = readonly [Severity, Severity];

const both = (severity: Severity): SeverityPair => [severity, severity];

export const specRules = {
  // names and versions (no direction: a removed spec breaks whoever references it)
  'spec.added': both('compatible'),
  'spec.removed': both('breaking'),
  'spec.version-added': both('compatible'),
  'spec.version-removed': both('breaking'),
  'spec.version-mutated': both('breaking'),
  'spec.kind-changed': both('breaking'),
  'spec.annotation-changed': both('compatible'),
  'spec.field-changed': both('unknown'),
  'semver.breaking-without-major': both('breaking'),
  // tool inputs (what callers send) and prompt variables
  'tool.input-added-required': ['breaking', 'compatible'],
  'tool.input-added': ['compatible', 'breaking'],
  'tool.input-removed': ['breaking', 'compatible'],
  'tool.input-became-required': ['breaking', 'compatible'],
  'tool.input-became-optional': ['compatible', 'breaking'],
  'tool.input-default-changed': both('warning'),
  'prompt.variable-added-required': ['breaking', 'compatible'],
  'prompt.variable-added': ['compatible', 'breaking'],
  'prompt.variable-removed': ['breaking', 'compatible'],
  'prompt.variable-became-required': ['breaking', 'compatible'],
  'prompt.variable-became-optional': ['compatible', 'breaking'],
  'prompt.variable-default-changed': both('warning'),
  'prompt.template-changed': both('warning'),
  // tool outputs (what callers receive)
  'tool.output-added': ['compatible', 'breaking'],
  'tool.output-removed': ['breaking', 'compatible'],
  'tool.output-became-optional': ['breaking', 'compatible'],
  'tool.output-became-required': ['compatible', 'breaking'],
  'tool.output-default-changed': both('warning'),
  // the rest of a tool
  'tool.adapter-changed': both('warning'),
  'tool.entry-point-changed': both('warning'),
  'tool.timeout-lowered': ['warning', 'compatible'],
  'tool.timeout-raised': ['compatible', 'warning'],
  'tool.capability-removed': ['breaking', 'compatible'],
  'tool.capability-added': ['compatible', 'breaking'],
  'tool.predicate-added': ['warning', 'compatible'],
  'tool.predicate-removed': ['compatible', 'warning'],
  'tool.predicate-changed': both('warning'),
  // predicates (their args schema is compared with the schema rules)
  'predicate.phase-removed': ['warning', 'compatible'],
  'predicate.phase-added': ['compatible', 'warning'],
  // policies: tighter limits may refuse plans that ran before
  'policy.budget-lowered': ['warning', 'compatible'],
  'policy.budget-raised': ['compatible', 'warning'],
  'policy.retries-lowered': ['warning', 'compatible'],
  'policy.retries-raised': ['compatible', 'warning'],
  'policy.lease-ttl-lowered': ['warning', 'compatible'],
  'policy.lease-ttl-raised': ['compatible', 'warning'],
  'policy.path-leases-disabled': ['warning', 'compatible'],
  'policy.path-leases-enabled': ['compatible', 'warning'],
  'policy.backoff-changed': both('warning'),
} as const satisfies Record<string, SeverityPair>;

export type SpecRuleId = keyof typeof specRules;

/** One change found by a diff: a spec rule or a schema rule, where it is, and how bad it is. */
export interface DiffChange {
  /** Stable rule id (docs/compatibility.md). */
  rule: string;
  /** JSON pointer into the new spec (into the old one when the thing was removed); '' for the spec as a whole. */
  pointer: string;
  severity: Severity;
  message: string;
  old?: JsonValue;
  new?: JsonValue;
  /** For a change inside a schema spec reached through `$ref`: that spec's id and the pointer in its schema. */
  schema?: { document: string; pointer: string };
}

export function specRuleSeverity(rule: SpecRuleId, direction: Direction): Severity {
  return specRules[rule][direction === 'backward' ? 0 : 1];
}

/** Builds a change of a spec rule with its severity for `direction`; absent old/new values are left out. */
export function specChange(rule: SpecRuleId, direction: Direction, pointer: string, message: string, old?: JsonValue, next?: JsonValue): DiffChange {
  const change: DiffChange = { rule, pointer, severity: specRuleSeverity(rule, direction), message };
  if (old !== undefined) change.old = old;
  if (next !== undefined) change.new = next;
  return change;
}

/**
 * A compatibility mode: one direction, or `full` (both; each change keeps its worst severity). Rules that run once
 * per direction are given here, so every kind honours the configured mode the same way.
 */
export function underMode(mode: Direction | 'full', compare: (direction: Direction) => DiffChange[]): DiffChange[] {
  if (mode !== 'full') return compare(mode);
  const merged = new Map<string, DiffChange>();
  for (const direction of ['backward', 'forward'] as const) {
    for (const change of compare(direction)) {
      const key = changeKey(change);
      const seen = merged.get(key);
      if (!seen) merged.set(key, change);
      else if (worstSeverity([seen, change]) !== seen.severity) merged.set(key, { ...seen, severity: change.severity });
    }
  }
  return [...merged.values()];
}

function changeKey(change: DiffChange): string {
  return [change.rule, change.pointer, change.schema?.document ?? '', change.schema?.pointer ?? '', JSON.stringify(change.old ?? null), JSON.stringify(change.new ?? null)].join('\u0000');
}

/** Changed values (deep): undefined and absent are the same. */
export function differs(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a !== b;
  return !jsonEqual(a, b);
}
