// `spec plan upgrade`: re-pin a plan to another snapshot, saying for each ref whether it changed and whether the
// change breaks this plan. "Breaks" is decided on what the plan actually uses: a problem `plan check` would report
// under the new snapshot and not under the old one, a narrowed schema of a port that a binding feeds or reads, or a
// tightened policy limit.
import type { Digest } from '../core/digest.js';
import type { JsonValue } from '../core/json.js';
import { invalidInput, type Diagnostic } from '../errors.js';
import { SnapshotSchemas } from '../snapshot/snapshotSchemas.js';
import { SnapshotView, type SnapshotEntry } from '../snapshot/snapshotView.js';
import { pinSnapshot } from '../snapshot/publishSnapshot.js';
import type { SpecStore } from '../store/specStore.js';
import { analyzePlan, openPinnedSnapshot, type ResolvedReference } from './checkPlan.js';
import { comparePolicies, comparePort, type ContractChange } from './compareContracts.js';
import { planDiagnostic, type PlanFile, type PlanStep } from './planFile.js';
import { commitPlans, stagePlans, type PlanWriter } from './planWriter.js';
import { rewritePlan } from './rewritePlan.js';
import { nestedBindings, parseBinding, toolPorts, type OutputBinding } from './toolPorts.js';

/** One ref of a plan across an upgrade: what it resolved to before and after, and what the change breaks. */
export interface RefUpgrade {
  pointer: string;
  ref: string;
  kind: 'tool' | 'policy';
  step?: string;
  before?: { id: string; digest: Digest };
  after?: { id: string; digest: Digest };
  /** `changed`: another digest (a floating ref may also have moved to another version). */
  status: 'unchanged' | 'changed' | 'removed' | 'added';
  breaking: boolean;
  changes: ContractChange[];
  /** What `plan check` reports under the new snapshot and did not under the old one, for this ref's step. */
  problems: Diagnostic[];
}

/** What upgrading a plan to another snapshot changes, and whether it breaks the plan. */
export interface UpgradeReport {
  file: string;
  plan: string;
  from: Digest;
  to: Digest;
  breaking: boolean;
  refs: RefUpgrade[];
  /** New problems not tied to one ref. */
  problems: Diagnostic[];
  written: boolean;
}

export interface UpgradeOptions {
  /** Snapshot id, prefix, tag or `latest`. */
  to: string;
  dryRun?: boolean;
  /** Re-pin even if the upgrade breaks the plan. */
  allowBreaking?: boolean;
  write: PlanWriter;
  now?: () => Date;
}

/** What a refused upgrade did not do. */
export const upgradeRefused = 'the plan was not re-pinned and nothing was published';

/** Re-pins a plan to another snapshot when nothing it uses breaks (PLAN_UPGRADE_BREAKING otherwise, unless allowed). */
export async function upgradePlan(
  store: SpecStore,
  planFile: PlanFile,
  options: UpgradeOptions,
): Promise<UpgradeReport> {
  const pinned = await openPinnedSnapshot(store, planFile);
  if (!pinned.view)
    throw invalidInput(
      pinned.findings.map((finding) => planDiagnostic(planFile, finding)),
      upgradeRefused,
    );
  const fromView = pinned.view;
  const toView = await SnapshotView.open(store, await store.resolveSnapshot(options.to));
  const { breaking, refs, problems } = await compareAcross(planFile, fromView, toView);
  const written = !options.dryRun && (!breaking || options.allowBreaking === true);
  if (written) {
    // Staged first: a plan that cannot be written is PLAN_UNWRITABLE before the new snapshot is published.
    const changes =
      toView.id === fromView.id
        ? []
        : [{ planFile, bytes: rewritePlan(planFile, [{ path: ['snapshot'], value: toView.id, after: 'plan' }]) }];
    const staged = stagePlans(options.write, changes);
    try {
      await pinSnapshot(store, toView.id, [planFile.plan.name!], options.now === undefined ? {} : { now: options.now });
    } catch (error) {
      for (const each of staged) each.discard();
      throw error;
    }
    commitPlans(staged, [planFile], `snapshot ${toView.id} was pinned and published`);
  }
  return {
    file: planFile.file,
    plan: planFile.plan.name!,
    from: fromView.id,
    to: toView.id,
    breaking,
    refs,
    problems,
    written,
  };
}

/**
 * What moving a plan from one snapshot to another would change and break, whatever it is pinned to and without
 * writing anything: for snapshots that are not stored, such as a registry at a git ref and the working registry
 * (`spec plan upgrade --against git:REF`). `written` is always false.
 */
export async function compareUpgrade(
  planFile: PlanFile,
  fromView: SnapshotView,
  toView: SnapshotView,
): Promise<UpgradeReport> {
  const { breaking, refs, problems } = await compareAcross(planFile, fromView, toView);
  return {
    file: planFile.file,
    plan: planFile.plan.name!,
    from: fromView.id,
    to: toView.id,
    breaking,
    refs,
    problems,
    written: false,
  };
}

