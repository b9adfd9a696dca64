// `spec plan pin|check|lock|upgrade`: plan files in, library calls, plan files out; formatting only.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { invalidInput, SpecError, type Diagnostic } from '../../errors.js';
import { checkPlan, type PlanCheckResult } from '../../plan/checkPlan.js';
import { lockPlans } from '../../plan/lockPlans.js';
import { readPlanFiles } from '../../plan/findPlanFiles.js';
import { requireValidPlans } from '../../plan/planFile.js';
import { pinPlans } from '../../plan/pinPlans.js';
import { filePlanWriter } from '../../plan/planWriter.js';
import { compareUpgrade, upgradePlan, upgradeRefused, type UpgradeReport } from '../../plan/upgradePlan.js';
import { parseGitRef, type GitRevision } from '../../source/gitSource.js';
import type { CommandContext } from '../run.js';
import { isDigest } from '../../core/digest.js';
import { examples, withCommon, withStore } from '../commandHelpers.js';
import { formatDiagnostics, formatLocation } from '../formatDiagnostics.js';
import { findingsOfDiagnostics, renderFindings, withErrorFormat } from '../errorFormats.js';

export function registerPlanCommands(program: Command, context: CommandContext): void {
  const { io, style } = context;
  const plan = program
    .command('plan')
    .description('plan files: pin a snapshot, check, lock refs, upgrade (see docs/plans.md)');
  examples(
    plan,
    '  $ spec plan pin plans/*.yaml\n  $ spec plan check plans/trailer-render.yaml\n  $ spec plan upgrade plans/trailer-render.yaml --to latest --dry-run',
  );

  examples(
    withCommon(
      plan
        .command('pin')
        .argument('<plan...>', 'plan files')
        .option('--snapshot <snapshot>', 'snapshot id, unique prefix, tag or "latest"', 'latest')
        .description('write the snapshot id into each plan (comments and layout kept) and record the pin in the store'),
    ),
    '  $ spec plan pin plans/trailer-render.yaml\n  $ spec plan pin plans/*.yaml --snapshot prod --json',
  ).action(async function (this: Command, paths: string[]) {
    const { snapshot } = this.opts<{ snapshot: string }>();
    const { json } = context.common(this);
    const refused = 'no plan was written and nothing was pinned or published';
    const planFiles = requireValidPlans(readPlanFiles(paths, { cwd: io.cwd }), refused);
    const result = await withStore(context, this, 'write', (store) =>
      pinPlans(store, planFiles, { snapshot, write: filePlanWriter({ cwd: io.cwd, outcome: refused }) }),
    );
    if (json) return context.printJson(result);
    context.print(
      result.plans
        .map((each) => `${each.file}  ${each.changed ? 'pinned' : 'already pinned'} ${result.snapshot}`)
        .join('\n'),
    );
  });

  examples(
    withCommon(
      withErrorFormat(
        plan
          .command('check')
          .argument('<plan...>', 'plan files')
          .option(
            '--remote <remote>',
            'pull pinned snapshots this store lacks from this remote first (name or oci://…)',
          )
          .option('--plain-http', 'with --remote: http:// for a registry that is not on loopback')
          .description(
            'check refs, inputs and the step graph against the pinned snapshot; every problem, with file:line:col',
          ),
      ),
    ),
    '  $ spec plan check plans/trailer-render.yaml\n  $ spec plan check plans/*.yaml --remote origin   # pull pinned snapshots first\n  $ spec plan check plans/*.yaml --json     # [{file, plan, snapshot, ok, diagnostics}]\n  $ spec plan check plans/*.yaml --error-format github-actions',
  ).action(async function (this: Command, paths: string[]) {
    const { json, errorFormat } = context.common(this);
    const parsed = readPlanFiles(paths, { cwd: io.cwd });
    const { remote, plainHttp } = this.opts<{ remote?: string; plainHttp?: boolean }>();
    const access = remote === undefined ? 'read' : 'create';
    const results: PlanCheckResult[] = await withStore(context, this, access, async (store) => {
      if (remote !== undefined) {
        // Pinned snapshots missing here are pulled first (each re-hashed and checked), then every plan is checked.
        const pins = parsed.flatMap((each) => each.planFile?.plan.snapshot ?? []).filter(isDigest);
        const { pullFromRemote } = await import('./remoteCommands.js');
        await pullFromRemote(context, store, remote, plainHttp === true, pins);
      }
      const checked: PlanCheckResult[] = [];
      for (const each of parsed)
        checked.push(
          each.planFile
            ? await checkPlan(store, each.planFile)
            : { file: each.file, ok: false, diagnostics: each.diagnostics },
        );
      return checked;
    });
    const diagnostics = results.flatMap((result) => result.diagnostics);
    const failed = results.filter((result) => !result.ok);
    if (json) context.printJson(results);
    else if (errorFormat !== 'text') {
      io.stdout(renderFindings(errorFormat, findingsOfDiagnostics(diagnostics), { cwd: io.cwd }));
      if (failed.length > 0) io.stderr(`${summarize(diagnostics)} in ${failed.length} of ${results.length} plans\n`);
    } else {
      io.stderr(formatDiagnostics(diagnostics, { style, excerpts: io.stderrIsTty, cwd: io.cwd }));
      for (const result of results)
        if (result.ok)
          context.print(`${result.file}  ${style.green('ok')}${result.snapshot ? `  ${result.snapshot}` : ''}`);
      if (failed.length > 0)
        io.stderr(
          `${summarize(diagnostics)} in ${failed.length} of ${results.length} plan${results.length === 1 ? '' : 's'}\n`,
        );
    }
    if (failed.length > 0) context.failAfterOutput(invalidInput(diagnostics, 'plan check found problems'));
  });

  examples(
    withCommon(
      plan
        .command('lock')
        .argument('<plan...>', 'plan files')
        .description('rewrite floating refs (text.llm) to the exact version they resolve to in the pinned snapshot'),
    ),
    '  $ spec plan lock plans/trailer-render.yaml\n  $ spec plan lock plans/*.yaml --json',
  ).action(async function (this: Command, paths: string[]) {
    const { json } = context.common(this);
    const planFiles = requireValidPlans(readPlanFiles(paths, { cwd: io.cwd }), 'no plan was written');
    const result = await withStore(context, this, 'write', (store) =>
      lockPlans(store, planFiles, { write: filePlanWriter({ cwd: io.cwd, outcome: 'no plan was written' }) }),
    );
    if (json) return context.printJson(result);
    const lines = result.plans.flatMap((each) =>
      each.locked.length === 0
        ? [`${each.file}  nothing floating`]
        : each.locked.map((ref) => `${each.file}  ${ref.pointer}  ${ref.from} -> ${ref.to}`),
    );
    context.print(lines.join('\n'));
  });

  examples(
    withCommon(
      plan
        .command('upgrade')
        .argument('<plan>', 'a plan file')
        .option('--to <snapshot>', 'the snapshot to move to: id, unique prefix, tag or "latest"')
        .option(
          '--against <git:REF>',
          'instead of --to: would moving the plan from the registry at a git ref to the working registry (--registry) break it? read from git, no store needed, nothing re-pinned',
        )
        .option('--registry <dir>', 'with --against: the registry directory', 'registry')
        .option('--dry-run', 'report only; do not re-pin')
        .option('--allow-breaking', 're-pin even when the upgrade breaks the plan')
        .description(
          're-pin a plan to another snapshot and report, per ref, what changed and what breaks (exit 4 if anything breaks)',
        ),
    ),
    '  $ spec plan upgrade plans/trailer-render.yaml --to latest --dry-run\n  $ spec plan upgrade plans/trailer-render.yaml --to prod --json\n  $ spec plan upgrade plans/trailer-render.yaml --against git:main   # CI: does this branch break the plan? (exit 4)',
  ).action(async function (this: Command, path: string) {
    const options = this.opts<{
      to?: string;
      against?: string;
      registry: string;
      dryRun?: boolean;
      allowBreaking?: boolean;
    }>();
    const { json } = context.common(this);
    if ((options.to === undefined) === (options.against === undefined))
      throw new SpecError('USAGE', 'give the snapshot to move to (--to), or --against git:REF; one of them');
    const gitRef = options.against === undefined ? undefined : parseGitRef(options.against);
    if (options.against !== undefined && gitRef === undefined)
      throw new SpecError('USAGE', `--against takes git:REF (git:main, git:HEAD~1); for a snapshot, use --to`, {
        data: { against: options.against },
      });
    if (gitRef !== undefined && options.allowBreaking)
      throw new SpecError('USAGE', '--against never re-pins the plan, so --allow-breaking does not apply');
    const [planFile] = requireValidPlans(readPlanFiles([path], { cwd: io.cwd }), upgradeRefused);
    let revision: GitRevision | undefined;
    const report =
      gitRef === undefined
        ? await withStore(context, this, 'write', (store) =>
            upgradePlan(store, planFile!, {
              to: options.to!,
              dryRun: options.dryRun === true,
              allowBreaking: options.allowBreaking === true,
              write: filePlanWriter({ cwd: io.cwd, outcome: upgradeRefused }),
            }),
          )
        : await (async () => {
            // Both sides compiled in memory, the plan's pin not read: no store is opened, nothing is written.
            const [{ compileGitRevision }, { compileRegistry }, { openCompiledRegistry }] = await Promise.all([
              import('../../build/compileGitRevision.js'),
              import('../../build/buildSnapshot.js'),
              import('../../build/compiledRegistryView.js'),
            ]);
            const old = await compileGitRevision({ registry: options.registry, ref: gitRef, cwd: io.cwd });
            revision = old.revision;
            const compiled = await compileRegistry({ registry: resolve(io.cwd, options.registry), cwd: io.cwd });
            return compareUpgrade(planFile!, old.view, await openCompiledRegistry(undefined, compiled));
          })();
    if (json) context.printJson(revision ? { ...report, git: revision } : report);
    else
      context.print(
        formatUpgrade(
          report,
          context,
          revision && { from: `git:${revision.ref} (${revision.commit.slice(0, 12)})`, to: options.registry },
        ),
      );
    // A breaking upgrade fails (exit 4) unless it was explicitly allowed and carried out.
    if (report.breaking && !(options.allowBreaking && report.written)) {
      const target = revision ? `${options.registry} (from git:${revision.ref})` : report.to;
      context.failAfterOutput(
        new SpecError('PLAN_UPGRADE_BREAKING', `upgrading ${report.file} to ${target} breaks it`, {
          data: { file: report.file, to: report.to, ...(revision ? { git: revision } : {}) },
        }),
      );
    }
  });
}

