// What a build remembers about a registry, like git's index: file stats → analyses, so unchanged files are not re-read.
import { sha256HexOfString, type Digest } from '../core/digest.js';
import type { BatchOperation } from '../store/keyValueStore.js';
import type { SpecStore } from '../store/specStore.js';
import type { FileAnalysis } from '../validate/analyzeSpecFile.js';
import type { RegistryFile } from '../source/listRegistry.js';
import { toolVersion } from '../version.js';

/** A file's analysis, minus the canonical text (the store holds it under the digest). */
export type CachedAnalysis = Omit<FileAnalysis, 'spec'> & { spec?: Omit<NonNullable<FileAnalysis['spec']>, 'text'> };

export interface CachedFile {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  analysis: CachedAnalysis;
}

export interface BuildCache {
  format: typeof buildCacheFormat;
  /** Analyses depend on the tool's rules: another version starts afresh. */
  tool: string;
  /** When the files were listed; an entry modified at or after this instant is not trusted (the "racy git" rule). */
  listedAt: number;
  files: Record<string, CachedFile>;
  /** Keys of schema checks that passed (see linkSpecs.schemaCheckKey). */
  schemaChecks: string[];
  /** The last clean build of this registry: the snapshot its exact set of specs gave. */
  last?: { fingerprint: string; snapshot: Digest };
}

export const buildCacheFormat = 'specstore/build-cache/v1';

export function buildCacheKey(registryPath: string): string {
  return `cache:build:${sha256HexOfString(registryPath)}`;
}

export async function loadBuildCache(store: SpecStore, registryPath: string): Promise<BuildCache | undefined> {
  const text = await store.kv.get(buildCacheKey(registryPath));
  if (text === undefined) return undefined;
  try {
    const cache = JSON.parse(text) as BuildCache;
    return cache.format === buildCacheFormat && cache.tool === toolVersion ? cache : undefined;
  } catch {
    return undefined; // a cache is only ever an optimisation
  }
}

export function buildCacheOperation(registryPath: string, cache: BuildCache): BatchOperation {
  return { type: 'put', key: buildCacheKey(registryPath), value: JSON.stringify(cache) };
}

/** The cached analysis of a file whose stats are unchanged and were not racily modified; undefined otherwise. */
export function cachedAnalysisFor(cache: BuildCache | undefined, file: RegistryFile): CachedAnalysis | undefined {
  const entry = cache?.files[file.path];
  if (!entry || !cache) return undefined;
  if (entry.size !== file.size || entry.mtimeMs !== file.mtimeMs || entry.ctimeMs !== file.ctimeMs || entry.ino !== file.ino) return undefined;
  if (file.mtimeMs >= cache.listedAt || file.ctimeMs >= cache.listedAt) return undefined;
  if (entry.analysis.kind !== file.kind || entry.analysis.file !== file.file) return undefined;
  return entry.analysis;
}

export function toCachedAnalysis(analysis: FileAnalysis): CachedAnalysis {
  if (!analysis.spec) return analysis;
  const { text: _text, ...spec } = analysis.spec;
  return { ...analysis, spec };
}

/** Identifies the exact set of specs a build saw (paths, kinds and digests) under this tool version. */
export function buildFingerprint(analyses: readonly CachedAnalysis[]): string {
  const lines = analyses.map((analysis) => `${analysis.path}\u0000${analysis.kind}\u0000${analysis.spec?.digest ?? '-'}`).sort();
  return sha256HexOfString(`${toolVersion}\n${lines.join('\n')}`);
}
