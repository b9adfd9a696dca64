// Changes scalar values of a plan file in place, keeping every other byte: comments, spacing, quoting, line endings.
//
// yaml's Document API locates the nodes; the new value is spliced into the text at the node's range. (String(doc)
// would keep comments too, but re-spaces trailing comments and flow collections.) The result is re-read with the
// safe reader and must equal the intended value, so a rewrite can never silently change anything else.
import { isMap, isScalar, parseDocument, Scalar, type Node, type YAMLMap } from 'yaml';
import { canonicalJsonTrusted } from '../core/canonicalJson.js';
import { parseJsonText, type JsonObject, type JsonValue } from '../core/json.js';
import { SpecError } from '../errors.js';
import { decodeSpecText } from '../source/decodeSpecText.js';
import { parseYamlSpec } from '../source/parseYamlSpec.js';
import type { PlanFile } from './planFile.js';

export interface PlanEdit {
  /** Keys and indexes from the top of the document (`['steps', 0, 'processor_ref']`). */
  path: (string | number)[];
  value: string;
  /** For a missing top-level key: insert it after this key (else first). */
  after?: string;
}

const utf8Bom = [0xef, 0xbb, 0xbf];

/** The file's bytes with the edits applied; the same bytes when nothing changes. */
export function rewritePlan(planFile: PlanFile, edits: readonly PlanEdit[]): Uint8Array {
  const decoded = decodeSpecText(planFile.bytes);
  if (decoded.text === undefined) throw new TypeError('rewritePlan: the plan was parsed, so it decodes');
  const text = editText(decoded.text, edits);
  const expected = applyToValue(planFile.value, edits);
  const bom = utf8Bom.every((byte, i) => planFile.bytes[i] === byte) ? '\uFEFF' : '';
  const crlf = new TextDecoder().decode(planFile.bytes).includes('\r\n');
  const bytes = new TextEncoder().encode(bom + (crlf ? text.replace(/\n/g, '\r\n') : text));
  const reread = parseYamlSpec(bytes, planFile.file).value;
  if (reread === undefined || canonicalJsonTrusted(reread) !== canonicalJsonTrusted(expected)) {
    throw new SpecError(
      'PLAN_REWRITE_FAILED',
      `${planFile.file} could not be rewritten without changing other values; edit it by hand`,
      { data: { file: planFile.file, edits } },
    );
  }
  return bytes;
}

function editText(text: string, edits: readonly PlanEdit[]): string {
  const document = parseDocument(text, { version: '1.2', schema: 'core', keepSourceTokens: false });
  const top = document.contents;
  const splices: { start: number; end: number; text: string }[] = [];
  for (const edit of edits) {
    const node = document.getIn(edit.path, true) as Node | undefined;
    const empty =
      isScalar(node) && node.range && node.source === ''
        ? emptyValueSplice(text, node.range[0], edit.value)
        : undefined;
    if (empty) {
      splices.push(empty);
    } else if (
      isScalar(node) &&
      node.range &&
      node.source !== '' &&
      node.type !== Scalar.BLOCK_FOLDED &&
      node.type !== Scalar.BLOCK_LITERAL
    ) {
      if (node.value !== edit.value)
        splices.push({ start: node.range[0], end: node.range[1], text: renderScalar(edit.value, node.type) });
    } else if (node === undefined && edit.path.length === 1 && isMap(top) && !top.flow && top.items.length > 0) {
      splices.push(insertion(text, top, String(edit.path[0]), edit));
    } else {
      // Something unusual (a block scalar, a flow mapping at the top): let yaml re-render the document.
      for (const each of edits) document.setIn(each.path, each.value);
      return document.toString({ lineWidth: 0, flowCollectionPadding: false });
    }
  }
  let result = text;
  for (const splice of splices.sort((a, b) => b.start - a.start))
    result = result.slice(0, splice.start) + splice.text + result.slice(splice.end);
  return result;
}

/**
 * `key:` with nothing after it (an empty value, which is null): the value goes one space after the colon, and a
 * comment that followed keeps its place as far as it can (at least one space before its `#`).
 */
function emptyValueSplice(
  text: string,
  at: number,
  value: string,
): { start: number; end: number; text: string } | undefined {
  let colon = at;
  while (colon > 0 && (text[colon - 1] === ' ' || text[colon - 1] === '\t')) colon--;
  if (text[colon - 1] !== ':') return undefined;
  const comment = text[at] === '#' ? ' '.repeat(Math.max(1, at - colon - 1)) : '';
  return { start: colon, end: at, text: ` ${renderScalar(value, Scalar.PLAIN)}${comment}` };
}

/** A new `key: value` line after the `after` key's line (or before the first key), at the top map's indentation. */
function insertion(
  text: string,
  top: YAMLMap,
  key: string,
  edit: PlanEdit,
): { start: number; end: number; text: string } {
  const first = top.items[0]!.key as Node; // the caller inserts only into a map with keys
  const lineStart = text.lastIndexOf('\n', first.range![0] - 1) + 1;
  const indent = text.slice(lineStart, first.range![0]);
  const line = `${indent}${key}: ${renderScalar(edit.value, Scalar.PLAIN)}\n`;
  const anchor = top.items.find((pair) => isScalar(pair.key) && pair.key.value === edit.after);
  const anchorEnd = (anchor?.value as Node | null | undefined)?.range?.[1];
  if (anchorEnd === undefined)
    return {
      start: first.range![0],
      end: first.range![0],
      text: `${key}: ${renderScalar(edit.value, Scalar.PLAIN)}\n${indent}`,
    };
  const newline = text.indexOf('\n', anchorEnd);
  if (newline === -1) return { start: text.length, end: text.length, text: `\n${line.slice(0, -1)}` };
  return { start: newline + 1, end: newline + 1, text: line };
}

/** The value written the way the old one was: plain when it can be, else in the old quotes. */
function renderScalar(value: string, type: Scalar.Type | undefined): string {
  if (type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  const plainString =
    /^[A-Za-z][A-Za-z0-9._@:/-]*$/.test(value) &&
    !/:$/.test(value) &&
    !/^(true|false|null|yes|no|on|off)$/i.test(value);
  if (type === Scalar.PLAIN && plainString) return value;
  return JSON.stringify(value);
}

function applyToValue(value: JsonObject, edits: readonly PlanEdit[]): JsonValue {
  const copy = parseJsonText(JSON.stringify(value)) as JsonObject;
  for (const edit of edits) {
    let target = copy as Record<string | number, JsonValue>;
    for (const token of edit.path.slice(0, -1)) target = target[token] as Record<string | number, JsonValue>;
    target[edit.path[edit.path.length - 1]!] = edit.value;
  }
  return copy;
}
