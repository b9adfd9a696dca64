// `spec lint`: style and hygiene rules over the working registry (docs/lint.md); exit 1 when a finding is an error.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { errorCategoryOf, isSpecError, SpecError } from '../../errors.js';
import { lintRegistry, type LintReport } from '../../lint/lintRegistry.js';
import { lintRules } from '../../lint/lintRules.js';
import type { CommandContext } from '../run.js';
import { examples, openView, withCommon, withStore } from '../commandHelpers.js';
import { formatDiagnostics } from '../formatDiagnostics.js';
import { renderFindings, withErrorFormat, type Finding } from '../errorFormats.js';

export function registerLintCommand(program: Command, context: CommandContext): void {
  const { io, style } = context;
  examples(
    withCommon(
      withErrorFormat(
        program
          .command('lint')
          .option('--registry <dir>', 'registry directory', 'registry')
          .option(
            '--against <snapshot>',
            'the previous snapshot, for version.major-bump (default: latest, when the store has one)',
          )
          .description(
            'style and hygiene rules over the working registry, configured in specstore.yaml (rules: docs/lint.md)',
          ),
      ),
    ),
    '  $ spec lint\n  $ spec lint --against prod --error-format github-actions\n  $ spec lint --error-format sarif > lint.sarif\n  $ spec lint --json        # {findings, rules, failed}',
  ).action(async function (this: Command) {
    const options = this.opts<{ registry: string; against?: string }>();
    const { json, errorFormat, store } = context.common(this);
    const registry = resolve(io.cwd, options.registry);
    const storeExists = existsSync(resolve(io.cwd, store));
    let report: LintReport;
    if (!storeExists && options.against === undefined) report = await lintRegistry({ registry, cwd: io.cwd });
    else
      report = await withStore(context, this, 'read', async (opened) => {
        let previous;
        try {
          previous = await openView(opened, options.against ?? 'latest');
        } catch (error) {
          // No snapshot yet: version.major-bump says it is inert; a named snapshot that is missing is an error.
          if (options.against !== undefined || !isSpecError(error) || errorCategoryOf(error.code) !== 'not-found')
            throw error;
        }
        return lintRegistry({ registry, cwd: io.cwd, ...(previous === undefined ? {} : { previous }) });
      });
    if (json) context.printJson(report);
    else {
      const findings: Finding[] = report.findings.map((finding) => ({
        file: finding.file,
        ...(finding.line === undefined ? {} : { line: finding.line, column: finding.column ?? 1 }),
        code: finding.rule,
        severity: finding.severity,
        message: finding.message,
        ref: finding.ref,
        pointer: finding.pointer,
      }));
      if (errorFormat !== 'text') {
        const purposes = new Map(lintRules.map((rule) => [rule.id, rule.purpose.replaceAll('`', '')]));
        io.stdout(renderFindings(errorFormat, findings, { cwd: io.cwd, describe: (id) => purposes.get(id) }));
      } else {
        io.stderr(
          formatDiagnostics(
            report.findings.map((finding) => ({ ...finding, code: finding.rule })),
            { style, excerpts: io.stderrIsTty, cwd: io.cwd },
          ),
        );
        for (const rule of report.rules)
          if (rule.inert !== undefined) io.stderr(`${style.dim('note')} ${rule.id} did not run: ${rule.inert}\n`);
        const errors = report.findings.filter((finding) => finding.severity === 'error').length;
        const warnings = report.findings.length - errors;
        context.print(
          report.findings.length === 0
            ? `${options.registry}: lint clean`
            : `${options.registry}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
        );
      }
    }
    if (report.failed)
      context.failAfterOutput(
        new SpecError('LINT_FAILED', 'spec lint found errors', {
          data: { rules: [...new Set(report.findings.filter((f) => f.severity === 'error').map((f) => f.rule))] },
        }),
      );
  });
}
