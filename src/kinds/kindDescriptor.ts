// What a kind is: data the engine reads (directory, JSON Schema, reference fields), never a branch in the engine.
import type { CompatibilityRule } from '../core/compatibilityRule.js';
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

/**
 * A check across specs, as data (so it crosses worker threads and can be written in a kind file). It runs where
 * references are linked, on the documents of the specs this one references.
 */
export type LinkedCheck =
  /**
   * Each capability in the list at `required` is declared (at the target kind's `capabilities` pointer) by at least
   * one spec referenced at the pointer pattern `providers`; one that is not is `code`, at its place in the list.
   */
  { check: 'capabilities-provided'; required: string; providers: string; code: string };

/** The rule ids a list of ports reports (inputs, outputs, variables: `{name, type | schema, required, default}`). */
export interface PortRuleIds {
  added: string;
  /** Added, required and without a default. */
  addedRequired: string;
  removed: string;
  becameRequired: string;
  becameOptional: string;
  defaultChanged: string;
}

/**
 * One comparison `spec diff` makes between two versions of a spec, as data for diff/'s comparators. Each names the
 * rules it reports (declared in the kind's `diff.rules`, or the engine's `spec.*` rules). `pointer` is a JSON pointer;
 * `label` starts the change's message.
 */
export type ContractComparison =
  /**
   * A JSON Schema, compared with the schema rules (an absent one is `true`): as the schema of values sent in, or with
   * `role: 'output'` of values produced (compared in the other direction).
   */
  | { compare: 'schema'; pointer: string; role?: 'input' | 'output' }
  /** A list of ports; values sent in (`input`) are compared in the mode's direction, values produced in the other. */
  | { compare: 'ports'; pointer: string; role: 'input' | 'output'; rules: PortRuleIds }
  /** Any change of the value is `rule`; with `absent`, the message shows both values (an absent one as that text). */
  | { compare: 'value'; pointer: string; label: string; rule: string; absent?: string }
  /** A number where absent means no limit: a lower one is `lowered`, any other change `raised`. */
  | { compare: 'limit'; pointer: string; label: string; absent: string; lowered: string; raised: string }
  /** A switch: turning it `false` is `disabled`, any other change `enabled`. */
  | { compare: 'switch'; pointer: string; label: string; absent: string; disabled: string; enabled: string }
  /** An object of named entries: each one removed is `removed`, each added `added`, each whose value changed `changed`. */
  | { compare: 'entries'; pointer: string; label: string; removed: string; added: string; changed: string }
  /** A list of strings: each one removed is `removed`, each one added is `added`. */
  | { compare: 'set'; pointer: string; label: string; removed: string; added: string }
  /** Predicate uses by phase (`{phase: [{id, args}]}`), matched by phase and predicate name. */
  | { compare: 'predicates'; pointer: string; added: string; removed: string; changed: string }
  /** An object whose other members (those no other comparison covers) are `spec.annotation-changed` (x-) or `spec.field-changed`. */
  | { compare: 'members'; pointer: string };

/** How `spec diff` compares two versions of a spec of this kind. Top-level fields no comparison covers get the generic field rules. */
export interface KindDiffRules {
  /** The rules this kind's comparisons report (ids start with the kind's name). */
  rules: CompatibilityRule[];
  /** In the order their changes are reported. */
  compare: ContractComparison[];
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
  /** Checks across specs (a workflow's required capabilities are provided by its steps). */
  linkedChecks?: LinkedCheck[];
  /** Names of what `check` checks, recorded in the kind's definition in every snapshot (`prompt.template-variables`). */
  checks?: string[];
  /** How `spec diff` compares versions; without it, every changed field is a generic field change. */
  diff?: KindDiffRules;
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
            next.push({
              pointer: `${match.pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
              value: current[key]!,
            });
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
