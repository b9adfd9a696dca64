// Formats one spec file the one way (`spec fmt`): keys in the kind's schema order, two-space indent, double quotes,
// short flow collections only where they were, LF and a final newline; comments kept, the value never changed.
import type { Node, YAMLMap } from 'yaml';
import { canonicalJsonTrusted } from '../core/canonicalJson.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import type { Diagnostic } from '../errors.js';
import { composeYamlDocument } from './composeYamlDocument.js';
import { decodeSpecText } from './decodeSpecText.js';
import { parseYamlSpec } from './parseYamlSpec.js';
import { resolveYamlLimits } from './yamlLimits.js';
import { isMap, isScalar, isSeq } from './yamlModule.js';

export interface FormattedSpecText {
  /** The formatted text; present if and only if there are no diagnostics. */
  text?: string;
  diagnostics: Diagnostic[];
}

/** A flow collection longer than this (or spanning lines) is written in block style. */
export const maxFlowLength = 80;

/**
 * Formats `bytes` (a spec file shown as `file`). `schema` is the JSON Schema of the file's kind: its `properties`
 * give the key order (`id` first, unknown keys after in their order), followed into nested objects and arrays
 * through `properties`, `items` and local `$ref`s. The result is read back and must give the same value.
 */
export function formatSpecText(bytes: Uint8Array, file: string, schema?: JsonObject): FormattedSpecText {
  const parsed = parseYamlSpec(bytes, file);
  if (parsed.value === undefined) return { diagnostics: parsed.diagnostics };
  const decoded = decodeSpecText(bytes);
  if (decoded.problem !== undefined) return { diagnostics: parsed.diagnostics };
  const { maxDepth, maxNodes } = resolveYamlLimits({});
  const { document } = composeYamlDocument(decoded.text, maxDepth, maxNodes);
  if (document === undefined) return { diagnostics: parsed.diagnostics };
  const text = decoded.text;
  const top = document.contents;
  if (isMap(top)) {
    // The comment above the first key is the file's header: it stays at the top whichever key comes first.
    // Of that comment, lines after its last blank line are the first key's own and move with it.
    const first = top.items[0]?.key as { commentBefore?: string | null | undefined } | undefined;
    const above = first?.commentBefore ?? undefined;
    const split = above === undefined ? -1 : above.lastIndexOf('\n\n');
    const header = split === -1 ? above : above!.slice(0, split);
    if (first !== undefined) first.commentBefore = split === -1 ? undefined : above!.slice(split + 2);
    new Layout(text, schema ?? {}).node(top, schema, true);
    const now = top.items[0]?.key as { commentBefore?: string | null | undefined } | undefined;
    if (header !== undefined && now !== undefined) {
      now.commentBefore = now.commentBefore ? `${header}${split === -1 ? '\n' : '\n\n'}${now.commentBefore}` : header;
    }
    // yaml writes a closing comment after a blank line; one that followed the last value directly stays there.
    if (document.comment && !blankLineBeforeClosingComment(text)) {
      top.comment = top.comment ? `${top.comment}\n${document.comment}` : document.comment;
      document.comment = null;
    }
  } else if (top !== null) new Layout(text, schema ?? {}).node(top, schema, false);
  let formatted = document.toString({ indent: 2, indentSeq: true, lineWidth: 0, flowCollectionPadding: false });
  if (!formatted.endsWith('\n')) formatted += '\n';
  const again = parseYamlSpec(new TextEncoder().encode(formatted), file);
  if (again.value === undefined || canonicalJsonTrusted(again.value) !== canonicalJsonTrusted(parsed.value)) {
    // Never expected: the layout changes only styles and order. Refuse rather than write a different value.
    return {
      diagnostics: [
        {
          code: 'FORMAT_CHANGES_VALUE',
          severity: 'error',
          file,
          message: 'formatting this file would change its value; it is left as it is',
        },
      ],
    };
  }
  return { text: formatted, diagnostics: [] };
}

/** Whether the comment lines that end the text are parted from the last value by a blank line. */
function blankLineBeforeClosingComment(text: string): boolean {
  const lines = text.split('\n');
  let index = lines.length - 1;
  while (index >= 0 && (lines[index]!.trim() === '' || lines[index]!.trimStart().startsWith('#'))) index--;
  return lines[index + 1]?.trim() === '';
}

/** Restyles a document's nodes in place, following the kind's schema for key order. */
class Layout {
  constructor(
    private readonly text: string,
    private readonly root: JsonObject,
  ) {}

  node(node: Node | null, schema: JsonValue | undefined, topLevel = false): void {
    if (node === null) return;
    const resolved = this.resolve(schema);
    if (isScalar(node)) {
      if (node.type === 'QUOTE_SINGLE') node.type = 'QUOTE_DOUBLE';
      return;
    }
    if (isMap(node)) {
      this.flow(node);
      const properties = isJsonObject(resolved) && isJsonObject(resolved['properties']) ? resolved['properties'] : {};
      this.order(node, Object.keys(properties), topLevel);
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (isScalar(pair.key) && pair.key.type === 'QUOTE_SINGLE') pair.key.type = 'QUOTE_DOUBLE';
        const child = typeof key === 'string' && Object.hasOwn(properties, key) ? properties[key] : undefined;
        this.node(pair.value as Node | null, child);
      }
      return;
    }
    if (isSeq(node)) {
      this.flow(node);
      const items = isJsonObject(resolved) ? resolved['items'] : undefined;
      for (const item of node.items) this.node(item as Node | null, items);
    }
  }

  /** Keys in the schema's order (`id` first at the top), the others after them in the order they were written. */
  private order(node: YAMLMap, known: string[], topLevel: boolean): void {
    const wanted = topLevel ? ['id', ...known.filter((key) => key !== 'id')] : known;
    if (wanted.length === 0) return;
    const rank = new Map(wanted.map((key, index) => [key, index]));
    const keyed = node.items.map((pair, index) => {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      return { pair, index, rank: typeof key === 'string' ? (rank.get(key) ?? wanted.length) : wanted.length };
    });
    keyed.sort((a, b) => a.rank - b.rank || a.index - b.index);
    node.items = keyed.map(({ pair }) => pair);
  }

  /** A flow collection stays flow only when it is short and on one line. */
  private flow(node: { flow?: boolean; range?: [number, number, number] | null }): void {
    if (node.flow !== true || !node.range) return;
    const source = this.text.slice(node.range[0], node.range[1]);
    if (source.includes('\n') || source.length > maxFlowLength) node.flow = false;
  }

  /** Follows local `$ref`s (`#/$defs/…`), and an `allOf` of one, to the schema that holds `properties` or `items`. */
  private resolve(schema: JsonValue | undefined): JsonValue | undefined {
    let current = schema;
    for (let hops = 0; hops < 16 && isJsonObject(current); hops++) {
      const ref = current['$ref'];
      if (typeof ref !== 'string' || !ref.startsWith('#/') || 'properties' in current) return current;
      let target: JsonValue | undefined = this.root;
      for (const part of ref.slice(2).split('/')) {
        const name = part.replace(/~1/g, '/').replace(/~0/g, '~');
        target = isJsonObject(target) && Object.hasOwn(target, name) ? target[name] : undefined;
      }
      current = target;
    }
    return current;
  }
}
