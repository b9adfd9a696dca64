// `spec plan check`: every reference resolves in the pinned snapshot, every step's inputs meet its tool's contract,
// and the steps form a graph without cycles. Returns every problem, positioned; never prints.
import { isDigest } from '../core/digest.js';
import { getAtPointer, joinPointer, type JsonObject, type JsonValue } from '../core/json.js';
import { describeRefProblem, parseRef, quoteStart, refProblem } from '../core/ref.js';
import { isSpecError, type Diagnostic } from '../errors.js';
import { SnapshotSchemas } from '../snapshot/snapshotSchemas.js';
import { validateBounded } from '../validate/schemaCompiler.js';
import { SnapshotView, type ResolvedSpec, type SnapshotEntry } from '../snapshot/snapshotView.js';
import type { SpecStore } from '../store/specStore.js';
import {
  planDiagnostic,
  planReferences,
  type PlanFile,
  type PlanFinding,
  type PlanReference,
  type PlanStep,
} from './planFile.js';
import { checkStepGraph, stepsBefore, type StepGraph } from './stepGraph.js';
import {
  hasJsonType,
  mustBeSent,
  nestedBindings,
  parseBinding,
  toolPorts,
  type OutputBinding,
  type Port,
} from './toolPorts.js';

/** A reference of the plan and what it resolves to in the snapshot checked against (absent: it does not). */
export interface ResolvedReference extends PlanReference {
  resolved?: SnapshotEntry;
}

export interface PlanAnalysis {
  references: ResolvedReference[];
  /** Every problem, positioned, in file order (the file's own shape problems included). */
  diagnostics: Diagnostic[];
}

/** The outcome of checking one plan: `ok`, and every problem positioned in the file. */
export interface PlanCheckResult {
  file: string;
  plan?: string;
  /** The pinned snapshot, when the plan has a pin. */
  snapshot?: string;
  ok: boolean;
  diagnostics: Diagnostic[];
}

/** Checks a plan against the snapshot it pins; PLAN_NOT_PINNED or PLAN_SNAPSHOT_NOT_FOUND when there is none. */
export async function checkPlan(store: SpecStore, planFile: PlanFile): Promise<PlanCheckResult> {
  const pinned = await openPinnedSnapshot(store, planFile);
  const analysis = await analyzePlan(planFile, pinned.view, pinned.findings);
  return {
    file: planFile.file,
    ...(planFile.plan.name === undefined ? {} : { plan: planFile.plan.name }),
    ...(planFile.plan.snapshot === undefined ? {} : { snapshot: planFile.plan.snapshot }),
    ok: !analysis.diagnostics.some((diagnostic) => diagnostic.severity === 'error'),
    diagnostics: analysis.diagnostics,
  };
}

/** The snapshot a plan pins, opened; or why it cannot be. */
export async function openPinnedSnapshot(
  store: SpecStore,
  planFile: PlanFile,
): Promise<{ view?: SnapshotView; findings: PlanFinding[] }> {
  const pin = planFile.plan.snapshot;
  if (pin === undefined) {
    return {
      findings: [
        {
          code: 'PLAN_NOT_PINNED',
          pointer: '',
          message: 'the plan pins no snapshot: run `spec plan pin` so that its refs resolve the same way everywhere',
        },
      ],
    };
  }
  if (!isDigest(pin)) return { findings: [] }; // PLAN_INVALID already says so
  try {
    return { view: await SnapshotView.open(store, pin), findings: [] };
  } catch (error) {
    if (!isSpecError(error) || error.code !== 'SNAPSHOT_NOT_FOUND') throw error;
    return {
      findings: [
        {
          code: 'PLAN_SNAPSHOT_NOT_FOUND',
          pointer: '/snapshot',
          message: `the pinned snapshot ${pin} is not in this store (import it with \`spec import\`)`,
        },
      ],
    };
  }
}

