// A plan file read with the safe YAML reader: its JSON value, a lenient typed model, and every shape problem.
import type { ValidateFunction } from 'ajv';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { invalidInput, type Diagnostic } from '../errors.js';
import { parseYamlSpec } from '../source/parseYamlSpec.js';
import { createKindAjv } from '../validate/ajvInstances.js';
import { describeAjvError, positionDiagnostic } from '../validate/analyzeSpecFile.js';
import { planSchema } from './planSchema.js';

/** One step of a plan: its id, the tool it runs, its inputs and the steps it waits for. */
export interface PlanStep {
  /** `/steps/<index>`. */
  pointer: string;
  id?: string;
  processorRef?: string;
  inputs?: JsonObject;
  after: { name: string; pointer: string }[];
}

/** What a plan says, field by field; a field of the wrong type is absent here (and reported as PLAN_INVALID). */
export interface Plan {
  name?: string;
  snapshot?: string;
  policy?: string;
  steps: PlanStep[];
}

/** A plan file read and parsed: its path as shown, its bytes, its value and its plan. */
export interface PlanFile {
  /** The path shown to users. */
  file: string;
  bytes: Uint8Array;
  value: JsonObject;
  plan: Plan;
  /** Problems of the file alone (its shape), positioned. */
  diagnostics: Diagnostic[];
}

/** A problem found in a plan, before it is given the plan's file and a position. */
export type PlanFinding = Omit<Diagnostic, 'file' | 'severity'> & { severity?: Diagnostic['severity'] };

/** The finding as a diagnostic of the plan's file, positioned from its pointer (an error unless it says otherwise). */
export function planDiagnostic(planFile: PlanFile, finding: PlanFinding): Diagnostic {
  return positionDiagnostic({ severity: 'error', file: planFile.file, ...finding }, planFile.bytes);
}

/** A spec the plan references: a step's `processor_ref` (a tool) or the plan's `policy`. */
export interface PlanReference {
  pointer: string;
  ref: string;
  kind: 'tool' | 'policy';
  /** The step's id, for a processor_ref. */
  step?: string;
}

let planValidator: ValidateFunction | undefined;

/** Parses a plan; `planFile` is absent only when the YAML itself cannot be read as a mapping. */
export function parsePlanFile(bytes: Uint8Array, file: string): { planFile?: PlanFile; diagnostics: Diagnostic[] } {
  const parsed = parseYamlSpec(bytes, file);
  if (parsed.value === undefined || !isJsonObject(parsed.value)) return { diagnostics: parsed.diagnostics };
  const value = parsed.value;
  planValidator ??= createKindAjv().compile(planSchema);
  const diagnostics: Diagnostic[] = [];
  if (!planValidator(value)) {
    for (const error of planValidator.errors ?? []) {
      const { pointer, message } = describeAjvError(error);
      diagnostics.push(
        positionDiagnostic(
          { code: 'PLAN_INVALID', severity: 'error', file, pointer, message: `plan: ${message}` },
          bytes,
        ),
      );
    }
  }
  const planFile: PlanFile = { file, bytes, value, plan: planModel(value), diagnostics };
  return { planFile, diagnostics };
}

function planModel(value: JsonObject): Plan {
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const steps = Array.isArray(value['steps']) ? value['steps'] : [];
  return {
    ...optional('name', text(value['plan'])),
    ...optional('snapshot', text(value['snapshot'])),
    ...optional('policy', text(value['policy'])),
    steps: steps.flatMap((step, index) => {
      if (!isJsonObject(step)) return [];
      const pointer = `/steps/${index}`;
      const after = Array.isArray(step['after']) ? step['after'] : [];
      return [
        {
          pointer,
          ...optional('id', text(step['id'])),
          ...optional('processorRef', text(step['processor_ref'])),
          ...optional('inputs', isJsonObject(step['inputs']) ? step['inputs'] : undefined),
          after: after.flatMap((name, i) =>
            typeof name === 'string' ? [{ name, pointer: `${pointer}/after/${i}` }] : [],
          ),
        },
      ];
    }),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Every spec the plan references, in file order (policy first). */
export function planReferences(plan: Plan): PlanReference[] {
  const references: PlanReference[] = [];
  if (plan.policy !== undefined) references.push({ pointer: '/policy', ref: plan.policy, kind: 'policy' });
  for (const step of plan.steps) {
    if (step.processorRef === undefined) continue;
    references.push({
      pointer: `${step.pointer}/processor_ref`,
      ref: step.processorRef,
      kind: 'tool',
      ...optional('step', step.id),
    });
  }
  return references;
}

/**
 * Commands that rewrite plans need whole, well-formed files: INVALID_INPUT with every problem otherwise. `outcome`
 * says what the refusal means for the command (what was not done).
 */
export function requireValidPlans(
  parsed: readonly { planFile?: PlanFile; diagnostics: Diagnostic[] }[],
  outcome?: string,
): PlanFile[] {
  const diagnostics = parsed.flatMap((each) => each.diagnostics);
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error'))
    throw invalidInput(diagnostics, outcome ?? 'a plan is invalid: no plan and nothing in the store was changed');
  return parsed.map((each) => each.planFile!);
}
