// The runner: checks a pinned plan completely before anything runs, then runs its steps through their adapters.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { digestBytes, digestValue, type Digest } from '../core/digest.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { invalidInput, isSpecError } from '../errors.js';
import { analyzePlan, openPinnedSnapshot } from '../plan/checkPlan.js';
import { planDiagnostic, type PlanFile, type PlanFinding, type PlanStep } from '../plan/planFile.js';
import { hasJsonType, nestedBindings, parseBinding, toolPorts, type Port } from '../plan/toolPorts.js';
import { SnapshotSchemas } from '../snapshot/snapshotSchemas.js';
import type { ResolvedSpec, SnapshotView } from '../snapshot/snapshotView.js';
import type { SpecStore } from '../store/specStore.js';
import { validateBounded } from '../validate/schemaCompiler.js';
import {
  envFingerprint,
  memoKey,
  stepSeed,
  wireContext,
  type Adapter,
  type ExecutionEnvironment,
  type ExpandedContext,
  type ProcessorResult,
  type StepFailure,
  type WireContext,
} from './adapter.js';
import { createHttpAdapter } from './http/httpAdapter.js';
import { createLocalAdapter, type SpawnProcess } from './local/localAdapter.js';
import {
  builtinPredicateEvaluators,
  expandPredicateArgs,
  type PredicateContext,
  type PredicateEvaluator,
} from './predicateEvaluators.js';
import { createRunDirectory, type RunDirectory } from './runDirectory.js';
import {
  findMemoizedStep,
  runId,
  saveRunRecord,
  type AttemptRecord,
  type RunRecord,
  type StepRecord,
} from './runRecords.js';

export interface RunnerOptions {
  /** The store the pinned snapshot is read from and run records are written to (the caller opens and closes it). */
  store: SpecStore;
  /** Adapters besides the built-in `local` and `http` (one of the same name replaces the built-in). */
  adapters?: readonly Adapter[];
  /** Evaluators by predicate id (`name@version`) besides the built-ins (same id: replaces it). */
  predicateEvaluators?: Readonly<Record<string, PredicateEvaluator>>;
  /** What `./` in a local entry point is relative to (the registry root). */
  workdir: string;
  /** The environment local tools' minimal environment is taken from (the CLI passes process.env). */
  env?: Record<string, string | undefined>;
  /** A directory copied, read-only, to each run's world mount (default: an empty one). */
  world?: string;
  /** Where run directories are made (default `<tmpdir>/specstore-runs`). */
  runsDirectory?: string;
  spawn?: SpawnProcess;
  fetch?: typeof globalThis.fetch;
  /** What goes into env_fingerprint (default: this process's platform, arch and node version). */
  environment?: ExecutionEnvironment;
  /** The wall clock (run ids, timestamps), a monotonic clock (durations), randomness (run ids), and waiting. */
  now?: () => Date;
  clock?: () => number;
  randomHex?: () => string;
  sleep?: (ms: number) => Promise<void>;
}

export interface RunOptions {
  /** Steps run at once, at most (default 1). */
  jobs?: number;
  /** Run steps even when their memo key has a successful record. */
  noMemo?: boolean;
  signal?: AbortSignal;
  /** Told as each step starts and ends: for progress on a terminal. */
  onProgress?: (event: RunProgress) => void;
}

export interface RunProgress {
  step: string;
  status: 'started' | StepRecord['status'];
  attempt?: number;
  failure?: StepFailure;
}

/** What `--dry-run` shows: every step's expanded context, with what is known before anything runs. */
export interface DryRunReport {
  plan: string;
  snapshot: Digest;
  steps: {
    step_id: string;
    tool: string;
    adapter: string;
    /** The context of the first attempt; `memo_key` is null while inputs wait for earlier steps' outputs. */
    context: Omit<WireContext, 'memo_key'> & { memo_key: Digest | null };
    /** Inputs bound to outputs of earlier steps, still as `${…}`. */
    pending_bindings: string[];
    /** The run whose successful result would be reused, if any. */
    memoized_by?: string;
  }[];
}

