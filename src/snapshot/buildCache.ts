// What a build remembers about a registry, like git's index: file stats → analyses, so unchanged files are not re-read.
import { sha256HexOfString, type Digest } from '../core/digest.js';
import type { Diagnostic } from '../errors.js';
import type { BatchOperation } from '../store/keyValueStore.js';
import type { SpecStore } from '../store/specStore.js';
import type { FileAnalysis } from '../validate/analyzeSpecFile.js';
import type { RegistryFile } from '../source/listRegistry.js';
import { toolVersion } from '../version.js';

/** A file's analysis, minus the canonical text (the store holds it under the digest). */
export type CachedAnalysis = Omit<FileAnalysis, 'spec'> & { spec?: Omit<NonNullable<FileAnalysis['spec']>, 'text'> };

/** What the index keeps per file: enough to decide "unchanged" and to name the spec, without any analysis. */
export interface IndexEntry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  kind: string;
  id?: string;
  digest?: Digest;
  warnings?: Diagnostic[];
  /** The ids the file references (its reference fields and its schemas' spec `$ref`s): what a change can reach. */
  references: string[];
}

/**
 * The small half of the cache, read by every build: file stats, the ids each file references, and the last build's
 * snapshot. Every entry with a digest belongs to that snapshot (the index is written only by a build that stored it).
 * The analyses (the large half) are read only for the files a change reaches.
 */
export interface BuildIndex {
  format: typeof buildCacheFormat;
  /** Analyses depend on the tool's rules: another version starts afresh. */
  tool: string;
  /** When the files were listed; an entry modified at or after this instant is not trusted (the "racy git" rule). */
  listedAt: number;
  /** By path relative to the registry, in listing order. */
  files: Map<string, IndexEntry>;
  /** The snapshot the last build stored: exactly the specs of `files`. */
  last?: { snapshot: Digest };
}

/** What a build writes to the cache besides the snapshot. */
export interface BuildCacheUpdate {
  index: BuildIndex;
  /** Analyses of the files this build read. */
  analysed: Record<string, CachedAnalysis>;
  /** Paths of files that are gone. */
  removed: string[];
}

export const buildCacheFormat = 'specstore/build-cache/v6';

const indexKey = (registryPath: string) => `cache:build:${sha256HexOfString(registryPath)}`;
/** One key per file, so a build that changes one file rewrites one analysis, not all of them. */
const analysesPrefix = (registryPath: string) => `cache:analyses:${sha256HexOfString(registryPath)}:`;
/** Where format v5 kept the references apart from the index; deleted when seen. */
const legacyReferencesKey = (registryPath: string) => `cache:references:${sha256HexOfString(registryPath)}`;
/** Where format v2 kept every analysis in one value; deleted when seen. */
const legacyAnalysesKey = (registryPath: string) => `cache:analyses:${sha256HexOfString(registryPath)}`;

export async function loadBuildIndex(store: SpecStore, registryPath: string): Promise<BuildIndex | undefined> {
  const text = await store.kv.get(indexKey(registryPath));
  return text === undefined ? undefined : decodeBuildIndex(text);
}

/**
 * The index as stored: a JSON header line, then per file these NUL-separated fields: path, size, mtime, ctime, inode,
 * kind, id, digest, warnings as JSON, the number of ids it references, and those ids. Every build reads it, so it is
 * made to be split, not parsed (13k files as JSON objects took ~35 ms to parse in a fresh process), and a build
 * re-uses the text of every entry it did not change. Paths never contain NUL; ids and kinds are validated names; JSON
 * escapes NUL.
 */
export function encodeBuildIndex(index: BuildIndex): string {
  const { files, ...header } = index;
  const records: string[] = [];
  for (const [path, entry] of files) {
    const known = encodedEntries.get(entry);
    if (known !== undefined && known.path === path) {
      records.push(known.text);
      continue;
    }
    const fields = [path, String(entry.size), String(entry.mtimeMs), String(entry.ctimeMs), String(entry.ino), entry.kind, entry.id ?? '', entry.digest ?? '', entry.warnings ? JSON.stringify(entry.warnings) : '', String(entry.references.length), ...entry.references];
    records.push(fields.join('\u0000'));
  }
  return `${JSON.stringify(header)}\n${records.join('\u0000')}`;
}

/** The text each decoded entry came from (entries are never changed once made: a changed file gets a new one). */
const encodedEntries = new WeakMap<IndexEntry, { path: string; text: string }>();

