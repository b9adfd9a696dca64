// Predicate evaluators by predicate id: the built-ins for the bundled predicates, and the templating of their args.
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';

/** What a predicate is evaluated against. */
export interface PredicateContext {
  phase: 'admission' | 'success';
  step_id: string;
  tool: string;
  inputs: JsonObject;
  /** After the run (success phase) only. */
  outputs?: JsonObject;
  /** Where admission paths are looked up. */
  world_mount: string;
  /** Where success paths are looked up (the attempt's scratch directory). */
  scratch_dir?: string;
  /** The policy's budget (undefined: none), what finished steps spent, and what running steps reserved. */
  budget: { max_usd_micro?: number; spent_usd_micro: number; reserved_usd_micro: number };
}

export interface PredicateVerdict {
  ok: boolean;
  reason?: string;
}

export type PredicateEvaluator = (
  args: JsonObject,
  context: PredicateContext,
) => PredicateVerdict | Promise<PredicateVerdict>;

/** `budget.available@1`: the budget minus what was spent and reserved covers `required_usd_micro`. */
const budgetAvailable: PredicateEvaluator = (args, { budget }) => {
  const required = Number(args['required_usd_micro'] ?? 0);
  if (budget.max_usd_micro === undefined) return { ok: true };
  const remaining = budget.max_usd_micro - budget.spent_usd_micro - budget.reserved_usd_micro;
  return remaining >= required
    ? { ok: true }
    : { ok: false, reason: `the step needs ${required} usd_micro; the budget has ${Math.max(0, remaining)} left` };
};

/** `artifact.exists@1`: a file exists at `path`, in the world mount (admission) or the scratch directory (success). */
const artifactExists: PredicateEvaluator = (args, context) => {
  const base = context.phase === 'success' ? (context.scratch_dir ?? context.world_mount) : context.world_mount;
  const path = typeof args['path'] === 'string' ? args['path'] : '';
  if (path === '') return { ok: false, reason: 'no path is given' };
  const full = resolve(base, path);
  const inside = relative(base, full);
  if (inside.startsWith('..') || isAbsolute(inside))
    return {
      ok: false,
      reason: `${path} is outside the ${context.phase === 'success' ? 'scratch directory' : 'world mount'}`,
    };
  return existsSync(full) ? { ok: true } : { ok: false, reason: `nothing exists at ${path}` };
};

export const builtinPredicateEvaluators: Readonly<Record<string, PredicateEvaluator>> = {
  'budget.available@1': budgetAvailable,
  'artifact.exists@1': artifactExists,
};

const templatePattern = /\$\{(inputs|outputs)\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * A predicate's args with `${inputs.NAME}` and `${outputs.NAME}` filled in: a whole-string template takes the value
 * itself, one inside a string its text. `unresolved` names the first template with no value (yet).
 */
export function expandPredicateArgs(
  args: JsonObject,
  values: { inputs: JsonObject; outputs?: JsonObject },
): { args: JsonObject } | { unresolved: string } {
  let unresolved: string | undefined;
  const lookup = (source: string, name: string): JsonValue | undefined => {
    const from = source === 'inputs' ? values.inputs : values.outputs;
    const value = from && Object.hasOwn(from, name) ? from[name] : undefined;
    if (value === undefined || (typeof value === 'string' && value.startsWith('${')))
      unresolved ??= `${source}.${name}`;
    return value;
  };
  const expand = (value: JsonValue): JsonValue => {
    if (typeof value === 'string') {
      const whole = /^\$\{(inputs|outputs)\.([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
      if (whole) return lookup(whole[1]!, whole[2]!) ?? value;
      return value.replace(templatePattern, (text, source: string, name: string) => {
        const found = lookup(source, name);
        return found === undefined ? text : typeof found === 'string' ? found : JSON.stringify(found);
      });
    }
    if (Array.isArray(value)) return value.map(expand);
    if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expand(item)]));
    return value;
  };
  const expanded = expand(args) as JsonObject;
  return unresolved === undefined ? { args: expanded } : { unresolved };
}
