// The rules of `spec lint`: style and hygiene, as records. docs/lint.md is generated from them (npm run docs).
import { joinPointer, type JsonObject, type JsonValue } from '../core/json.js';
import { parseRef } from '../core/ref.js';
import type { DiffReport } from '../review/diffSnapshots.js';

export type LintSeverity = 'off' | 'warning' | 'error';
export const lintSeverities: readonly LintSeverity[] = ['off', 'warning', 'error'];

/** One spec as the rules see it: its id, kind, file (relative to the working directory) and document. */
export interface LintSpec {
  id: string;
  name: string;
  version: string;
  kind: string;
  file: string;
  document: JsonObject;
}

/** What the rules look at: every spec of the registry, what references what, the settings, the previous snapshot. */
export interface LintContext {
  specs: readonly LintSpec[];
  /** The names some spec of the registry references (reference fields and schema `$ref`s). */
  referencedNames: ReadonlySet<string>;
  /** `lint.capabilities` of specstore.yaml, when declared. */
  capabilities?: readonly string[];
  /** The diff from the previous snapshot in the store to the registry, when there is one. */
  diff?: DiffReport;
}

/** A problem a rule found: the spec, the pointer of the value concerned in it, and what is wrong. */
export interface RuleFinding {
  spec: LintSpec;
  pointer: string;
  message: string;
}

export interface LintRule {
  /** Stable id, as written in `lint.rules` of specstore.yaml. */
  id: string;
  /** What the rule asks for, and why (docs/lint.md). */
  purpose: string;
  /** The default severity; `off` rules run only when specstore.yaml enables them. */
  severity: LintSeverity;
  /** When the rule cannot say anything: a note for the report, or undefined when it runs. */
  inert?: (context: LintContext) => string | undefined;
  check: (context: LintContext) => RuleFinding[];
}

const lowerDotted = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*(?:\.[a-z0-9]+(?:[-_][a-z0-9]+)*)*$/;
const describedKinds = new Set(['tool', 'agent', 'workflow']);

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasText(value: JsonValue | undefined): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

/** Ports of a tool (`inputs`, `outputs`: lists of {name, description}) and of an agent (`input_schema`, `output_schema`). */
function undocumentedPorts(spec: LintSpec): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const field of ['inputs', 'outputs']) {
    const ports = spec.document[field];
    if (!Array.isArray(ports)) continue;
    ports.forEach((port, index) => {
      if (isObject(port) && !hasText(port['description']))
        findings.push({
          spec,
          pointer: `/${field}/${index}`,
          message: `${field.slice(0, -1)} ${JSON.stringify(port['name'] ?? index)} of ${spec.id} has no description`,
        });
    });
  }
  for (const field of ['input_schema', 'output_schema']) {
    const schema = spec.document[field];
    const properties = isObject(schema) ? schema['properties'] : undefined;
    if (!isObject(properties)) continue;
    for (const [name, property] of Object.entries(properties))
      if (isObject(property) && !hasText(property['description']))
        findings.push({
          spec,
          pointer: joinPointer(`/${field}/properties`, name),
          message: `${field.replace('_schema', '')} ${JSON.stringify(name)} of ${spec.id} has no description`,
        });
  }
  return findings;
}

/** The major part of an id's version (`1` of `tool@1.2.0`). */
function majorOf(id: string): string {
  return id.slice(id.indexOf('@') + 1).split(/[.+-]/)[0]!;
}

