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
import { diffSnapshots, type DiffOptions, type DiffReport } from '../../review/diffSnapshots.js';
import { parseGitRef, type GitRevision } from '../../source/gitSource.js';
import { defaultDiffConfigFile, loadDiffConfig } from '../../review/loadDiffConfig.js';
import type { CommandContext } from '../run.js';
import { examples, openView, withCommon, withStore } from '../commandHelpers.js';
import { formatDiffMarkdown, formatDiffText } from '../formatDiff.js';
import { findingsOfDiff, renderFindings, withErrorFormat, type ErrorFormat, type SpecFiles } from '../errorFormats.js';
import type { CompiledRegistry } from '../../build/buildSnapshot.js';
import { SpecRuleCatalogue } from '../../diff/specRules.js';
import { isSchemaRuleId, schemaRules } from '../../diff/schemaRules.js';
import { builtinKinds } from '../../kinds/builtinKinds.js';

export function registerDiffCommand(program: Command, context: CommandContext): void {
  const { io, style } = context;
  examples(
    withCommon(
      withErrorFormat(
        program
          .command('diff')
          .argument('[from]', 'the old side: snapshot id, unique prefix, tag or "latest" (or give --against)')
          .argument('[to]', 'the new side (default: latest; not with --registry or --against)')
          .option('--registry <dir>', 'compare with this working registry, validated but not stored (like git diff)')
          .option(
            '--against <old>',
            'the old side, against the working registry (--registry, default registry): a snapshot, or git:REF for the registry at a git ref, read from git (no store needed)',
          )
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
    ),
    '  $ spec diff prod latest\n  $ spec diff --against git:main --fail-on breaking   # CI: the registry at main vs the working one, no store\n  $ spec diff --against git:HEAD~1 --registry registry --markdown >> "$GITHUB_STEP_SUMMARY"\n  $ spec diff prod --registry registry --fail-on breaking     # the CI gate: exit 4 if anything breaks\n  $ spec diff prod latest --mode full              # both directions, whatever the config says\n  $ spec diff prod latest --markdown > pr-comment.md\n  $ spec diff prod latest --json\n  $ spec diff --against git:main --error-format github-actions   # each change as an annotation on its line',
  ).action(async function (this: Command, fromArgument: string | undefined, toSelector: string | undefined) {
    const options = this.opts<{
      registry?: string;
      against?: string;
      markdown?: boolean;
      failOn?: FailOn;
      config?: string;
      mode?: CompatibilityMode;
    }>();
    const { json, errorFormat } = context.common(this);
    if (options.against !== undefined && fromArgument !== undefined) {
      throw new SpecError('USAGE', 'give the old side either as an argument or as --against, not both', {
        data: { from: fromArgument, against: options.against },
      });
    }
    if (options.against === undefined && fromArgument === undefined)
      throw new SpecError('USAGE', 'name the old side: a snapshot (spec diff prod), or --against git:REF');
    if (toSelector !== undefined && (options.registry !== undefined || options.against !== undefined)) {
      throw new SpecError('USAGE', 'give either a second snapshot or --registry (--against), not both', {
        data: { to: toSelector, registry: options.registry },
      });
    }
    // --against SNAPSHOT is `spec diff SNAPSHOT --registry DIR`; --against git:REF needs no store at all.
    const fromSelector = fromArgument ?? options.against!;
    const registry = options.registry ?? (options.against === undefined ? undefined : 'registry');
    const gitRef = fromArgument === undefined ? parseGitRef(fromSelector) : undefined;
    const loaded = await loadDiffConfig({
      cwd: io.cwd,
      ...(options.config === undefined ? {} : { file: options.config }),
    });
    const config = options.mode === undefined ? loaded : withMode(loaded, options.mode);
    const diffOptions = { config, ...(options.failOn ? { failOn: options.failOn } : {}) };
    if (gitRef !== undefined) {
      const { report, labels, revision, files } = await diffAgainstGit(context, gitRef, registry!, diffOptions);
      if (json) context.printJson({ ...report, git: revision });
      else if (errorFormat !== 'text') printChanges(context, errorFormat, report, files);
      else if (options.markdown) io.stdout(formatDiffMarkdown(report, labels));
      else context.print(formatDiffText(report, labels, style));
      return failIfBreaking(context, report);
    }
    const { report, labels, files } = await withStore(context, this, 'read', async (store) => {
      const before = await openView(store, fromSelector);
      if (registry === undefined) {
        const after = await openView(store, toSelector ?? 'latest');
        return {
          report: await diffSnapshots(before, after, { config, ...(options.failOn ? { failOn: options.failOn } : {}) }),
          labels: { from: before.id, to: after.id },
          files: new Map<string, string>(),
        };
      }
      // Only a diff against the working registry needs the build modules.
      const [{ compileRegistry }, { openCompiledRegistry }] = await Promise.all([
        import('../../build/buildSnapshot.js'),
        import('../../build/compiledRegistryView.js'),
      ]);
      const compiled = await compileRegistry({ registry: resolve(io.cwd, registry), cwd: io.cwd, store });
      const after = await openCompiledRegistry(store, compiled);
      return {
        report: await diffSnapshots(before, after, { config, ...(options.failOn ? { failOn: options.failOn } : {}) }),
        labels: { from: before.id, to: `${registry} (${after.id})` },
        files: specFiles(compiled),
      };
    });
    if (json) context.printJson(report);
    else if (errorFormat !== 'text') printChanges(context, errorFormat, report, files);
    else if (options.markdown) io.stdout(formatDiffMarkdown(report, labels));
    else context.print(formatDiffText(report, labels, style));
    failIfBreaking(context, report);
  });
}

/** The files of a compiled registry's specs, by id, relative to the working directory. */
function specFiles(compiled: CompiledRegistry): SpecFiles {
  return new Map(compiled.specs.map((spec) => [spec.id, spec.file]));
}

/** `--error-format`: every change, placed on its line in the new registry's file where the diff has one. */
function printChanges(
  context: CommandContext,
  format: Exclude<ErrorFormat, 'text'>,
  report: DiffReport,
  files: SpecFiles,
): void {
  const rules = new SpecRuleCatalogue(builtinKinds);
  const describe = (id: string) => (isSchemaRuleId(id) ? schemaRules[id].purpose : rules.get(id)?.purpose);
  context.io.stdout(
    renderFindings(format, findingsOfDiff(report, files, context.io.cwd), { cwd: context.io.cwd, describe }),
  );
}

/** DIFF_BREAKING (exit 4) after the report, when it has changes as severe as --fail-on. */
function failIfBreaking(context: CommandContext, report: DiffReport): void {
  if (!report.failed) return;
  const failing = report.specs
    .filter((spec) => spec.changes.some((change) => change.severity === report.severity))
    .map((spec) => spec.name);
  context.failAfterOutput(
    new SpecError('DIFF_BREAKING', `the diff has ${report.severity} changes (--fail-on ${report.failOn})`, {
      data: { severity: report.severity, failOn: report.failOn, specs: failing },
    }),
  );
}

/** The registry at a git ref against the working registry, both compiled in memory: no store is opened. */
async function diffAgainstGit(
  context: CommandContext,
  ref: string,
  registry: string,
  options: DiffOptions,
): Promise<{ report: DiffReport; labels: { from: string; to: string }; revision: GitRevision; files: SpecFiles }> {
  const { io } = context;
  const [{ compileGitRevision }, { compileRegistry }, { openCompiledRegistry }] = await Promise.all([
    import('../../build/compileGitRevision.js'),
    import('../../build/buildSnapshot.js'),
    import('../../build/compiledRegistryView.js'),
  ]);
  const old = await compileGitRevision({ registry, ref, cwd: io.cwd });
  const compiled = await compileRegistry({ registry: resolve(io.cwd, registry), cwd: io.cwd });
  const after = await openCompiledRegistry(undefined, compiled);
  return {
    report: await diffSnapshots(old.view, after, options),
    labels: { from: `git:${ref} (${old.revision.commit.slice(0, 12)})`, to: `${registry} (${after.id})` },
    revision: old.revision,
    files: specFiles(compiled),
  };
}
