// `spec build`: read a registry, validate everything, and store the snapshot in one atomic batch.
import { resolve } from 'node:path';
import type { CanonicalObject, Digest } from '../core/digest.js';
import type { JsonObject } from '../core/json.js';
import { invalidInput, isSpecError, SpecError, type Diagnostic } from '../errors.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { originLabel } from '../plugins/pluginOrigin.js';
import { registrySourceWithPlugins } from '../plugins/resolvePlugins.js';
import { findGitCommit } from '../source/gitCommit.js';
import { listRegistry, type RegistryFile, type RegistryListing } from '../source/listRegistry.js';
import type { RegistrySource } from '../source/registrySource.js';
import type { SpecStore } from '../store/specStore.js';
import type { BatchOperation } from '../store/keyValueStore.js';
import type { FileAnalysis } from '../validate/analyzeSpecFile.js';
import type { LinkTargets } from '../validate/linkSpecs.js';
import type { ValidatedSpec, ValidationResult } from '../validate/validateSpecs.js';
import { toolName, toolVersion } from '../version.js';
import { buildVersionOperations } from './checkPublished.js';
import {
  buildManifest,
  updateManifest,
  type BuiltManifest,
  type NameEntry,
  type SnapshotRules,
} from '../snapshot/manifestTree.js';
import { digestValue } from '../core/digest.js';
import { kindDefinitionOf } from '../kinds/kindDefinition.js';
import { loadRegistryKinds } from './loadRegistryKinds.js';
import { decodeSnapshotRoot } from '../snapshot/treeDecoder.js';
import { treeNodeReader } from '../snapshot/treeWalk.js';
import {
  buildCacheFormat,
  buildCacheOperations,
  cachedAnalysisOperations,
  indexEntry,
  listingFingerprint,
  listingTrusted,
  readBuildIndex,
  loadCachedAnalyses,
  cachedAnalysisRecord,
  type BuildCacheUpdate,
  type BuildIndex,
  type CachedAnalysis,
  type IndexEntry,
  type StoredBuildIndex,
} from './buildCache.js';
import { unchangedEntries, unknownIndices, whatChanged, type Changes, type FileState } from './whatChanged.js';
import { referencedIds } from '../validate/referencedIds.js';
import { assertAllowRemoval, assertProtectedSpecsKept } from './protectedSpecs.js';
import { collectGarbageNow } from './collectGarbage.js';
import { StagedObject, StagingFile, type StagedText } from './stagingFile.js';

/** One spec of a compiled registry: a validated spec without its text (cached specs' texts stay in the store). */
export type CompiledSpec = Omit<ValidatedSpec, 'text'>;

export interface CompiledRegistry {
  registry: string;
  /** The working directory the specs' `file` paths are relative to (a plugin's files are outside the registry). */
  cwd?: string;
  snapshot: Digest;
  /** The kinds the registry was validated with (the built-ins and its kind files, unless `kinds` was given). */
  kinds: readonly KindDescriptor[];
  specs: CompiledSpec[];
  /** Objects this build may need to write (new specs' texts and the manifest); the store skips those it has. */
  objects: CanonicalObject[];
  /** Objects the build takes from the store without writing them (cached specs): checked again under the write lock. */
  requires: Digest[];
  /**
   * The last build checked its specs against the published versions when the store's publication count was
   * `publications`: while it still is, only the specs of the files read again (`uncheckedPaths`) need the check.
   */
  versionsChecked?: { publications: number; uncheckedPaths: Set<string> };
  /** How many specs (known without building `specs`, which an unchanged rebuild makes only when asked). */
  specCount: number;
  /**
   * The ids a file references (reference fields and spec `$ref`s of its schemas, as written), by path: who uses a
   * spec, known without reading the specs. Absent when the build was known from the cache alone.
   */
  referencesOf?: (path: string) => readonly string[];
  /** Warnings (errors are thrown as INVALID_INPUT with every diagnostic). */
  diagnostics: Diagnostic[];
  /** The build cache to save with the snapshot; undefined when the cache already describes this build. */
  cache: BuildCacheUpdate | undefined;
  /** Files read and analysed, and files taken from the cache. */
  analyzed: number;
  reused: number;
  /** Deletes the temporary file of a build that staged its texts (`stageAboveBytes`); its objects cannot be read after. */
  release?: () => void;
}

export interface CompileRegistryOptions {
  /** The registry directory; with `source`, the name the result and messages give it. */
  registry: string;
  /**
   * Where to read the registry from instead of the directory: several roots, or files in memory (see registrySource).
   * Without it, the directory and the plugins its specstore.yaml names (registrySourceWithPlugins).
   */
  source?: RegistrySource;
  /** The kinds to validate with; default: the built-in ones and those the registry defines in kinds/*.yaml. */
  kinds?: readonly KindDescriptor[];
  cwd?: string;
  /** An existing store to take the build cache and cached specs from (read only). */
  store?: SpecStore;
  /** Use the build cache (default true when a store is given). */
  useCache?: boolean;
  /** Worker threads for analysing files (default: one per core, for large registries whose kinds can cross threads). */
  threads?: number;
  /** Called as files are analysed. */
  onProgress?: (progress: { analyzed: number; total: number }) => void;
  /** The clock, passed in so builds are testable. */
  now?: () => Date;
  /**
   * Protected specs (`protected: true`) this build may drop: names (every version) or `name@version` ids. Without,
   * dropping one that the last build of this registry had is PROTECTED_SPEC_REMOVED.
   */
  allowRemoval?: readonly string[];
  /**
   * Once the new specs' texts pass this many bytes, keep them and the cached analyses in an unlinked temporary file
   * from validation to the write rather than in memory (StagingFile): a large build then holds ~1.3 KB less per file
   * read. Default: never. The result must then be released (`release()`) once stored; buildIntoStore and
   * buildSnapshot stage above 8 MiB (compileForStore) and release it.
   */
  stageAboveBytes?: number;
}

