// How `spec diff` judges changes: the compatibility mode per kind, rules to ignore, the severity that fails.
import { isJsonObject, type JsonValue } from '../core/json.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { Direction, Severity } from './severity.js';

export type CompatibilityMode = Direction | 'full';

export interface KindDiffConfig {
  mode: CompatibilityMode;
  /** Rule ids, or prefixes ending in `*` (`schema.annotation-*`), whose changes are dropped for this kind. */
  ignore: string[];
}

export interface DiffConfig {
  /** Per kind; a kind not listed uses `defaults`. */
  kinds: Record<string, KindDiffConfig>;
  defaults: KindDiffConfig;
  /** Fail (exit 4 in the CLI) when a change has this severity or a worse one; undefined: never. */
  failOn?: FailOn;
}

/** A threshold in the order breaking > unknown > warning: `warning` fails on all three. */
export type FailOn = 'breaking' | 'unknown' | 'warning';

export const failOnValues: readonly FailOn[] = ['breaking', 'unknown', 'warning'];

export const defaultDiffConfig: DiffConfig = { kinds: {}, defaults: { mode: 'backward', ignore: [] } };

/** The file format (`specstore.diff.yaml`) for a set of kinds, as a JSON Schema; see docs/compatibility.md. */
export function diffConfigSchemaFor(kindNames: readonly string[]) {
  return {
    type: 'object',
    properties: {
      mode: { enum: ['backward', 'forward', 'full'] },
      ignore: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000 },
      fail_on: { enum: [...failOnValues] },
      kinds: {
        type: 'object',
        propertyNames: { enum: [...kindNames] },
        additionalProperties: {
          type: 'object',
          properties: {
            mode: { enum: ['backward', 'forward', 'full'] },
            ignore: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000 },
          },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  } as const;
}

/** The file format for the built-in kinds. */
export const diffConfigSchema = diffConfigSchemaFor(builtinKinds.map((kind) => kind.name));

/** A config from a value already validated against diffConfigSchema. */
export function diffConfigFromValue(value: JsonValue): DiffConfig {
  const file = isJsonObject(value) ? value : {};
  const defaults: KindDiffConfig = {
    mode: (file['mode'] as CompatibilityMode | undefined) ?? 'backward',
    ignore: (file['ignore'] as string[] | undefined) ?? [],
  };
  const kinds: Record<string, KindDiffConfig> = {};
  for (const [kind, entry] of Object.entries(isJsonObject(file['kinds']) ? file['kinds'] : {})) {
    const each = isJsonObject(entry) ? entry : {};
    kinds[kind] = {
      mode: (each['mode'] as CompatibilityMode | undefined) ?? defaults.mode,
      ignore: [...defaults.ignore, ...((each['ignore'] as string[] | undefined) ?? [])],
    };
  }
  const config: DiffConfig = { kinds, defaults };
  if (typeof file['fail_on'] === 'string') config.failOn = file['fail_on'] as FailOn;
  return config;
}

/** The config with one mode for every kind (`spec diff --mode`), its ignores and threshold kept. */
export function withMode(config: DiffConfig, mode: CompatibilityMode): DiffConfig {
  const kinds: Record<string, KindDiffConfig> = {};
  for (const [kind, entry] of Object.entries(config.kinds)) kinds[kind] = { ...entry, mode };
  return { ...config, kinds, defaults: { ...config.defaults, mode } };
}

export const compatibilityModes: readonly CompatibilityMode[] = ['backward', 'forward', 'full'];

export function kindConfig(config: DiffConfig, kind: string): KindDiffConfig {
  return Object.hasOwn(config.kinds, kind) ? config.kinds[kind]! : config.defaults;
}

export function isIgnored(rule: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => (pattern.endsWith('*') ? rule.startsWith(pattern.slice(0, -1)) : rule === pattern));
}

const rank: Record<Severity, number> = { compatible: 0, warning: 1, unknown: 2, breaking: 3 };

/** Whether a severity reaches the fail-on threshold. */
export function reaches(severity: Severity, failOn: FailOn): boolean {
  return rank[severity] >= rank[failOn];
}
