// The adapter interface the runner speaks, the ExpandedContext every processor receives, and what it gives back.
import { digestTrustedValue, digestValue, type Digest } from '../core/digest.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { ErrorCode } from '../errors.js';
import type { ResolvedSpec, SnapshotView } from '../snapshot/snapshotView.js';

/** Maps a resolved tool spec to execution; `name` matches the tool's `adapter` field. */
export interface Adapter {
  name: string;
  /** Goes into `env_fingerprint`: a new adapter version may give other results. */
  version?: string;
  /**
   * Static checks before anything runs (the entry point can be split, its file exists and matches its pinned digest):
   * throws a SpecError (ENTRY_POINT_INVALID, ENTRY_POINT_DIGEST_MISMATCH…). Optional.
   */
  prepare?(tool: ResolvedSpec): Promise<void>;
  /** One attempt. A failed attempt is a result with `success: false` and a `failure`; a thrown SpecError is one too. */
  invoke(tool: ResolvedSpec, context: ExpandedContext, signal: AbortSignal): Promise<ProcessorResult>;
}

/** The one structured context a processor receives (docs/adapters.md describes every field). Never raw store access. */
export interface ExpandedContext {
  // identity
  plan_id: string;
  step_id: string;
  /** `<run id>/<step id>`: the same for every attempt of a step in one run. */
  execution_id: string;
  /** 1 for the first attempt. */
  attempt: number;
  // configuration
  /** The pinned snapshot, read-only. */
  snapshot: SnapshotView;
  /** The plan's policy spec (`policy:`), undefined when the plan names none. */
  policy: JsonObject | undefined;
  // inputs
  /** Validated, defaults applied, bindings replaced by the outputs they name. */
  inputs: JsonObject;
  // constraints
  /** Absolute directories the step may write: its scratch directory only. */
  write_set: string[];
  /** What the step's `budget.available` admission predicate reserved, in micro-dollars (0 without one). */
  budget_reserved: number;
  // world access
  /** A read-only directory: the run's copy of the world the tool may read. */
  world_mount: string;
  /** A fresh, empty, writable directory for this attempt; the tool's working directory. */
  scratch_dir: string;
  // determinism
  /** A 32-bit seed derived from the plan's name and the step's id: the same on every run and machine. */
  seed: number;
  /** Digest over the tool's digest, the canonical inputs and the seed: the action-cache key. */
  memo_key: Digest;
  /** Digest over what else can change the result: adapter name and version, platform, architecture, node version. */
  env_fingerprint: Digest;
}

/** The context as a processor receives it over a wire (stdin, an HTTP body): the snapshot as its id. */
export type WireContext = Omit<ExpandedContext, 'snapshot'> & { snapshot: string };

export function wireContext(context: ExpandedContext): WireContext {
  return { ...context, snapshot: context.snapshot.id };
}

/** Usage of one attempt. */
export interface Receipt {
  duration_ms: number;
  /** Cost in micro-dollars, when the tool reports it. */
  cost_usd_micro?: number;
}

/** A file an attempt produced: relative to its scratch directory, with the sha256 of its bytes. */
export interface Artifact {
  path: string;
  sha256: Digest;
}

/** Why an attempt failed: a code of the error catalogue, and whether trying again may help. */
export interface StepFailure {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  /** A bounded excerpt of the tool's stderr, when there is one. */
  stderr?: string;
}

export interface ProcessorResult {
  success: boolean;
  outputs: JsonObject;
  receipt: Receipt;
  artifacts: Artifact[];
  /** Set when `success` is false. */
  failure?: StepFailure;
}

/** A failed attempt's result. */
export function failedResult(failure: StepFailure, durationMs: number, stderr?: string): ProcessorResult {
  return {
    success: false,
    outputs: {},
    receipt: { duration_ms: durationMs },
    artifacts: [],
    failure: stderr === undefined || stderr === '' ? failure : { ...failure, stderr },
  };
}

/** The seed of a step: the first 32 bits of a digest over the plan's name and the step's id. */
export function stepSeed(plan: string, step: string): number {
  return Number.parseInt(digestTrustedValue({ plan, step }).digest.slice(7, 15), 16);
}

/** The memo key: a digest over the tool's digest, the canonical inputs and the seed. */
export function memoKey(toolDigest: Digest, inputs: JsonValue, seed: number): Digest {
  return digestValue({ tool: toolDigest, inputs, seed }).digest;
}

/** What, besides the tool and its inputs, can change a result. */
export interface ExecutionEnvironment {
  platform: string;
  arch: string;
  node: string;
}

export function envFingerprint(adapter: Pick<Adapter, 'name' | 'version'>, environment: ExecutionEnvironment): Digest {
  return digestTrustedValue({
    adapter: adapter.name,
    adapter_version: adapter.version ?? null,
    platform: environment.platform,
    arch: environment.arch,
    node: environment.node,
  }).digest;
}
