// How bad a change is for one direction of compatibility, and the order used to summarise a list of changes.
import type { Severity } from '../core/compatibilityRule.js';

export type { Direction, Severity } from '../core/compatibilityRule.js';

const rank: Record<Severity, number> = { compatible: 0, warning: 1, unknown: 2, breaking: 3 };

/** The worst severity in `changes` (breaking > unknown > warning > compatible); 'compatible' when there are none. */
export function worstSeverity(changes: readonly { severity: Severity }[]): Severity {
  let worst: Severity = 'compatible';
  for (const change of changes) if (rank[change.severity] > rank[worst]) worst = change.severity;
  return worst;
}