/** Where a build that stores its result starts staging texts (at 13k generated files they are ~6 MB, at 50k ~23). */
const defaultStageAboveBytes = 8 * 1024 * 1024;

/**
 * compileRegistry for a build that stores its result (buildIntoStore, buildSnapshot): staging above 8 MiB of new
 * texts, and, when it staged, the analyses collected once compiled, before the write makes its own garbage (see
 * collectGarbageNow). The caller releases the result once stored.
 */
export async function compileForStore(options: CompileRegistryOptions): Promise<CompiledRegistry> {
  const compiled = await compileRegistry({ stageAboveBytes: defaultStageAboveBytes, ...options });
  if (compiled.release) collectGarbageNow();
  return compiled;
}

/** Reads and validates a registry and computes its snapshot, without writing anything. */
export async function compileRegistry(options: CompileRegistryOptions): Promise<CompiledRegistry> {
  assertAllowRemoval(options.allowRemoval);
  const compiled = await compileSource(options);
  compiled.cwd = options.cwd ?? process.cwd();
  return compiled;
}

async function compileSource(options: CompileRegistryOptions): Promise<CompiledRegistry> {
  const source =
    options.source ??
    (await registrySourceWithPlugins(options.registry, options.cwd === undefined ? {} : { cwd: options.cwd })).source;
  const kindDiagnostics: Diagnostic[] = [];
  let kinds = options.kinds;
  if (kinds === undefined) {
    const loaded = await loadRegistryKinds(source, options.cwd === undefined ? {} : { cwd: options.cwd });
    if (loaded.diagnostics.some((diagnostic) => diagnostic.severity === 'error'))
      throw invalidInput(loaded.diagnostics, 'a kind file is invalid: nothing was built or stored');
    kindDiagnostics.push(...loaded.diagnostics);
    kinds = loaded.kinds;
  }
  const rules = snapshotRulesOf(kinds, source);
  const listedAt = (options.now ?? (() => new Date()))().getTime();
  const store = options.store;
  // The index is fetched while the registry is listed; a listing that fails (no registry) still reports first.
  const cache = openBuildCache(
    store && options.useCache !== false && sourceStatsTrackChanges(source) ? store : undefined,
    buildCacheKey(source),
  );
  const listing = listRegistry(source, kinds, options.cwd === undefined ? {} : { cwd: options.cwd });
  listing.diagnostics.unshift(...kindDiagnostics);
  const files = listing.files;
  // A folder that could not be read, a link that leaves the registry…: files may be missing, so no build succeeds.
  const listingFailed = listing.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  // An index made under other kind definitions or plugins describes another build: start afresh.
  const storedAny = await cache.storedIndex();
  const stored = storedAny?.header.rules === rules.digest ? storedAny : undefined;
  const fingerprint = listingFingerprint(files);
  const unchanged =
    !listingFailed && store && stored
      ? await sameListingAgain(options.registry, store, stored, listing, fingerprint, kinds)
      : undefined;
  if (unchanged) return unchanged;

  const previous = stored?.decode();
  if (stored && previous === undefined) cache.drop('its entries do not decode');
  // Unchanged files are known from the index alone: id, kind, digest and warnings, as of the last build.
  const known = unchangedEntries(previous, files);
  const lastStored = store && previous?.last && (await store.snapshotMetadata(previous.last.snapshot)) !== undefined;
  if (!listingFailed && lastStored && known.every(Boolean) && files.length === previous.files.size)
    return sameFilesAgain(options.registry, previous, listing, known, kinds);
  // Every spec of the index is in the last snapshot; when that was collected, check the specs one by one.
  if (store && !lastStored) await forgetCollectedSpecs(store, known);

  const run = new AnalysisRun(options, kinds, listing, known);
  await run.analyse(unknownIndices(known));
  const changes = whatChanged(previous, files, known, run.statesOf(run.analysed));
  const validPayloads = new Set<string>();
  if (store && previous) await rememberPayloads(cache, run, previous, validPayloads);
  await relinkFromCache(cache, run, changes.relink, validPayloads);
  const reused = files.length - run.analysed.size;

  const validation = await validateRun(run, store && reused > 0 ? store : undefined, changes.relink, validPayloads);
  // A build that stages its texts collects linking's garbage before the manifest, and the manifest's before the
  // records are made (see collectGarbageNow): each stage's garbage would otherwise add to the next's.
  const stages = options.stageAboveBytes !== undefined && newTextBytes(run) > options.stageAboveBytes;
  if (stages) collectGarbageNow();
  const diagnostics = [...listing.diagnostics, ...validation.diagnostics];
  if (!validation.ok || listingFailed)
    throw invalidInput(diagnostics, 'the registry is invalid: nothing was built or stored');
  if (store && previous)
    await assertProtectedSpecsKept(
      store,
      changedEntries(previous, run, changes.removed),
      options.registry,
      specIdsOf(run),
      options.allowRemoval,
    );
  const dropped = cache.dropped();
  if (dropped !== undefined) {
    diagnostics.push({
      code: 'BUILD_CACHE_DROPPED',
      severity: 'warning',
      message: `the build cache in the store was damaged (${dropped}): it was dropped, and this build rebuilt it from the files`,
    });
  }
  const manifest = await snapshotManifest(
    lastStored ? store : undefined,
    previous,
    run,
    changes.removed,
    validation.specs,
    rules,
  );
  if (stages) collectGarbageNow();
  return compiledResult(options.registry, cache.key, {
    stages,
    rules,
    run,
    previous,
    lastStored: lastStored === true,
    listedAt,
    fingerprint,
    changes,
    validation,
    manifest,
    diagnostics,
    reused,
  });
}