/** Resolves and checks a plan against `view` (undefined: only the checks that need no snapshot). */
export async function analyzePlan(
  planFile: PlanFile,
  view: SnapshotView | undefined,
  extraFindings: readonly PlanFinding[] = [],
): Promise<PlanAnalysis> {
  const graph = checkStepGraph(planFile.plan);
  const findings: PlanFinding[] = [...extraFindings, ...graph.findings];
  const references: ResolvedReference[] = [];
  if (view) {
    const toolByPointer = new Map<string, SnapshotEntry>();
    for (const reference of planReferences(planFile.plan)) {
      const { resolved, finding } = await resolveReference(view, reference);
      references.push(resolved === undefined ? reference : { ...reference, resolved });
      if (finding) findings.push(finding);
      else if (resolved && reference.kind === 'tool') toolByPointer.set(reference.pointer, resolved);
    }
    // Inputs are checked for the first step of each id (a duplicate id is reported already).
    const tools = new Map<string, ResolvedSpec>();
    for (const [id, step] of graph.steps) {
      const entry = toolByPointer.get(`${step.pointer}/processor_ref`);
      if (entry) tools.set(id, (await view.get(entry.id))!);
    }
    const inputs = new StepInputChecker(graph, tools, new SnapshotSchemas(view));
    for (const [id, step] of graph.steps) {
      const tool = tools.get(id);
      if (tool) findings.push(...(await inputs.check(step, tool)));
    }
  } else {
    references.push(...planReferences(planFile.plan));
  }
  const diagnostics = [...planFile.diagnostics, ...findings.map((finding) => planDiagnostic(planFile, finding))];
  return { references, diagnostics: sortByPosition(diagnostics) };
}

/** What a plan reference resolves to, or the finding that says why it does not (or names the wrong kind). */
export async function resolveReference(
  view: SnapshotView,
  reference: PlanReference,
): Promise<{ resolved?: SnapshotEntry; finding?: PlanFinding }> {
  const { pointer, ref } = reference;
  if (!parseRef(ref))
    return {
      finding: {
        code: 'PLAN_REF_INVALID',
        pointer,
        ref,
        message: `${quoteStart(ref)} is not a reference (name or name@version): ${describeRefProblem(ref, refProblem(ref, 'ref') ?? 'name-invalid')}`,
      },
    };
  const resolved = await view.lookup(ref);
  if (!resolved) {
    const explanation = await view.explain(ref);
    const known = explanation.candidates.map((candidate) => `${explanation.parsed.name}@${candidate.version}`);
    const hint = known.length > 0 ? ` (it has ${known.join(', ')})` : '';
    return {
      finding: { code: 'PLAN_REF_NOT_FOUND', pointer, ref, message: `${ref} is not in snapshot ${view.id}${hint}` },
    };
  }
  if (resolved.kind !== reference.kind) {
    return {
      resolved,
      finding: {
        code: 'PLAN_REF_WRONG_KIND',
        pointer,
        ref,
        message: `${ref} is a ${resolved.kind}; ${reference.kind === 'tool' ? 'processor_ref' : 'policy'} must name a ${reference.kind}`,
      },
    };
  }
  return { resolved };
}

/** A step's inputs against its tool's input ports; bindings against the outputs of the steps they name. */
class StepInputChecker {
  constructor(
    private readonly graph: StepGraph,
    private readonly tools: Map<string, ResolvedSpec>,
    private readonly schemas: SnapshotSchemas,
  ) {}

  async check(step: PlanStep, tool: ResolvedSpec): Promise<PlanFinding[]> {
    const findings: PlanFinding[] = [];
    const ports = toolPorts(tool.spec, 'inputs');
    const inputs: JsonObject = step.inputs ?? {};
    const inputsPointer = `${step.pointer}/inputs`;
    for (const port of ports.values()) {
      if (mustBeSent(port) && !Object.hasOwn(inputs, port.name)) {
        // The pointer names the absent input; its position is that of the nearest parent that exists.
        findings.push({
          code: 'PLAN_INPUT_MISSING',
          pointer: joinPointer(inputsPointer, port.name),
          ref: tool.id,
          message: `${tool.id} requires input "${port.name}"`,
        });
      }
    }
    for (const [name, value] of Object.entries(inputs)) {
      const pointer = joinPointer(inputsPointer, name);
      const port = ports.get(name);
      if (!port) {
        const declared = [...ports.keys()].join(', ') || 'none';
        findings.push({
          code: 'PLAN_INPUT_UNKNOWN',
          pointer,
          ref: tool.id,
          message: `${tool.id} has no input "${name}" (its inputs: ${declared})`,
        });
        continue;
      }
      const binding = parseBinding(value);
      // Bindings inside an object or list are checked as a whole-value binding is, except for the type they feed.
      const nested = binding === undefined ? nestedBindings(value, pointer) : [];
      for (const each of nested) {
        findings.push(
          ...(each.binding === 'invalid'
            ? [notABinding(getAtPointer(inputs, each.pointer.slice(inputsPointer.length))!, each.pointer)]
            : this.checkBindingSource(step, each.binding, each.pointer)),
        );
      }
      if (binding === 'invalid') {
        findings.push(notABinding(value, pointer));
      } else if (binding) {
        findings.push(...this.checkBinding(step, port, binding, pointer));
      } else if (port.type !== undefined) {
        if (!hasJsonType(value, port.type)) {
          findings.push({
            code: 'PLAN_INPUT_INVALID',
            pointer,
            ref: tool.id,
            message: `input "${name}" of ${tool.id} must be of type ${port.type}`,
          });
        }
      } else if (port.schema !== undefined) {
        const { validate, problems } = await this.schemas.validator(port.schema);
        const valid = validate ? validateBounded(validate, value) : undefined;
        if (valid === undefined) {
          // No validator is a failure, never "nothing to validate".
          const why = problems.map((problem) => problem.code).join(', ') || 'validation ran out of stack';
          findings.push({
            code: 'PLAN_INPUT_UNCHECKABLE',
            pointer,
            ref: port.schema,
            message: `input "${name}" of ${tool.id} cannot be checked: schema ${port.schema} is unusable (${why})`,
          });
        } else if (!valid && validate) {
          // A value a binding will stand in for is not known yet: the schema's verdict on the `${…}` text is moot.
          const bound = nested.map((each) => each.pointer.slice(pointer.length));
          const boundPart = (path: string) => bound.some((at) => path === at || path.startsWith(`${at}/`));
          for (const error of (validate.errors ?? []).filter((each) => !boundPart(each.instancePath))) {
            findings.push({
              code: 'PLAN_INPUT_INVALID',
              pointer: `${pointer}${error.instancePath}`,
              ref: port.schema,
              message: `input "${name}"${error.instancePath === '' ? '' : ` at ${error.instancePath}`} ${error.message ?? 'is invalid'} (schema ${port.schema})`,
            });
          }
        }
      }
    }
    return findings;
  }

