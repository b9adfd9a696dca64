// Wraps the SchemaStore corpus (one JSON Schema per .json file) as a registry of schema specs, for the bench and a test.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `registry/schemas/<name>.yaml` for each `<name>.json` in `corpus`, id `schemastore.<name>@1`; returns the count. */
export function writeSchemastoreRegistry(corpus, registry) {
  mkdirSync(join(registry, 'schemas'), { recursive: true });
  const names = readdirSync(corpus).filter((name) => name.endsWith('.json'));
  for (const name of names) {
    const base = name.slice(0, -5);
    const id = `schemastore.${base
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')}@1`;
    writeFileSync(
      join(registry, 'schemas', `${base}.yaml`),
      `id: "${id}"\nschema: ${readFileSync(join(corpus, name), 'utf8')}\n`,
    );
  }
  return names.length;
}
