// How plan commands write plans: every new file is staged first, then the store is changed, then the files replaced.
import { resolve } from 'node:path';
import { isSpecError, SpecError } from '../errors.js';
import { stageOutputFile } from './outputFile.js';
import type { PlanFile } from './planFile.js';

/** A plan's new bytes, staged: `commit` makes them the plan's content; `discard` drops them. */
export interface StagedPlan {
  commit(): void;
  discard(): void;
}

/**
 * Stages a plan's new bytes (the CLI writes a temporary file next to the plan, to rename it over the plan on commit).
 * Staging proves that the plan can be written: it throws PLAN_UNWRITABLE when it cannot.
 */
export type PlanWriter = (planFile: PlanFile, bytes: Uint8Array) => StagedPlan;

/**
 * The plan writer for plans on disk: stages each plan's bytes in a temporary file next to it (a plan's `file` is
 * resolved against `cwd`), renamed over the plan on commit. A plan that cannot be written is PLAN_UNWRITABLE, with
 * the output code that says why as `data.reason`; `outcome` says what the refusal means (nothing was done).
 */
export function filePlanWriter(options: { cwd: string; outcome: string }): PlanWriter {
  return (planFile, bytes) => {
    try {
      return stageOutputFile(resolve(options.cwd, planFile.file), planFile.file, bytes);
    } catch (cause) {
      const reason = isSpecError(cause) ? cause.code : 'OUTPUT_FAILED';
      throw new SpecError('PLAN_UNWRITABLE', `cannot write plan ${planFile.file}: ${(cause as Error).message}`, {
        data: { file: planFile.file, reason, outcome: options.outcome },
        cause,
      });
    }
  };
}

/** Stages every write or none: after a failure, what was staged is discarded and the error thrown. */
export function stagePlans(
  write: PlanWriter,
  changes: readonly { planFile: PlanFile; bytes: Uint8Array }[],
): StagedPlan[] {
  const staged: StagedPlan[] = [];
  try {
    for (const { planFile, bytes } of changes) staged.push(write(planFile, bytes));
  } catch (error) {
    for (const each of staged) each.discard();
    throw error;
  }
  return staged;
}

/**
 * Commits staged writes once the store has recorded the change. `done` says what already happened (a pin, a
 * publication), for the error when a commit fails anyway: PLAN_UNWRITABLE, naming the plans written and not written.
 */
export function commitPlans(staged: readonly StagedPlan[], planFiles: readonly PlanFile[], done?: string): void {
  for (const [index, each] of staged.entries()) {
    try {
      each.commit();
    } catch (cause) {
      for (const rest of staged.slice(index + 1)) rest.discard();
      const written = planFiles.slice(0, index).map((planFile) => planFile.file);
      const unwritten = planFiles.slice(index).map((planFile) => planFile.file);
      const outcome = [
        ...(done === undefined ? [] : [done]),
        ...(written.length === 0 ? [] : [`${written.join(', ')} ${written.length === 1 ? 'was' : 'were'} written`]),
        `${unwritten.join(', ')} ${unwritten.length === 1 ? 'was' : 'were'} not written`,
      ].join('; ');
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new SpecError(
        'PLAN_UNWRITABLE',
        `${outcome} (${reason}); run the command again once the plans can be written`,
        {
          data: { file: unwritten[0], written, unwritten, outcome },
          cause,
        },
      );
    }
  }
}
