// `spec plan pin`: write a snapshot id into plans, and record the pin in the store (which publishes the snapshot).
import type { Digest } from '../core/digest.js';
import { pinSnapshot } from '../snapshot/publishSnapshot.js';
import type { SpecStore } from '../store/specStore.js';
import type { PlanFile } from './planFile.js';
import { commitPlans, stagePlans, type PlanWriter } from './planWriter.js';
import { rewritePlan } from './rewritePlan.js';

/** A plan `pinPlans` pinned (or found already pinned) to the snapshot. */
export interface PinnedPlan {
  file: string;
  plan: string;
  /** The pin before; null when the plan had none. */
  previous: string | null;
  changed: boolean;
}

/** What `pinPlans` did: the snapshot pinned, and each plan. */
export interface PinResult {
  snapshot: Digest;
  plans: PinnedPlan[];
}

export interface PinOptions {
  /** Snapshot id, prefix, tag or `latest` (default). */
  snapshot?: string;
  write: PlanWriter;
  now?: () => Date;
}

/**
 * The plans' new text is computed and staged first (every plan must be writable, or PLAN_UNWRITABLE and nothing
 * happens), then the pin record is stored (publishing the snapshot, which cannot be undone), then the files are replaced.
 */
export async function pinPlans(
  store: SpecStore,
  planFiles: readonly PlanFile[],
  options: PinOptions,
): Promise<PinResult> {
  const snapshot = await store.resolveSnapshot(options.snapshot ?? 'latest');
  const changes = planFiles
    .filter((planFile) => planFile.plan.snapshot !== snapshot)
    .map((planFile) => ({
      planFile,
      bytes: rewritePlan(planFile, [{ path: ['snapshot'], value: snapshot, after: 'plan' }]),
    }));
  const staged = stagePlans(options.write, changes);
  try {
    await pinSnapshot(
      store,
      snapshot,
      planFiles.map((planFile) => planFile.plan.name!),
      options.now === undefined ? {} : { now: options.now },
    );
  } catch (error) {
    for (const each of staged) each.discard();
    throw error;
  }
  commitPlans(
    staged,
    changes.map((change) => change.planFile),
    `snapshot ${snapshot} was pinned and published`,
  );
  return {
    snapshot,
    plans: planFiles.map((planFile) => ({
      file: planFile.file,
      plan: planFile.plan.name!,
      previous: planFile.plan.snapshot ?? null,
      changed: planFile.plan.snapshot !== snapshot,
    })),
  };
}
