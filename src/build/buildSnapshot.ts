// `spec build`: read a registry, validate everything, and store the snapshot in one atomic batch.
import { resolve } from 'node:path';
import type { CanonicalObject, Digest } from '../core/digest.js';
import type { JsonObject } from '../core/json.js';
import { invalidInput, isSpecError, SpecError, type Diagnostic } from '../errors.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { findGitCommit } from '../source/gitCommit.js';
import { listRegistry, readSourceFile, type RegistryFile } from '../source/listRegistry.js';
import type { SpecStore } from '../store/specStore.js';
import type { BatchOperation } from '../store/keyValueStore.js';
import type { FileAnalysis } from '../validate/analyzeSpecFile.js';
import type { ValidatedSpec } from '../validate/validateSpecs.js';
import { toolName, toolVersion } from '../version.js';
import { buildVersionOperations } from './checkPublished.js';
import { buildManifest, updateManifest, type BuiltManifest, type NameEntry, type SnapshotRoot, type TreeNode } from '../snapshot/manifestTree.js';
import {
  buildCacheFormat,
  buildCacheOperations,
  indexEntry,
  isUnchanged,
  listingFingerprint,
  listingTrusted,
  readBuildIndex,
  loadCachedAnalyses,
  toCachedAnalysis,
  type BuildCacheUpdate,
  type BuildIndex,
  type CachedAnalysis,
  type IndexEntry,
} from './buildCache.js';
import { referencedIds } from '../validate/referencedIds.js';

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
  /**
   * The last build checked its specs against the published versions when the store's publication count was
   * `publications`: while it still is, only the specs of the files read again (`uncheckedPaths`) need the check.
   */
  versionsChecked?: { publications: number; uncheckedPaths: Set<string> };
  /** How many specs (known without building `specs`, which an unchanged rebuild makes only when asked). */
  specCount: number;
  /** Warnings (errors are thrown as INVALID_INPUT with every diagnostic). */
  diagnostics: Diagnostic[];
  /** The build cache to save with the snapshot; undefined when the cache already describes this build. */
  cache: BuildCacheUpdate | undefined;
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
  const store = options.store;
  // The index is fetched while the registry is listed; a listing that fails (no registry) still reports first.
  // The cache is disposable: one that cannot be read (a damaged table block) or does not match its own check values
  // is dropped, this build rebuilds it from the files (writing every bucket), and says so.
  let cacheDropped: string | undefined;
  const dropCache = (why: string) => {
    cacheDropped ??= why;
  };
  const loadingIndex = store && options.useCache !== false ? readBuildIndex(store, registry).catch((error: unknown) => (dropCache(cacheReadFailure(error)), undefined)) : undefined;
  loadingIndex?.catch(() => undefined); // a listing that fails (no registry) still reports first
  const listing = listRegistry(options.registry, kinds, options.cwd === undefined ? {} : { cwd: options.cwd });
  const files = listing.files;
  // A folder that could not be read, a link that leaves the registry…: files may be missing, so no build succeeds.
  const listingFailed = listing.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  let stored = await loadingIndex;
  if (stored && stored.header.listing && (!stored.intact() || stored.decode() === undefined)) {
    dropCache('its entries do not match their check values');
    stored = undefined;
  }
  const loadAnalyses = async (paths: string[]): Promise<(CachedAnalysis | undefined)[]> => {
    try {
      return await loadCachedAnalyses(store!, registry, paths);
    } catch (error) {
      dropCache(cacheReadFailure(error));
      return paths.map(() => undefined);
    }
  };
  const fingerprint = listingFingerprint(files);

  // Exactly the listing the index was written from, every file older than every bucket, and the last build's snapshot
  // still stored: that snapshot is the result, known without decoding the index (its specs are decoded if asked for).
  const fast = stored?.header.listing;
  if (!listingFailed && store && stored && fast && !fast.warnings && stored.header.last && fingerprint.digest === fast.digest && listingTrusted(files, fast) && stored.intact()) {
    const snapshot = stored.header.last.snapshot;
    const metadata = await store.snapshotMetadata(snapshot);
    if (metadata !== undefined) {
      let specs: CompiledSpec[] | undefined;
      const specsOf = () => {
        const index = stored.decode();
        if (!index) throw new Error('the build index decoded when checked but not when read'); // intact: cannot happen
        return (specs ??= files.map((file) => compiledSpecFromIndex(file, index.files.get(file.path)!)));
      };
      return lastSnapshotAgain(options.registry, snapshot, specsOf, metadata.specs, [...listing.diagnostics], stored.header, files.length);
    }
  }
  const previous = stored?.decode();
  // Unchanged files are known from the index alone: id, kind, digest and warnings, as of the last build.
  const known = files.map((file) => (isUnchanged(previous, file) && previous!.files.get(file.path)!.digest !== undefined ? previous!.files.get(file.path) : undefined));
  const lastStored = store && previous?.last && (await store.snapshotMetadata(previous.last.snapshot)) !== undefined;

  // The same files, all unchanged, and the last build's snapshot still stored: that snapshot is the result.
  if (!listingFailed && lastStored && known.every(Boolean) && files.length === previous.files.size) {
    const specs = files.map((file, index) => compiledSpecFromIndex(file, known[index]!));
    const warnings = files.flatMap((file, index) => (known[index]!.warnings ?? []).map((warning) => ({ ...warning, file: file.file })));
    return lastSnapshotAgain(options.registry, previous.last!.snapshot, () => specs, files.length, [...listing.diagnostics, ...warnings], previous, files.length);
  }

  // Every spec of the index is in the last snapshot; when that was collected, check the specs one by one.
  if (store && !lastStored && known.some(Boolean)) {
    const withSpecs = known.flatMap((entry, index) => (entry ? [index] : []));
    const present = await store.hasObjects(withSpecs.map((index) => known[index]!.digest!));
    withSpecs.forEach((index, i) => {
      if (!present[i]) known[index] = undefined; // collected since: read the file again
    });
  }

  const analyses = new Array<FileAnalysis | CachedAnalysis>(files.length);
  const light = new Set<number>(); // analyses made from the index: no references or schemas to check
  files.forEach((file, index) => {
    if (!known[index]) return;
    analyses[index] = analysisFromIndex(file, known[index]);
    light.add(index);
  });
  const analyse = fileAnalyser(options, kindByName, files, light);
  const analysed = new Set<number>(known.flatMap((entry, index) => (entry ? [] : [index])));
  await analyse([...analysed], analyses);

  // Re-link the files that changed, and the unchanged ones whose references (directly or through other specs) reach
  // a spec that changed: their link result is the only one that can differ. Their analyses come from the cache.
  const referencesOf = (index: number): string[] => (known[index] ? known[index].references : referencedIds(analyses[index]));
  const fileByPath = new Map(files.map((file) => [file.path, file]));
  const removedPaths = previous ? [...previous.files.keys()].filter((path) => !fileByPath.has(path)) : [];
  const relink = previous ? affectedFiles(analyses, light, previous, referencesOf, { analysed, removed: removedPaths }) : [...light];
  // Payloads found valid before (content-addressed keys, so a stale analysis of a changed file still vouches for them).
  const validPayloads = new Set<string>();
  const remember = (analysis: CachedAnalysis | undefined) => {
    for (const key of analysis?.validPayloads ?? []) validPayloads.add(key);
  };
  if (store && previous && analysed.size <= 256) {
    const readAgain = [...analysed].filter((index) => previous.files.has(files[index].path));
    if (readAgain.length > 0) (await loadAnalyses(readAgain.map((index) => files[index].path))).forEach(remember);
  }
  if (relink.length > 0) {
    const cached = await loadAnalyses(relink.map((index) => files[index].path));
    const missing: number[] = [];
    relink.forEach((index, i) => {
      const analysis = cached[i];
      remember(analysis);
      light.delete(index);
      if (analysis?.spec?.digest === known[index]!.digest) analyses[index] = relocate(analysis!, files[index]);
      else missing.push(index); // no usable cached analysis: read the file again
    });
    missing.forEach((index) => analysed.add(index));
    await analyse(missing, analyses);
  }
  const reused = files.length - analysed.size;

  // Documents of cached specs come from the store, and only those the re-linked files can reach.
  const storedValues = new Map<Digest, JsonObject>();
  if (store && reused > 0) {
    const needed = reachableCachedSpecs(analyses, [...analysed, ...relink], referencesOf);
    const values = await store.readObjects(needed);
    needed.forEach((digest, i) => storedValues.set(digest, values[i] as JsonObject));
  }
  const { finishValidation, parsedValueOf } = await import('../validate/validateSpecs.js');
  const bytesRead = new Map<string, Uint8Array>();
  const validation = finishValidation(analyses as FileAnalysis[], {
    kinds,
    validPayloads,
    valueOf: (analysis) => ('text' in analysis.spec! ? parsedValueOf(analysis) : storedValues.get(analysis.spec!.digest)!),
    bytesOf: (analysis) => {
      let bytes = bytesRead.get(analysis.path);
      if (!bytes) bytesRead.set(analysis.path, (bytes = readSourceFile(fileByPath.get(analysis.path)!).bytes));
      return bytes;
    },
  });
  const diagnostics = [...listing.diagnostics, ...validation.diagnostics];
  if (!validation.ok || listingFailed) throw invalidInput(diagnostics, 'the registry is invalid: nothing was built or stored');
  if (cacheDropped !== undefined) {
    diagnostics.push({ code: 'BUILD_CACHE_DROPPED', severity: 'warning', message: `the build cache in the store was damaged (${cacheDropped}): it was dropped, and this build rebuilt it from the files` });
  }

  // The last snapshot's tree, with only the paths to changed names rewritten (when few changed), or a new tree.
  let manifest: BuiltManifest | undefined;
  if (lastStored && analysed.size + removedPaths.length <= Math.max(64, files.length / 4)) {
    const changes = nameChanges(previous, [...analysed].map((index) => files[index].path).concat(removedPaths), validation.specs);
    const root = (await store.readObject(previous.last!.snapshot)) as unknown as SnapshotRoot;
    manifest = await updateManifest(root, changes, validation.specs.length, async (digests) => (await store.readObjects(digests)) as unknown as (TreeNode | undefined)[]);
  }
  manifest ??= buildManifest(validation.specs.map((spec) => ({ name: spec.name, version: spec.version, kind: spec.kind, digest: spec.digest })));
  const specObjects = [...analysed].flatMap((index) => {
    const spec = analyses[index].spec;
    return spec && 'text' in spec ? [{ digest: spec.digest, text: spec.text }] : [];
  });
  const writtenDigests = new Set(specObjects.map((object) => object.digest));
  const cache: BuildCacheUpdate = {
    index: {
      format: buildCacheFormat,
      tool: toolVersion,
      listedAt,
      // An unchanged file keeps its entry (and the text it was stored as); a changed one gets a new entry.
      files: new Map(files.map((file, index) => [file.path, known[index] && !analysed.has(index) ? known[index] : indexEntry(file, analyses[index], referencesOf(index))])),
      last: { snapshot: manifest.snapshotId },
    },
    ...(previous ? { previous } : {}),
    listing: { digest: fingerprint.digest, warnings: analyses.some((analysis) => analysis.diagnostics.length > 0) },
    analysed: Object.fromEntries([...analysed].map((index) => [files[index].path, toCachedAnalysis(analyses[index], validation.validPayloads.get(files[index].path))])),
    removed: removedPaths,
  };
  // Reused specs must still be stored when the batch is written: the last snapshot vouches for all of them.
  const reusedDigests = () => validation.specs.filter((spec) => !writtenDigests.has(spec.digest)).map((spec) => spec.digest);
  return {
    registry: options.registry,
    snapshot: manifest.snapshotId,
    // Drop the texts: they are in `objects`, and a compiled registry may be kept (build --plans) after they are stored.
    specs: validation.specs.map(({ text: _text, ...spec }) => spec),
    specCount: validation.specs.length,
    objects: [...specObjects, ...manifest.objects],
    requires: lastStored ? (reused > 0 ? [previous.last!.snapshot] : []) : reusedDigests(),
    diagnostics,
    cache,
    ...versionsCheckedBy(lastStored ? previous : undefined, [...analysed].map((index) => files[index].path)),
    analyzed: analysed.size,
    reused,
  };
}