export interface Runner {
  /** Checks everything, then runs; the record is returned and stored. Bad input throws INVALID_INPUT, nothing runs. */
  run(planFile: PlanFile, options?: RunOptions): Promise<RunRecord>;
  /** The same checks, then the contexts each step would get; nothing runs, nothing is stored. */
  dryRun(planFile: PlanFile): Promise<DryRunReport>;
  /** The adapter names this runner knows. */
  readonly adapters: readonly string[];
}

interface Predicate {
  id: string;
  args: JsonObject;
}

interface PreparedStep {
  id: string;
  step: PlanStep;
  tool: ResolvedSpec;
  adapter: Adapter;
  /** Inputs with the tool's defaults added; bindings are still `${…}` strings. */
  inputs: JsonObject;
  bound: boolean;
  seed: number;
  envFingerprint: Digest;
  admission: Predicate[];
  success: Predicate[];
  budgetReserved: number;
}

interface PreparedRun {
  planFile: PlanFile;
  plan: string;
  view: SnapshotView;
  policy: ResolvedSpec | undefined;
  steps: PreparedStep[];
  schemas: SnapshotSchemas;
  directory: RunDirectory;
  id: string;
}

const refused = 'nothing was run';

export function createRunner(options: RunnerOptions): Runner {
  if (!options || typeof options !== 'object') throw new TypeError('createRunner: options must be an object');
  if (!options.store) throw new TypeError('createRunner: store is required');
  if (typeof options.workdir !== 'string') throw new TypeError('createRunner: workdir must be a string');
  const workdir = resolve(options.workdir);
  const builtins: Adapter[] = [
    createLocalAdapter({ workdir, env: options.env ?? {}, ...(options.spawn ? { spawn: options.spawn } : {}) }),
    createHttpAdapter(options.fetch ? { fetch: options.fetch } : {}),
  ];
  const adapters = new Map<string, Adapter>();
  for (const adapter of [...builtins, ...(options.adapters ?? [])]) {
    if (typeof adapter?.name !== 'string' || typeof adapter.invoke !== 'function')
      throw new TypeError('createRunner: an adapter needs a name and an invoke function');
    adapters.set(adapter.name, adapter);
  }
  const evaluators: Record<string, PredicateEvaluator> = {
    ...builtinPredicateEvaluators,
    ...options.predicateEvaluators,
  };
  const environment = options.environment ?? {
    platform: process.platform,
    arch: process.arch,
    node: process.version,
  };
  const now = options.now ?? (() => new Date());
  const clock = options.clock ?? (() => performance.now());
  const randomHex = options.randomHex ?? (() => randomBytes(4).toString('hex'));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const runsDirectory = options.runsDirectory ?? join(tmpdir(), 'specstore-runs');
  const store = options.store;

  /** Every static check, in the issue's order; INVALID_INPUT with every problem positioned, before anything runs. */
  async function prepare(planFile: PlanFile): Promise<PreparedRun> {
    const pinned = await openPinnedSnapshot(store, planFile);
    const analysis = await analyzePlan(planFile, pinned.view, pinned.findings);
    if (!pinned.view || analysis.diagnostics.some((diagnostic) => diagnostic.severity === 'error'))
      throw invalidInput(analysis.diagnostics, refused);
    const view = pinned.view;
    const policyRef = planFile.plan.policy;
    const policy = policyRef === undefined ? undefined : await view.get(policyRef);
    const plan = planFile.plan.name ?? planFile.file;
    const findings: PlanFinding[] = [];
    const steps: PreparedStep[] = [];
    const id = runId(now(), randomHex());
    const directory = createRunDirectory(
      runsDirectory,
      id,
      options.world === undefined ? undefined : resolve(options.world),
    );
    try {
      for (const step of planFile.plan.steps) {
        const tool = await view.get(step.processorRef!);
        if (!tool) continue; // analyzePlan reported it
        const pointer = `${step.pointer}/processor_ref`;
        const adapterName = typeof tool.spec['adapter'] === 'string' ? tool.spec['adapter'] : '';
        const adapter = adapters.get(adapterName);
        if (!adapter) {
          findings.push({
            code: 'ADAPTER_NOT_FOUND',
            pointer,
            ref: tool.id,
            message: `${tool.id} runs on adapter "${adapterName}", which this runner does not know (it knows: ${[...adapters.keys()].join(', ')})`,
          });
          continue;
        }
        try {
          await adapter.prepare?.(tool);
        } catch (error) {
          if (!isSpecError(error)) throw error;
          findings.push({ code: error.code, pointer, ref: tool.id, message: error.message });
        }
        const inputs = withDefaults(step.inputs ?? {}, toolPorts(tool.spec, 'inputs'));
        const predicates = await toolPredicates(view, tool, pointer, findings);
        const prepared: PreparedStep = {
          id: step.id!,
          step,
          tool,
          adapter,
          inputs,
          bound: Object.values(inputs).some(hasBinding),
          seed: stepSeed(plan, step.id!),
          envFingerprint: envFingerprint(adapter, environment),
          admission: predicates.admission,
          success: predicates.success,
          budgetReserved: predicates.admission
            .filter((predicate) => predicate.id.startsWith('budget.available@'))
            .reduce((sum, predicate) => sum + Number(predicate.args['required_usd_micro'] ?? 0), 0),
        };
        // Admission predicates whose args are known now are evaluated now: a denied step stops the whole run.
        for (const predicate of prepared.admission) {
          const expanded = expandPredicateArgs(predicate.args, { inputs });
          if (!('args' in expanded)) continue;
          const verdict = await evaluators[predicate.id]!(expanded.args, {
            ...predicateContext(prepared, inputs, directory.worldMount, policy, 0, 0),
            phase: 'admission',
          });
          if (!verdict.ok)
            findings.push({
              code: 'ADMISSION_DENIED',
              pointer,
              ref: predicate.id,
              message: `step "${prepared.id}": ${predicate.id} denies it${verdict.reason ? `: ${verdict.reason}` : ''}`,
            });
        }
        steps.push(prepared);
      }
      if (findings.length > 0)
        throw invalidInput(
          findings.map((finding) => planDiagnostic(planFile, finding)),
          refused,
        );
    } catch (error) {
      directory.remove();
      throw error;
    }
    return { planFile, plan, view, policy, steps, schemas: new SnapshotSchemas(view), directory, id };
  }

  /** The tool's predicates by phase, each resolved to its exact id; one with no evaluator is a finding. */
  async function toolPredicates(
    view: SnapshotView,
    tool: ResolvedSpec,
    pointer: string,
    findings: PlanFinding[],
  ): Promise<{ admission: Predicate[]; success: Predicate[] }> {
    const phases = { admission: [] as Predicate[], success: [] as Predicate[] };
    const declared = isJsonObject(tool.spec['predicates']) ? tool.spec['predicates'] : {};
    for (const [phase, list] of Object.entries(declared)) {
      for (const item of Array.isArray(list) ? list : []) {
        if (!isJsonObject(item) || typeof item['id'] !== 'string') continue;
        const entry = await view.lookup(item['id']);
        const id = entry?.id ?? item['id'];
        const args = isJsonObject(item['args']) ? item['args'] : {};
        if (phase !== 'admission' && phase !== 'success') {
          findings.push({
            code: 'PREDICATE_NO_EVALUATOR',
            pointer,
            ref: id,
            message: `${tool.id} checks ${id} in phase "${phase}", which the runner does not evaluate (admission, success)`,
          });
        } else if (!Object.hasOwn(evaluators, id)) {
          findings.push({
            code: 'PREDICATE_NO_EVALUATOR',
            pointer,
            ref: id,
            message: `${tool.id} checks ${id}, which no predicate evaluator of this runner evaluates (it has: ${Object.keys(evaluators).join(', ')})`,
          });
        } else phases[phase].push({ id, args });
      }
    }
    return phases;
  }

  function predicateContext(
    step: PreparedStep,
    inputs: JsonObject,
    worldMount: string,
    policy: ResolvedSpec | undefined,
    spent: number,
    reserved: number,
  ): Omit<PredicateContext, 'phase'> {
    const max = budgetOf(policy);
    return {
      step_id: step.id,
      tool: step.tool.id,
      inputs,
      world_mount: worldMount,
      budget: {
        ...(max === undefined ? {} : { max_usd_micro: max }),
        spent_usd_micro: spent,
        reserved_usd_micro: reserved,
      },
    };
  }

  function contextOf(
    prepared: PreparedRun,
    step: PreparedStep,
    inputs: JsonObject,
    attempt: number,
    scratch: string,
    memo: Digest,
  ): ExpandedContext {
    return {
      plan_id: prepared.plan,
      step_id: step.id,
      execution_id: `${prepared.id}/${step.id}`,
      attempt,
      snapshot: prepared.view,
      policy: prepared.policy?.spec,
      inputs,
      write_set: [scratch],
      budget_reserved: step.budgetReserved,
      world_mount: prepared.directory.worldMount,
      scratch_dir: scratch,
      seed: step.seed,
      memo_key: memo,
      env_fingerprint: step.envFingerprint,
    };
  }

  async function run(planFile: PlanFile, runOptions: RunOptions = {}): Promise<RunRecord> {
    const jobs = runOptions.jobs ?? 1;
    if (!Number.isInteger(jobs) || jobs < 1) throw new TypeError('run: jobs must be a positive integer');
    const prepared = await prepare(planFile);
    const startedAt = now();
    const started = clock();
    const signal = runOptions.signal ?? new AbortController().signal;
    const max = budgetOf(prepared.policy);
    const retry = isJsonObject(prepared.policy?.spec['retry']) ? prepared.policy.spec['retry'] : {};
    const maxAttempts = typeof retry['max_attempts'] === 'number' ? retry['max_attempts'] : 1;
    const backoff = Array.isArray(retry['backoff_ms']) ? retry['backoff_ms'].map(Number) : [];
    const records = new Map<string, StepRecord>();
    const outputs = new Map<string, JsonObject>();
    let spent = 0;
    let reserved = 0;
    let budgetGone: string | undefined;

    const execute = async (step: PreparedStep): Promise<StepRecord> => {
      const stepStarted = clock();
      const base: StepRecord = {
        id: step.id,
        tool: step.tool.id,
        tool_digest: step.tool.digest,
        adapter: step.adapter.name,
        status: 'failed',
        seed: step.seed,
        env_fingerprint: step.envFingerprint,
        attempts: [],
        started_at: now().toISOString(),
      };
      const finish = (record: StepRecord): StepRecord => ({
        ...record,
        duration_ms: Math.round(clock() - stepStarted),
      });
      const failed = (failure: StepFailure, extra: Partial<StepRecord> = {}) => finish({ ...base, ...extra, failure });
      const bound = await bindInputs(prepared, step, outputs);
      if ('failure' in bound) return failed(bound.failure);
      const inputs = bound.inputs;
      const memo = memoKey(step.tool.digest, inputs, step.seed);
      base.memo_key = memo;
      if (!runOptions.noMemo) {
        const found = await findMemoizedStep(store, memo);
        if (found)
          return finish({
            ...base,
            status: 'memoized',
            outputs: found.step.outputs!,
            output_digests: found.step.output_digests ?? digestsOf(found.step.outputs!),
            artifacts: found.step.artifacts ?? [],
            ...(found.step.receipt ? { receipt: found.step.receipt } : {}),
            memo_of: { run: found.run, step: found.step.id },
          });
      }
      for (const predicate of step.admission) {
        const expanded = expandPredicateArgs(predicate.args, { inputs });
        const verdict =
          'args' in expanded
            ? await evaluators[predicate.id]!(expanded.args, {
                ...predicateContext(step, inputs, prepared.directory.worldMount, prepared.policy, spent, reserved),
                phase: 'admission',
              })
            : { ok: false, reason: `${expanded.unresolved} has no value` };
        if (!verdict.ok)
          return failed({
            code: 'ADMISSION_DENIED',
            message: `${predicate.id} denies step "${step.id}"${verdict.reason ? `: ${verdict.reason}` : ''}`,
            retryable: false,
          });
      }
      reserved += step.budgetReserved;
      try {
        let cost = 0;
        let result: ProcessorResult | undefined;
        for (let attempt = 1; attempt <= maxAttempts; attempt++) {
          runOptions.onProgress?.({ step: step.id, status: 'started', attempt });
          const scratch = prepared.directory.scratch(step.id, attempt);
          const context = contextOf(prepared, step, inputs, attempt, scratch, memo);
          result = await invokeSafely(step, context, signal);
          cost += result.receipt.cost_usd_micro ?? 0;
          spent += result.receipt.cost_usd_micro ?? 0;
          const outside = prepared.directory.changesOutsideScratch();
          if (outside.length > 0)
            result = failedWith(result, {
              code: 'STEP_WROTE_OUTSIDE_SCRATCH',
              message: `${step.tool.id} changed files outside its scratch directory: ${outside.slice(0, 10).join(', ')}`,
              retryable: false,
            });
          if (result.success) result = await checkOutputs(prepared, step, result, inputs, scratch);
          const record: AttemptRecord = {
            attempt,
            scratch_dir: scratch,
            receipt: result.receipt,
            ...(result.failure ? { failure: result.failure } : {}),
          };
          base.attempts.push(record);
          if (result.success || !result.failure?.retryable || attempt === maxAttempts || signal.aborted) break;
          await sleep(backoff.length === 0 ? 0 : backoff[Math.min(attempt - 1, backoff.length - 1)]!);
        }
        const receipt = { ...result!.receipt, ...(cost > 0 ? { cost_usd_micro: cost } : {}) };
        if (max !== undefined && spent > max) {
          budgetGone = step.id;
          return failed(
            {
              code: 'BUDGET_EXCEEDED',
              message: `the run has spent ${spent} usd_micro, more than the policy's ${max}: no further step starts`,
              retryable: false,
            },
            { receipt },
          );
        }
        if (!result!.success) return failed(result!.failure!, { receipt });
        return finish({
          ...base,
          status: 'succeeded',
          receipt,
          outputs: result!.outputs,
          output_digests: digestsOf(result!.outputs),
          artifacts: result!.artifacts,
        });
      } finally {
        reserved -= step.budgetReserved;
      }
    };

    await schedule(
      prepared.steps,
      jobs,
      records,
      () => {
        if (budgetGone !== undefined) return `the budget ran out at step "${budgetGone}"`;
        if (signal.aborted) return 'the run was aborted';
        return undefined;
      },
      async (step) => {
        const record = await execute(step);
        if (record.status === 'succeeded' || record.status === 'memoized') outputs.set(step.id, record.outputs!);
        runOptions.onProgress?.({
          step: step.id,
          status: record.status,
          ...(record.failure ? { failure: record.failure } : {}),
        });
        return record;
      },
      runOptions.onProgress,
    );

    const steps = prepared.steps.map((step) => records.get(step.id)!);
    const record: RunRecord = {
      id: prepared.id,
      plan: prepared.plan,
      plan_file: planFile.file,
      plan_digest: digestBytes(planFile.bytes),
      snapshot: prepared.view.id,
      ...(prepared.policy ? { policy: prepared.policy.id } : {}),
      status: steps.every((step) => step.status === 'succeeded' || step.status === 'memoized') ? 'succeeded' : 'failed',
      started_at: startedAt.toISOString(),
      finished_at: now().toISOString(),
      duration_ms: Math.round(clock() - started),
      jobs,
      budget: { ...(max === undefined ? {} : { max_usd_micro: max }), spent_usd_micro: spent },
      directory: prepared.directory.directory,
      steps,
    };
    await saveRunRecord(store, record);
    return record;
  }

  async function invokeSafely(
    step: PreparedStep,
    context: ExpandedContext,
    signal: AbortSignal,
  ): Promise<ProcessorResult> {
    const started = clock();
    try {
      return await step.adapter.invoke(step.tool, context, signal);
    } catch (error) {
      // An adapter that throws fails the attempt, never the run: the record must still be written.
      const failure: StepFailure = isSpecError(error)
        ? { code: error.code, message: error.message, retryable: false }
        : { code: 'STEP_FAILED', message: `adapter ${step.adapter.name} failed: ${String(error)}`, retryable: false };
      return {
        success: false,
        outputs: {},
        receipt: { duration_ms: Math.round(clock() - started) },
        artifacts: [],
        failure,
      };
    }
  }

  /** Outputs against the tool's output ports (OUTPUT_INVALID naming the port), then the success predicates. */
  async function checkOutputs(
    prepared: PreparedRun,
    step: PreparedStep,
    result: ProcessorResult,
    inputs: JsonObject,
    scratch: string,
  ): Promise<ProcessorResult> {
    const ports = toolPorts(step.tool.spec, 'outputs');
    const invalid = (message: string) =>
      failedWith(result, { code: 'OUTPUT_INVALID', message: `${step.tool.id}: ${message}`, retryable: false });
    for (const name of Object.keys(result.outputs))
      if (!ports.has(name))
        return invalid(`output "${name}" is not one the tool declares (${[...ports.keys()].join(', ') || 'none'})`);
    for (const port of ports.values()) {
      if (!Object.hasOwn(result.outputs, port.name)) {
        if (port.required) return invalid(`output "${port.name}" is required and was not produced`);
        continue;
      }
      const problem = await portProblem(prepared.schemas, port, result.outputs[port.name]!);
      if (problem) return invalid(`output "${port.name}" ${problem}`);
    }
    for (const predicate of step.success) {
      const expanded = expandPredicateArgs(predicate.args, { inputs, outputs: result.outputs });
      const verdict =
        'args' in expanded
          ? await evaluators[predicate.id]!(expanded.args, {
              ...predicateContext(step, inputs, prepared.directory.worldMount, prepared.policy, 0, 0),
              phase: 'success',
              outputs: result.outputs,
              scratch_dir: scratch,
            })
          : { ok: false, reason: `${expanded.unresolved} has no value` };
      if (!verdict.ok)
        return failedWith(result, {
          code: 'SUCCESS_PREDICATE_FAILED',
          message: `${predicate.id} is false after step "${step.id}"${verdict.reason ? `: ${verdict.reason}` : ''}`,
          retryable: false,
        });
    }
    return result;
  }

  async function dryRun(planFile: PlanFile): Promise<DryRunReport> {
    const prepared = await prepare(planFile);
    try {
      const steps: DryRunReport['steps'] = [];
      for (const step of prepared.steps) {
        const pending = Object.entries(step.inputs)
          .filter(([, value]) => hasBinding(value))
          .map(([name]) => name);
        const memo = step.bound ? null : memoKey(step.tool.digest, step.inputs, step.seed);
        const scratch = join(prepared.directory.directory, 'steps', step.id, '1');
        const context = wireContext(contextOf(prepared, step, step.inputs, 1, scratch, memo ?? ('' as Digest)));
        const found = memo === null ? undefined : await findMemoizedStep(store, memo);
        steps.push({
          step_id: step.id,
          tool: step.tool.id,
          adapter: step.adapter.name,
          context: { ...context, memo_key: memo },
          pending_bindings: pending,
          ...(found ? { memoized_by: found.run } : {}),
        });
      }
      return { plan: prepared.plan, snapshot: prepared.view.id, steps };
    } finally {
      prepared.directory.remove();
    }
  }

  return { run, dryRun, adapters: [...adapters.keys()] };
}

