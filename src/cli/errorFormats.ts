// `--error-format`: the diagnostics and changes a command reports, as text (the default), a JSON document, GitHub
// Actions workflow commands (annotations on a pull request's lines) or one SARIF 2.1.0 log (code-scanning dashboards).
import { isAbsolute, relative, sep } from 'node:path';
import { Option, type Command } from 'commander';
import { errorCatalogue, type SpecError, type Diagnostic } from '../errors.js';
import type { DiffReport } from '../review/diffSnapshots.js';
import type { StatusEntry } from '../snapshot/registryStatus.js';
import { nearestPointerLocator } from '../source/locatePointer.js';
import { toolVersion } from '../version.js';

export const errorFormats = ['text', 'json', 'github-actions', 'sarif'] as const;
export type ErrorFormat = (typeof errorFormats)[number];

/** One problem or change, wherever it came from: what every format renders. */
export interface Finding {
  /** The file, relative to the working directory (absent when the finding is about no file). */
  file?: string;
  /** 1-based line and column, when known. */
  line?: number;
  column?: number;
  /** An error code (errorCatalogue, diagnostic codes) or a rule id (diff, status, lint). */
  code: string;
  severity: 'error' | 'warning' | 'notice';
  message: string;
  /** The `id@version` concerned, when known. */
  ref?: string;
  /** JSON pointer into the spec, when the finding is about a value. */
  pointer?: string;
}

/** Adds `--error-format` to a command that reports diagnostics or changes. */
export function withErrorFormat(command: Command): Command {
  return command.addOption(
    new Option(
      '--error-format <format>',
      'how to print diagnostics and changes: text, json, github-actions (annotations) or sarif (SARIF 2.1.0); not with --json',
    )
      .choices([...errorFormats])
      .default('text'),
  );
}

export function findingsOfDiagnostics(diagnostics: readonly Diagnostic[]): Finding[] {
  return diagnostics.map((diagnostic) => ({
    ...(diagnostic.file === undefined ? {} : { file: diagnostic.file }),
    ...(diagnostic.line === undefined ? {} : { line: diagnostic.line, column: diagnostic.column ?? 1 }),
    code: diagnostic.code,
    severity: diagnostic.severity,
    message: diagnostic.message,
    ...(diagnostic.ref === undefined ? {} : { ref: diagnostic.ref }),
    ...(diagnostic.pointer === undefined ? {} : { pointer: diagnostic.pointer }),
  }));
}

/** A SpecError as findings: its diagnostics, or the error itself when it has none. */
export function findingsOfError(error: SpecError): Finding[] {
  if (error.diagnostics.length > 0) return findingsOfDiagnostics(error.diagnostics);
  return [{ code: error.code, severity: 'error', message: error.message }];
}

/** Where the specs of the new side of a diff are written: `id@version` → file (relative to `cwd`). */
export type SpecFiles = ReadonlyMap<string, string>;

/**
 * The changes of a diff as findings: breaking is an error, unknown and warning are warnings, compatible a notice.
 * Each is placed at its pointer in the new spec's file when `files` knows the file (the nearest enclosing value
 * that is written there, for a removed one), else on the file only, else nowhere.
 */
export function findingsOfDiff(report: DiffReport, files: SpecFiles, cwd: string): Finding[] {
  const findings: Finding[] = [];
  const locator = nearestPointerLocator(cwd);
  for (const spec of report.specs) {
    // `from` and `to` are ids (name@version).
    const ref = spec.to ?? spec.from ?? spec.name;
    const file = spec.to === undefined ? undefined : files.get(spec.to);
    for (const change of spec.changes) {
      const position = file === undefined ? undefined : locator(file, change.pointer);
      findings.push({
        ...(file === undefined ? {} : { file }),
        ...(position ?? {}),
        code: change.rule,
        severity: change.severity === 'breaking' ? 'error' : change.severity === 'compatible' ? 'notice' : 'warning',
        message: `${ref}: ${change.message}`,
        ref,
        pointer: change.pointer,
      });
    }
  }
  return findings;
}