/** The build cache as this build reads it: the index fetched early, analyses on demand, and whether it was dropped. */
interface OpenBuildCache {
  key: string;
  storedIndex: () => Promise<StoredBuildIndex | undefined>;
  loadAnalyses: (paths: string[]) => Promise<(CachedAnalysis | undefined)[]>;
  /** Drops the cache (this build reads every file and writes every bucket), saying why. */
  drop: (why: string) => void;
  /** Why the cache was dropped, if it was. */
  dropped: () => string | undefined;
}

/**
 * The cache is disposable: one that cannot be read (a damaged table block) or does not match its own check values
 * is dropped, this build rebuilds it from the files (writing every bucket), and says so. Without a store (or with
 * the cache off), it holds nothing.
 */
function openBuildCache(store: SpecStore | undefined, key: string): OpenBuildCache {
  let cacheDropped: string | undefined;
  const dropCache = (why: string) => {
    cacheDropped ??= why;
  };
  const loadingIndex = store
    ? readBuildIndex(store, key).catch((error: unknown) => (dropCache(cacheReadFailure(error)), undefined))
    : undefined;
  loadingIndex?.catch(() => undefined); // a listing that fails (no registry) still reports first
  return {
    key,
    storedIndex: async () => {
      const stored = await loadingIndex;
      // Matching check values mean the buckets are the bytes the last build wrote, which decoded then: decoding them
      // is left to the builds that need the entries (a no-change rebuild does not; at 100k files it is ~0.2 s).
      if (stored && stored.header.listing && !stored.intact()) {
        dropCache('its entries do not match their check values');
        return undefined;
      }
      return stored;
    },
    loadAnalyses: async (paths) => {
      if (!store) return paths.map(() => undefined);
      try {
        return await loadCachedAnalyses(store, key, paths);
      } catch (error) {
        dropCache(cacheReadFailure(error));
        return paths.map(() => undefined);
      }
    },
    drop: dropCache,
    dropped: () => cacheDropped,
  };
}

/** The build cache is kept per registry: its resolved directory, or its roots' (a source with stats that mean nothing has none). */
function buildCacheKey(source: string | RegistrySource): string {
  if (typeof source === 'string') return resolve(source);
  return source.roots.map((root) => resolve(root.location)).join('\u0000');
}

function sourceStatsTrackChanges(source: string | RegistrySource): boolean {
  return typeof source === 'string' || source.roots.every((root) => root.fs.statsTrackChanges);
}

/**
 * Exactly the listing the index was written from, every file older than every bucket, and the last build's snapshot
 * still stored: that snapshot is the result, known without decoding the index (its specs are decoded if asked for).
 */
async function sameListingAgain(
  registry: string,
  store: SpecStore,
  stored: StoredBuildIndex,
  listing: RegistryListing,
  fingerprint: { digest: string },
  kinds: readonly KindDescriptor[],
): Promise<CompiledRegistry | undefined> {
  const fast = stored.header.listing;
  const files = listing.files;
  if (
    !fast ||
    fast.warnings ||
    !stored.header.last ||
    fingerprint.digest !== fast.digest ||
    !listingTrusted(files, fast) ||
    !stored.intact()
  )
    return undefined;
  const snapshot = stored.header.last.snapshot;
  const metadata = await store.snapshotMetadata(snapshot);
  if (metadata === undefined) return undefined;
  let specs: CompiledSpec[] | undefined;
  const specsOf = () => {
    const index = stored.decode();
    // Only bytes written to match their check values by something other than a build get here.
    if (!index)
      throw new SpecError(
        'STORE_CORRUPT',
        'the build index in the store matches its check values but does not decode: `spec verify` names its keys',
        { data: { registry } },
      );
    return (specs ??= files.map((file) => compiledSpecFromIndex(file, index.files.get(file.path)!)));
  };
  return lastSnapshotAgain(
    registry,
    snapshot,
    specsOf,
    metadata.specs,
    [...listing.diagnostics],
    stored.header,
    files.length,
    kinds,
  );
}

/** The same files, all unchanged, and the last build's snapshot still stored: that snapshot is the result. */
function sameFilesAgain(
  registry: string,
  previous: BuildIndex,
  listing: RegistryListing,
  known: readonly (IndexEntry | undefined)[],
  kinds: readonly KindDescriptor[],
): CompiledRegistry {
  const files = listing.files;
  const specs = files.map((file, index) => compiledSpecFromIndex(file, known[index]!));
  const warnings = files.flatMap((file, index) =>
    (known[index]!.warnings ?? []).map((warning) => ({ ...warning, file: file.file })),
  );
  return lastSnapshotAgain(
    registry,
    previous.last!.snapshot,
    () => specs,
    files.length,
    [...listing.diagnostics, ...warnings],
    previous,
    files.length,
    kinds,
  );
}

/**
 * The last build's entries at the paths this build read again or no longer has, by path: only their specs can be
 * missing now (every other file is one the index vouches for, with the id it had).
 */
function changedEntries(previous: BuildIndex, run: AnalysisRun, removed: readonly string[]): Map<string, IndexEntry> {
  const entries = new Map<string, IndexEntry>();
  for (const path of [...[...run.analysed].map((index) => run.files[index]!.path), ...removed].sort()) {
    const entry = previous.files.get(path);
    if (entry) entries.set(path, entry);
  }
  return entries;
}

/** Whether this build has a spec with an id (after a validation without errors: every analysis with an id has one). */
function specIdsOf(run: AnalysisRun): { has: (id: string) => boolean } {
  const byId = run.targets!.byId;
  return { has: (id) => byId.has(id) && run.analyses[byId.get(id)!]!.spec !== undefined };
}

/** Forgets the index entries whose spec is no longer stored (collected since): those files are read again. */
async function forgetCollectedSpecs(store: SpecStore, known: (IndexEntry | undefined)[]): Promise<void> {
  if (!known.some(Boolean)) return;
  const withSpecs: number[] = [];
  for (let index = 0; index < known.length; index++) if (known[index]) withSpecs.push(index);
  const present = await store.hasObjects(withSpecs.map((index) => known[index]!.digest!));
  withSpecs.forEach((index, i) => {
    if (!present[i]) known[index] = undefined;
  });
}