/** Why a cache read failed: damage the store reports on reading (a table block), else the error is not the cache's. */
function cacheReadFailure(error: unknown): string {
  if (isSpecError(error) && (error.code === 'STORE_CORRUPT' || error.code === 'STORE_IO')) return `reading it failed: ${error.code}`;
  throw error;
}

/** The result of a build whose files are all as the last build left them: its snapshot, nothing to write. */
function lastSnapshotAgain(registry: string, snapshot: Digest, specsOf: () => CompiledSpec[], specCount: number, diagnostics: Diagnostic[], index: { publications?: number }, files: number): CompiledRegistry {
  return {
    registry,
    snapshot,
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
function versionsCheckedBy(previous: { publications?: number } | undefined, readAgain: string[]): Pick<CompiledRegistry, 'versionsChecked'> {
  return previous?.publications === undefined ? {} : { versionsChecked: { publications: previous.publications, uncheckedPaths: new Set(readAgain) } };
}

/** The names whose entry differs from the last build's, for the files at these paths: new entry, or undefined if gone. */
function nameChanges(previous: BuildIndex, paths: readonly string[], specs: readonly CompiledSpec[]): Map<string, NameEntry | undefined> {
  const nameOf = (id: string) => id.slice(0, id.indexOf('@'));
  const touched = new Set<string>();
  for (const path of paths) {
    const id = previous.files.get(path)?.id;
    if (id !== undefined) touched.add(nameOf(id));
  }
  const pathSet = new Set(paths);
  for (const spec of specs) if (pathSet.has(spec.path)) touched.add(spec.name);
  const add = (byName: Map<string, NameEntry>, name: string, version: string, kind: string, digest: Digest) => {
    let entry = byName.get(name);
    if (!entry) byName.set(name, (entry = { kind, versions: {} }));
    entry.versions[version] = digest;
  };
  const before = new Map<string, NameEntry>();
  for (const entry of previous.files.values()) {
    if (entry.id === undefined || entry.digest === undefined) continue;
    const at = entry.id.indexOf('@');
    const name = entry.id.slice(0, at);
    if (touched.has(name)) add(before, name, entry.id.slice(at + 1), entry.kind, entry.digest);
  }
  const now = new Map<string, NameEntry>();
  for (const spec of specs) if (touched.has(spec.name)) add(now, spec.name, spec.version, spec.kind, spec.digest);
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
  return a.kind === b.kind && versions.length === Object.keys(b.versions).length && versions.every((version) => a.versions[version] === b.versions[version]);
}

/** Analyses files into `analyses` at their indices: in worker threads for many files, here for a few. */
function fileAnalyser(options: CompileRegistryOptions, kindByName: Map<string, KindDescriptor>, files: readonly RegistryFile[], light: Set<number>): (indices: number[], analyses: (FileAnalysis | CachedAnalysis)[]) => Promise<void> {
  return async (indices, analyses) => {
    if (indices.length === 0) return;
    for (const index of indices) light.delete(index);
    // Validation (ajv, yaml) is loaded only when something must be validated: an unchanged rebuild never pays for it.
    const [{ analyzeSpecFile, unreadableFileAnalysis }, { analyzeInWorkers, minFilesForWorkers }] = await Promise.all([import('../validate/analyzeSpecFile.js'), import('../validate/analyzeInWorkers.js')]);
    const total = indices.length;
    if (indices.length >= minFilesForWorkers && options.kinds === undefined && options.threads !== 1) {
      const results = await analyzeInWorkers(
        indices.map((index) => ({ file: files[index].file, path: files[index].path, kind: files[index].kind, absolutePath: files[index].absolutePath })),
        { ...(options.threads === undefined ? {} : { threads: options.threads }), ...(options.onProgress ? { onProgress: (analyzed: number) => options.onProgress!({ analyzed, total }) } : {}) },
      );
      indices.forEach((index, i) => (analyses[index] = results[i]!));
      return;
    }
    indices.forEach((index, i) => {
      let source;
      try {
        source = readSourceFile(files[index]);
      } catch (cause) {
        analyses[index] = unreadableFileAnalysis(files[index], cause);
        return;
      }
      analyses[index] = analyzeSpecFile(source, kindByName.get(files[index].kind)!);
      if (options.onProgress && (i + 1) % 500 === 0) options.onProgress({ analyzed: i + 1, total });
    });
  };
}

/** An unchanged file as the index describes it: its spec and warnings, and nothing to check. */
function analysisFromIndex(file: RegistryFile, entry: IndexEntry): CachedAnalysis {
  const { id, name, version, digest } = compiledSpecFromIndex(file, entry);
  const diagnostics = entry.warnings ? entry.warnings.map((warning) => ({ ...warning, file: file.file })) : noDiagnostics;
  return { file: file.file, path: file.path, kind: file.kind, id, spec: { id, name, version, digest }, references: noReferences, schemas: noSchemas, diagnostics };
}

// Shared by the many analyses made from the index (frozen: nothing may add to them).
const noDiagnostics: Diagnostic[] = Object.freeze([]) as unknown as Diagnostic[];
const noReferences: CachedAnalysis['references'] = Object.freeze([]) as unknown as CachedAnalysis['references'];
const noSchemas: CachedAnalysis['schemas'] = Object.freeze([]) as unknown as CachedAnalysis['schemas'];

function compiledSpecFromIndex(file: RegistryFile, entry: IndexEntry): CompiledSpec {
  const at = entry.id!.indexOf('@');
  return { file: file.file, path: file.path, kind: file.kind, id: entry.id!, name: entry.id!.slice(0, at), version: entry.id!.slice(at + 1), digest: entry.digest! };
}

/** A cached analysis re-labelled with the file's display path of this run (the working directory may differ). */
function relocate(cached: CachedAnalysis, file: RegistryFile): CachedAnalysis {
  if (cached.file === file.file) return cached;
  return { ...cached, file: file.file, diagnostics: cached.diagnostics.map((diagnostic) => ({ ...diagnostic, file: file.file })) };
}

/**
 * The unchanged files (those still described by the index alone) to link again: the referrers, direct or through
 * other specs, of every id whose spec was added, removed, duplicated or changed in kind or digest. Only the files read
 * again and the files that are gone can change an id, so only theirs are compared (the index holds no duplicates:
 * it is written only by a build that succeeded).
 */
function affectedFiles(analyses: readonly (FileAnalysis | CachedAnalysis)[], light: ReadonlySet<number>, previous: BuildIndex, referencesOf: (index: number) => string[], changedPaths: { analysed: Iterable<number>; removed: readonly string[] }): number[] {
  const before = new Map<string, string[]>();
  const now = new Map<string, string[]>();
  const note = (map: Map<string, string[]>, id: string, state: string) => {
    const states = map.get(id);
    if (states) states.push(state);
    else map.set(id, [state]);
  };
  const noteEntry = (entry: IndexEntry | undefined) => {
    if (entry?.id !== undefined) note(before, entry.id, `${entry.kind} ${entry.digest ?? '-'}`);
  };
  for (const index of changedPaths.analysed) {
    const analysis = analyses[index];
    noteEntry(previous.files.get(analysis.path));
    if (analysis.id !== undefined) note(now, analysis.id, `${analysis.kind} ${analysis.spec?.digest ?? '-'}`);
  }
  for (const path of changedPaths.removed) noteEntry(previous.files.get(path));
  const changed = new Set<string>();
  const same = (a: string[] | undefined, b: string[] | undefined) => a !== undefined && b !== undefined && a.length === b.length && a.sort().join('\n') === b.sort().join('\n');
  for (const id of new Set([...before.keys(), ...now.keys()])) if (!same(before.get(id), now.get(id))) changed.add(id);
  // Changes travel through every file, analysed or not (a predicate read again but unchanged still passes on a change
  // to the schema its args $ref); only the files the index alone describes need linking again. One pass over the
  // files per step of the chain (chains are short), instead of a map of every file's referrers.
  const affected = new Set<number>();
  const visited = new Set<number>();
  let frontier = changed;
  while (frontier.size > 0) {
    const next = new Set<string>();
    for (let index = 0; index < analyses.length; index++) {
      if (visited.has(index)) continue;
      const references = referencesOf(index);
      if (references.length === 0 || !references.some((id) => frontier.has(id))) continue;
      visited.add(index);
      if (light.has(index)) affected.add(index);
      const id = analyses[index].id;
      if (id !== undefined && !changed.has(id)) {
        changed.add(id); // its referrers may depend on what it reaches (a schema that $refs a changed schema)
        next.add(id);
      }
    }
    frontier = next;
  }
  return [...affected].sort((a, b) => a - b);
}

/** Digests of the cached specs (no text in hand) whose documents linking these files can read. */
function reachableCachedSpecs(analyses: readonly (FileAnalysis | CachedAnalysis)[], start: readonly number[], referencesOf: (index: number) => string[]): Digest[] {
  let byId: Map<string, number> | undefined; // made when a start file references anything
  const indexById = () => {
    if (byId) return byId;
    byId = new Map<string, number>();
    analyses.forEach((analysis, index) => {
      if (analysis.id !== undefined && !byId!.has(analysis.id)) byId!.set(analysis.id, index);
    });
    return byId;
  };
  const needed = new Set<Digest>();
  const cachedDigest = (index: number) => {
    const spec = analyses[index].spec;
    return spec && !('text' in spec) ? spec.digest : undefined;
  };
  for (const index of start) {
    const digest = cachedDigest(index);
    if (digest && analyses[index].schemas.length > 0) needed.add(digest);
  }
  const seen = new Set<number>();
  const queue = [...start];
  while (queue.length > 0) {
    const index = queue.pop()!;
    if (seen.has(index)) continue;
    seen.add(index);
    for (const id of referencesOf(index)) {
      const target = indexById().get(id);
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
export async function storeSnapshot(store: SpecStore, compiled: CompiledRegistry, options: { tag?: string; strict?: boolean; now?: () => Date } = {}): Promise<BuildResult> {
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
    // Published versions are immutable: VERSION_MUTATED aborts the batch; a tag publishes this snapshot's versions.
    extraOperations: async () => {
      const stillStored = await assertStillStored(store, compiled.requires);
      const versions = await buildVersionOperations(store, compiled, { ...options, now });
      // The index records the publication count its specs were checked at, for the next build.
      const cache: BatchOperation[] = compiled.cache ? buildCacheOperations(resolve(compiled.registry), { ...compiled.cache, index: { ...compiled.cache.index, publications: versions.publications } }) : [];
      cacheBytesWritten = cache.reduce((total, operation) => total + (operation.type === 'put' ? operation.key.length + Buffer.byteLength(operation.value) : 0), 0);
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