/**
 * Runs steps in dependency order, independent ones concurrently up to `jobs`. A step whose dependency did not succeed
 * (or that `stopped` refuses) is recorded as skipped, naming why; every step ends with a record.
 */
async function schedule(
  steps: readonly PreparedStep[],
  jobs: number,
  records: Map<string, StepRecord>,
  stopped: () => string | undefined,
  execute: (step: PreparedStep) => Promise<StepRecord>,
  onProgress: RunOptions['onProgress'],
): Promise<void> {
  const running = new Set<string>();
  await new Promise<void>((done, fail) => {
    const pump = () => {
      for (let changed = true; changed;) {
        changed = false;
        for (const step of steps) {
          if (records.has(step.id) || running.has(step.id)) continue;
          const after = step.step.after.map((edge) => edge.name);
          if (after.some((name) => !records.has(name))) continue;
          const blocker = after.find((name) => !['succeeded', 'memoized'].includes(records.get(name)!.status));
          const reason = blocker !== undefined ? `step "${blocker}" did not succeed` : stopped();
          if (reason !== undefined) {
            records.set(step.id, skipped(step, reason));
            onProgress?.({ step: step.id, status: 'skipped' });
            changed = true;
            continue;
          }
          if (running.size >= jobs) continue;
          running.add(step.id);
          execute(step).then((record) => {
            running.delete(step.id);
            records.set(step.id, record);
            pump();
          }, fail);
        }
      }
      if (running.size === 0 && steps.every((step) => records.has(step.id))) done();
    };
    pump();
  });
}

