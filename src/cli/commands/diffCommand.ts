// `spec diff`: what changed between two snapshots (or a snapshot and the working registry), and what it breaks.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { SpecError } from '../../errors.js';
import {
  compatibilityModes,
  failOnValues,
  withMode,
  type CompatibilityMode,
  type FailOn,
} from '../../diff/diffConfig.js';
import { diffSnapshots } from '../../review/diffSnapshots.js';
import { defaultDiffConfigFile, loadDiffConfig } from '../../review/loadDiffConfig.js';
import type { CommandContext } from '../run.js';
import { examples, openView, withCommon, withStore } from '../commandHelpers.js';
import { formatDiffMarkdown, formatDiffText } from '../formatDiff.js';

export function registerDiffCommand(program: Command, context: CommandContext): void {
  const { io, style } = context;
  examples(
    withCommon(
      program
        .command('diff')
        .argument('<from>', 'the old side: snapshot id, unique prefix, tag or "latest"')
        .argument('[to]', 'the new side (default: latest; not with --registry)')
        .option('--registry <dir>', 'compare with this working registry, validated but not stored (like git diff)')
        .option('--markdown', 'print Markdown, for a pull-request comment')
        .addOption(
          new Option(
            '--fail-on <severity>',
            'exit 4 when a change is this severe or worse (breaking > unknown > warning)',
          ).choices([...failOnValues]),
        )
        .addOption(
          new Option(
            '--mode <mode>',
            'the direction for every kind: backward (old users keep working), forward, or full (both); overrides the config',
          ).choices([...compatibilityModes]),
        )
        .option(
          '--config <file>',
          `compatibility settings (default: ${defaultDiffConfigFile} if present; see docs/compatibility.md)`,
        )
        .description(
          'what changed between two snapshots, and whether it breaks callers, producers or plans (rules: docs/compatibility.md)',
        ),
    ),
    '  $ spec diff prod latest\n  $ spec diff prod --registry registry --fail-on breaking     # the CI gate: exit 4 if anything breaks\n  $ spec diff prod latest --mode full              # both directions, whatever the config says\n  $ spec diff prod latest --markdown > pr-comment.md\n  $ spec diff prod latest --json',
  ).action(async function (this: Command, fromSelector: string, toSelector: string | undefined) {
    const options = this.opts<{
      registry?: string;
      markdown?: boolean;
      failOn?: FailOn;
      config?: string;
      mode?: CompatibilityMode;
    }>();
    const { json } = context.common(this);
    if (toSelector !== undefined && options.registry !== undefined) {
      throw new SpecError('USAGE', 'give either a second snapshot or --registry, not both', {
        data: { to: toSelector, registry: options.registry },
      });
    }
    const loaded = await loadDiffConfig({
      cwd: io.cwd,
      ...(options.config === undefined ? {} : { file: options.config }),
    });
    const config = options.mode === undefined ? loaded : withMode(loaded, options.mode);
    const { report, labels } = await withStore(context, this, 'read', async (store) => {
      const before = await openView(store, fromSelector);
      if (options.registry === undefined) {
        const after = await openView(store, toSelector ?? 'latest');
        return {
          report: await diffSnapshots(before, after, { config, ...(options.failOn ? { failOn: options.failOn } : {}) }),
          labels: { from: before.id, to: after.id },
        };
      }
      // Only a diff against the working registry needs the build modules.
      const [{ compileRegistry }, { openCompiledRegistry }] = await Promise.all([
        import('../../build/buildSnapshot.js'),
        import('../../build/compiledRegistryView.js'),
      ]);
      const compiled = await compileRegistry({ registry: resolve(io.cwd, options.registry), cwd: io.cwd, store });
      const after = await openCompiledRegistry(store, compiled);
      return {
        report: await diffSnapshots(before, after, { config, ...(options.failOn ? { failOn: options.failOn } : {}) }),
        labels: { from: before.id, to: `${options.registry} (${after.id})` },
      };
    });
    if (json) context.printJson(report);
    else if (options.markdown) io.stdout(formatDiffMarkdown(report, labels));
    else context.print(formatDiffText(report, labels, style));
    if (report.failed) {
      const failing = report.specs
        .filter((spec) => spec.changes.some((change) => change.severity === report.severity))
        .map((spec) => spec.name);
      context.failAfterOutput(
        new SpecError('DIFF_BREAKING', `the diff has ${report.severity} changes (--fail-on ${report.failOn})`, {
          data: { severity: report.severity, failOn: report.failOn, specs: failing },
        }),
      );
    }
  });
}
