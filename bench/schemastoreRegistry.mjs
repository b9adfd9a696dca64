// Wraps the SchemaStore corpus (one JSON Schema per .json file) as a registry of schema specs, for the bench and a test.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `registry/schemas/<name>.yaml` for each `<name>.json` in `corpus`, id `schemastore.<name>@1`; returns the count. */
export function writeSchemastoreRegistry(corpus, registry) {
  mkdirSync(join(registry, 'schemas'), { recursive: true });
  const names = readdirSync(corpus).filter((name) => name.endsWith('.json'));
  for (const name of names) writeSchemaSpec(corpus, name, registry);
  return names.length;
}

/** The URL each corpus file declares as its root `$id` (`id` in draft-04), as the file's name: for pair registries. */
export function corpusIdIndex(corpus) {
  const byUrl = new Map();
  for (const name of readdirSync(corpus).filter((each) => each.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(join(corpus, name), 'utf8'));
    const id = typeof schema.$id === 'string' ? schema.$id : schema.id;
    if (typeof id === 'string' && !byUrl.has(id.replace(/#$/, ''))) byUrl.set(id.replace(/#$/, ''), name);
  }
  return byUrl;
}

/**
 * Writes a registry holding one schema (`schemastore.<spec>@1`) and the corpus files it needs, found by building:
 * each `$ref` by URL the build reports unresolved adds the corpus file declaring that URL, until none is missing or
 * one is not in the corpus. Returns the build's errors at the end (none: the schema builds with what it references).
 */
export async function buildWithReferenced(compileRegistry, schemaText, corpus, byUrl, registry) {
  mkdirSync(join(registry, 'schemas'), { recursive: true });
  writeFileSync(join(registry, 'schemas', '_subject.yaml'), `id: "schemastore.subject@1"\nschema: ${schemaText}\n`);
  const added = new Set();
  for (;;) {
    let errors;
    try {
      await compileRegistry({ registry });
      return [];
    } catch (error) {
      if (error?.code !== 'INVALID_INPUT') throw error;
      errors = error.diagnostics.filter((d) => d.severity === 'error');
    }
    const missing = errors
      .filter((d) => d.code === 'SCHEMA_REF_UNRESOLVED' && d.ref !== undefined && byUrl.has(d.ref))
      .map((d) => byUrl.get(d.ref))
      .filter((name) => !added.has(name));
    if (missing.length === 0) return errors;
    for (const name of missing) {
      added.add(name);
      writeSchemaSpec(corpus, name, registry);
    }
  }
}

/** Writes corpus file `<base>.json` as `registry/schemas/<base>.yaml`, id `schemastore.<base, lower-cased, dashed>@1`. */
function writeSchemaSpec(corpus, name, registry) {
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