function skipped(step: PreparedStep, reason: string): StepRecord {
  return {
    id: step.id,
    tool: step.tool.id,
    tool_digest: step.tool.digest,
    adapter: step.adapter.name,
    status: 'skipped',
    seed: step.seed,
    env_fingerprint: step.envFingerprint,
    attempts: [],
    skipped_because: reason,
  };
}

function budgetOf(policy: ResolvedSpec | undefined): number | undefined {
  const budget = policy?.spec['budget'];
  return isJsonObject(budget) && typeof budget['max_usd_micro'] === 'number' ? budget['max_usd_micro'] : undefined;
}

function failedWith(result: ProcessorResult, failure: StepFailure): ProcessorResult {
  return { ...result, success: false, failure };
}

function digestsOf(outputs: JsonObject): Record<string, Digest> {
  return Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, digestValue(value).digest]));
}

/** The inputs a step sends: the tool's defaults for what the plan leaves out. */
function withDefaults(inputs: JsonObject, ports: Map<string, Port>): JsonObject {
  const complete: JsonObject = { ...inputs };
  for (const port of ports.values())
    if (!Object.hasOwn(complete, port.name) && port.default !== undefined) complete[port.name] = port.default;
  return complete;
}

function hasBinding(value: JsonValue): boolean {
  const whole = parseBinding(value);
  return (
    (whole !== undefined && whole !== 'invalid') || nestedBindings(value, '').some((each) => each.binding !== 'invalid')
  );
}