/**
 * Every file's analysis in this build: made from the index for unchanged files ("light": no references or schemas to
 * check), taken from the cache for those relinked, or made by reading the file (`analysed`).
 */
class AnalysisRun {
  readonly files: readonly RegistryFile[];
  readonly analyses: (FileAnalysis | CachedAnalysis)[];
  readonly analysed = new Set<number>();
  /** Every analysis as a link target, once linking has made it. */
  targets: LinkTargets | undefined;
  private byPath: Map<string, RegistryFile> | undefined;
  private readonly kindByName: Map<string, KindDescriptor>;

  constructor(
    private readonly options: CompileRegistryOptions,
    readonly kinds: readonly KindDescriptor[],
    readonly listing: RegistryListing,
    readonly known: readonly (IndexEntry | undefined)[],
  ) {
    this.files = listing.files;
    this.kindByName = new Map(kinds.map((kind) => [kind.name, kind]));
    this.analyses = new Array<FileAnalysis | CachedAnalysis>(this.files.length);
    this.files.forEach((file, index) => {
      if (!known[index]) return;
      this.analyses[index] = analysisFromIndex(file, known[index]);
    });
  }

  /** The listed files by path, made when first asked for (messages, origins, a new manifest). */
  get fileByPath(): ReadonlyMap<string, RegistryFile> {
    return (this.byPath ??= new Map(this.files.map((file) => [file.path, file])));
  }

  /** The ids a file references: from the index for an unchanged file, else from its analysis. */
  referencesOf = (index: number): string[] => {
    const entry = this.known[index];
    return entry ? entry.references : referencedIds(this.analyses[index]!);
  };

  /** What the analyses of these files found, for whatChanged. */
  statesOf(indices: Iterable<number>): Map<number, FileState> {
    const states = new Map<number, FileState>();
    for (const index of indices) {
      const analysis = this.analyses[index]!;
      states.set(index, {
        ...(analysis.id === undefined ? {} : { id: analysis.id }),
        kind: analysis.kind,
        ...(analysis.spec ? { digest: analysis.spec.digest } : {}),
        ...(analysis.spec && analysis.schemaId !== undefined ? { schemaId: analysis.schemaId } : {}),
        references: this.referencesOf(index),
      });
    }
    return states;
  }

  /** Reads and analyses these files: in worker threads for many files, here for a few. */
  async analyse(indices: number[]): Promise<void> {
    if (indices.length === 0) return;
    const { options, files, analyses, listing } = this;
    for (const index of indices) {
      this.analysed.add(index);
    }
    // Validation (ajv, yaml) is loaded only when something must be validated: an unchanged rebuild never pays for it.
    const [{ analyzeSpecFile, unreadableFileAnalysis }, { analyzeInWorkers, kindsForWorkers, minFilesForWorkers }] =
      await Promise.all([import('../validate/analyzeSpecFile.js'), import('../validate/analyzeInWorkers.js')]);
    const total = indices.length;
    // Worker threads read the files themselves, so only from disk.
    const workerKinds =
      indices.length >= minFilesForWorkers &&
      options.threads !== 1 &&
      indices.every((index) => files[index]!.absolutePath !== undefined)
        ? kindsForWorkers([...this.kindByName.values()])
        : undefined;
    if (workerKinds) {
      const results = await analyzeInWorkers(
        indices.map((index) => ({
          file: files[index]!.file,
          path: files[index]!.path,
          kind: files[index]!.kind,
          absolutePath: files[index]!.absolutePath!,
        })),
        {
          kinds: workerKinds,
          ...(options.threads === undefined ? {} : { threads: options.threads }),
          ...(options.onProgress ? { onProgress: (analyzed: number) => options.onProgress!({ analyzed, total }) } : {}),
        },
      );
      indices.forEach((index, i) => (analyses[index] = results[i]!));
      return;
    }
    indices.forEach((index, i) => {
      let source;
      try {
        source = listing.readFile(files[index]!);
      } catch (cause) {
        analyses[index] = unreadableFileAnalysis(files[index]!, cause);
        return;
      }
      analyses[index] = analyzeSpecFile(source, this.kindByName.get(files[index]!.kind)!);
      if (options.onProgress && (i + 1) % 500 === 0) options.onProgress({ analyzed: i + 1, total });
    });
  }
}

/**
 * Payloads found valid before, by the cached analyses of the files read again (content-addressed keys, so a stale
 * analysis of a changed file still vouches for them); only for a few files, where checking payloads again dominates.
 */
async function rememberPayloads(
  cache: OpenBuildCache,
  run: AnalysisRun,
  previous: BuildIndex,
  validPayloads: Set<string>,
): Promise<void> {
  if (run.analysed.size > 256) return;
  const readAgain = [...run.analysed].filter((index) => previous.files.has(run.files[index]!.path));
  if (readAgain.length > 0)
    (await cache.loadAnalyses(readAgain.map((index) => run.files[index]!.path))).forEach((analysis) =>
      addValidPayloads(validPayloads, analysis),
    );
}

function addValidPayloads(validPayloads: Set<string>, analysis: CachedAnalysis | undefined): void {
  for (const key of analysis?.validPayloads ?? []) validPayloads.add(key);
}

/**
 * Re-links the unchanged files a change reaches: their link result is the only one that can differ. Their analyses
 * come from the cache; a file without a usable one is read again.
 */
async function relinkFromCache(
  cache: OpenBuildCache,
  run: AnalysisRun,
  relink: readonly number[],
  validPayloads: Set<string>,
): Promise<void> {
  if (relink.length === 0) return;
  const cached = await cache.loadAnalyses(relink.map((index) => run.files[index]!.path));
  const missing: number[] = [];
  relink.forEach((index, i) => {
    const analysis = cached[i];
    addValidPayloads(validPayloads, analysis);
    if (analysis?.spec?.digest === run.known[index]!.digest)
      run.analyses[index] = relocate(analysis!, run.files[index]!);
    else missing.push(index);
  });
  await run.analyse(missing);
}