/** The plan analysed under both snapshots: each ref's change, the new problems, and whether anything breaks. */
async function compareAcross(
  planFile: PlanFile,
  fromView: SnapshotView,
  toView: SnapshotView,
): Promise<Pick<UpgradeReport, 'breaking' | 'refs' | 'problems'>> {
  const before = await analyzePlan(planFile, fromView);
  const after = await analyzePlan(planFile, toView);

  const known = new Set(before.diagnostics.map(problemKey));
  const newProblems = after.diagnostics.filter(
    (diagnostic) => diagnostic.severity === 'error' && !known.has(problemKey(diagnostic)),
  );
  const claimed = new Set<Diagnostic>();
  const schemas = { from: new SnapshotSchemas(fromView), to: new SnapshotSchemas(toView) };
  const refs: RefUpgrade[] = [];
  for (const [index, reference] of after.references.entries()) {
    const old = before.references[index]!.resolved; // the same plan file, analysed twice: the same references
    const current = reference.resolved;
    const scope = reference.kind === 'policy' ? '/policy' : reference.pointer.replace(/\/processor_ref$/, '');
    const problems = newProblems.filter(
      (problem) => problem.pointer === scope || problem.pointer?.startsWith(`${scope}/`),
    );
    problems.forEach((problem) => claimed.add(problem));
    const changes =
      old && current && old.digest !== current.digest
        ? await contractChanges(reference, old, current, planFile, fromView, toView, schemas)
        : [];
    refs.push({
      pointer: reference.pointer,
      ref: reference.ref,
      kind: reference.kind,
      ...(reference.step === undefined ? {} : { step: reference.step }),
      ...(old ? { before: { id: old.id, digest: old.digest } } : {}),
      ...(current ? { after: { id: current.id, digest: current.digest } } : {}),
      status: !old
        ? current
          ? 'added'
          : 'unchanged'
        : !current
          ? 'removed'
          : old.digest === current.digest
            ? 'unchanged'
            : 'changed',
      breaking: problems.length > 0 || changes.some((change) => change.severity === 'breaking'),
      changes,
      problems,
    });
  }
  const problems = newProblems.filter((problem) => !claimed.has(problem));
  return { breaking: problems.length > 0 || refs.some((ref) => ref.breaking), refs, problems };
}

function problemKey(diagnostic: Diagnostic): string {
  return `${diagnostic.code}\u0000${diagnostic.pointer ?? ''}`;
}

/** Changes of the parts the plan relies on beyond literal inputs (which `plan check` validates exactly). */
async function contractChanges(
  reference: ResolvedReference,
  old: SnapshotEntry,
  current: SnapshotEntry,
  planFile: PlanFile,
  fromView: SnapshotView,
  toView: SnapshotView,
  schemas: { from: SnapshotSchemas; to: SnapshotSchemas },
): Promise<ContractChange[]> {
  const oldSpec = (await fromView.get(old.id))!.spec;
  const newSpec = (await toView.get(current.id))!.spec;
  if (old.kind !== current.kind) return [];
  if (reference.kind === 'policy') return comparePolicies(oldSpec, newSpec);
  const step = planFile.plan.steps.find((each) => `${each.pointer}/processor_ref` === reference.pointer)!;
  const changes: ContractChange[] = [];
  for (const [list, names] of [
    ['inputs', boundInputs(step)],
    ['outputs', boundOutputs(planFile, step)],
  ] as const) {
    const oldPorts = toolPorts(oldSpec, list);
    const newPorts = toolPorts(newSpec, list);
    for (const name of names) {
      const oldPort = oldPorts.get(name);
      const newPort = newPorts.get(name);
      if (!oldPort || !newPort) continue; // a missing port is a plan check problem
      for (const port of [oldPort, newPort])
        if (port.schema !== undefined) await (port === oldPort ? schemas.from : schemas.to).load(port.schema);
      const change = comparePort(
        list,
        oldPort,
        newPort,
        (ref) => schemas.from.loaded(ref),
        (ref) => schemas.to.loaded(ref),
      );
      if (change) changes.push(change);
    }
  }
  return changes;
}

/** Every binding of an input value: the value itself, or any `${…}` nested in it. */
function bindingsOf(value: JsonValue): OutputBinding[] {
  const whole = parseBinding(value);
  const all = whole === undefined ? nestedBindings(value, '').map((each) => each.binding) : [whole];
  return all.filter((binding): binding is OutputBinding => typeof binding === 'object');
}

/** Inputs of a step fed by bindings (whole or in part): those values are not known before the run, so their schemas must not narrow. */
function boundInputs(step: PlanStep): string[] {
  return Object.entries(step.inputs ?? {}).flatMap(([name, value]) => (bindingsOf(value).length > 0 ? [name] : []));
}

/** Outputs of a step that other steps bind, at any depth of their inputs. */
function boundOutputs(planFile: PlanFile, step: PlanStep): string[] {
  const outputs = new Set<string>();
  for (const other of planFile.plan.steps) {
    for (const value of Object.values(other.inputs ?? {})) {
      for (const binding of bindingsOf(value)) if (binding.step === step.id) outputs.add(binding.output);
    }
  }
  return [...outputs];
}
