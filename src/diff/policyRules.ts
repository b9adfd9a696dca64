// What changed in a policy's limits. A tighter limit may refuse plans that ran under the old one (a warning, not a
// break: nothing about the plans' data changed); a looser one cannot.
import { getAtPointer, joinPointer, type JsonObject, type JsonValue } from '../core/json.js';
import type { Direction } from './severity.js';
import { differs, specChange, type DiffChange, type SpecRuleId } from './specRules.js';

interface PolicyLimit {
  pointer: string;
  /** `lower`: a smaller number is tighter, an absent one is no limit; `false`: turning it off is tighter. */
  tighter: 'lower' | 'false';
  tightened: SpecRuleId;
  loosened: SpecRuleId;
}

export const policyLimits: readonly PolicyLimit[] = [
  { pointer: '/budget/max_usd_micro', tighter: 'lower', tightened: 'policy.budget-lowered', loosened: 'policy.budget-raised' },
  { pointer: '/retry/max_attempts', tighter: 'lower', tightened: 'policy.retries-lowered', loosened: 'policy.retries-raised' },
  { pointer: '/leases/default_ttl_s', tighter: 'lower', tightened: 'policy.lease-ttl-lowered', loosened: 'policy.lease-ttl-raised' },
  { pointer: '/leases/enable_path_leases', tighter: 'false', tightened: 'policy.path-leases-disabled', loosened: 'policy.path-leases-enabled' },
];

/** Top-level fields these rules compare. */
export const policyContractFields = ['budget', 'retry', 'leases'];

export function comparePolicies(oldPolicy: JsonObject, newPolicy: JsonObject, direction: Direction): DiffChange[] {
  const changes: DiffChange[] = [];
  for (const limit of policyLimits) {
    const before = getAtPointer(oldPolicy, limit.pointer);
    const after = getAtPointer(newPolicy, limit.pointer);
    if (!differs(before, after)) continue;
    const tightened = limit.tighter === 'lower' ? asLimit(after) < asLimit(before) : before !== false && after === false;
    changes.push(specChange(tightened ? limit.tightened : limit.loosened, direction, limit.pointer, `${limit.pointer.slice(1).replace('/', '.')} ${describe(before)} → ${describe(after)}`, before, after));
  }
  const before = getAtPointer(oldPolicy, '/retry/backoff_ms');
  const after = getAtPointer(newPolicy, '/retry/backoff_ms');
  if (differs(before, after)) changes.push(specChange('policy.backoff-changed', direction, '/retry/backoff_ms', `retry.backoff_ms ${describe(before)} → ${describe(after)}`, before, after));
  // Anything else under the policy's sections (the kind schema admits x- fields there) is left to a person.
  for (const section of policyContractFields) {
    const keys = new Set([...Object.keys(objectAt(oldPolicy, section)), ...Object.keys(objectAt(newPolicy, section))]);
    for (const key of keys) {
      const pointer = joinPointer(`/${section}`, key);
      if (policyLimits.some((limit) => limit.pointer === pointer) || pointer === '/retry/backoff_ms') continue;
      const old = objectAt(oldPolicy, section)[key];
      const next = objectAt(newPolicy, section)[key];
      if (differs(old, next)) changes.push(specChange(key.startsWith('x-') ? 'spec.annotation-changed' : 'spec.field-changed', direction, pointer, `${section}.${key} changed`, old, next));
    }
  }
  return changes;
}

function objectAt(policy: JsonObject, section: string): JsonObject {
  const value = policy[section];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function asLimit(value: JsonValue | undefined): number {
  return typeof value === 'number' ? value : Infinity;
}

function describe(value: JsonValue | undefined): string {
  return value === undefined ? '(no limit)' : JSON.stringify(value);
}
