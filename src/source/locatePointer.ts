// Finds where a JSON pointer's value is written in a spec file; re-parses, so it is meant for error paths only.
import type { ParsedNode } from 'yaml';
import { isMap, isScalar, isSeq } from './yamlModule.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { joinPointer, splitPointer } from '../core/json.js';
import { composeYamlDocument } from './composeYamlDocument.js';
import { decodeSpecText } from './decodeSpecText.js';
import { LineIndex, type LineColumn } from './lineIndex.js';
import { defaultYamlLimits, maxSupportedYamlDepth } from './yamlLimits.js';

/**
 * 1-based position of the key for an object member (so a missing property points at its parent's key, an unknown
 * one at itself), of the value for an array item, of the top value for "". Undefined if the pointer leads nowhere
 * or the file is beyond the default limits (depth up to the supported maximum), which bound this re-parse too.
 */
export function locatePointer(bytes: Uint8Array, pointer: string): LineColumn | undefined {
  const parsed = parseForLocating(bytes);
  if (parsed === undefined) return undefined;
  const { document, lines } = parsed;
  let node: ParsedNode | null = document.contents;
  let offset = node?.range[0] ?? 0;
  for (const token of splitPointer(pointer)) {
    if (isMap(node)) {
      const pair = node.items.find(({ key }) => isScalar(key) && key.value === token);
      if (pair === undefined) return undefined;
      offset = pair.key.range[0];
      node = pair.value;
    } else if (isSeq(node) && /^(0|[1-9][0-9]*)$/.test(token)) {
      const item = node.items[Number(token)];
      if (item === undefined) return undefined;
      offset = item.range[0];
      node = item;
    } else return undefined;
  }
  return lines.position(offset);
}

type Parsed = { document: NonNullable<ReturnType<typeof composeYamlDocument>['document']>; lines: LineIndex };

/** One parse per file's bytes, however many of its problems are positioned (a 2.7 MB schema takes a second). */
const parsedFiles = new WeakMap<Uint8Array, Parsed | null>();

function parseForLocating(bytes: Uint8Array): Parsed | undefined {
  const cached = parsedFiles.get(bytes);
  if (cached !== undefined) return cached ?? undefined;
  let parsed: Parsed | null = null;
  if (bytes.length <= defaultYamlLimits.maxBytes) {
    const { text } = decodeSpecText(bytes);
    if (text !== undefined) {
      const { document } = composeYamlDocument(text, maxSupportedYamlDepth, defaultYamlLimits.maxNodes);
      if (document !== undefined) parsed = { document, lines: new LineIndex(text) };
    }
  }
  parsedFiles.set(bytes, parsed);
  return parsed ?? undefined;
}

/**
 * Positions of pointers in files under `cwd`, each file read once: where the pointer's value is written, else its
 * nearest written ancestor (a removed value is reported where it used to hang). Undefined for an unreadable file.
 */
export function nearestPointerLocator(cwd: string): (file: string, pointer: string) => LineColumn | undefined {
  const bytes = new Map<string, Uint8Array | null>();
  return (file, pointer) => {
    if (!bytes.has(file)) {
      try {
        bytes.set(file, readFileSync(resolve(cwd, file)));
      } catch {
        bytes.set(file, null);
      }
    }
    const content = bytes.get(file);
    if (!content) return undefined;
    const tokens = splitPointer(pointer);
    for (let length = tokens.length; length >= 0; length--) {
      const at = locatePointer(content, tokens.slice(0, length).reduce(joinPointer, ''));
      if (at) return at;
    }
    return undefined;
  };
}
