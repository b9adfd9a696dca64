// `spec build`: read a registry, validate everything, and store the snapshot in one atomic batch.
import { resolve } from 'node:path';
import type { CanonicalObject, Digest } from '../core/digest.js';
import type { JsonObject } from '../core/json.js';
import { invalidInput, SpecError, type Diagnostic } from '../errors.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { findGitCommit } from '../source/gitCommit.js';
import { listRegistry, readSourceFile, type RegistryFile } from '../source/listRegistry.js';
import type { SpecStore } from '../store/specStore.js';
import type { FileAnalysis } from '../validate/analyzeSpecFile.js';
import type { ValidatedSpec } from '../validate/validateSpecs.js';
import { toolName, toolVersion } from '../version.js';
import { buildVersionOperations } from './checkPublished.js';
import { buildManifest } from './manifestTree.js';
import {
  buildCacheFormat,
  buildCacheOperations,
  buildFingerprint,
  indexEntry,
  isUnchanged,
  loadBuildIndex,
  loadCachedAnalyses,
  toCachedAnalysis,
  type BuildIndex,
  type CachedAnalysis,
  type IndexEntry,
} from './buildCache.js';

/** One spec of a compiled registry: a validated spec without its text (cached specs' texts stay in the store). */
export type CompiledSpec = Omit<ValidatedSpec, 'text'>;

export interface CompiledRegistry {
  registry: string;
  snapshot: Digest;
  specs: CompiledSpec[];
  /** Objects this build may need to write (new specs' texts and the manifest); the store skips those it has. */
  objects: CanonicalObject[];
  /** Objects the build takes from the store without writing them (cached specs): checked again under the write lock. */
  requires: Digest[];
  /** Warnings (errors are thrown as INVALID_INPUT with every diagnostic). */
  diagnostics: Diagnostic[];
  /** The build cache to save with the snapshot; undefined when the cache already describes this build. */
  cache: { index: BuildIndex; analysed: Record<string, CachedAnalysis>; removed: string[] } | undefined;
  /** Files read and analysed, and files taken from the cache. */
  analyzed: number;
  reused: number;
}

export interface CompileRegistryOptions {
  registry: string;
  kinds?: readonly KindDescriptor[];
  cwd?: string;
  /** An existing store to take the build cache and cached specs from (read only). */
  store?: SpecStore;
  /** Use the build cache (default true when a store is given). */
  useCache?: boolean;
  /** Worker threads for analysing files (default: one per core, for large registries with the built-in kinds). */
  threads?: number;
  /** Called as files are analysed. */
  onProgress?: (progress: { analyzed: number; total: number }) => void;
  /** The clock, passed in so builds are testable. */
  now?: () => Date;
}

