// Diagnostics as `file:line:col CODE message`, with a caret excerpt under each when writing to a terminal.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic } from '../errors.js';
import { excerpt } from '../source/excerpt.js';
import type { Style } from './style.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const namedEscapes: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text with its control characters escaped (`\n`, `\t`, `\x1b`, `\u2028`), so that a file name holding a newline or a
 * terminal escape cannot break the one-line `file:line:col CODE message` format or drive the terminal.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(controlCharacters, (character) => {
    const code = character.charCodeAt(0);
    return (
      namedEscapes[character] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`)
    );
  });
}

export function formatLocation(diagnostic: { file?: string; line?: number; column?: number }): string {
  if (diagnostic.file === undefined) return '';
  const file = escapeControlCharacters(diagnostic.file);
  if (diagnostic.line === undefined) return file;
  return `${file}:${diagnostic.line}:${diagnostic.column ?? 1}`;
}

export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  options: { style: Style; excerpts: boolean; cwd: string },
): string {
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
    lines.push(
      `${location ? `${style.bold(location)} ` : ''}${prefix}${code} ${escapeControlCharacters(diagnostic.message)}`,
    );
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