export const lintRules: readonly LintRule[] = [
  {
    id: 'name.lower-dotted',
    purpose:
      'Spec names start with a letter and are lower-case words in dotted segments (`media.probe`, `llama3.8b-instruct`, `search_qa`): the id syntax also admits `3d.render`, which many systems cannot take as an identifier.',
    severity: 'error',
    check: ({ specs }) =>
      specs
        .filter((spec) => !lowerDotted.test(spec.name))
        .map((spec) => ({
          spec,
          pointer: '/id',
          message: `${spec.name} is not a lower-case dotted name (such as media.probe)`,
        })),
  },
  {
    id: 'description.required',
    purpose: 'Every tool, agent and workflow has a `description`: what it does, for the catalogue and for reviewers.',
    severity: 'error',
    check: ({ specs }) =>
      specs
        .filter((spec) => describedKinds.has(spec.kind) && !hasText(spec.document['description']))
        .map((spec) => ({ spec, pointer: '', message: `${spec.kind} ${spec.id} has no description` })),
  },
  {
    id: 'ports.documented',
    purpose:
      "Every input and output of a tool (`inputs`, `outputs`) and every property of an agent's `input_schema` and `output_schema` has a `description`. Off by default: the bundled registry's ports have none, and adding them would change its snapshot.",
    severity: 'off',
    check: ({ specs }) => specs.flatMap(undocumentedPorts),
  },
  {
    id: 'unused.schema-or-predicate',
    purpose:
      'Every schema and predicate is referenced by some spec of the registry (a reference field or a `$ref`): an unused one is dead weight or a forgotten link.',
    severity: 'warning',
    check: ({ specs, referencedNames }) =>
      specs
        .filter((spec) => (spec.kind === 'schema' || spec.kind === 'predicate') && !referencedNames.has(spec.name))
        .map((spec) => ({
          spec,
          pointer: '',
          message: `${spec.kind} ${spec.id}: no spec of the registry references it`,
        })),
  },
  {
    id: 'version.major-bump',
    purpose:
      'A spec that `spec diff` finds breaking against its version in the previous snapshot of the store gets a new major version.',
    severity: 'error',
    inert: ({ diff }) => (diff === undefined ? 'no previous snapshot in the store to compare with' : undefined),
    check: ({ specs, diff }) => {
      if (diff === undefined) return [];
      const byId = new Map(specs.map((spec) => [spec.id, spec]));
      return diff.specs.flatMap((changed) => {
        const { from, to } = changed;
        const spec = to === undefined ? undefined : byId.get(to);
        if (spec === undefined || to === undefined || from === undefined || changed.severity !== 'breaking') return [];
        if (majorOf(from) !== majorOf(to)) return [];
        const rules = [...new Set(changed.changes.filter((c) => c.severity === 'breaking').map((c) => c.rule))];
        return [
          {
            spec,
            pointer: '/id',
            message: `${to} breaks ${from} (${rules.join(', ')}) but keeps its major version`,
          },
        ];
      });
    },
  },
  {
    id: 'capability.declared',
    purpose:
      'Every capability a spec names (`capabilities`, `required_capabilities`) is in the `lint.capabilities` list of specstore.yaml; inert without that list.',
    severity: 'error',
    inert: ({ capabilities }) =>
      capabilities === undefined ? 'specstore.yaml declares no lint.capabilities' : undefined,
    check: ({ specs, capabilities }) => {
      if (capabilities === undefined) return [];
      const declared = new Set(capabilities);
      return specs.flatMap((spec) =>
        ['capabilities', 'required_capabilities'].flatMap((field) => {
          const list = spec.document[field];
          if (!Array.isArray(list)) return [];
          return list.flatMap((capability, index) =>
            typeof capability === 'string' && !declared.has(capability)
              ? [
                  {
                    spec,
                    pointer: `/${field}/${index}`,
                    message: `capability ${JSON.stringify(capability)} of ${spec.id} is not declared in lint.capabilities`,
                  },
                ]
              : [],
          );
        }),
      );
    },
  },
];

export const lintRuleIds: ReadonlySet<string> = new Set(lintRules.map((rule) => rule.id));

/** The names a list of references (as written: `name@range`, `name`) names. */
export function namesOfRefs(refs: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const ref of refs) {
    const parsed = parseRef(ref);
    const at = ref.indexOf('@');
    names.add(parsed?.name ?? (at === -1 ? ref : ref.slice(0, at)));
  }
  return names;
}
