// The comparators a kind's `diff.compare` list names: each reads two versions of a spec and reports the rules it was
// given. What a kind compares is data in its descriptor; how each comparison works lives here, once for every kind.
import { getAtPointer, isJsonObject, joinPointer, type JsonObject, type JsonValue } from '../core/json.js';
import type { ContractComparison } from '../kinds/kindDescriptor.js';
import { comparePorts } from './portRules.js';
import { schemaChanges, type SchemaResolvers } from './schemaChanges.js';
import type { Direction } from './severity.js';
import { differs, type DiffChange, type SpecRuleCatalogue } from './specRules.js';

/** The top-level fields a list of comparisons covers; the generic field rules judge the others. */
export function comparedFields(comparisons: readonly ContractComparison[]): Set<string> {
  return new Set(
    comparisons.map((comparison) => comparison.pointer.split('/')[1]!.replace(/~1/g, '/').replace(/~0/g, '~')),
  );
}

/** The changes of every comparison, in list order, for one direction. */
export function compareContract(
  comparisons: readonly ContractComparison[],
  rules: SpecRuleCatalogue,
  oldSpec: JsonObject,
  newSpec: JsonObject,
  direction: Direction,
  resolvers: SchemaResolvers,
): DiffChange[] {
  const covered = new Set(comparisons.map((comparison) => comparison.pointer));
  return comparisons.flatMap((comparison) =>
    compareOne(comparison, rules, oldSpec, newSpec, direction, resolvers, covered),
  );
}

function compareOne(
  comparison: ContractComparison,
  rules: SpecRuleCatalogue,
  oldSpec: JsonObject,
  newSpec: JsonObject,
  direction: Direction,
  resolvers: SchemaResolvers,
  covered: ReadonlySet<string>,
): DiffChange[] {
  const { pointer } = comparison;
  const before = getAtPointer(oldSpec, pointer);
  const after = getAtPointer(newSpec, pointer);
  const change = (rule: string, at: string, message: string, old?: JsonValue, next?: JsonValue) =>
    rules.change(rule, direction, at, message, old, next);
  /** The value moved from `before` to `after`: the message shows both, an absent one as `absent`. */
  const transition = (rule: string, label: string, absent: string) =>
    change(rule, pointer, `${label} ${describe(before, absent)} → ${describe(after, absent)}`, before, after);
  switch (comparison.compare) {
    case 'schema':
      return schemaChanges(
        before ?? true,
        after ?? true,
        comparison.role === 'output' ? (direction === 'backward' ? 'forward' : 'backward') : direction,
        resolvers,
        pointer,
      );
    case 'ports':
      return comparePorts(comparison, rules, oldSpec, newSpec, direction, resolvers);
    case 'value': {
      if (!differs(before, after)) return [];
      return [
        comparison.absent === undefined
          ? change(comparison.rule, pointer, `${comparison.label} changed`, before, after)
          : transition(comparison.rule, comparison.label, comparison.absent),
      ];
    }
    case 'limit': {
      if (!differs(before, after)) return [];
      return [
        transition(
          asLimit(after) < asLimit(before) ? comparison.lowered : comparison.raised,
          comparison.label,
          comparison.absent,
        ),
      ];
    }
    case 'switch': {
      if (!differs(before, after)) return [];
      return [
        transition(
          before !== false && after === false ? comparison.disabled : comparison.enabled,
          comparison.label,
          comparison.absent,
        ),
      ];
    }
    case 'set': {
      const old = strings(before);
      const next = strings(after);
      return [
        ...old.flatMap((item, index) =>
          next.includes(item)
            ? []
            : [change(comparison.removed, `${pointer}/${index}`, `${comparison.label} ${item} removed`, item)],
        ),
        ...next.flatMap((item, index) =>
          old.includes(item)
            ? []
            : [change(comparison.added, `${pointer}/${index}`, `${comparison.label} ${item} added`, undefined, item)],
        ),
      ];
    }
    case 'entries': {
      const oldEntries = isJsonObject(before) ? before : {};
      const newEntries = isJsonObject(after) ? after : {};
      const changes: DiffChange[] = [];
      for (const key of Object.keys(oldEntries)) {
        const at = joinPointer(pointer, key);
        if (!Object.hasOwn(newEntries, key))
          changes.push(change(comparison.removed, at, `${comparison.label} ${key} removed`, oldEntries[key]));
        else if (differs(oldEntries[key], newEntries[key]))
          changes.push(
            change(comparison.changed, at, `${comparison.label} ${key} changed`, oldEntries[key], newEntries[key]),
          );
      }
      for (const key of Object.keys(newEntries)) {
        if (!Object.hasOwn(oldEntries, key))
          changes.push(
            change(
              comparison.added,
              joinPointer(pointer, key),
              `${comparison.label} ${key} added`,
              undefined,
              newEntries[key],
            ),
          );
      }
      return changes;
    }
    case 'predicates':
      return comparePredicates(comparison, change, before, after);
    case 'members': {
      // Members the kind's schema admits beyond the compared ones (x- fields) are left to a person.
      const section = pointer.slice(1);
      const oldMembers = isJsonObject(before) ? before : {};
      const newMembers = isJsonObject(after) ? after : {};
      const changes: DiffChange[] = [];
      for (const key of new Set([...Object.keys(oldMembers), ...Object.keys(newMembers)])) {
        const at = joinPointer(pointer, key);
        if (covered.has(at) || !differs(oldMembers[key], newMembers[key])) continue;
        changes.push(
          change(
            key.startsWith('x-') ? 'spec.annotation-changed' : 'spec.field-changed',
            at,
            `${section}.${key} changed`,
            oldMembers[key],
            newMembers[key],
          ),
        );
      }
      return changes;
    }
  }
}

