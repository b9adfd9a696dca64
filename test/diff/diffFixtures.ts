// Loads a fixture pair (test/fixtures/diff/<name>/{old,new}/*.yaml) and diffs it with the pure rules.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { digestValue } from '../../src/core/digest.js';
import type { JsonObject } from '../../src/core/json.js';
import { defaultDiffConfig, type DiffConfig } from '../../src/diff/diffConfig.js';
import { diffSpecs, type ChangedSpecName, type NameVersions, type SpecDiff } from '../../src/diff/diffSpecs.js';
import { parseYamlSpec } from '../../src/source/parseYamlSpec.js';

export const diffFixtures = resolve(import.meta.dirname, '../fixtures/diff');

/** The kind a test document is, from its fields (the fixtures are specs without kind directories). */
function kindOf(spec: JsonObject): string {
  if ('adapter' in spec) return 'tool';
  if ('schema' in spec) return 'schema';
  if ('args' in spec) return 'predicate';
  if ('template' in spec) return 'prompt';
  return 'policy';
}

function readSide(directory: string): Map<string, JsonObject> {
  const specs = new Map<string, JsonObject>();
  for (const file of readdirSync(directory).sort()) {
    const parsed = parseYamlSpec(readFileSync(join(directory, file)), file);
    if (parsed.value === undefined) throw new Error(`${file}: ${JSON.stringify(parsed.diagnostics)}`);
    const spec = parsed.value as JsonObject;
    specs.set(spec['id'] as string, spec);
  }
  return specs;
}

function entries(specs: Map<string, JsonObject>): Map<string, NameVersions> {
  const byName = new Map<string, NameVersions>();
  for (const [id, spec] of specs) {
    const [name, version] = id.split('@') as [string, string];
    const entry = byName.get(name) ?? { kind: kindOf(spec), versions: {} };
    entry.versions[version] = digestValue(spec).digest;
    byName.set(name, entry);
  }
  return byName;
}

export function diffFixture(name: string, config: DiffConfig = defaultDiffConfig): Map<string, SpecDiff> {
  const old = readSide(join(diffFixtures, name, 'old'));
  const next = readSide(join(diffFixtures, name, 'new'));
  const before = entries(old);
  const after = entries(next);
  const changed: ChangedSpecName[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(key);
    const b = after.get(key);
    if (a && b && JSON.stringify(a) === JSON.stringify(b)) continue;
    changed.push({ name: key, ...(a ? { old: a } : {}), ...(b ? { new: b } : {}) });
  }
  const specs = diffSpecs(changed, { old: (id) => old.get(id), new: (id) => next.get(id) }, config);
  return new Map(specs.map((spec) => [spec.name, spec]));
}

/** `rule pointer severity` lines, sorted: what the tests assert (never messages). */
export function ruleLines(spec: SpecDiff | undefined): string[] {
  if (!spec) throw new Error('no such spec in the diff');
  return spec.changes
    .map(
      (change) =>
        `${change.rule} ${change.pointer} ${change.severity}${change.schema ? ` ${change.schema.document}#${change.schema.pointer}` : ''}`,
    )
    .sort();
}