/** Undefined for a damaged index or one of another format or tool version (a cache is only ever an optimisation). */
export function decodeBuildIndex(text: string): BuildIndex | undefined {
  try {
    const newline = text.indexOf('\n');
    if (newline < 0) return undefined;
    const header = JSON.parse(text.slice(0, newline)) as Omit<BuildIndex, 'files'>;
    if (header.format !== buildCacheFormat || header.tool !== toolVersion) return undefined;
    const files = new Map<string, IndexEntry>();
    const end = text.length;
    let position = newline + 1;
    const field = (): string => {
      if (position > end) throw new RangeError('truncated index');
      let separator = text.indexOf('\u0000', position);
      if (separator < 0) separator = end;
      const value = text.slice(position, separator);
      position = separator + 1;
      return value;
    };
    const number = (): number => {
      const value = Number(field());
      if (!Number.isFinite(value)) throw new RangeError('not a number');
      return value;
    };
    while (position < end) {
      const start = position;
      const path = field();
      const entry: IndexEntry = { size: number(), mtimeMs: number(), ctimeMs: number(), ino: number(), kind: field(), references: [] };
      const id = field();
      const digest = field();
      const warnings = field();
      if (id !== '') entry.id = id;
      if (digest !== '') entry.digest = digest as Digest;
      if (warnings !== '') entry.warnings = JSON.parse(warnings) as Diagnostic[];
      const count = number();
      if (!Number.isSafeInteger(count) || count < 0) return undefined;
      for (let i = 0; i < count; i++) entry.references.push(field());
      if (files.has(path)) return undefined;
      files.set(path, entry);
      encodedEntries.set(entry, { path, text: text.slice(start, Math.min(position, end + 1) - 1) });
    }
    return { ...header, files };
  } catch {
    return undefined;
  }
}

/** The cached analyses of these files (undefined where there is none, or it is damaged: a miss). */
export async function loadCachedAnalyses(store: SpecStore, registryPath: string, paths: readonly string[]): Promise<(CachedAnalysis | undefined)[]> {
  const prefix = analysesPrefix(registryPath);
  const texts = await store.kv.getMany(paths.map((path) => `${prefix}${path}`));
  return texts.map((text) => {
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as CachedAnalysis;
    } catch {
      return undefined; // a cache is only ever an optimisation: a damaged entry is a miss
    }
  });
}

/** Writes the index, the analyses of files analysed in this build, and deletes those of files that are gone. */
export function buildCacheOperations(registryPath: string, update: BuildCacheUpdate): BatchOperation[] {
  const prefix = analysesPrefix(registryPath);
  return [
    { type: 'put', key: indexKey(registryPath), value: encodeBuildIndex(update.index) },
    { type: 'del', key: legacyReferencesKey(registryPath) },
    { type: 'del', key: legacyAnalysesKey(registryPath) },
    ...Object.entries(update.analysed).map(([path, analysis]): BatchOperation => ({ type: 'put', key: `${prefix}${path}`, value: JSON.stringify(analysis) })),
    ...update.removed.map((path): BatchOperation => ({ type: 'del', key: `${prefix}${path}` })),
  ];
}

/** Whether a file is as the index saw it, and was not modified in the instant of that listing or after. */
export function isUnchanged(index: BuildIndex | undefined, file: RegistryFile): boolean {
  const entry = index?.files.get(file.path);
  if (!entry || !index) return false;
  if (entry.size !== file.size || entry.mtimeMs !== file.mtimeMs || entry.ctimeMs !== file.ctimeMs || entry.ino !== file.ino || entry.kind !== file.kind) return false;
  return file.mtimeMs < index.listedAt && file.ctimeMs < index.listedAt;
}

export function indexEntry(file: RegistryFile, analysis: FileAnalysis | CachedAnalysis, references: string[]): IndexEntry {
  const entry: IndexEntry = { size: file.size, mtimeMs: file.mtimeMs, ctimeMs: file.ctimeMs, ino: file.ino, kind: file.kind, references };
  if (analysis.spec) {
    entry.id = analysis.spec.id;
    entry.digest = analysis.spec.digest;
  }
  if (analysis.diagnostics.length > 0) entry.warnings = analysis.diagnostics;
  return entry;
}

export function toCachedAnalysis(analysis: FileAnalysis | CachedAnalysis): CachedAnalysis {
  if (!analysis.spec || !('text' in analysis.spec)) return analysis;
  const { text: _text, ...spec } = analysis.spec;
  return { ...analysis, spec };
}