/** Links every file: documents of cached specs come from the store, and only those the re-linked files can reach. */
async function validateRun(
  run: AnalysisRun,
  store: SpecStore | undefined,
  relink: readonly number[],
  validPayloads: ReadonlySet<string>,
) {
  const storedValues = new Map<Digest, JsonObject>();
  const [{ finishValidation, parsedValueOf }, { linkTargets }] = await Promise.all([
    import('../validate/validateSpecs.js'),
    import('../validate/linkSpecs.js'),
  ]);
  // Only the files read again or relinked have references or schemas to check; the others take part as targets.
  const linked = [...new Set([...run.analysed, ...relink])].sort((a, b) => a - b);
  // Only a name of a file read again can have two kinds: the others are the last build's files, unchanged, and the
  // index is written only by a build that passed (a rebuild of few files tracks only those names).
  const targets = (run.targets = linkTargets(
    run.analyses as FileAnalysis[],
    run.analysed.size <= run.files.length / 2 ? namesOf(run.analyses, run.analysed) : undefined,
  ));
  if (store) {
    const needed = reachableCachedSpecs(run.analyses, targets, linked, run.referencesOf, (index) =>
      run.kinds.some((kind) => kind.name === run.analyses[index]!.kind && kind.linkedChecks !== undefined),
    );
    const values = await store.readObjects(needed);
    needed.forEach((digest, i) => storedValues.set(digest, values[i] as JsonObject));
  }
  const bytesRead = new Map<string, Uint8Array>();
  return finishValidation(run.analyses as FileAnalysis[], {
    kinds: run.kinds,
    validPayloads,
    targets,
    linked: linked.map((index) => run.analyses[index] as FileAnalysis),
    originOf: (analysis) => {
      const origin = run.fileByPath.get(analysis.path)?.origin;
      return origin && originLabel(origin.plugin, origin.version);
    },
    valueOf: (analysis) =>
      'text' in analysis.spec! ? parsedValueOf(analysis) : storedValues.get(analysis.spec!.digest)!,
    bytesOf: (analysis) => {
      let bytes = bytesRead.get(analysis.path);
      if (!bytes)
        bytesRead.set(analysis.path, (bytes = run.listing.readFile(run.fileByPath.get(analysis.path)!).bytes));
      return bytes;
    },
  });
}

function namesOf(analyses: readonly (FileAnalysis | CachedAnalysis)[], indices: Iterable<number>): Set<string> {
  const names = new Set<string>();
  for (const index of indices) {
    const id = analyses[index]!.id;
    if (id !== undefined) names.add(id.slice(0, id.indexOf('@')));
  }
  return names;
}

/** The last snapshot's tree, with only the paths to changed names rewritten (when few changed), or a new tree. */
async function snapshotManifest(
  store: SpecStore | undefined,
  previous: BuildIndex | undefined,
  run: AnalysisRun,
  removed: readonly string[],
  specs: readonly CompiledSpec[],
  rules: BuildRules,
): Promise<BuiltManifest> {
  const originOf = (path: string): string | undefined => {
    if (rules.originByRoot.size === 0) return undefined; // no plugins: no file needs looking up
    const file = run.fileByPath.get(path);
    return file === undefined ? undefined : rules.originByRoot.get(file.root);
  };
  let manifest: BuiltManifest | undefined;
  if (store && previous && run.analysed.size + removed.length <= Math.max(64, run.files.length / 4)) {
    const changes = nameChanges(
      previous,
      [...run.analysed].map((index) => run.files[index]!.path).concat(removed),
      specs,
      originOf,
    );
    const root = decodeSnapshotRoot(await store.readObject(previous.last!.snapshot));
    manifest = root.ok
      ? await updateManifest(root.value, changes, specs.length, treeNodeReader(store), rules.root)
      : undefined; // else the last tree could not be read back whole: a new tree
  }
  manifest ??= buildManifest(
    specs.map((spec) => {
      const origin = originOf(spec.path);
      return {
        name: spec.name,
        version: spec.version,
        kind: spec.kind,
        digest: spec.digest,
        ...(origin === undefined ? {} : { origin }),
      };
    }),
    rules.root,
  );
  // The kind definitions are objects of the snapshot like its nodes (the store skips those it has).
  return { ...manifest, objects: [...rules.definitions, ...manifest.objects] };
}

/** What the root records besides the tree, the definition objects, and the plugin each root's specs come from. */
interface BuildRules {
  root: SnapshotRules;
  definitions: CanonicalObject[];
  originByRoot: Map<string, string>;
  /** A digest of `root`: the build cache is valid only under the same rules. */
  digest: Digest;
}

function snapshotRulesOf(kinds: readonly KindDescriptor[], source: string | RegistrySource): BuildRules {
  const definitions = kinds.map((kind) => digestValue(kindDefinitionOf(kind)));
  const root: SnapshotRules = { kinds: {}, plugins: {} };
  kinds.forEach((kind, i) => (root.kinds[kind.name] = definitions[i]!.digest));
  const originByRoot = new Map<string, string>();
  for (const registryRoot of typeof source === 'string' ? [] : source.roots) {
    const origin = registryRoot.origin;
    if (origin === undefined) continue;
    root.plugins[origin.plugin] ??= origin.version;
    originByRoot.set(registryRoot.location, origin.plugin);
  }
  return { root, definitions, originByRoot, digest: digestValue(root).digest };
}

