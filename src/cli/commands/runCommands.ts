// `spec run PLAN`, `spec runs`, `spec runs show ID`: a library call each, then formatting (docs/adapters.md).
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { SpecError } from '../../errors.js';
import { readPlanFiles } from '../../plan/findPlanFiles.js';
import { requireValidPlans } from '../../plan/planFile.js';
import { createRunner, type DryRunReport, type RunProgress } from '../../runtime/runner.js';
import { listRunRecords, readRunRecord, type RunRecord } from '../../runtime/runRecords.js';
import type { CommandContext } from '../run.js';
import { examples, withCommon, withStore } from '../commandHelpers.js';
import { isDigest } from '../../core/digest.js';
import { registryAdapters } from '../../runtime/pluginAdapters.js';

const jobsOption = (value: string) => {
  const jobs = Number(value);
  if (!/^[0-9]+$/.test(value) || jobs < 1 || jobs > 256) throw new InvalidArgumentError('expected 1 to 256');
  return jobs;
};

export function registerRunCommands(program: Command, context: CommandContext): void {
  const { io, style } = context;
  examples(
    withCommon(
      program
        .command('run')
        .argument('<plan>', 'a pinned plan file')
        .option('--jobs <n>', 'run up to n independent steps at once', jobsOption, 1)
        .option('--workdir <dir>', 'what ./ in a local entry point is relative to (default: the current directory)')
        .option('--world <dir>', "a directory copied, read-only, to each run's world mount (default: an empty one)")
        .option('--no-memo', 'run steps even when a successful run already recorded their memo key')
        .option('--dry-run', 'check everything and print the expanded contexts; run nothing, store nothing')
        .option('--remote <remote>', 'pull the pinned snapshot from this remote first if the store lacks it')
        .option('--plain-http', 'with --remote: http:// for a registry that is not on loopback')
        .description(
          'run a pinned plan: every check first, then its steps in dependency order (exit 8 if a step fails)',
        ),
    ),
    '  $ spec run examples/runtime/plans/greet.yaml --workdir examples/runtime\n  $ spec run plans/render.yaml --jobs 4 --json        # the run record\n  $ spec run plans/render.yaml --dry-run             # the contexts, nothing runs\n  $ spec run plans/render.yaml --remote origin       # pull the pinned snapshot first',
  ).action(async function (this: Command, path: string) {
    const options = this.opts<{
      jobs: number;
      workdir?: string;
      world?: string;
      memo: boolean;
      dryRun?: boolean;
      remote?: string;
      plainHttp?: boolean;
    }>();
    const { json } = context.common(this);
    const [planFile] = requireValidPlans(readPlanFiles([path], { cwd: io.cwd }), 'nothing was run');
    const pin = planFile!.plan.snapshot;
    if (options.remote !== undefined && pin !== undefined && isDigest(pin)) {
      const { pullFromRemote } = await import('./remoteCommands.js');
      await withStore(context, this, 'create', (store) =>
        pullFromRemote(context, store, options.remote!, options.plainHttp === true, [pin]),
      );
    }
    const workdir = resolve(io.cwd, options.workdir ?? '.');
    const adapters = await registryAdapters(workdir, { cwd: io.cwd });
    const runnerFor = (store: Parameters<typeof createRunner>[0]['store']) =>
      createRunner({
        store,
        adapters,
        workdir,
        env: io.env,
        ...(options.world === undefined ? {} : { world: resolve(io.cwd, options.world) }),
      });
    if (options.dryRun) {
      const report = await withStore(context, this, 'read', (store) => runnerFor(store).dryRun(planFile!));
      return json ? context.printJson(report) : context.print(formatDryRun(report));
    }
    const progress = io.stderrIsTty && !json;
    const record = await withStore(context, this, 'write', (store) =>
      runnerFor(store).run(planFile!, {
        jobs: options.jobs,
        noMemo: !options.memo,
        ...(progress
          ? {
              onProgress: (event: RunProgress) => {
                if (event.status === 'started')
                  io.stderr(`${style.dim('…')} ${event.step} (attempt ${event.attempt})\n`);
              },
            }
          : {}),
      }),
    );
    if (json) context.printJson(record);
    else context.print(formatRun(record, context));
    if (record.status === 'failed') {
      const failed = record.steps.filter((step) => step.status === 'failed').map((step) => step.id);
      context.failAfterOutput(
        new SpecError(
          'RUN_FAILED',
          `run ${record.id}: step${failed.length === 1 ? '' : 's'} ${failed.join(', ')} failed`,
          {
            data: { run: record.id, failed },
          },
        ),
      );
    }
  });

  examples(
    withCommon(
      program
        .command('runs')
        .argument('[action]', '"show" to show one run')
        .argument('[id]', 'the run id, with show')
        .description('list the runs recorded in the store, newest first; `spec runs show ID` prints one record'),
    ),
    '  $ spec runs\n  $ spec runs show 20250101T120000000Z-1a2b3c4d --json',
  ).action(async function (this: Command, action?: string, id?: string) {
    const { json } = context.common(this);
    if (action !== undefined && (action !== 'show' || id === undefined))
      throw new SpecError('USAGE', 'expected `spec runs` or `spec runs show ID`');
    if (action === 'show') {
      const record = await withStore(context, this, 'read', (store) => readRunRecord(store, id!));
      if (json) return context.printJson(record);
      return context.print(formatRun(record, context));
    }
    const runs = await withStore(context, this, 'read', (store) => listRunRecords(store));
    if (json) return context.printJson(runs);
    context.print(
      runs.length === 0
        ? 'no runs recorded'
        : runs
            .map(
              (run) =>
                `${run.id}  ${run.status.padEnd(9)}  ${run.plan}  ${Object.entries(run.steps)
                  .map(([status, count]) => `${count} ${status}`)
                  .join(', ')}  ${run.duration_ms} ms`,
            )
            .join('\n'),
    );
  });
}

function formatRun(record: RunRecord, { style }: CommandContext): string {
  const colour = (status: string) =>
    status === 'succeeded' ? style.green(status) : status === 'failed' ? style.red(status) : status;
  const lines = record.steps.map((step) => {
    const why =
      step.status === 'memoized'
        ? `not run: memo key ${step.memo_key!.slice(0, 19)}… succeeded in run ${step.memo_of!.run}`
        : step.status === 'skipped'
          ? `skipped: ${step.skipped_because}`
          : step.failure
            ? `${step.failure.code} ${step.failure.message}`
            : `${step.attempts.length} attempt${step.attempts.length === 1 ? '' : 's'}, ${step.duration_ms} ms`;
    return `  ${step.id}  ${colour(step.status)}  ${step.tool}  ${why}`;
  });
  return [
    `run ${record.id}  ${colour(record.status)}  ${record.plan}  ${record.snapshot}`,
    ...lines,
    `spent ${record.budget.spent_usd_micro} usd_micro${record.budget.max_usd_micro === undefined ? '' : ` of ${record.budget.max_usd_micro}`}; ${record.duration_ms} ms; files in ${record.directory}`,
  ].join('\n');
}

function formatDryRun(report: DryRunReport): string {
  return [
    `dry run of ${report.plan} (${report.snapshot}): nothing was run`,
    ...report.steps.map(
      (step) =>
        `  ${step.step_id}  ${step.tool} (${step.adapter})  memo ${step.context.memo_key ?? '(after ' + step.pending_bindings.join(', ') + ' are bound)'}${step.memoized_by ? `  reused from run ${step.memoized_by}` : ''}\n    inputs ${JSON.stringify(step.context.inputs)}`,
    ),
  ].join('\n');
}
