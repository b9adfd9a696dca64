// `spec verify` and `spec gc`: keeping the store healthy.
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { SpecError } from '../../errors.js';
import { collectGarbage, type GarbageReport } from '../../maintain/collectGarbage.js';
import { verifyStore, type VerifyReport } from '../../maintain/verifyStore.js';
import type { CommandContext } from '../run.js';
import { examples, withCommon, withStore } from '../commandHelpers.js';

export function registerMaintenanceCommands(program: Command, context: CommandContext): void {
  const { io } = context;

  examples(
    withCommon(
      program
        .command('verify')
        .description(
          'check the whole store, like git fsck: re-hash every object, walk every snapshot, check tags, the build log and published versions; exit 5 if anything is wrong',
        ),
    ),
    '  $ spec verify\n  $ spec verify --json        # {ok, objects, snapshots, ..., problems: [{kind, message, object, snapshot, ...}]}',
  ).action(async function (this: Command) {
    const { json } = context.common(this);
    const report = await withStore(context, this, 'verify', (store) => verifyStore(store));
    if (json) context.printJson(report);
    else context.print(formatVerifyReport(report));
    if (report.ok) return;
    const count = report.problems.length + report.problemsOmitted;
    const error = new SpecError(
      'VERIFY_FAILED',
      `${count} problem${count === 1 ? '' : 's'} in the store at ${report.store}`,
      {
        data: {
          store: report.store,
          problems: count,
          codes: [...new Set(report.problems.map((problem) => problem.code))],
        },
      },
    );
    if (json) context.failAfterOutput(error);
    throw error;
  });

  examples(
    withCommon(
      program
        .command('gc')
        .description(
          'remove the snapshots nothing keeps (tags, published versions, plans, the last builds) and the objects only they reach',
        )
        .option('--dry-run', 'report what would be removed, and remove nothing')
        .option('--keep-last <n>', 'keep the snapshots of the last N builds', parseKeepLast, 1)
        .option(
          '--plans <dir...>',
          'directories of plan files (read as `spec plan check` reads them); the snapshot each pins is kept',
        ),
    ),
    '  $ spec gc --dry-run\n  $ spec gc --keep-last 10 --plans plans/ deploy/plans/\n  $ spec gc --json            # {dryRun, kept, plans, removed: {snapshots, objects, bytes}, remaining}',
  ).action(async function (this: Command) {
    const options = this.opts<{ dryRun?: boolean; keepLast: number; plans?: string[] }>();
    const { json } = context.common(this);
    const report = await withStore(context, this, 'write', (store) =>
      collectGarbage(store, {
        keepLast: options.keepLast,
        dryRun: options.dryRun === true,
        planDirectories: (options.plans ?? []).map((directory) => resolve(io.cwd, directory)),
      }),
    );
    if (json) return context.printJson(report);
    context.print(formatGarbageReport(report));
  });
}

function parseKeepLast(value: string): number {
  const count = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(count) || count < 1)
    throw new InvalidArgumentError('expected a whole number ≥ 1 (the latest build is always kept)');
  return count;
}

function plural(count: number, word: string, words = `${word}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? word : words}`;
}

function formatVerifyReport(report: VerifyReport): string {
  const counts = `${plural(report.objects, 'object')}, ${plural(report.snapshots, 'snapshot')}, ${plural(report.tags, 'tag')}, ${plural(report.logEntries, 'log entry', 'log entries')}, ${plural(report.published, 'published version')}, ${plural(report.pinned, 'published snapshot')}`;
  const lines = report.problems.map((problem) => `${problem.code}  ${problem.message}`);
  if (report.problemsOmitted > 0) lines.push(`… and ${plural(report.problemsOmitted, 'more problem')}`);
  if (report.ok) lines.push(`store ok: ${counts}`);
  else lines.push(`store damaged: ${counts}`);
  if (report.ok && report.unreachableObjects > 0)
    lines.push(`${plural(report.unreachableObjects, 'object')} no snapshot reaches (\`spec gc\` removes them)`);
  return lines.join('\n');
}

function formatGarbageReport(report: GarbageReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  const lines = report.removed.snapshots.map((id) => `${verb} ${id}`);
  lines.push(
    `${verb} ${plural(report.removed.snapshots.length, 'snapshot')} and ${plural(report.removed.objects, 'object')} (${plural(report.removed.bytes, 'byte')})`,
  );
  const kept = report.kept.map((entry) => `${entry.snapshot} (${entry.reasons.join(', ')})`);
  lines.push(`kept ${plural(report.kept.length, 'snapshot')}${kept.length > 0 ? `:\n  ${kept.join('\n  ')}` : ''}`);
  return lines.join('\n');
}
