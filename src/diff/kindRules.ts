// The rules of a diff about kinds themselves: a snapshot records the definition of every kind that validated it.
import type { CompatibilityRule } from '../core/compatibilityRule.js';
import type { Severity } from './severity.js';

export const kindRules = [
  {
    id: 'kind.definition-changed',
    purpose:
      "A kind's definition (schema, reference fields, embedded schemas, capabilities, checks) changed: its specs were checked by other rules, which a person should review.",
    backward: 'warning',
    forward: 'warning',
    example: '`kinds/dataset.yaml` makes `rows` required',
  },
  {
    id: 'kind.added',
    purpose: 'A kind appears (a new kind file, or a built-in kind of a newer specstore).',
    backward: 'compatible',
    forward: 'compatible',
    example: '`kinds/dataset.yaml` added',
  },
  {
    id: 'kind.removed',
    purpose: 'A kind disappears: no spec of it can be built any more.',
    backward: 'warning',
    forward: 'warning',
    example: '`kinds/dataset.yaml` deleted',
  },
] as const satisfies readonly CompatibilityRule[];

/** One change of a kind between two snapshots. */
export interface KindDiff {
  kind: string;
  rule: (typeof kindRules)[number]['id'];
  severity: Severity;
  message: string;
  /** The digests of its definition on each side (absent where the kind is). */
  old?: string;
  new?: string;
}

/**
 * What changed in the kinds two snapshots record (kind name → definition digest). A side that records none (a v1
 * snapshot) says nothing of its kinds: then nothing is compared. The rules have one severity in both directions.
 */
export function diffKindDefinitions(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): KindDiff[] {
  if (Object.keys(before).length === 0 || Object.keys(after).length === 0) return [];
  const severity = (id: KindDiff['rule']): Severity => kindRules.find((rule) => rule.id === id)!.backward;
  const changes: KindDiff[] = [];
  for (const kind of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const old = Object.hasOwn(before, kind) ? before[kind] : undefined;
    const next = Object.hasOwn(after, kind) ? after[kind] : undefined;
    if (old === next) continue;
    if (old === undefined)
      changes.push({
        kind,
        rule: 'kind.added',
        severity: severity('kind.added'),
        message: `kind ${kind} added`,
        new: next!,
      });
    else if (next === undefined)
      changes.push({
        kind,
        rule: 'kind.removed',
        severity: severity('kind.removed'),
        message: `kind ${kind} removed`,
        old,
      });
    else
      changes.push({
        kind,
        rule: 'kind.definition-changed',
        severity: severity('kind.definition-changed'),
        message: `the definition of kind ${kind} changed (${old.slice(7, 19)} → ${next.slice(7, 19)})`,
        old,
        new: next,
      });
  }
  return changes;
}
