// Which plans use which specs: for `spec refs --plans` and `spec build --plans`.
import { invalidInput, type Diagnostic } from '../errors.js';
import type { CompiledRegistry } from '../build/buildSnapshot.js';
import { openManifestView } from '../snapshot/inMemorySnapshot.js';
import type { SnapshotView } from '../snapshot/snapshotView.js';
import { findSpecReferrers, type SpecReferrers } from '../snapshot/referenceIndex.js';
import { resolveReference } from './checkPlan.js';
import { planDiagnostic, planReferences, type PlanFile } from './planFile.js';

/** A place in a plan that uses a spec (`spec refs --plans`). */
export interface PlanReferrer {
  file: string;
  line?: number;
  column?: number;
  plan?: string;
  pointer: string;
  /** The ref as written in the plan. */
  ref: string;
  step?: string;
  /** The plan's pin (it may be another snapshot than the one asked about). */
  snapshot?: string;
}

/** Plan references that resolve to `id` in `view` (a floating ref counts when its highest version there is `id`). */
export async function findPlanReferrers(
  planFiles: readonly PlanFile[],
  view: SnapshotView,
  id: string,
): Promise<PlanReferrer[]> {
  const referrers: PlanReferrer[] = [];
  for (const planFile of planFiles) {
    for (const reference of planReferences(planFile.plan)) {
      const { resolved } = await resolveReference(view, reference);
      if (resolved?.id !== id) continue;
      const { line, column } = planDiagnostic(planFile, { code: '', message: '', pointer: reference.pointer });
      referrers.push({
        file: planFile.file,
        ...(line === undefined ? {} : { line, column: column! }),
        ...(planFile.plan.name === undefined ? {} : { plan: planFile.plan.name }),
        pointer: reference.pointer,
        ref: reference.ref,
        ...(reference.step === undefined ? {} : { step: reference.step }),
        ...(planFile.plan.snapshot === undefined ? {} : { snapshot: planFile.plan.snapshot }),
      });
    }
  }
  return referrers;
}

/** Everything that references what `ref` resolves to in `view`: its specs (findSpecReferrers) and these plans. */
export async function findReferrers(
  view: SnapshotView,
  ref: string,
  planFiles: readonly PlanFile[],
): Promise<SpecReferrers & { plans: PlanReferrer[] }> {
  const specs = await findSpecReferrers(view, ref);
  return { ...specs, plans: await findPlanReferrers(planFiles, view, specs.target.id) };
}

/**
 * Every plan reference must resolve, to the right kind, in `view` (for a build: the registry being built, so that a
 * build cannot remove a spec a plan uses). Pinned or not, each plan is checked: its next `plan upgrade` lands here.
 */
export async function checkPlanReferences(planFiles: readonly PlanFile[], view: SnapshotView): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  for (const planFile of planFiles) {
    for (const reference of planReferences(planFile.plan)) {
      const { finding } = await resolveReference(view, reference);
      if (finding) diagnostics.push(planDiagnostic(planFile, finding));
    }
  }
  return diagnostics;
}

/** `spec build --plans`: INVALID_INPUT (nothing stored) when a plan uses a spec the registry being built lacks. */
export async function requirePlanReferences(compiled: CompiledRegistry, planFiles: readonly PlanFile[]): Promise<void> {
  const view = await openManifestView(compiled.specs);
  const diagnostics = await checkPlanReferences(planFiles, view);
  if (diagnostics.length > 0)
    throw invalidInput(
      [...compiled.diagnostics, ...diagnostics],
      'a plan uses a spec the registry lacks: nothing was stored',
    );
}
