// Types for generateRegistry.mjs, which TypeScript tests import.
export function generateRegistry(root: string, tools: number, seed?: number): number;
export function addPredicates(root: string): void;
