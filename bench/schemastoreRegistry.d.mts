// Types for schemastoreRegistry.mjs, which TypeScript tests import.
export function writeSchemastoreRegistry(corpus: string, registry: string): number;