/** Reads and validates a registry and computes its snapshot, without writing anything. */
export async function compileRegistry(options: CompileRegistryOptions): Promise<CompiledRegistry> {
  const kinds = options.kinds ?? builtinKinds;
  const kindByName = new Map(kinds.map((kind) => [kind.name, kind]));
  const registry = resolve(options.registry);
  const listedAt = (options.now ?? (() => new Date()))().getTime();
  const listing = listRegistry(options.registry, kinds, options.cwd === undefined ? {} : { cwd: options.cwd });
  const store = options.store;
  const previous = store && options.useCache !== false ? await loadBuildIndex(store, registry) : undefined;
  const unchanged = listing.files.map((file) => isUnchanged(previous, file));

  // A registry whose every file is unchanged, and whose last build's snapshot is still stored, is that snapshot:
  // decided from the index alone, without reading a file or an analysis.
  if (previous?.last && store && unchanged.every(Boolean)) {
    const entries = listing.files.map((file) => ({ file, entry: previous.files[file.path] }));
    const fingerprint = buildFingerprint(entries.map(({ file, entry }) => ({ path: file.path, kind: file.kind, ...(entry.digest ? { digest: entry.digest } : {}) })));
    if (fingerprint === previous.last.fingerprint && (await store.snapshotMetadata(previous.last.snapshot))) {
      return {
        registry: options.registry,
        snapshot: previous.last.snapshot,
        specs: entries.filter(({ entry }) => entry.id && entry.digest).map(({ file, entry }) => compiledSpecFromIndex(file, entry)),
        objects: [],
        requires: [previous.last.snapshot],
        diagnostics: [...listing.diagnostics, ...entries.flatMap(({ file, entry }) => (entry.warnings ?? []).map((warning) => ({ ...warning, file: file.file })))],
        cache: undefined,
        analyzed: 0,
        reused: listing.files.length,
      };
    }
  }

  // Reuse analyses of unchanged files whose specs the store still holds; analyse the rest.
  const analyses = new Array<FileAnalysis | CachedAnalysis>(listing.files.length);
  if (store && previous && unchanged.some(Boolean)) {
    const cachedAnalyses = await loadCachedAnalyses(store, registry);
    const withSpecs: number[] = [];
    listing.files.forEach((file, index) => {
      const cached = unchanged[index] ? cachedAnalyses.get(file.path) : undefined;
      if (!cached) return;
      analyses[index] = relocate(cached, file);
      if (cached.spec) withSpecs.push(index);
    });
    const present = await store.hasObjects(withSpecs.map((index) => analyses[index].spec!.digest));
    withSpecs.forEach((index, i) => {
      if (!present[i]) analyses[index] = undefined as never; // collected since: read the file again
    });
  }
  const toAnalyze = listing.files.map((file, index) => ({ file, index })).filter(({ index }) => analyses[index] === undefined);
  const reused = listing.files.length - toAnalyze.length;

  // Validation (ajv, yaml) is loaded only when something must be validated: an unchanged rebuild never pays for it.
  const [{ analyzeSpecFile }, { analyzeInWorkers, minFilesForWorkers }, { finishValidation, parsedValueOf }] = await Promise.all([
    import('../validate/analyzeSpecFile.js'),
    import('../validate/analyzeInWorkers.js'),
    import('../validate/validateSpecs.js'),
  ]);
  const useWorkers = toAnalyze.length >= minFilesForWorkers && options.kinds === undefined && options.threads !== 1;
  const total = toAnalyze.length;
  if (useWorkers) {
    const results = await analyzeInWorkers(
      toAnalyze.map(({ file }) => ({ file: file.file, path: file.path, kind: file.kind, absolutePath: file.absolutePath })),
      { ...(options.threads === undefined ? {} : { threads: options.threads }), ...(options.onProgress ? { onProgress: (analyzed: number) => options.onProgress!({ analyzed, total }) } : {}) },
    );
    toAnalyze.forEach(({ index }, i) => (analyses[index] = results[i]!));
  } else {
    toAnalyze.forEach(({ file, index }, i) => {
      analyses[index] = analyzeSpecFile(readSourceFile(file), kindByName.get(file.kind)!);
      if (options.onProgress && (i + 1) % 500 === 0) options.onProgress({ analyzed: i + 1, total });
    });
  }

  // Documents of cached specs come from the store, and only those the cross-file checks need.
  const storedValues = new Map<Digest, JsonObject>();
  if (store && reused > 0) {
    const needed = (analyses as CachedAnalysis[]).filter((analysis) => analysis.spec && !('text' in analysis.spec) && needsValue(analysis, kindByName));
    const values = await store.readObjects(needed.map((analysis) => analysis.spec!.digest));
    needed.forEach((analysis, i) => storedValues.set(analysis.spec!.digest, values[i] as JsonObject));
  }
  const fileByPath = new Map(listing.files.map((file) => [file.path, file]));
  const bytesRead = new Map<string, Uint8Array>();
  const validation = finishValidation(analyses as FileAnalysis[], {
    kinds,
    valueOf: (analysis) => ('text' in analysis.spec! ? parsedValueOf(analysis) : storedValues.get(analysis.spec!.digest)!),
    bytesOf: (analysis) => {
      let bytes = bytesRead.get(analysis.path);
      if (!bytes) bytesRead.set(analysis.path, (bytes = readSourceFile(fileByPath.get(analysis.path)!).bytes));
      return bytes;
    },
    schemaCheckCache: new Set(previous?.schemaChecks ?? []),
  });
  const diagnostics = [...listing.diagnostics, ...validation.diagnostics];
  if (!validation.ok) throw invalidInput(diagnostics);

  const manifest = buildManifest(validation.specs.map((spec) => ({ name: spec.name, version: spec.version, kind: spec.kind, digest: spec.digest })));
  const specObjects = (analyses as FileAnalysis[]).filter((analysis) => analysis.spec && 'text' in analysis.spec).map((analysis) => ({ digest: analysis.spec!.digest, text: analysis.spec!.text }));
  const writtenDigests = new Set(specObjects.map((object) => object.digest));
  const listedPaths = new Set(listing.files.map((file) => file.path));
  const cache: NonNullable<CompiledRegistry['cache']> = {
    index: {
      format: buildCacheFormat,
      tool: toolVersion,
      listedAt,
      files: Object.fromEntries(listing.files.map((file, index) => [file.path, indexEntry(file, analyses[index])])),
      schemaChecks: [...validation.cleanSchemaChecks],
      last: { fingerprint: buildFingerprint(listing.files.map((file, index) => ({ path: file.path, kind: file.kind, ...(analyses[index].spec ? { digest: analyses[index].spec.digest } : {}) }))), snapshot: manifest.snapshotId },
    },
    analysed: Object.fromEntries(toAnalyze.map(({ file, index }) => [file.path, toCachedAnalysis(analyses[index])])),
    removed: previous ? Object.keys(previous.files).filter((path) => !listedPaths.has(path)) : [],
  };
  return {
    registry: options.registry,
    snapshot: manifest.snapshotId,
    specs: validation.specs.map(({ file, path, kind, id, name, version, digest }) => ({ file, path, kind, id, name, version, digest })),
    objects: [...specObjects, ...manifest.objects],
    requires: validation.specs.filter((spec) => !writtenDigests.has(spec.digest)).map((spec) => spec.digest),
    diagnostics,
    cache,
    analyzed: toAnalyze.length,
    reused,
  };
}