/** The step's inputs with every binding replaced by the output it names; bound values checked against their ports. */
async function bindInputs(
  prepared: PreparedRun,
  step: PreparedStep,
  outputs: Map<string, JsonObject>,
): Promise<{ inputs: JsonObject } | { failure: StepFailure }> {
  const ports = toolPorts(step.tool.spec, 'inputs');
  const inputs: JsonObject = {};
  const fail = (message: string) => ({
    failure: { code: 'STEP_INPUT_INVALID' as const, message: `step "${step.id}": ${message}`, retryable: false },
  });
  for (const [name, value] of Object.entries(step.inputs)) {
    if (!hasBinding(value)) {
      inputs[name] = value;
      continue;
    }
    const lookup = (binding: { step: string; output: string }): JsonValue | undefined => {
      const produced = outputs.get(binding.step);
      return produced && Object.hasOwn(produced, binding.output) ? produced[binding.output] : undefined;
    };
    const whole = parseBinding(value);
    let resolved: JsonValue;
    if (whole !== undefined && whole !== 'invalid') {
      const found = lookup(whole);
      if (found === undefined)
        return fail(`step "${whole.step}" produced no output "${whole.output}" for input "${name}"`);
      resolved = found;
    } else {
      resolved = structuredClone(value);
      for (const nested of nestedBindings(value, '')) {
        if (nested.binding === 'invalid') continue;
        const found = lookup(nested.binding);
        if (found === undefined)
          return fail(
            `step "${nested.binding.step}" produced no output "${nested.binding.output}" for input "${name}"`,
          );
        resolved = replaceAt(resolved, nested.pointer, found);
      }
    }
    const port = ports.get(name);
    const problem = port && (await portProblem(prepared.schemas, port, resolved));
    if (problem) return fail(`input "${name}" ${problem}`);
    inputs[name] = resolved;
  }
  return { inputs };
}

function replaceAt(root: JsonValue, pointer: string, value: JsonValue): JsonValue {
  const tokens = pointer
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (tokens.length === 0) return value;
  let parent = root as Record<string, JsonValue>;
  for (const token of tokens.slice(0, -1)) parent = parent[token] as Record<string, JsonValue>;
  parent[tokens[tokens.length - 1]!] = value;
  return root;
}

/** Why a value does not fit a port (its `type`, or the schema spec it names), or undefined when it does. */
async function portProblem(schemas: SnapshotSchemas, port: Port, value: JsonValue): Promise<string | undefined> {
  if (port.type !== undefined) return hasJsonType(value, port.type) ? undefined : `is not of type ${port.type}`;
  if (port.schema === undefined) return undefined;
  const { validate } = await schemas.validator(port.schema);
  const valid = validate ? validateBounded(validate, value) : undefined;
  if (valid === undefined) return `cannot be checked: schema ${port.schema} is unusable`;
  if (valid) return undefined;
  const first = validate!.errors?.[0];
  return `does not match schema ${port.schema}${first ? `: ${first.instancePath || '/'} ${first.message ?? ''}` : ''}`;
}
