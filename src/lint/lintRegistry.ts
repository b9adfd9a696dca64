// `spec lint`: the registry compiled in memory, every enabled rule of lintRules run over it, each finding placed at
// file:line:col. The severities come from the rule records, overridden by `lint.rules` in specstore.yaml.
import { join, resolve } from 'node:path';
import { joinPointer, type JsonObject } from '../core/json.js';
import { invalidInput, type Diagnostic } from '../errors.js';
import { compileRegistry } from '../build/buildSnapshot.js';
import { openCompiledRegistry } from '../build/compiledRegistryView.js';
import { readRegistryConfig, type RegistryConfig } from '../plugins/registryConfig.js';
import { diffSnapshots } from '../review/diffSnapshots.js';
import type { SnapshotView } from '../snapshot/snapshotView.js';
import { nearestPointerLocator } from '../source/locatePointer.js';
import { shownPath } from '../source/shownPath.js';
import {
  lintRuleIds,
  lintRules,
  namesOfRefs,
  type LintContext,
  type LintSeverity,
  type LintSpec,
} from './lintRules.js';

export interface LintOptions {
  /** The registry directory. */
  registry: string;
  /** The directory file paths are shown relative to (default: the process's). */
  cwd?: string;
  /** The previous snapshot, for `version.major-bump` (the rule is inert without it). */
  previous?: SnapshotView;
}

/** One finding: the rule, its severity as configured, where, and what. */
export interface LintFinding {
  rule: string;
  severity: 'error' | 'warning';
  message: string;
  file: string;
  line?: number;
  column?: number;
  /** The spec's id and the pointer of the value concerned. */
  ref: string;
  pointer: string;
}

export interface LintReport {
  findings: LintFinding[];
  /** Every rule with its effective severity, and why it said nothing when it could not run. */
  rules: { id: string; severity: LintSeverity; inert?: string }[];
  /** Some finding is an error: `spec lint` exits 1 (LINT_FAILED). */
  failed: boolean;
}

/** Lints the registry at `options.registry`; a registry that does not build is INVALID_INPUT, as for `spec build`. */
export async function lintRegistry(options: LintOptions): Promise<LintReport> {
  const cwd = options.cwd ?? process.cwd();
  const registry = resolve(cwd, options.registry);
  const configPath = join(registry, 'specstore.yaml');
  const config = readRegistryConfig(configPath, shownPath(cwd, configPath));
  const severities = lintSeveritiesOf(config);
  const compiled = await compileRegistry({ registry, cwd });
  const view = await openCompiledRegistry(undefined, compiled);
  const entries = await view.list();
  const documents = await view.readSpecs(entries);
  const files = new Map(compiled.specs.map((spec) => [spec.id, spec.file]));
  const specs: LintSpec[] = entries.map((entry, index) => ({
    id: entry.id,
    name: entry.name,
    version: entry.version,
    kind: entry.kind,
    file: files.get(entry.id) ?? '',
    document: documents[index] as JsonObject,
  }));
  const referencedNames = namesOfRefs(compiled.specs.flatMap((spec) => compiled.referencesOf?.(spec.path) ?? []));
  const context: LintContext = {
    specs,
    referencedNames,
    ...(config?.lint.capabilities === undefined ? {} : { capabilities: config.lint.capabilities }),
    ...(options.previous === undefined ? {} : { diff: await diffSnapshots(options.previous, view) }),
  };
  const locateNearest = nearestPointerLocator(cwd);
  const locate = (file: string, pointer: string): { line?: number; column?: number } =>
    locateNearest(file, pointer) ?? {};
  const findings: LintFinding[] = [];
  const rules: LintReport['rules'] = [];
  for (const rule of lintRules) {
    const severity = severities.get(rule.id) ?? rule.severity;
    const inert = severity === 'off' ? undefined : rule.inert?.(context);
    rules.push({ id: rule.id, severity, ...(inert === undefined ? {} : { inert }) });
    if (severity === 'off' || inert !== undefined) continue;
    for (const found of rule.check(context))
      findings.push({
        rule: rule.id,
        severity,
        message: found.message,
        file: found.spec.file,
        ...locate(found.spec.file, found.pointer),
        ref: found.spec.id,
        pointer: found.pointer,
      });
  }
  return { findings, rules, failed: findings.some((finding) => finding.severity === 'error') };
}

/** `lint.rules` of specstore.yaml; an unknown rule id is REGISTRY_CONFIG_INVALID at its file:line:col. */
function lintSeveritiesOf(config: RegistryConfig | undefined): Map<string, LintSeverity> {
  if (config === undefined) return new Map();
  const diagnostics: Diagnostic[] = Object.keys(config.lint.rules)
    .filter((id) => !lintRuleIds.has(id))
    .map((id) => ({
      code: 'REGISTRY_CONFIG_INVALID',
      severity: 'error',
      message: `lint.rules names no rule "${id}" (the rules: ${[...lintRuleIds].join(', ')}; docs/lint.md)`,
      file: config.file,
      pointer: joinPointer('/lint/rules', id),
      ...config.locate(joinPointer('/lint/rules', id)),
    }));
  if (diagnostics.length > 0)
    throw invalidInput(diagnostics, `${config.file} is not a valid registry configuration; nothing was linted`, {
      file: config.file,
    });
  return new Map(Object.entries(config.lint.rules));
}
