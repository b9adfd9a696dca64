// `spec diff` output: a terminal view grouped by spec, and Markdown for pull-request comments.
import type { Severity } from '../diff/severity.js';
import type { DiffChange } from '../diff/specRules.js';
import type { SpecDiff } from '../diff/diffSpecs.js';
import type { DiffReport } from '../review/diffSnapshots.js';
import type { Style } from './style.js';

/** What the new side is called: a snapshot id, or a working registry. */
export interface DiffLabels {
  from: string;
  to: string;
}

const severityOrder: Severity[] = ['breaking', 'unknown', 'warning', 'compatible'];

function where(change: DiffChange): string {
  const pointer = change.pointer === '' ? '' : change.pointer;
  return change.schema ? `${pointer} → ${change.schema.document}#${change.schema.pointer}` : pointer;
}

function totals(report: DiffReport): string {
  const parts = severityOrder
    .filter((severity) => report.counts[severity] > 0)
    .map((severity) => `${report.counts[severity]} ${severity}`);
  if (report.ignored > 0) parts.push(`${report.ignored} ignored`);
  return parts.join(', ');
}

function heading(spec: SpecDiff): string {
  const versions = spec.from && spec.to ? (spec.from === spec.to ? spec.to : `${spec.from} → ${spec.to}`) : spec.status;
  return `${spec.name} (${spec.kind}) ${versions}`;
}

export function formatDiffText(report: DiffReport, labels: DiffLabels, style: Style): string {
  const paint = (severity: Severity, text: string) =>
    severity === 'breaking'
      ? style.red(text)
      : severity === 'unknown' || severity === 'warning'
        ? style.yellow(text)
        : style.green(text);
  const lines = [style.bold(`diff ${labels.from} → ${labels.to}`)];
  if (report.empty) {
    lines.push('no differences');
    return lines.join('\n');
  }
  for (const spec of report.specs) {
    lines.push('', `${style.bold(heading(spec))}  ${paint(spec.severity, spec.severity)}`);
    for (const change of spec.changes) {
      const location = where(change);
      lines.push(
        `  ${paint(change.severity, change.severity.padEnd(10))} ${change.rule}${location ? `  ${style.dim(location)}` : ''}  ${change.message}`,
      );
    }
    if (spec.ignored > 0) lines.push(style.dim(`  (${spec.ignored} ignored)`));
  }
  if (report.kinds.length > 0) {
    lines.push('', style.bold('kinds'));
    for (const change of report.kinds)
      lines.push(`  ${paint(change.severity, change.severity.padEnd(10))} ${change.rule}  ${change.message}`);
  }
  const changed = report.specs.length;
  lines.push(
    '',
    `${changed} spec${changed === 1 ? '' : 's'} changed: ${totals(report) || 'nothing to report'}; verdict ${paint(report.severity, report.severity)}`,
  );
  return lines.join('\n');
}

/** Escapes what would end a table cell or start markup. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/`/g, "'");
}

export function formatDiffMarkdown(report: DiffReport, labels: DiffLabels): string {
  const lines = [`### spec diff: \`${cell(labels.from)}\` → \`${cell(labels.to)}\``, ''];
  if (report.empty) {
    lines.push('No differences.');
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `**Verdict: ${report.severity}** (${totals(report)}) in ${report.specs.length} spec${report.specs.length === 1 ? '' : 's'}.`,
    '',
  );
  lines.push('| spec | kind | versions | verdict |', '| --- | --- | --- | --- |');
  for (const spec of report.specs) {
    const versions =
      spec.from && spec.to ? (spec.from === spec.to ? spec.to : `${spec.from} → ${spec.to}`) : spec.status;
    lines.push(
      `| \`${cell(spec.name)}\` | ${spec.kind} | ${cell(versions)} | ${spec.severity === 'breaking' ? '**breaking**' : spec.severity} |`,
    );
  }
  for (const spec of report.specs) {
    if (spec.changes.length === 0) continue;
    lines.push(
      '',
      `<details${spec.severity === 'breaking' || spec.severity === 'unknown' ? ' open' : ''}><summary><code>${cell(spec.name)}</code>: ${spec.severity}</summary>`,
      '',
    );
    lines.push('| severity | rule | where | change |', '| --- | --- | --- | --- |');
    for (const change of spec.changes) {
      const location = where(change);
      lines.push(
        `| ${change.severity === 'breaking' ? '**breaking**' : change.severity} | \`${change.rule}\` | ${location ? `\`${cell(location)}\`` : ''} | ${cell(change.message)} |`,
      );
    }
    lines.push('', '</details>');
  }
  if (report.kinds.length > 0) {
    lines.push('', '| kind | severity | rule | change |', '| --- | --- | --- | --- |');
    for (const change of report.kinds)
      lines.push(`| ${cell(change.kind)} | ${change.severity} | \`${change.rule}\` | ${cell(change.message)} |`);
  }
  return `${lines.join('\n')}\n`;
}