interface PredicateUse {
  pointer: string;
  id: string;
  args: JsonValue | undefined;
}

/** Predicate uses by phase and predicate name (the version is part of what may change). */
function predicateUses(predicates: JsonValue | undefined, pointer: string): Map<string, PredicateUse> {
  const uses = new Map<string, PredicateUse>();
  if (!isJsonObject(predicates)) return uses;
  for (const [phase, list] of Object.entries(predicates)) {
    if (!Array.isArray(list)) continue;
    list.forEach((use, index) => {
      if (!isJsonObject(use) || typeof use['id'] !== 'string') return;
      const name = use['id'].split('@', 1)[0];
      uses.set(`${phase}\u0000${name}`, {
        pointer: `${joinPointer(pointer, phase)}/${index}`,
        id: use['id'],
        args: use['args'],
      });
    });
  }
  return uses;
}

function comparePredicates(
  comparison: Extract<ContractComparison, { compare: 'predicates' }>,
  change: (rule: string, at: string, message: string, old?: JsonValue, next?: JsonValue) => DiffChange,
  beforeValue: JsonValue | undefined,
  afterValue: JsonValue | undefined,
): DiffChange[] {
  const before = predicateUses(beforeValue, comparison.pointer);
  const after = predicateUses(afterValue, comparison.pointer);
  const changes: DiffChange[] = [];
  for (const [key, use] of before) {
    if (!after.has(key))
      changes.push(change(comparison.removed, use.pointer, `predicate ${use.id} removed`, { id: use.id }));
  }
  for (const [key, use] of after) {
    const old = before.get(key);
    if (!old)
      changes.push(change(comparison.added, use.pointer, `predicate ${use.id} added`, undefined, { id: use.id }));
    else if (old.id !== use.id || differs(old.args, use.args)) {
      const value = (each: PredicateUse): JsonObject =>
        each.args === undefined ? { id: each.id } : { id: each.id, args: each.args };
      changes.push(
        change(
          comparison.changed,
          use.pointer,
          `predicate ${old.id} → ${use.id}${differs(old.args, use.args) ? ' (args changed)' : ''}`,
          value(old),
          value(use),
        ),
      );
    }
  }
  return changes;
}

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function asLimit(value: JsonValue | undefined): number {
  return typeof value === 'number' ? value : Infinity;
}

function describe(value: JsonValue | undefined, absent: string): string {
  return value === undefined ? absent : JSON.stringify(value);
}