/** The compiled registry: what to write (new specs' texts, the tree), what must still be stored, and the cache records. */
function compiledResult(
  registry: string,
  cacheKey: string,
  built: {
    /** Keep the new texts and records in a staging file (`stageAboveBytes`). */
    stages: boolean;
    rules: BuildRules;
    run: AnalysisRun;
    previous: BuildIndex | undefined;
    lastStored: boolean;
    listedAt: number;
    fingerprint: { digest: string };
    changes: Changes;
    validation: ValidationResult;
    manifest: BuiltManifest;
    diagnostics: Diagnostic[];
    reused: number;
  },
): CompiledRegistry {
  const { run, previous, lastStored, validation, manifest, reused } = built;
  const { files, analyses, analysed } = run;
  // A loop, not a flatMap: an array per file, made while every analysis is still held, raised the 100k peak ~45 MB.
  const specObjects: CanonicalObject[] = [];
  for (const index of analysed) {
    const spec = analyses[index]!.spec;
    if (spec && 'text' in spec) specObjects.push({ digest: spec.digest, text: spec.text });
  }
  const writtenDigests = new Set(specObjects.map((object) => object.digest));
  const staging = built.stages ? openStagingFile() : undefined;
  if (staging)
    specObjects.forEach((object, i) => (specObjects[i] = new StagedObject(object.digest, staging.add(object.text))));
  // The analyses become their records now: what the result keeps of a file read is its text, record and entry.
  const records = new Map<string, string | StagedText>();
  for (const index of analysed) {
    const path = files[index]!.path;
    const record = cachedAnalysisRecord(analyses[index]!, validation.validPayloads.get(path));
    records.set(path, staging ? staging.add(record) : record);
  }
  const cache: BuildCacheUpdate = {
    registryKey: cacheKey,
    index: {
      format: buildCacheFormat,
      tool: toolVersion,
      rules: built.rules.digest,
      listedAt: built.listedAt,
      // An unchanged file keeps its entry (and the text it was stored as); a changed one gets a new entry.
      files: newIndexEntries(run, previous, built.changes.removed),
      last: { snapshot: manifest.snapshotId },
    },
    ...(previous ? { previous } : {}),
    listing: {
      digest: built.fingerprint.digest,
      warnings: analyses.some((analysis) => analysis.diagnostics.length > 0),
    },
    analysed: records,
    removed: built.changes.removed,
  };
  // Reused specs must still be stored when the batch is written: the last snapshot vouches for all of them.
  const requires = lastStored
    ? reused > 0
      ? [previous!.last!.snapshot]
      : []
    : validation.specs.filter((spec) => !writtenDigests.has(spec.digest)).map((spec) => spec.digest);
  return {
    registry,
    snapshot: manifest.snapshotId,
    kinds: run.kinds,
    // Drop the texts: they are in `objects`, and a compiled registry may be kept (build --plans) after they are stored.
    specs: validation.specs.map(withoutText),
    specCount: validation.specs.length,
    referencesOf: referencesFromIndex(cache.index.files),
    objects: [...specObjects, ...manifest.objects],
    requires,
    diagnostics: built.diagnostics,
    cache,
    ...versionsCheckedBy(
      lastStored ? previous : undefined,
      [...analysed].map((index) => files[index]!.path),
    ),
    analyzed: analysed.size,
    reused,
    ...(staging ? { release: () => staging.close() } : {}),
  };
}

/** The characters of the new specs' canonical texts (the files read this build): what staging is decided on. */
function newTextBytes(run: AnalysisRun): number {
  let bytes = 0;
  for (const index of run.analysed) {
    const spec = run.analyses[index]!.spec;
    if (spec && 'text' in spec) bytes += spec.text.length;
  }
  return bytes;
}

/** A staging file, or none when the temporary folder cannot hold one (the texts then stay in memory). */
function openStagingFile(): StagingFile | undefined {
  try {
    return new StagingFile();
  } catch {
    return undefined;
  }
}

/**
 * The new index's entries: the last index's, with those of the files read again replaced and those of the files gone
 * deleted (the unchanged files' entries are the last index's own objects: known[] came from it), else made afresh in
 * listing order. The order of a Map copied from the last index does not matter: buckets keep their stored order.
 */
function newIndexEntries(
  run: AnalysisRun,
  previous: BuildIndex | undefined,
  removed: readonly string[],
): Map<string, IndexEntry> {
  const { files, analyses, analysed, known } = run;
  const entryOf = (index: number) =>
    known[index] && !analysed.has(index)
      ? known[index]
      : indexEntry(files[index]!, analyses[index]!, run.referencesOf(index));
  if (!previous) return new Map(files.map((file, index) => [file.path, entryOf(index)]));
  const entries = new Map(previous.files);
  for (const path of removed) entries.delete(path);
  for (const index of analysed) entries.set(files[index]!.path, entryOf(index)); // every file not known is analysed
  return entries;
}

/** A spec without its text, made field by field (an object rest over 100k specs was measurably slower). */
function withoutText(spec: ValidatedSpec): CompiledSpec {
  const { file, path, kind, id, name, version, digest } = spec;
  return { file, path, kind, id, name, version, digest };
}

/**
 * Who references what, from the new index alone. Made outside compiledResult so that the closure a kept compiled
 * registry holds does not keep the build's analyses (V8 shares one context between a function's closures).
 */
function referencesFromIndex(files: ReadonlyMap<string, IndexEntry>): (path: string) => readonly string[] {
  return (path) => files.get(path)?.references ?? [];
}

/** Why a cache read failed: damage the store reports on reading (a table block), else the error is not the cache's. */
function cacheReadFailure(error: unknown): string {
  if (isSpecError(error) && (error.code === 'STORE_CORRUPT' || error.code === 'STORE_IO'))
    return `reading it failed: ${error.code}`;
  throw error;
}

