// Types for mutableRegistry.mjs, which the TypeScript fault tests import.
export function createRandom(seed: number): () => number;
export function generateRegistry(
  directory: string,
  options?: { specs?: number; seed?: number },
): { specs: number; mutate(): string[] };
