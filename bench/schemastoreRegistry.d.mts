// Types for schemastoreRegistry.mjs, which TypeScript tests import.
export function writeSchemastoreRegistry(corpus: string, registry: string): number;
export function corpusIdIndex(corpus: string): Map<string, string>;
export function buildWithReferenced(
  compileRegistry: (options: { registry: string }) => Promise<unknown>,
  schemaText: string,
  corpus: string,
  byUrl: Map<string, string>,
  registry: string,
): Promise<import('../src/errors.js').Diagnostic[]>;