/** `spec status` entries as findings: `status.added` (notice), `status.modified`, `status.removed` (warnings). */
export function findingsOfStatus(status: {
  added: readonly StatusEntry[];
  modified: readonly StatusEntry[];
  removed: readonly StatusEntry[];
  against: string;
}): Finding[] {
  const entry = (what: 'added' | 'modified' | 'removed', each: StatusEntry): Finding => ({
    ...(each.file === undefined ? {} : { file: each.file, line: 1, column: 1 }),
    code: `status.${what}`,
    severity: what === 'added' ? 'notice' : 'warning',
    message: `${each.id} ${what === 'added' ? 'is not in' : what === 'removed' ? 'is only in' : 'differs from'} ${status.against}`,
    ref: each.id,
  });
  return [
    ...status.added.map((each) => entry('added', each)),
    ...status.modified.map((each) => entry('modified', each)),
    ...status.removed.map((each) => entry('removed', each)),
  ];
}

export interface RenderOptions {
  /** The directory paths are made relative to (GitHub wants them relative to the repository root). */
  cwd: string;
  /** A short description of a code or rule id, for SARIF's `rules`. */
  describe?: (code: string) => string | undefined;
}

/** The findings in a non-text format (text is each command's own output). */
export function renderFindings(
  format: Exclude<ErrorFormat, 'text'>,
  findings: readonly Finding[],
  options: RenderOptions,
): string {
  const shown = findings.map((finding) =>
    finding.file === undefined ? finding : { ...finding, file: relativePath(finding.file, options.cwd) },
  );
  if (format === 'json') return `${JSON.stringify({ version: 1, findings: shown }, null, 2)}\n`;
  if (format === 'github-actions') return shown.map((finding) => `${githubCommand(finding)}\n`).join('');
  return `${JSON.stringify(sarifLog(shown, options.describe ?? describeErrorCode), null, 2)}\n`;
}

function relativePath(file: string, cwd: string): string {
  const path = isAbsolute(file) ? relative(cwd, file) : file;
  return sep === '/' ? path : path.split(sep).join('/');
}

/** `::error file=F,line=L,col=C,title=CODE::message`, escaped as GitHub's workflow-command rules ask. */
export function githubCommand(finding: Finding): string {
  const properties: string[] = [];
  if (finding.file !== undefined) {
    properties.push(`file=${escapeProperty(finding.file)}`);
    if (finding.line !== undefined) {
      properties.push(`line=${finding.line}`);
      if (finding.column !== undefined) properties.push(`col=${finding.column}`);
    }
  }
  properties.push(`title=${escapeProperty(finding.code)}`);
  return `::${finding.severity} ${properties.join(',')}::${escapeData(finding.message)}`;
}

function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

const sarifSchema = 'https://json.schemastore.org/sarif-2.1.0.json';
const sarifLevels = { error: 'error', warning: 'warning', notice: 'note' } as const;

function sarifLog(findings: readonly Finding[], describe: (code: string) => string | undefined): unknown {
  const ruleIds = [...new Set(findings.map((finding) => finding.code))].sort();
  const ruleIndex = new Map(ruleIds.map((id, index) => [id, index]));
  return {
    version: '2.1.0',
    $schema: sarifSchema,
    runs: [
      {
        tool: {
          driver: {
            name: 'specstore',
            version: toolVersion,
            rules: ruleIds.map((id) => ({ id, shortDescription: { text: describe(id) ?? id } })),
          },
        },
        results: findings.map((finding) => ({
          ruleId: finding.code,
          ruleIndex: ruleIndex.get(finding.code),
          level: sarifLevels[finding.severity],
          message: { text: finding.message },
          ...(finding.file === undefined
            ? {}
            : {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: finding.file.split('/').map(encodeURIComponent).join('/') },
                      ...(finding.line === undefined
                        ? {}
                        : { region: { startLine: finding.line, startColumn: finding.column ?? 1 } }),
                    },
                  },
                ],
              }),
        })),
      },
    ],
  };
}

/** The catalogue's description of an error code (undefined for diagnostic codes outside it). */
export function describeErrorCode(code: string): string | undefined {
  return Object.hasOwn(errorCatalogue, code)
    ? errorCatalogue[code as keyof typeof errorCatalogue].description.replaceAll('`', '')
    : undefined;
}