function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  return `${errors} error${errors === 1 ? '' : 's'}${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`;
}

function formatUpgrade(report: UpgradeReport, context: CommandContext, labels?: { from: string; to: string }): string {
  const { style } = context;
  const lines = [
    labels
      ? `${report.file}: ${labels.from} -> ${labels.to} (${report.to})`
      : `${report.file}: ${report.from} -> ${report.to}`,
  ];
  for (const ref of report.refs) {
    const label = ref.kind === 'policy' ? `policy ${ref.ref}` : `step ${ref.step ?? '?'} ${ref.ref}`;
    const ids =
      ref.before?.id === ref.after?.id
        ? (ref.after?.id ?? '(not found)')
        : `${ref.before?.id ?? '(not found)'} -> ${ref.after?.id ?? '(not found)'}`;
    lines.push(`  ${label}: ${ids}  ${ref.status}${ref.breaking ? `  ${style.red('BREAKING')}` : ''}`);
    for (const change of ref.changes)
      lines.push(`    ${change.severity === 'breaking' ? style.red(change.rule) : change.rule}  ${change.message}`);
    for (const problem of ref.problems)
      lines.push(`    ${style.red(problem.code)}  ${formatLocation(problem)} ${problem.message}`);
  }
  for (const problem of report.problems)
    lines.push(`  ${style.red(problem.code)}  ${formatLocation(problem)} ${problem.message}`);
  if (report.written) lines.push(`re-pinned to ${report.to}${report.breaking ? ' (breaking, allowed)' : ''}`);
  else if (labels)
    lines.push(report.breaking ? `${style.red('breaking')}: this change breaks the plan` : 'ok: nothing breaks');
  else if (report.breaking)
    lines.push(
      `${style.red('breaking')}: not re-pinned${report.refs.length > 0 ? ' (--allow-breaking re-pins anyway)' : ''}`,
    );
  else lines.push('dry run: not re-pinned');
  return lines.join('\n');
}
