// The spec-level rules: the engine's own (names, versions, fields no kind rule covers) and the catalogue that
// holds them with every kind's rules, by id; the change record every rule emits.
import type { CompatibilityRule } from '../core/compatibilityRule.js';
import type { JsonValue } from '../core/json.js';
import { jsonEqual } from '../core/jsonEqual.js';
import type { ContractComparison, KindDescriptor } from '../kinds/kindDescriptor.js';
import { worstSeverity, type Direction, type Severity } from './severity.js';

/** The rules of every kind: names and versions (no direction: a removed spec breaks whoever references it), fields. */
export const engineSpecRules = [
  {
    id: 'spec.added',
    purpose: 'A name appears in the new snapshot.',
    backward: 'compatible',
    forward: 'compatible',
    example: '`fresh@1` appears',
  },
  {
    id: 'spec.removed',
    purpose: 'A name disappears, which breaks whatever references it.',
    backward: 'breaking',
    forward: 'breaking',
    example: 'every version of `gone` disappears',
  },
  {
    id: 'spec.version-added',
    purpose: 'A new version of a name appears.',
    backward: 'compatible',
    forward: 'compatible',
    example: '`text.llm@2` added next to `@1`',
  },
  {
    id: 'spec.version-removed',
    purpose: 'A version disappears, which breaks plans pinned to it.',
    backward: 'breaking',
    forward: 'breaking',
    example: '`text.llm@1` dropped (plans pinned to it break)',
  },
  {
    id: 'spec.version-mutated',
    purpose: 'A published version has another digest: published versions must never change.',
    backward: 'breaking',
    forward: 'breaking',
    example: '`text.llm@1` has another digest: a published version changed; give it a new version',
  },
  {
    id: 'spec.url-retargeted',
    purpose:
      "A spec is unchanged but a `$ref` by URL in it names another schema spec now (URLs are not pinned): it is compared through each snapshot's schemas.",
    backward: 'warning',
    forward: 'warning',
    example: '`acme.order@1` unchanged; `https://acme.example/base.json` was `acme.base@1`, is `acme.base@2`',
  },
  {
    id: 'spec.kind-changed',
    purpose: 'A name is now a spec of another kind.',
    backward: 'breaking',
    forward: 'breaking',
    example: '`k` was a policy, is a schema',
  },
  {
    id: 'spec.annotation-changed',
    purpose: 'A field that only describes (description, name, x-*) changed.',
    backward: 'compatible',
    forward: 'compatible',
    example: "`description`, a tool's `name`, an `x-*` field, a port's `description`",
  },
  {
    id: 'spec.field-changed',
    purpose: 'A field no rule covers changed, which a person has to judge.',
    backward: 'unknown',
    forward: 'unknown',
    example: 'any other field no rule covers',
  },
  {
    id: 'semver.breaking-without-major',
    purpose: 'An upgrade within one major version breaks its users.',
    backward: 'breaking',
    forward: 'breaking',
    example:
      '`tool@1.2.0 → tool@1.3.0` with any breaking change (integers are majors; `0.x` is exempt, as semver allows)',
  },
] as const satisfies readonly CompatibilityRule[];

export type EngineSpecRuleId = (typeof engineSpecRules)[number]['id'];

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

/** The spec rules of a set of kinds, by id: the engine's and each kind's `diff.rules`. */
export class SpecRuleCatalogue {
  private readonly rules = new Map<string, CompatibilityRule>();

  /** Checked once, here: a kind that declares a rule twice, or compares with a rule nobody declares, is a TypeError. */
  constructor(kinds: readonly KindDescriptor[]) {
    for (const rule of [...engineSpecRules, ...kinds.flatMap((kind) => kind.diff?.rules ?? [])]) {
      if (this.rules.has(rule.id)) throw new TypeError(`spec rule ${rule.id} is declared twice`);
      this.rules.set(rule.id, rule);
    }
    for (const kind of kinds) {
      for (const id of (kind.diff?.compare ?? []).flatMap(comparisonRuleIds)) {
        if (!this.rules.has(id))
          throw new TypeError(`kind ${kind.name} compares with rule ${id}, which no kind declares`);
      }
    }
  }

  get(id: string): CompatibilityRule | undefined {
    return this.rules.get(id);
  }

  /** Builds a change of a rule with its severity for `direction`; absent old/new values are left out. */
  change(
    rule: string,
    direction: Direction,
    pointer: string,
    message: string,
    old?: JsonValue,
    next?: JsonValue,
  ): DiffChange {
    const change: DiffChange = { rule, pointer, severity: this.rules.get(rule)![direction], message };
    if (old !== undefined) change.old = old;
    if (next !== undefined) change.new = next;
    return change;
  }
}

/** The rule ids a comparison reports (besides the generic field rules). */
function comparisonRuleIds(comparison: ContractComparison): string[] {
  switch (comparison.compare) {
    case 'schema':
    case 'members':
      return [];
    case 'ports': {
      const { added, addedRequired, removed, becameRequired, becameOptional, defaultChanged } = comparison.rules;
      return [added, addedRequired, removed, becameRequired, becameOptional, defaultChanged];
    }
    case 'value':
      return [comparison.rule];
    case 'limit':
      return [comparison.lowered, comparison.raised];
    case 'switch':
      return [comparison.disabled, comparison.enabled];
    case 'set':
      return [comparison.removed, comparison.added];
    case 'predicates':
    case 'entries':
      return [comparison.added, comparison.removed, comparison.changed];
  }
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
  return [
    change.rule,
    change.pointer,
    change.schema?.document ?? '',
    change.schema?.pointer ?? '',
    JSON.stringify(change.old ?? null),
    JSON.stringify(change.new ?? null),
  ].join('\u0000');
}

/** Changed values (deep): undefined and absent are the same. */
export function differs(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a !== b;
  return !jsonEqual(a, b);
}