/** The result of a build whose files are all as the last build left them: its snapshot, nothing to write. */
function lastSnapshotAgain(
  registry: string,
  snapshot: Digest,
  specsOf: () => CompiledSpec[],
  specCount: number,
  diagnostics: Diagnostic[],
  index: { publications?: number },
  files: number,
  kinds: readonly KindDescriptor[],
): CompiledRegistry {
  return {
    registry,
    snapshot,
    kinds,
    get specs() {
      return specsOf(); // an unchanged rebuild decodes its list of specs only if asked (--plans, --strict, a publication)
    },
    specCount,
    objects: [],
    requires: [snapshot],
    diagnostics,
    cache: undefined,
    ...versionsCheckedBy(index, []),
    analyzed: 0,
    reused: files,
  };
}

/**
 * What the last build checked against the published versions (its index records the publication count then): every
 * spec of a file not read again is one of its specs, with the same id and digest.
 */
function versionsCheckedBy(
  previous: { publications?: number } | undefined,
  readAgain: string[],
): Pick<CompiledRegistry, 'versionsChecked'> {
  return previous?.publications === undefined
    ? {}
    : { versionsChecked: { publications: previous.publications, uncheckedPaths: new Set(readAgain) } };
}

/** The names whose entry differs from the last build's, for the files at these paths: new entry, or undefined if gone. */
function nameChanges(
  previous: BuildIndex,
  paths: readonly string[],
  specs: readonly CompiledSpec[],
  originOf: (path: string) => string | undefined,
): Map<string, NameEntry | undefined> {
  const nameOf = (id: string) => id.slice(0, id.indexOf('@'));
  const touched = new Set<string>();
  for (const path of paths) {
    const id = previous.files.get(path)?.id;
    if (id !== undefined) touched.add(nameOf(id));
  }
  const pathSet = new Set(paths);
  for (const spec of specs) if (pathSet.has(spec.path)) touched.add(spec.name);
  const add = (
    byName: Map<string, NameEntry>,
    name: string,
    version: string,
    kind: string,
    digest: Digest,
    origin: string | undefined,
  ) => {
    let entry = byName.get(name);
    if (!entry) byName.set(name, (entry = { kind, versions: {} }));
    entry.versions[version] = digest;
    if (origin !== undefined) (entry.origins ??= {})[version] = origin;
  };
  // Origins are the same before and now for a path still listed (the cache is only used under the same plugins).
  // The last build's entries at the paths not in `paths` are this build's specs there, unchanged (the files the index
  // vouches for), so before = those specs and the last build's entries at `paths`: no pass over the whole index.
  const before = new Map<string, NameEntry>();
  for (const path of pathSet) {
    const entry = previous.files.get(path);
    if (entry?.id === undefined || entry.digest === undefined) continue;
    const at = entry.id.indexOf('@');
    const name = entry.id.slice(0, at);
    if (touched.has(name)) add(before, name, entry.id.slice(at + 1), entry.kind, entry.digest, originOf(path));
  }
  const now = new Map<string, NameEntry>();
  for (const spec of specs) {
    if (!touched.has(spec.name)) continue;
    const origin = originOf(spec.path);
    add(now, spec.name, spec.version, spec.kind, spec.digest, origin);
    if (!pathSet.has(spec.path)) add(before, spec.name, spec.version, spec.kind, spec.digest, origin);
  }
  const changes = new Map<string, NameEntry | undefined>();
  for (const name of touched) {
    const old = before.get(name);
    const entry = now.get(name);
    if (!sameNameEntry(old, entry)) changes.set(name, entry);
  }
  return changes;
}

function sameNameEntry(a: NameEntry | undefined, b: NameEntry | undefined): boolean {
  if (!a || !b) return a === b;
  const versions = Object.keys(a.versions);
  return (
    a.kind === b.kind &&
    versions.length === Object.keys(b.versions).length &&
    versions.every(
      (version) => a.versions[version] === b.versions[version] && a.origins?.[version] === b.origins?.[version],
    )
  );
}

/** An unchanged file as the index describes it: its spec and warnings, and nothing to check. */
function analysisFromIndex(file: RegistryFile, entry: IndexEntry): CachedAnalysis {
  const id = entry.id!;
  const at = id.indexOf('@');
  const analysis: CachedAnalysis = {
    file: file.file,
    path: file.path,
    kind: file.kind,
    id,
    spec: { id, name: id.slice(0, at), version: id.slice(at + 1), digest: entry.digest! },
    references: noReferences,
    schemas: noSchemas,
    diagnostics: entry.warnings ? entry.warnings.map((warning) => ({ ...warning, file: file.file })) : noDiagnostics,
  };
  // Set afterwards, not spread in: a spread per file was a measurable part of making 100k of these.
  if (entry.schemaId !== undefined) analysis.schemaId = entry.schemaId;
  return analysis;
}

// Shared by the many analyses made from the index (frozen: nothing may add to them).
const noDiagnostics: Diagnostic[] = Object.freeze([]) as unknown as Diagnostic[];
const noReferences: CachedAnalysis['references'] = Object.freeze([]) as unknown as CachedAnalysis['references'];
const noSchemas: CachedAnalysis['schemas'] = Object.freeze([]) as unknown as CachedAnalysis['schemas'];

function compiledSpecFromIndex(file: RegistryFile, entry: IndexEntry): CompiledSpec {
  const at = entry.id!.indexOf('@');
  return {
    file: file.file,
    path: file.path,
    kind: file.kind,
    id: entry.id!,
    name: entry.id!.slice(0, at),
    version: entry.id!.slice(at + 1),
    digest: entry.digest!,
  };
}

/** A cached analysis re-labelled with the file's display path of this run (the working directory may differ). */
function relocate(cached: CachedAnalysis, file: RegistryFile): CachedAnalysis {
  if (cached.file === file.file) return cached;
  return {
    ...cached,
    file: file.file,
    diagnostics: cached.diagnostics.map((diagnostic) => ({ ...diagnostic, file: file.file })),
  };
}

