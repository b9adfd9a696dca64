// Run records in the store (`run:<id>`) and the memo index (`memo:<memo key>` → the run and step to reuse).
import type { Digest } from '../core/digest.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { SpecError } from '../errors.js';
import type { SpecStore } from '../store/specStore.js';
import { keySpaces } from '../store/storeKeys.js';
import type { Artifact, Receipt, StepFailure } from './adapter.js';

export interface AttemptRecord {
  attempt: number;
  scratch_dir: string;
  receipt: Receipt;
  failure?: StepFailure;
}

export type StepStatus = 'succeeded' | 'memoized' | 'failed' | 'skipped';

export interface StepRecord {
  id: string;
  /** The tool's `id@version` and digest in the pinned snapshot. */
  tool: string;
  tool_digest: Digest;
  adapter: string;
  status: StepStatus;
  seed: number;
  /** Absent for a step skipped before its inputs were known. */
  memo_key?: Digest;
  env_fingerprint?: Digest;
  attempts: AttemptRecord[];
  /** The last attempt's receipt, with the cost of every attempt summed. */
  receipt?: Receipt;
  outputs?: JsonObject;
  /** sha256 of each output's canonical JSON. */
  output_digests?: Record<string, Digest>;
  artifacts?: Artifact[];
  failure?: StepFailure;
  /** For a skipped step: the step whose failure stopped it, or why. */
  skipped_because?: string;
  /** For a memoized step: where its result comes from. */
  memo_of?: { run: string; step: string };
  started_at?: string;
  duration_ms?: number;
}

export interface RunRecord {
  id: string;
  plan: string;
  plan_file: string;
  /** sha256 of the plan file's bytes. */
  plan_digest: Digest;
  snapshot: Digest;
  policy?: string;
  status: 'succeeded' | 'failed';
  started_at: string;
  finished_at: string;
  duration_ms: number;
  jobs: number;
  budget: { max_usd_micro?: number; spent_usd_micro: number };
  /** Where the world mount and the scratch directories are. */
  directory: string;
  steps: StepRecord[];
}

/** A run as `spec runs` lists it. */
export interface RunSummary {
  id: string;
  plan: string;
  snapshot: string;
  status: string;
  started_at: string;
  duration_ms: number;
  steps: Partial<Record<StepStatus, number>>;
}

/** Writes the record and the memo entries of its steps that ran and succeeded, in one batch. */
export async function saveRunRecord(store: SpecStore, record: RunRecord): Promise<void> {
  const memo = record.steps
    .filter((step) => step.status === 'succeeded' && step.memo_key !== undefined)
    .map((step) => keySpaces.memo.put(step.memo_key!, JSON.stringify({ run: record.id, step: step.id })));
  await store.kv.batch([keySpaces.run.put(record.id, JSON.stringify(record)), ...memo]);
}

/** A run's record; RUN_NOT_FOUND when the store has none of that id. */
export async function readRunRecord(store: SpecStore, id: string): Promise<RunRecord> {
  const record = await readRecord(store, id);
  if (!record)
    throw new SpecError(
      'RUN_NOT_FOUND',
      `no run ${JSON.stringify(id)} is recorded in this store (spec runs lists them)`,
      {
        data: { run: id },
      },
    );
  return record;
}

async function readRecord(store: SpecStore, id: string): Promise<RunRecord | undefined> {
  const text = await store.kv.get(keySpaces.run.key(id));
  if (text === undefined) return undefined;
  const value: unknown = JSON.parse(text);
  return isJsonObject(value) && Array.isArray(value['steps']) ? (value as unknown as RunRecord) : undefined;
}

/** Every recorded run, newest first. */
export async function listRunRecords(store: SpecStore): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for await (const { value } of store.records(keySpaces.run, { reverse: true })) {
    const record = JSON.parse(value) as RunRecord;
    const steps: RunSummary['steps'] = {};
    for (const step of record.steps) steps[step.status] = (steps[step.status] ?? 0) + 1;
    runs.push({
      id: record.id,
      plan: record.plan,
      snapshot: record.snapshot,
      status: record.status,
      started_at: record.started_at,
      duration_ms: record.duration_ms,
      steps,
    });
  }
  return runs;
}

/** The successful step a memo key was recorded for, with its run id; undefined when there is none (or it is gone). */
export async function findMemoizedStep(
  store: SpecStore,
  memoKey: Digest,
): Promise<{ run: string; step: StepRecord } | undefined> {
  const text = await store.kv.get(keySpaces.memo.key(memoKey));
  if (text === undefined) return undefined;
  const pointer = JSON.parse(text) as { run?: unknown; step?: unknown };
  if (typeof pointer.run !== 'string' || typeof pointer.step !== 'string') return undefined;
  const record = await readRecord(store, pointer.run);
  const step = record?.steps.find((each) => each.id === pointer.step);
  if (!step || step.status !== 'succeeded' || step.memo_key !== memoKey || !step.outputs) return undefined;
  return { run: pointer.run, step };
}

/** A run id: the UTC time to the millisecond, then 8 hex digits, so that ids sort by time. */
export function runId(now: Date, random: string): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${random}`;
}
