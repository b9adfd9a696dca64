// The yaml package, loaded on first use: files in parseSimpleYaml's subset never need it, so a build whose changed
// files are all plain (and every command that reads no YAML) does not pay for loading it.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

const require = createRequire(import.meta.url);
let loaded: typeof Yaml | undefined;

/** yaml resolves to the same CommonJS file for `import` and `require` on node, so this is the one instance. */
export function yamlModule(): typeof Yaml {
  return (loaded ??= require('yaml') as typeof Yaml);
}

// yaml's node type guards, through the lazy module (they only read a symbol-keyed property of the node).
export const isAlias = ((node: unknown) => yamlModule().isAlias(node)) as typeof Yaml.isAlias;
export const isMap = ((node: unknown) => yamlModule().isMap(node)) as typeof Yaml.isMap;
export const isScalar = ((node: unknown) => yamlModule().isScalar(node)) as typeof Yaml.isScalar;
export const isSeq = ((node: unknown) => yamlModule().isSeq(node)) as typeof Yaml.isSeq;