  /** The step, its place before this one, and its output: what any binding needs, wherever it stands. */
  private checkBindingSource(step: PlanStep, binding: OutputBinding, pointer: string): PlanFinding[] {
    const source = this.graph.steps.get(binding.step);
    if (!source)
      return [
        {
          code: 'PLAN_BINDING_INVALID',
          pointer,
          message: `binds step "${binding.step}", which is not a step of this plan`,
        },
      ];
    if (binding.step === step.id)
      return [
        {
          code: 'PLAN_BINDING_INVALID',
          pointer,
          message: `binds an output of its own step "${binding.step}": a step can bind only the outputs of steps before it`,
        },
      ];
    if (!stepsBefore(this.graph, step.id!).has(binding.step)) {
      // Suggest the edge only when it would not close a cycle: step "<source>" may itself wait for this step.
      const advice = stepsBefore(this.graph, binding.step).has(step.id!)
        ? `; step "${binding.step}" waits for this step (directly or through others), so it cannot also run before it: bind an output of a step this one waits for, or reorder the steps`
        : `: add it to after`;
      return [
        {
          code: 'PLAN_BINDING_INVALID',
          pointer,
          message: `binds an output of step "${binding.step}", which this step does not wait for${advice}`,
        },
      ];
    }
    const tool = this.tools.get(binding.step);
    if (!tool) return []; // its processor_ref is reported
    const output = toolPorts(tool.spec, 'outputs').get(binding.output);
    if (!output)
      return [
        {
          code: 'PLAN_BINDING_INVALID',
          pointer,
          ref: tool.id,
          message: `${tool.id} (step "${binding.step}") has no output "${binding.output}"`,
        },
      ];
    return [];
  }

  private checkBinding(step: PlanStep, port: Port, binding: OutputBinding, pointer: string): PlanFinding[] {
    const problems = this.checkBindingSource(step, binding, pointer);
    if (problems.length > 0) return problems;
    const tool = this.tools.get(binding.step);
    const output = tool && toolPorts(tool.spec, 'outputs').get(binding.output);
    if (!tool || !output) return [];
    const fits =
      output.type === undefined ||
      port.type === undefined ||
      output.type === port.type ||
      (output.type === 'integer' && port.type === 'number');
    if (!fits)
      return [
        {
          code: 'PLAN_INPUT_INVALID',
          pointer,
          ref: tool.id,
          message: `output "${binding.output}" of ${tool.id} is ${output.type}; input "${port.name}" takes ${port.type}`,
        },
      ];
    return [];
  }
}

function notABinding(value: JsonValue, pointer: string): PlanFinding {
  return {
    code: 'PLAN_BINDING_INVALID',
    pointer,
    message: `${JSON.stringify(value)} is not a binding: write \${steps.<step>.outputs.<output>}`,
  };
}

function sortByPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((diagnostic, index) => ({ diagnostic, index }))
    .sort(
      (a, b) =>
        (a.diagnostic.line ?? 0) - (b.diagnostic.line ?? 0) ||
        (a.diagnostic.column ?? 0) - (b.diagnostic.column ?? 0) ||
        a.index - b.index,
    )
    .map(({ diagnostic }) => diagnostic);
}
