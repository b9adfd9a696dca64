// What a kind is: data the engine reads (directory, JSON Schema, reference fields), never a branch in the engine.
import type { JsonObject, JsonValue } from '../core/json.js';

/** A field whose value is a reference to another spec. `path` is a JSON pointer where `*` matches any key or index. */
export interface ReferenceField {
  path: string;
  /** Kinds the reference may point to. */
  kinds: string[];
  /**
   * The value at `sibling` (next to the reference, e.g. `args` beside a predicate `id`) must validate against the JSON
   * Schema found at `schemaPointer` inside the referenced spec; a value that does not is `code` (default
   * ARGS_INVALID). Without `optional`, an absent sibling is checked as `{}`; with it, an absent sibling is not checked.
   */
  payload?: { sibling: string; schemaPointer: string; code?: string; optional?: boolean };
}

/** A finding of a kind-specific check, positioned by JSON pointer. */
export interface KindFinding {
  code: string;
  pointer: string;
  message: string;
  severity?: 'error' | 'warning';
}

export interface KindDescriptor {
  /** Singular kind name, as shown to users and stored in the manifest: `tool`. */
  name: string;
  /** Directory of the registry holding specs of this kind: `tools`. */
  directory: string;
  /** One line for `--help` and docs. */
  summary: string;
  /** JSON Schema (2020-12) of the spec document. */
  schema: JsonObject;
  references: ReferenceField[];
  /** Pointer patterns of values that are themselves JSON Schemas (compiled, and may `$ref` schema specs). */
  embeddedSchemas: string[];
  /** The pointer of the schema other schemas reach with `$ref: "name@version"` (only the schema kind has one). */
  referenceableSchema?: string;
  /** Pointer pattern of a list of capability strings, for `findByCapability`. */
  capabilities?: string;
  /** Checks data cannot express (a prompt's template variables are declared). Pure. */
  check?: (spec: JsonObject) => KindFinding[];
}

/** Expands a pointer pattern with `*` wildcards against a value: every concrete pointer and the value there. */
export function matchPointerPattern(value: JsonValue, pattern: string): { pointer: string; value: JsonValue }[] {
  const tokens = pattern === '' ? [] : pattern.slice(1).split('/');
  let matches: { pointer: string; value: JsonValue }[] = [{ pointer: '', value }];
  for (const token of tokens) {
    const next: { pointer: string; value: JsonValue }[] = [];
    for (const match of matches) {
      const current = match.value;
      if (Array.isArray(current)) {
        if (token === '*') current.forEach((item, i) => next.push({ pointer: `${match.pointer}/${i}`, value: item }));
        else if (/^(0|[1-9][0-9]*)$/.test(token) && Number(token) < current.length) {
          next.push({ pointer: `${match.pointer}/${token}`, value: current[Number(token)]! });
        }
      } else if (current !== null && typeof current === 'object') {
        if (token === '*') {
          for (const key of Object.keys(current)) {
            next.push({ pointer: `${match.pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, value: current[key]! });
          }
        } else {
          const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
          if (Object.hasOwn(current, key)) next.push({ pointer: `${match.pointer}/${token}`, value: current[key]! });
        }
      }
    }
    matches = next;
  }
  return matches;
}