/** Whether the cross-file checks may read this spec's document: a schema or payload target, or a spec with schemas. */
function needsValue(analysis: CachedAnalysis, kinds: Map<string, KindDescriptor>): boolean {
  const kind = kinds.get(analysis.kind);
  return kind?.referenceableSchema !== undefined || analysis.schemas.length > 0 || [...kinds.values()].some((other) => other.references.some((field) => field.payload && field.kinds.includes(analysis.kind)));
}

/** A cached analysis re-labelled with the file's display path of this run (the working directory may differ). */
function relocate(cached: CachedAnalysis, file: RegistryFile): CachedAnalysis {
  if (cached.file === file.file) return cached;
  return { ...cached, file: file.file, diagnostics: cached.diagnostics.map((diagnostic) => ({ ...diagnostic, file: file.file })) };
}

function compiledSpecFromIndex(file: RegistryFile, entry: IndexEntry): CompiledSpec {
  const at = entry.id!.indexOf('@');
  return { file: file.file, path: file.path, kind: file.kind, id: entry.id!, name: entry.id!.slice(0, at), version: entry.id!.slice(at + 1), digest: entry.digest! };
}

export interface BuildOptions extends CompileRegistryOptions {
  store: SpecStore;
  tag?: string;
  /** Refuse a changed digest for an id@version held by any stored snapshot, not only by published ones. */
  strict?: boolean;
}

export interface BuildResult {
  snapshot: Digest;
  specs: number;
  newObjects: number;
  bytesWritten: number;
  tag?: string;
  /** True when the store already held this snapshot. */
  unchanged: boolean;
  /** Files read and analysed, and files whose cached analysis was reused. */
  analyzed: number;
  reused: number;
  diagnostics: Diagnostic[];
}

/** Stores a compiled registry as a snapshot: one atomic batch of new objects, snapshot record, log entry, tag and cache. */
export async function storeSnapshot(store: SpecStore, compiled: CompiledRegistry, options: { tag?: string; strict?: boolean; now?: () => Date } = {}): Promise<BuildResult> {
  const gitCommit = findGitCommit(compiled.registry);
  const existed = (await store.snapshotMetadata(compiled.snapshot)) !== undefined;
  const now = (options.now ?? (() => new Date()))();
  const commit = await store.commitBuild({
    snapshot: compiled.snapshot,
    objects: compiled.objects,
    metadata: {
      createdAt: now.toISOString(),
      source: resolve(compiled.registry),
      ...(gitCommit === undefined ? {} : { gitCommit }),
      tool: `${toolName} ${toolVersion}`,
      specs: compiled.specs.length,
    },
    ...(options.tag === undefined ? {} : { tag: options.tag }),
    // Published versions are immutable: VERSION_MUTATED aborts the batch; a tag publishes this snapshot's versions.
    extraOperations: async () => [...(await assertStillStored(store, compiled.requires)), ...(await buildVersionOperations(store, compiled, { ...options, now })), ...(compiled.cache ? buildCacheOperations(resolve(compiled.registry), compiled.cache) : [])],
  });
  return {
    snapshot: commit.snapshot,
    specs: compiled.specs.length,
    newObjects: commit.newObjects,
    bytesWritten: commit.bytesWritten,
    ...(options.tag === undefined ? {} : { tag: options.tag }),
    unchanged: existed,
    analyzed: compiled.analyzed,
    reused: compiled.reused,
    diagnostics: compiled.diagnostics,
  };
}

/** Objects found in the store while compiling must still be there when the batch is written (gc may have run). */
async function assertStillStored(store: SpecStore, digests: readonly Digest[]): Promise<[]> {
  const present = await store.hasObjects(digests);
  const missing = digests.filter((_, i) => !present[i]);
  if (missing.length > 0) {
    throw new SpecError('STORE_CHANGED', `${missing.length} object(s) this build reuses were removed from the store while it ran (by gc?); nothing was written: run the build again`, { data: { missing: missing.slice(0, 5) } });
  }
  return [];
}

/** compileRegistry then storeSnapshot: nothing is written unless every check passes. */
export async function buildSnapshot(options: BuildOptions): Promise<BuildResult> {
  if (options === null || typeof options !== 'object' || typeof options.registry !== 'string') throw new TypeError('buildSnapshot: options.registry must be a string');
  if (!options.store) throw new TypeError('buildSnapshot: options.store is required (see openStore)');
  const compiled = await compileRegistry(options);
  return storeSnapshot(options.store, compiled, options);
}
