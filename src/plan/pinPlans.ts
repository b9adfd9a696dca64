// `spec plan pin`: write a snapshot id into plans, and record the pin in the store (which publishes the snapshot).
import type { Digest } from '../core/digest.js';
import { pinSnapshot } from '../snapshot/publishSnapshot.js';
import type { SpecStore } from '../store/specStore.js';
import type { PlanFile } from './planFile.js';
import { rewritePlan } from './rewritePlan.js';

export interface PinnedPlan {
  file: string;
  plan: string;
  /** The pin before, if any. */
  previous?: string;
  changed: boolean;
}

export interface PinResult {
  snapshot: Digest;
  plans: PinnedPlan[];
}

/** Receives a plan's new bytes; the CLI writes them to the file. Called only after the store recorded the change. */
export type WritePlan = (planFile: PlanFile, bytes: Uint8Array) => void;

export interface PinOptions {
  /** Snapshot id, prefix, tag or `latest` (default). */
  snapshot?: string;
  write: WritePlan;
  now?: () => Date;
}

/** The plans' new text is computed first, then the pin record is stored, then the files are written. */
export async function pinPlans(store: SpecStore, planFiles: readonly PlanFile[], options: PinOptions): Promise<PinResult> {
  const snapshot = await store.resolveSnapshot(options.snapshot ?? 'latest');
  const rewritten = planFiles.map((planFile) => ({ planFile, bytes: rewritePlan(planFile, [{ path: ['snapshot'], value: snapshot, after: 'plan' }]) }));
  await pinSnapshot(store, snapshot, planFiles.map((planFile) => planFile.plan.name!), options.now === undefined ? {} : { now: options.now });
  const plans: PinnedPlan[] = [];
  for (const { planFile, bytes } of rewritten) {
    const changed = planFile.plan.snapshot !== snapshot;
    if (changed) options.write(planFile, bytes);
    plans.push({ file: planFile.file, plan: planFile.plan.name!, ...(planFile.plan.snapshot === undefined ? {} : { previous: planFile.plan.snapshot }), changed });
  }
  return { snapshot, plans };
}
