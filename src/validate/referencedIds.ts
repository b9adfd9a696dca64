// What a file refers to, from its analysis alone: kept apart from linkSpecs so the build cache can use it without
// loading ajv or yaml.
import type { FileAnalysis } from './analyzeSpecFile.js';

/**
 * The ids a file refers to, as written: its reference fields and the specs its embedded schemas `$ref`. A file's link
 * result depends only on its own analysis and on these ids' specs (and, through them, on theirs): the build cache
 * re-links an unchanged file only when one of them changed.
 */
export function referencedIds(analysis: Pick<FileAnalysis, 'references' | 'schemas'>): string[] {
  const ids = new Set<string>();
  for (const reference of analysis.references) if (typeof reference.value === 'string') ids.add(reference.value);
  for (const embedded of analysis.schemas) for (const specRef of embedded.specRefs) ids.add(specRef.ref);
  return [...ids];
}