/** Digests of the cached specs (no text in hand) whose documents linking these files can read. */
function reachableCachedSpecs(
  analyses: readonly (FileAnalysis | CachedAnalysis)[],
  /** By id, and by the `$id` URL a schema declares, the first analysis with it. */
  targets: Pick<LinkTargets, 'byId' | 'byUrl'>,
  start: readonly number[],
  referencesOf: (index: number) => string[],
  /** A start file whose own document the link reads besides its embedded schemas (its kind has linked checks). */
  readsOwnDocument: (index: number) => boolean,
): Digest[] {
  const needed = new Set<Digest>();
  const cachedDigest = (index: number) => {
    const spec = analyses[index]!.spec;
    return spec && !('text' in spec) ? spec.digest : undefined;
  };
  for (const index of start) {
    const digest = cachedDigest(index);
    if (digest && (analyses[index]!.schemas.length > 0 || readsOwnDocument(index))) needed.add(digest);
  }
  const seen = new Set<number>();
  const queue = [...start];
  while (queue.length > 0) {
    const index = queue.pop()!;
    if (seen.has(index)) continue;
    seen.add(index);
    for (const id of referencesOf(index)) {
      const target = targets.byId.get(id) ?? targets.byUrl.get(id)?.[0];
      if (target === undefined) continue;
      const digest = cachedDigest(target);
      if (digest) needed.add(digest);
      queue.push(target);
    }
  }
  return [...needed];
}

export interface BuildOptions extends CompileRegistryOptions {
  store: SpecStore;
  tag?: string;
  /** Refuse a changed digest for an id@version held by any stored snapshot, not only by published ones. */
  strict?: boolean;
  /** Bytes per batch when a large build writes its objects ahead of the snapshot record (default 4 MiB). */
  writeAheadBytes?: number;
}

export interface BuildResult {
  snapshot: Digest;
  specs: number;
  newObjects: number;
  /** Bytes of new objects (specs and tree nodes): what the snapshot adds to the store. */
  bytesWritten: number;
  /** Bytes of build cache written with it (index buckets, cached analyses): bookkeeping, not content. */
  cacheBytesWritten: number;
  tag?: string;
  /** True when the store already held this snapshot. */
  unchanged: boolean;
  /** Files read and analysed, and files whose cached analysis was reused. */
  analyzed: number;
  reused: number;
  diagnostics: Diagnostic[];
}

/** Stores a compiled registry as a snapshot: one atomic batch of new objects, snapshot record, log entry, tag and cache. */
export async function storeSnapshot(
  store: SpecStore,
  compiled: CompiledRegistry,
  options: { tag?: string; strict?: boolean; now?: () => Date; writeAheadBytes?: number } = {},
): Promise<BuildResult> {
  const gitCommit = findGitCommit(compiled.registry);
  const existed = (await store.snapshotMetadata(compiled.snapshot)) !== undefined;
  const now = (options.now ?? (() => new Date()))();
  let cacheBytesWritten = 0;
  const commit = await store.commitBuild({
    snapshot: compiled.snapshot,
    objects: compiled.objects,
    metadata: {
      createdAt: now.toISOString(),
      source: resolve(compiled.registry),
      ...(gitCommit === undefined ? {} : { gitCommit }),
      tool: `${toolName} ${toolVersion}`,
      specs: compiled.specCount,
    },
    ...(options.tag === undefined ? {} : { tag: options.tag }),
    // A large build writes its spec objects and cached analyses first, once the checks of the last batch passed.
    ahead: {
      check: async () => {
        await assertStillStored(store, compiled.requires);
        await buildVersionOperations(store, compiled, { ...options, now });
      },
      ...(compiled.cache
        ? { operations: () => cachedAnalysisOperations(compiled.cache!.registryKey, compiled.cache!) }
        : {}),
      ...(options.writeAheadBytes === undefined ? {} : { batchBytes: options.writeAheadBytes }),
    },
    // Published versions are immutable: VERSION_MUTATED aborts the batch; a tag publishes this snapshot's versions.
    extraOperations: async ({ wroteAhead }) => {
      // What the write-ahead read back from a staged build's file is garbage now, before the index is encoded.
      if (wroteAhead && compiled.release) collectGarbageNow();
      const stillStored = await assertStillStored(store, compiled.requires);
      const versions = await buildVersionOperations(store, compiled, { ...options, now });
      // The index records the publication count its specs were checked at, for the next build.
      const cache: BatchOperation[] = compiled.cache
        ? buildCacheOperations(
            compiled.cache.registryKey,
            { ...compiled.cache, index: { ...compiled.cache.index, publications: versions.publications } },
            { analyses: !wroteAhead },
          )
        : [];
      cacheBytesWritten = cache.reduce(
        (total, operation) =>
          total + (operation.type === 'put' ? operation.key.length + Buffer.byteLength(operation.value) : 0),
        0,
      );
      return [...stillStored, ...versions.operations, ...cache];
    },
  });
  return {
    snapshot: commit.snapshot,
    specs: compiled.specCount,
    newObjects: commit.newObjects,
    bytesWritten: commit.bytesWritten,
    cacheBytesWritten,
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
    throw new SpecError(
      'STORE_CHANGED',
      `${missing.length} object(s) this build reuses were removed from the store while it ran (by gc?); nothing was written: run the build again`,
      { data: { missing: missing.slice(0, 5) } },
    );
  }
  return [];
}

/** compileRegistry then storeSnapshot: nothing is written unless every check passes. */
export async function buildSnapshot(options: BuildOptions): Promise<BuildResult> {
  if (options === null || typeof options !== 'object' || typeof options.registry !== 'string')
    throw new TypeError('buildSnapshot: options.registry must be a string');
  if (!options.store) throw new TypeError('buildSnapshot: options.store is required (see openStore)');
  const compiled = await compileForStore(options);
  try {
    return await storeSnapshot(options.store, compiled, options);
  } finally {
    compiled.release?.();
  }
}
