// Rewrites a YAML document to hold a new value, keeping its comments, key order, quoting and flow style wherever the
// value did not change there (yaml's Document API: unchanged nodes are kept as they were parsed).
import type { Document, Node } from 'yaml';
import { canonicalJsonTrusted } from '../core/canonicalJson.js';
import { isJsonObject, type JsonValue } from '../core/json.js';
import { jsonEqual } from '../core/jsonEqual.js';
import { parseYamlValue } from './parseYamlSpec.js';
import { defaultYamlLimits } from './yamlLimits.js';
import { isMap, isScalar, isSeq, yamlModule } from './yamlModule.js';

/**
 * The text of `text`'s document with `value` in it. The result is read back with the safe reader and must give
 * exactly `value`; if the kept layout would not (an anchor, a merge key, a tag), the value is written out afresh.
 */
export function updateYamlText(text: string, value: JsonValue): string {
  const yaml = yamlModule();
  const document = yaml.parseDocument(text, { version: '1.2', schema: 'core', uniqueKeys: true });
  if (document.errors.length === 0 && !hasAliases(text)) {
    document.contents = merge(document, document.contents, value) as typeof document.contents;
    const updated = document.toString({ lineWidth: 0, flowCollectionPadding: false });
    if (readsAs(updated, value)) return updated;
  }
  return freshYamlText(value);
}

/** A value as a YAML document in specstore's layout: block style, two-space indent, no line folding. */
export function freshYamlText(value: JsonValue): string {
  return yamlModule().stringify(value, { version: '1.2', lineWidth: 0, indent: 2 });
}

function merge(document: Document, node: Node | null, value: JsonValue): Node {
  if (isJsonObject(value) && isMap(node)) {
    const wanted = new Set(Object.keys(value));
    // A comment above a removed key stays, above the key that follows it (the file's opening comment often is one).
    let orphaned: string | undefined;
    node.items = node.items.filter((pair) => {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      const keep = typeof key === 'string' && wanted.has(key);
      const comment = (pair.key as { commentBefore?: string | null } | null)?.commentBefore;
      if (!keep && comment) orphaned = orphaned ? `${orphaned}\n${comment}` : comment;
      else if (keep && orphaned !== undefined) {
        const target = pair.key as { commentBefore?: string | null };
        target.commentBefore = target.commentBefore ? `${orphaned}\n${target.commentBefore}` : orphaned;
        orphaned = undefined;
      }
      return keep;
    });
    if (orphaned !== undefined) node.comment = node.comment ? `${node.comment}\n${orphaned}` : orphaned;
    const present = new Set<string>();
    for (const pair of node.items) {
      const key = (pair.key as { value: string }).value;
      present.add(key);
      pair.value = merge(document, pair.value as Node | null, value[key]!);
    }
    for (const [key, child] of Object.entries(value))
      if (!present.has(key)) node.items.push(document.createPair(key, child));
    return node;
  }
  if (Array.isArray(value) && isSeq(node)) {
    const items = node.items as (Node | null)[];
    node.items = value.map((child, i) =>
      i < items.length ? merge(document, items[i]!, child) : document.createNode(child),
    );
    return node;
  }
  if (isScalar(node) && value !== null && typeof value !== 'object') {
    const current = node.value as JsonValue;
    if (typeof current === typeof value && jsonEqual(current, value)) return node;
    if (typeof current === typeof value) {
      node.value = value;
      return node;
    }
  }
  return document.createNode(value);
}

function hasAliases(text: string): boolean {
  // An alias or merge key shares one node between places: changing it in one would change it in all.
  return /(^|[\s,[{])[&*][^\s,[\]{}]/m.test(text) || text.includes('<<');
}

function readsAs(text: string, value: JsonValue): boolean {
  const { value: read } = parseYamlValue(text, 'updated', defaultYamlLimits);
  return read !== undefined && canonicalJsonTrusted(read) === canonicalJsonTrusted(value);
}
