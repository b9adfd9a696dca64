// What changed, between two versions of a spec, in the parts a plan depends on: the schema of a port it binds, and
// the limits of its policy. Pure; port schemas are compared with diff/compareSchemas.
import { compareSchemas, worstSeverity, type Direction, type SchemaChange } from '../diff/compareSchemas.js';
import { getAtPointer, type JsonObject, type JsonValue } from '../core/json.js';
import { portSchema } from '../diff/portRules.js';
import type { DiffChange } from '../diff/specRules.js';
import type { Port } from './toolPorts.js';

/** A diff change (same fields and meaning), with the schema changes behind a port change. */
export interface ContractChange extends Omit<DiffChange, 'schema'> {
  changes?: SchemaChange[];
}

/**
 * Compares one port across two tool versions. For an input, the new port must accept all the old one accepted
 * (backward); for an output, what the new one produces must be accepted where the old one's values went (forward).
 * `resolve*` return the schema of a schema spec (load them first).
 */
export function comparePort(
  list: 'inputs' | 'outputs',
  oldPort: Port,
  newPort: Port,
  resolveOld: (ref: string) => JsonValue | undefined,
  resolveNew: (ref: string) => JsonValue | undefined,
): ContractChange | undefined {
  const direction: Direction = list === 'inputs' ? 'backward' : 'forward';
  const changes = compareSchemas(
    { schema: portSchema(oldPort), resolveRef: resolveOld },
    { schema: portSchema(newPort), resolveRef: resolveNew },
    { direction },
  ).filter((change) => change.severity !== 'compatible');
  if (changes.length === 0) return undefined;
  const severity = worstSeverity(changes);
  const what = list === 'inputs' ? 'input' : 'output';
  const effect =
    severity === 'breaking'
      ? list === 'inputs'
        ? 'no longer accepts every value it accepted'
        : 'may produce values its consumers do not accept'
      : 'changed';
  return {
    rule: 'port.schema-changed',
    pointer: `/${list}/${newPort.index}`,
    severity,
    message: `${what} "${newPort.name}" ${effect}`,
    old: portSchema(oldPort),
    new: portSchema(newPort),
    changes,
  };
}

/** A limit of a policy and which way is tighter. An absent limit counts as no limit. */
interface PolicyLimit {
  pointer: string;
  /** `lower`: a smaller number is tighter; `false`: turning it off is tighter. */
  tighter: 'lower' | 'false';
}

const policyLimits: readonly PolicyLimit[] = [
  { pointer: '/budget/max_usd_micro', tighter: 'lower' },
  { pointer: '/retry/max_attempts', tighter: 'lower' },
  { pointer: '/leases/default_ttl_s', tighter: 'lower' },
  { pointer: '/leases/enable_path_leases', tighter: 'false' },
];

/** Other policy fields whose change is reported without a direction. */
const policyOther = ['/retry/backoff_ms'];

export function comparePolicies(oldPolicy: JsonObject, newPolicy: JsonObject): ContractChange[] {
  const changes: ContractChange[] = [];
  for (const limit of policyLimits) {
    const before = getAtPointer(oldPolicy, limit.pointer);
    const after = getAtPointer(newPolicy, limit.pointer);
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    const tightened =
      after !== undefined &&
      (before === undefined ||
        (limit.tighter === 'lower'
          ? typeof before === 'number' && typeof after === 'number' && after < before
          : before === true && after === false));
    changes.push({
      rule: tightened ? 'policy.tightened' : 'policy.loosened',
      pointer: limit.pointer,
      severity: tightened ? 'breaking' : 'compatible',
      message: `${limit.pointer.slice(1).replace('/', '.')} ${describe(before)} → ${describe(after)}`,
      ...(before === undefined ? {} : { old: before }),
      ...(after === undefined ? {} : { new: after }),
    });
  }
  for (const pointer of policyOther) {
    const before = getAtPointer(oldPolicy, pointer);
    const after = getAtPointer(newPolicy, pointer);
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    changes.push({
      rule: 'policy.changed',
      pointer,
      severity: 'warning',
      message: `${pointer.slice(1).replace('/', '.')} ${describe(before)} → ${describe(after)}`,
      ...(before === undefined ? {} : { old: before }),
      ...(after === undefined ? {} : { new: after }),
    });
  }
  return changes;
}

function describe(value: JsonValue | undefined): string {
  return value === undefined ? '(no limit)' : JSON.stringify(value);
}
