// Bounds on the work one spec file may cause, with defaults taken from real schemas and from yaml's own costs.

export interface YamlLimits {
  maxBytes: number;
  maxDepth: number;
  maxAliases: number;
  maxNodes?: number;
}

/** yaml's composer recurses once per level and overflows the stack near 1,000 levels; stay well below. */
export const maxSupportedYamlDepth = 500;

/**
 * maxBytes: the largest real JSON Schema (SchemaStore) is 2.7 MB; 8 MiB leaves room and bounds memory.
 * maxDepth: collections nested in each other; real schemas stay under 25, canonical JSON refuses beyond 128.
 * maxAliases: aliases and anchors are refused outright (YAML_ALIAS), so this is never reached; it would bound them
 * if they were ever admitted.
 * maxNodes: values (an empty one is null) and keys of the JSON value, counted on the parsed document before composing,
 * the same whatever the style; tokens of any kind are held to 8 per node plus 1,024 while lexing. yaml needs up to
 * ~1.2 KB of memory per node (8 MiB of `- [[1]]` exhausts a 4 GB heap); the largest real schema has 112,000 nodes
 * and 289,000 tokens. docs/specs.md lists every limit.
 */
export const defaultYamlLimits: Readonly<Required<YamlLimits>> = Object.freeze({
  maxBytes: 8 * 1024 * 1024,
  maxDepth: 100,
  maxAliases: 100,
  maxNodes: 250_000,
});

/** Fills in defaults; a limit that is not a whole number in range is a programming error (TypeError). */
export function resolveYamlLimits(limits: Partial<YamlLimits> | undefined): Readonly<Required<YamlLimits>> {
  if (limits === undefined) return defaultYamlLimits;
  const resolved: Required<YamlLimits> = {
    maxBytes: limits.maxBytes ?? defaultYamlLimits.maxBytes,
    maxDepth: limits.maxDepth ?? defaultYamlLimits.maxDepth,
    maxAliases: limits.maxAliases ?? defaultYamlLimits.maxAliases,
    maxNodes: limits.maxNodes ?? defaultYamlLimits.maxNodes,
  };
  const check = (name: keyof YamlLimits, min: number, max: number): void => {
    const limit = resolved[name];
    if (!(Number.isSafeInteger(limit) && limit >= min && limit <= max)) {
      throw new TypeError(`YAML limit ${name} must be a whole number from ${min} to ${max}, got ${String(limit)}`);
    }
  };
  check('maxBytes', 0, Number.MAX_SAFE_INTEGER);
  check('maxDepth', 1, maxSupportedYamlDepth);
  check('maxAliases', 0, Number.MAX_SAFE_INTEGER);
  check('maxNodes', 1, Number.MAX_SAFE_INTEGER);
  return resolved;
}
