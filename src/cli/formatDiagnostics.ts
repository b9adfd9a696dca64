// Diagnostics as `file:line:col CODE message`, with a caret excerpt under each when writing to a terminal.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic } from '../errors.js';
import { excerpt } from '../source/excerpt.js';
import type { Style } from './style.js';

export function formatLocation(diagnostic: { file?: string; line?: number; column?: number }): string {
  if (diagnostic.file === undefined) return '';
  if (diagnostic.line === undefined) return diagnostic.file;
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column ?? 1}`;
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: { style: Style; excerpts: boolean; cwd: string }): string {
  const { style } = options;
  const fileCache = new Map<string, Uint8Array | null>();
  const read = (file: string): Uint8Array | null => {
    if (!fileCache.has(file)) {
      try {
        fileCache.set(file, readFileSync(resolve(options.cwd, file)));
      } catch {
        fileCache.set(file, null);
      }
    }
    return fileCache.get(file)!;
  };
  const lines: string[] = [];
  for (const diagnostic of diagnostics) {
    const location = formatLocation(diagnostic);
    const code = diagnostic.severity === 'error' ? style.red(diagnostic.code) : style.yellow(diagnostic.code);
    const prefix = diagnostic.severity === 'warning' ? `${style.yellow('warning')} ` : '';
    lines.push(`${location ? `${style.bold(location)} ` : ''}${prefix}${code} ${diagnostic.message}`);
    if (options.excerpts && diagnostic.file !== undefined && diagnostic.line !== undefined) {
      const bytes = read(diagnostic.file);
      if (bytes) lines.push(style.dim(excerpt(bytes, diagnostic.line, diagnostic.column ?? 1)));
    }
    for (const related of diagnostic.related ?? []) lines.push(`  ${style.dim('see')} ${formatLocation(related)}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** `2 errors, 1 warning in 1 file`, then what the refusal meant when the error says (`nothing was stored`). */
export function summarizeDiagnostics(diagnostics: readonly Diagnostic[], outcome?: unknown): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const files = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.file)).size;
  const parts = [`${errors} error${errors === 1 ? '' : 's'}`];
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return `${parts.join(', ')} in ${files} file${files === 1 ? '' : 's'}${typeof outcome === 'string' ? `; ${outcome}` : ''}`;
}
