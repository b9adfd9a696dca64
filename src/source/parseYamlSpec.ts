// Reads one YAML spec file into a plain JSON value, or into every problem found in it, each with a position.
import type { Document, ParsedNode, Scalar, YAMLMap } from 'yaml';
import { isAlias, isMap, isScalar, isSeq } from './yamlModule.js';
import type { Diagnostic } from '../errors.js';
import { joinPointer, newJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { composeYamlDocument, type YamlFinding } from './composeYamlDocument.js';
import { parseSimpleYaml } from './parseSimpleYaml.js';
import { decodeSpecText } from './decodeSpecText.js';
import { LineIndex } from './lineIndex.js';
import { resolveYamlLimits, type YamlLimits } from './yamlLimits.js';

export { locatePointer } from './locatePointer.js';
export { excerpt } from './excerpt.js';
export { defaultYamlLimits, maxSupportedYamlDepth, type YamlLimits } from './yamlLimits.js';

export interface ParsedSpecFile {
  /** Present if and only if there are no error diagnostics. */
  value?: JsonValue;
  diagnostics: Diagnostic[];
}

export function parseYamlSpec(bytes: Uint8Array, file: string, limits?: Partial<YamlLimits>): ParsedSpecFile {
  const { maxBytes, maxDepth, maxNodes } = resolveYamlLimits(limits);
  if (bytes.length > maxBytes) {
    const message = `file is ${bytes.length} bytes, more than the limit of ${maxBytes}`;
    return { diagnostics: [{ code: 'YAML_TOO_LARGE', message, severity: 'error', file }] };
  }
  const decoded = decodeSpecText(bytes);
  if (decoded.problem !== undefined) {
    const { message, position } = decoded.problem;
    return { diagnostics: [{ code: 'YAML_ENCODING', message, severity: 'error', file, ...position }] };
  }
  const text = decoded.text;
  // Most spec files are in the plain subset that parseSimpleYaml reads exactly, ~5x faster; the rest take yaml.
  const simple = parseSimpleYaml(text, maxDepth, maxNodes);
  if (simple !== undefined) return { value: simple, diagnostics: [] };
  return parseYamlText(text, file, { maxDepth, maxNodes });
}

/** The full path over decoded text: yaml's parser with every check, each problem positioned. */
export function parseYamlText(
  text: string,
  file: string,
  limits: { maxDepth: number; maxNodes: number },
): ParsedSpecFile {
  return readYamlText(text, file, limits, true);
}

/**
 * The same rules without requiring a mapping at the top: the JSON value of any one-document YAML text. Specs, plans
 * and diff configs are mappings and use parseYamlText; this serves checks of the reader on every kind of document.
 */
export function parseYamlValue(
  text: string,
  file: string,
  limits: { maxDepth: number; maxNodes: number },
): ParsedSpecFile {
  return readYamlText(text, file, limits, false);
}

function readYamlText(
  text: string,
  file: string,
  limits: { maxDepth: number; maxNodes: number },
  mappingAtTop: boolean,
): ParsedSpecFile {
  const { maxDepth, maxNodes } = limits;
  const { document, findings } = composeYamlDocument(text, maxDepth, maxNodes);
  const value = document === undefined ? undefined : topValue(document, findings, maxDepth, mappingAtTop);
  if (findings.length === 0) return value === undefined ? { diagnostics: [] } : { value, diagnostics: [] };
  return { diagnostics: toDiagnostics(findings, text, file) };
}

/** A spec's top must be a mapping; the whole tree is walked anyway so that every problem is reported at once. */
function topValue(
  document: Document.Parsed<ParsedNode, true>,
  findings: YamlFinding[],
  maxDepth: number,
  mappingAtTop: boolean,
): JsonValue | undefined {
  const top = document.contents;
  if (mappingAtTop) {
    if (top === null || (isScalar(top) && top.value === null)) {
      findings.push({
        code: 'YAML_EMPTY',
        message: 'the file holds no value; a spec must be a mapping',
        offset: top?.range[0] ?? 0,
      });
      return undefined;
    }
    if (!isMap(top)) {
      const found = isSeq(top) ? 'a sequence' : 'a scalar';
      findings.push({
        code: 'YAML_NOT_A_MAPPING',
        message: `a spec must be a mapping, not ${found}`,
        offset: top.range[0],
        pointer: '',
      });
    }
  }
  return new JsonWalk(findings, maxDepth).value(top, 0);
}

const lowestSafeInteger = BigInt(Number.MIN_SAFE_INTEGER);
const highestSafeInteger = BigInt(Number.MAX_SAFE_INTEGER);
const surrogate = /[\uD800-\uDFFF]/;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Builds the value from yaml's nodes rather than with toJS, which would expand aliases and could return Map, Set or
 * Uint8Array. Admits only JSON; builds a pointer only when there is something to report.
 */
class JsonWalk {
  private readonly path: (string | number)[] = [];

  constructor(
    private readonly findings: YamlFinding[],
    private readonly maxDepth: number,
  ) {}

  value(node: ParsedNode | null, parentDepth: number): JsonValue {
    if (node === null) return null;
    if (isScalar(node)) return this.scalar(node);
    if (isAlias(node)) {
      this.report(
        'YAML_ALIAS',
        `aliases are not allowed in specs (found *${node.source}); write the value out`,
        node.range[0],
      );
      return null;
    }
    const depth = parentDepth + 1;
    if (depth > this.maxDepth) {
      this.report('YAML_TOO_DEEP', `nesting deeper than ${this.maxDepth} levels`, node.range[0]);
      return null;
    }
    if (isMap(node)) return this.mapping(node, depth);
    const array: JsonValue[] = [];
    for (const item of node.items) {
      this.path.push(array.length);
      array.push(this.value(item, depth));
      this.path.pop();
    }
    return array;
  }

  private mapping(node: YAMLMap.Parsed, depth: number): JsonObject {
    const object = newJsonObject();
    for (const { key, value } of node.items) {
      if (!isScalar(key) || typeof key.value !== 'string') {
        if (!isAlias(key))
          this.report('YAML_NON_STRING_KEY', 'mapping keys must be strings', key?.range[0] ?? node.range[0]);
        continue;
      }
      // stringKeys turns an empty key (`: v`, `? `) into "", but YAML reads it as null; `"": v` is the empty string.
      if (key.type === 'PLAIN' && key.source === '') {
        this.report(
          'YAML_NON_STRING_KEY',
          'a mapping key is empty (YAML reads it as null); quote it ("") if you mean the empty string',
          key.range[0],
        );
        continue;
      }
      const name = key.value;
      this.path.push(name);
      if (key.type === 'PLAIN' && name === '<<') {
        this.report(
          'YAML_ALIAS',
          'merge keys (<<) are not allowed in specs; write the keys out or quote "<<"',
          key.range[0],
        );
      }
      if (key.type === 'QUOTE_DOUBLE' && surrogate.test(name) && loneSurrogate.test(name)) {
        this.report('YAML_NOT_JSON', 'key contains a lone UTF-16 surrogate', key.range[0]);
      }
      if (Object.hasOwn(object, name)) {
        const first = node.items.find((pair) => isScalar(pair.key) && pair.key.value === name)!;
        this.report(
          'YAML_DUPLICATE_KEY',
          `duplicate key ${JSON.stringify(name)}`,
          key.range[0],
          (first.key as Scalar).range![0],
        );
      }
      // The object has no prototype, so `__proto__` is assigned as data like any key (no setter to call).
      object[name] = this.value(value, depth);
      this.path.pop();
    }
    return object;
  }

  private scalar(node: Scalar.Parsed): JsonValue {
    const value: unknown = node.value;
    switch (typeof value) {
      case 'string':
        // Decoded text cannot hold a lone surrogate; only a double-quoted escape such as "\ud800" can make one.
        if (node.type === 'QUOTE_DOUBLE' && surrogate.test(value) && loneSurrogate.test(value)) {
          this.report('YAML_NOT_JSON', 'string contains a lone UTF-16 surrogate', node.range[0]);
        }
        return value;
      case 'bigint':
        if (value >= lowestSafeInteger && value <= highestSafeInteger) return Number(value);
        this.report(
          'YAML_NOT_JSON',
          `integer ${node.source} is outside the exactly representable range (±2^53-1)`,
          node.range[0],
        );
        return null;
      case 'number':
        if (!Number.isFinite(value))
          this.report('YAML_NOT_JSON', `${node.source} is not a JSON number (it reads as ${value})`, node.range[0]);
        else if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
          this.report(
            'YAML_NOT_JSON',
            `${node.source} is an integer outside the exactly representable range (±2^53-1)`,
            node.range[0],
          );
        }
        return value === 0 ? 0 : value; // -0.0 becomes 0, as the integer -0 does
      case 'boolean':
        return value;
      default:
        if (value === null) return null;
        this.report('YAML_NOT_JSON', `${node.source} is not a JSON value`, node.range[0]);
        return null;
    }
  }

  private report(code: string, message: string, offset: number, relatedOffset?: number): void {
    let pointer = '';
    for (const token of this.path) pointer = joinPointer(pointer, token);
    const finding: YamlFinding = { code, message, offset, pointer };
    if (relatedOffset !== undefined) finding.relatedOffset = relatedOffset;
    this.findings.push(finding);
  }
}

/** One diagnostic per code and place (yaml and our walk may both see a duplicate key), in source order. */
function toDiagnostics(findings: YamlFinding[], text: string, file: string): Diagnostic[] {
  const unique = new Map<string, YamlFinding>();
  for (const finding of findings) {
    const id = `${finding.code}@${finding.offset}`;
    const seen = unique.get(id);
    if (seen === undefined || (seen.pointer === undefined && finding.pointer !== undefined)) unique.set(id, finding);
  }
  const lines = new LineIndex(text);
  return [...unique.values()]
    .sort((a, b) => a.offset - b.offset)
    .map((finding) => {
      const diagnostic: Diagnostic = {
        code: finding.code,
        message: finding.message,
        severity: 'error',
        file,
        ...lines.position(finding.offset),
      };
      if (finding.pointer !== undefined) diagnostic.pointer = finding.pointer;
      if (finding.relatedOffset !== undefined)
        diagnostic.related = [{ file, ...lines.position(finding.relatedOffset) }];
      return diagnostic;
    });
}
