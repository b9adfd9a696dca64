// Escaping for the Markdown and Mermaid that `spec docs` writes: any spec text shows as itself, never as markup.
import { canonicalJson } from '../core/canonicalJson.js';
import type { JsonValue } from '../core/json.js';

/** Plain text in a paragraph or a table cell: markup characters escaped, line breaks as spaces. */
export function markdownText(text: string): string {
  return text
    .replace(/[\\`*_[\]<>|#~&!]/g, (character) => `\\${character}`)
    .replace(/\r\n|\r|\n/g, ' ')
    .trim();
}

/** Text as an inline code span that is safe in a table cell (GFM reads `\|` in a cell as `|`, inside code too). */
export function markdownCode(text: string): string {
  const flat = text.replace(/\r\n|\r|\n/g, ' ').replace(/\|/g, '\\|');
  const longestRun = Math.max(0, ...[...flat.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longestRun + 1);
  const padded = flat.startsWith('`') || flat.endsWith('`') || flat.startsWith(' ') ? ` ${flat} ` : flat;
  return `${fence}${padded}${fence}`;
}

/** A JSON value as canonical JSON (sorted keys) in an inline code span. */
export function jsonCode(value: JsonValue): string {
  return markdownCode(canonicalJson(value));
}

/** A JSON value pretty-printed with sorted keys, for a fenced code block. */
export function prettyJson(value: JsonValue): string {
  return JSON.stringify(JSON.parse(canonicalJson(value)), null, 2);
}

/** A Markdown table: header cells and rows of cells already escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => (cell === '' ? ' ' : cell)).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A Markdown link whose text is escaped; `target` is a relative path made of safe characters (see docsLayout). */
export function markdownLink(text: string, target: string): string {
  return `[${markdownText(text)}](${target})`;
}

/**
 * A Mermaid node label in double quotes: the characters Mermaid would read as syntax become its entity codes
 * (`#quot;`, `#35;` …), line breaks spaces.
 */
export function mermaidLabel(text: string): string {
  const escaped = text.replace(/\r\n|\r|\n/g, ' ').replace(/[#"<>&`]/g, (character) => `#${character.codePointAt(0)};`);
  return `"${escaped}"`;
}
