// `spec schemas`: the JSON Schema of every kind a registry builds with, one standalone file per kind, for editors.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { JsonObject } from '../core/json.js';
import { invalidInput, SpecError } from '../errors.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { registrySourceWithPlugins } from '../plugins/resolvePlugins.js';
import { shownPath } from '../source/shownPath.js';
import { loadRegistryKinds } from './loadRegistryKinds.js';

export interface WriteKindSchemasOptions {
  /** The registry folder: its kind files and its plugins' kinds are written with the built-in ones. */
  registry: string;
  /** The folder to write into (created if absent; files of other names in it are left alone). */
  output: string;
  /** Relative paths are resolved and files shown from here (default: the process's working directory). */
  cwd?: string;
}

export interface WrittenKindSchema {
  kind: string;
  /** The registry folder holding specs of this kind (`tools`). */
  directory: string;
  /** The file written, as shown (`DIR/tool.schema.json`). */
  file: string;
  /** Its absolute path. */
  path: string;
}

export interface WriteKindSchemasResult {
  output: string;
  schemas: WrittenKindSchema[];
}

const draft2020 = 'https://json-schema.org/draft/2020-12/schema';
const draft07 = 'http://json-schema.org/draft-07/schema#';

/** Keywords that draft-07 lacks or reads otherwise; a schema using none of them means the same under draft-07. */
const after07 = new Set([
  '$anchor',
  '$dynamicAnchor',
  '$dynamicRef',
  '$recursiveAnchor',
  '$recursiveRef',
  '$vocabulary',
  'dependentRequired',
  'dependentSchemas',
  'maxContains',
  'minContains',
  'prefixItems',
  'unevaluatedItems',
  'unevaluatedProperties',
]);

/** Whether any key anywhere in the schema (property names too: erring towards 2020-12) is one of `after07`. */
function usesPost07Keywords(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(usesPost07Keywords);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(
    ([key, child]) => after07.has(key) || (key === 'items' && Array.isArray(child)) || usesPost07Keywords(child),
  );
}

/**
 * The schema of a kind as a file an editor can load: `$schema`, a `title` and a description around the kind's own.
 * Without a `$schema` of its own, a kind schema whose keywords mean the same under draft-07 (every built-in kind's)
 * declares draft-07, the draft editors' YAML language servers support fully; any other declares 2020-12.
 */
export function editorSchemaOf(kind: KindDescriptor): JsonObject {
  const { $schema, title, description, ...rest } = kind.schema;
  return {
    $schema: typeof $schema === 'string' ? $schema : usesPost07Keywords(rest) ? draft2020 : draft07,
    title: typeof title === 'string' ? title : `specstore ${kind.name} spec`,
    description: typeof description === 'string' ? description : kind.summary,
    ...rest,
  };
}

/**
 * Writes `OUTPUT/KIND.schema.json` for every kind (built-in, the registry's kinds/*.yaml, its plugins'). A kind
 * schema holds no `$ref` outside itself (kind files' schemas are checked so when they are compiled), so each file
 * stands alone. A registry whose kind files have errors throws INVALID_INPUT and nothing is written.
 */
export async function writeKindSchemas(options: WriteKindSchemasOptions): Promise<WriteKindSchemasResult> {
  const cwd = options.cwd ?? process.cwd();
  const registry = resolve(cwd, options.registry);
  const { source } = await registrySourceWithPlugins(registry, { cwd });
  const loaded = await loadRegistryKinds(source, { cwd });
  if (loaded.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
    throw invalidInput(loaded.diagnostics, 'no schema was written');
  }
  const output = resolve(cwd, options.output);
  const schemas: WrittenKindSchema[] = [];
  try {
    mkdirSync(output, { recursive: true });
    for (const kind of loaded.kinds) {
      const path = join(output, `${kind.name}.schema.json`);
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(editorSchemaOf(kind), null, 2)}\n`);
      renameSync(temporary, path);
      schemas.push({ kind: kind.name, directory: kind.directory, file: shownPath(cwd, path), path });
    }
  } catch (cause) {
    for (const kind of loaded.kinds)
      rmSync(join(output, `${kind.name}.schema.json.${process.pid}.tmp`), { force: true });
    throw new SpecError(
      'SCHEMAS_WRITE_FAILED',
      `cannot write the schemas to ${shownPath(cwd, output)}: ${(cause as Error).message}`,
      {
        cause,
        data: { output: shownPath(cwd, output) },
      },
    );
  }
  return { output: shownPath(cwd, output), schemas };
}
