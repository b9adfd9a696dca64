// `spec refs` (who uses a spec) and `spec status` (how the working registry differs from a snapshot).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SpecError } from '../../errors.js';
import { readPlanDirectories } from '../../plan/findPlanFiles.js';
import { findReferrers } from '../../plan/planUsage.js';
import { compileRegistry } from '../../build/buildSnapshot.js';
import { compareRegistryWithSnapshot, type StatusEntry } from '../../snapshot/registryStatus.js';
import { parseGitRef, type GitRevision } from '../../source/gitSource.js';
import type { CommandContext } from '../run.js';
import { examples, openView, withCommon, withStore } from '../commandHelpers.js';
import { formatLocation } from '../formatDiagnostics.js';
import { findingsOfStatus, renderFindings, withErrorFormat } from '../errorFormats.js';

export function registerUsageCommands(program: Command, context: CommandContext): void {
  const { io, style } = context;

  examples(
    withCommon(
      program
        .command('refs')
        .argument('<snapshot>', 'snapshot id, unique prefix (8+ hex), tag or "latest"')
        .argument('<ref>', 'name@version, or name for the highest version')
        .option('--plans <dir...>', 'also list plans in these directories that use it')
        .description(
          'everything that references a spec: specs of the snapshot (reference fields, schema $refs) and plans',
        ),
    ),
    '  $ spec refs latest media.metadata@1\n  $ spec refs prod text.llm --plans plans --json',
  ).action(async function (this: Command, selector: string, ref: string) {
    const { plans: directories } = this.opts<{ plans?: string[] }>();
    const { json } = context.common(this);
    const planFiles = directories === undefined ? [] : readPlanDirectories(directories, { cwd: io.cwd });
    const result = await withStore(context, this, 'read', async (store) => {
      return findReferrers(await openView(store, selector), ref, planFiles);
    });
    if (json) return context.printJson(result);
    const lines = [`${result.target.id} (${result.target.kind}) in ${result.snapshot}`];
    for (const referrer of result.referrers) lines.push(`  ${referrer.id}  ${referrer.kind}  ${referrer.pointer}`);
    for (const plan of result.plans)
      lines.push(
        `  ${formatLocation(plan)}  plan ${plan.plan ?? '?'}  ${plan.pointer}${plan.ref === result.target.id ? '' : ` (${plan.ref})`}`,
      );
    if (result.referrers.length + result.plans.length === 0) lines.push('  (nothing references it)');
    context.print(lines.join('\n'));
  });

  examples(
    withCommon(
      withErrorFormat(
        program
          .command('status')
          .option(
            '--against <snapshot>',
            'snapshot to compare with: id, unique prefix, tag or "latest"; or git:REF, the registry at a git ref (read from git, no store needed)',
            'latest',
          )
          .option('--registry <dir>', 'registry directory', 'registry')
          .description(
            'how the working registry differs from a snapshot: added, removed, modified specs (exit 6 when it differs)',
          ),
      ),
    ),
    '  $ spec status\n  $ spec status --against prod --json     # {registry, against, clean, added, removed, modified}\n  $ spec status --against git:main        # what this branch changed in the registry, without a store\n  $ spec status --against git:main --error-format github-actions',
  ).action(async function (this: Command) {
    const options = this.opts<{ against: string; registry: string }>();
    const { json, errorFormat } = context.common(this);
    const gitRef = parseGitRef(options.against);
    let revision: GitRevision | undefined;
    const status =
      gitRef === undefined
        ? await withStore(context, this, 'read', async (store) => {
            const view = await openView(store, options.against);
            const compiled = await compileRegistry({ registry: resolve(io.cwd, options.registry), cwd: io.cwd, store });
            return compareRegistryWithSnapshot(options.registry, compiled.specs, view.id, await view.list());
          })
        : await (async () => {
            // The registry at the ref and the working one, both compiled in memory: no store is opened.
            const { compileGitRevision } = await import('../../build/compileGitRevision.js');
            const old = await compileGitRevision({ registry: options.registry, ref: gitRef, cwd: io.cwd });
            revision = old.revision;
            const compiled = await compileRegistry({ registry: resolve(io.cwd, options.registry), cwd: io.cwd });
            return compareRegistryWithSnapshot(options.registry, compiled.specs, old.view.id, await old.view.list());
          })();
    const againstLabel = revision ? `git:${revision.ref} (${revision.commit.slice(0, 12)})` : status.against;
    if (json) context.printJson(revision ? { ...status, git: revision } : status);
    else if (errorFormat !== 'text')
      io.stdout(
        renderFindings(errorFormat, findingsOfStatus({ ...status, against: againstLabel }), {
          cwd: io.cwd,
          describe: (id) => statusRules[id],
        }),
      );
    else {
      const row = (label: string, entry: StatusEntry) =>
        `  ${label.padEnd(9)} ${entry.id}${entry.file ? `  ${entry.file}` : ''}`;
      const lines = [
        ...status.added.map((entry) => row(style.green('added'), entry)),
        ...status.modified.map((entry) => row(style.yellow('modified'), entry)),
        ...status.removed.map((entry) => row(style.red('removed'), entry)),
      ];
      context.print(
        status.clean
          ? `${status.registry} matches ${againstLabel}`
          : `${status.registry} differs from ${againstLabel}:\n${lines.join('\n')}`,
      );
    }
    if (!status.clean) {
      const changed = status.added.length + status.modified.length + status.removed.length;
      context.failAfterOutput(
        new SpecError('REGISTRY_DRIFTED', `${changed} spec${changed === 1 ? '' : 's'} differ from ${againstLabel}`, {
          data: { against: status.against, ...(revision ? { git: revision } : {}) },
        }),
      );
    }
  });
}

const statusRules: Record<string, string> = {
  'status.added': 'a spec of the working registry is not in the snapshot',
  'status.modified': 'a spec of the working registry has another digest in the snapshot',
  'status.removed': 'a spec of the snapshot is not in the working registry',
};
