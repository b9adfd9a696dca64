// `spec plan lock`: floating refs (`text.llm`) become the exact version they resolve to in the pinned snapshot.
import { parseRef } from '../core/ref.js';
import { invalidInput, type Diagnostic } from '../errors.js';
import type { SpecStore } from '../store/specStore.js';
import { openPinnedSnapshot, resolveReference } from './checkPlan.js';
import { planDiagnostic, planReferences, type PlanFile } from './planFile.js';
import { commitPlans, stagePlans, type PlanWriter } from './planWriter.js';
import { rewritePlan, type PlanEdit } from './rewritePlan.js';

/** One floating ref of a plan replaced by the exact `id@version` it resolves to. */
export interface LockedRef {
  pointer: string;
  from: string;
  to: string;
}

/** A plan whose refs `lockPlans` made exact, with each ref it changed. */
export interface LockedPlan {
  file: string;
  plan: string;
  snapshot: string;
  locked: LockedRef[];
  changed: boolean;
}

/** All plans or none: every floating ref must resolve (INVALID_INPUT with every problem otherwise). */
export async function lockPlans(
  store: SpecStore,
  planFiles: readonly PlanFile[],
  options: { write: PlanWriter },
): Promise<{ plans: LockedPlan[] }> {
  const diagnostics: Diagnostic[] = [];
  const results: { planFile: PlanFile; locked: LockedRef[]; bytes: Uint8Array }[] = [];
  for (const planFile of planFiles) {
    const { view, findings } = await openPinnedSnapshot(store, planFile);
    const locked: LockedRef[] = [];
    if (view) {
      for (const reference of planReferences(planFile.plan)) {
        if (parseRef(reference.ref)?.version !== undefined) continue;
        const { resolved, finding } = await resolveReference(view, reference);
        if (finding) findings.push(finding);
        else if (resolved) locked.push({ pointer: reference.pointer, from: reference.ref, to: resolved.id });
      }
    }
    diagnostics.push(...findings.map((finding) => planDiagnostic(planFile, finding)));
    if (findings.length === 0) results.push({ planFile, locked, bytes: rewritePlan(planFile, locked.map(editOf)) });
  }
  if (diagnostics.length > 0) throw invalidInput(diagnostics, 'a ref did not resolve: no plan was locked or written');
  // Every plan is staged before any is replaced: one that cannot be written leaves them all as they were.
  const changes = results.filter(({ locked }) => locked.length > 0);
  commitPlans(
    stagePlans(options.write, changes),
    changes.map((change) => change.planFile),
  );
  return {
    plans: results.map(({ planFile, locked }) => ({
      file: planFile.file,
      plan: planFile.plan.name!,
      snapshot: planFile.plan.snapshot!,
      locked,
      changed: locked.length > 0,
    })),
  };
}

/** `/steps/3/processor_ref` → ['steps', 3, 'processor_ref']. */
function editOf(ref: LockedRef): PlanEdit {
  const path = ref.pointer
    .slice(1)
    .split('/')
    .map((token) => (/^[0-9]+$/.test(token) ? Number(token) : token));
  return { path, value: ref.to };
}
