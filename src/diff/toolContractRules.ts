// What changed in a tool's contract, for its callers: ports, runtime, capabilities, predicates.
import { isJsonObject, joinPointer, type JsonObject, type JsonValue } from '../core/json.js';
import { comparePorts, toolInputs, toolOutputs } from './portRules.js';
import type { SchemaResolvers } from './schemaChanges.js';
import type { Direction } from './severity.js';
import { differs, specChange, type DiffChange } from './specRules.js';

/** Fields these rules compare; everything else goes to the generic field rules (annotations, unknown). */
export const toolContractFields = ['inputs', 'outputs', 'adapter', 'entry_point', 'timeout_s', 'capabilities', 'predicates'];

export function compareTools(oldTool: JsonObject, newTool: JsonObject, direction: Direction, resolvers: SchemaResolvers): DiffChange[] {
  const changes = [...comparePorts(toolInputs, oldTool, newTool, direction, resolvers), ...comparePorts(toolOutputs, oldTool, newTool, direction, resolvers)];
  if (differs(oldTool['adapter'], newTool['adapter'])) {
    changes.push(specChange('tool.adapter-changed', direction, '/adapter', 'adapter changed', oldTool['adapter'], newTool['adapter']));
  }
  if (differs(oldTool['entry_point'], newTool['entry_point'])) {
    changes.push(specChange('tool.entry-point-changed', direction, '/entry_point', 'entry point changed', oldTool['entry_point'], newTool['entry_point']));
  }
  changes.push(...compareTimeouts(oldTool['timeout_s'], newTool['timeout_s'], direction));
  changes.push(...compareCapabilities(oldTool, newTool, direction));
  changes.push(...comparePredicates(oldTool, newTool, direction));
  return changes;
}

/** An absent timeout is no timeout: adding one lowers it. */
function compareTimeouts(before: JsonValue | undefined, after: JsonValue | undefined, direction: Direction): DiffChange[] {
  if (!differs(before, after)) return [];
  const limit = (value: JsonValue | undefined) => (typeof value === 'number' ? value : Infinity);
  const rule = limit(after) < limit(before) ? 'tool.timeout-lowered' : 'tool.timeout-raised';
  return [specChange(rule, direction, '/timeout_s', `timeout ${describe(before)} → ${describe(after)}`, before, after)];
}

function compareCapabilities(oldTool: JsonObject, newTool: JsonObject, direction: Direction): DiffChange[] {
  const list = (tool: JsonObject) => (Array.isArray(tool['capabilities']) ? tool['capabilities'].filter((c): c is string => typeof c === 'string') : []);
  const before = list(oldTool);
  const after = list(newTool);
  const changes: DiffChange[] = [];
  before.forEach((capability, index) => {
    if (!after.includes(capability)) changes.push(specChange('tool.capability-removed', direction, `/capabilities/${index}`, `capability ${capability} removed`, capability));
  });
  after.forEach((capability, index) => {
    if (!before.includes(capability)) changes.push(specChange('tool.capability-added', direction, `/capabilities/${index}`, `capability ${capability} added`, undefined, capability));
  });
  return changes;
}

interface PredicateUse {
  pointer: string;
  id: string;
  args: JsonValue | undefined;
}

/** Predicate uses by phase and predicate name (the version is part of what may change). */
function predicateUses(tool: JsonObject): Map<string, PredicateUse> {
  const uses = new Map<string, PredicateUse>();
  const predicates = tool['predicates'];
  if (!isJsonObject(predicates)) return uses;
  for (const [phase, list] of Object.entries(predicates)) {
    if (!Array.isArray(list)) continue;
    list.forEach((use, index) => {
      if (!isJsonObject(use) || typeof use['id'] !== 'string') return;
      const name = use['id'].split('@', 1)[0];
      uses.set(`${phase}\u0000${name}`, { pointer: `${joinPointer('/predicates', phase)}/${index}`, id: use['id'], args: use['args'] });
    });
  }
  return uses;
}

function comparePredicates(oldTool: JsonObject, newTool: JsonObject, direction: Direction): DiffChange[] {
  const before = predicateUses(oldTool);
  const after = predicateUses(newTool);
  const changes: DiffChange[] = [];
  for (const [key, use] of before) {
    if (!after.has(key)) changes.push(specChange('tool.predicate-removed', direction, use.pointer, `predicate ${use.id} removed`, { id: use.id }));
  }
  for (const [key, use] of after) {
    const old = before.get(key);
    if (!old) changes.push(specChange('tool.predicate-added', direction, use.pointer, `predicate ${use.id} added`, undefined, { id: use.id }));
    else if (old.id !== use.id || differs(old.args, use.args)) {
      const value = (each: PredicateUse): JsonObject => (each.args === undefined ? { id: each.id } : { id: each.id, args: each.args });
      changes.push(specChange('tool.predicate-changed', direction, use.pointer, `predicate ${old.id} → ${use.id}${differs(old.args, use.args) ? ' (args changed)' : ''}`, value(old), value(use)));
    }
  }
  return changes;
}

function describe(value: JsonValue | undefined): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}
