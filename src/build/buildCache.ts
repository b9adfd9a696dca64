// What a build remembers about a registry, like git's index: file stats → analyses, so unchanged files are not re-read.
import { digestBytes, sha256HexOfString, type Digest } from '../core/digest.js';
import { SpecError, type Diagnostic } from '../errors.js';
import type { BatchOperation } from '../store/keyValueStore.js';
import type { SpecStore } from '../store/specStore.js';
import { buildCacheSpaces } from '../store/storeKeys.js';
import type { FileAnalysis } from '../validate/analyzeSpecFile.js';
import type { RegistryFile } from '../source/listRegistry.js';
import { toolVersion } from '../version.js';
import { textOf, type StagedText } from './stagingFile.js';

/**
 * A file's analysis, minus the canonical text (the store holds it under the digest), plus the keys under which its
 * payloads were last found valid (linkSpecs' payloadKey): a rebuild of the file with the same payloads and schemas
 * need not check them again.
 */
export type CachedAnalysis = Omit<FileAnalysis, 'spec'> & {
  spec?: Omit<NonNullable<FileAnalysis['spec']>, 'text'>;
  validPayloads?: string[];
};

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
  /** The URL its schema declares as `$id` (FileAnalysis.schemaId): `$ref`s by URL reach it through this. */
  schemaId?: string;
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
  /** The digest of the kinds and plugins the build recorded: analyses depend on them too. */
  rules?: string;
  /**
   * When this build listed the files. An entry is trusted only for a file not modified at or after the instant its
   * entry was recorded (the "racy git" rule): entries are stored in buckets, each with the listing time of the build
   * that last wrote it.
   */
  listedAt: number;
  /** By path relative to the registry, in listing order. */
  files: Map<string, IndexEntry>;
  /** The snapshot the last build stored: exactly the specs of `files`. */
  last?: { snapshot: Digest };
  /** The store's publication count when this index's specs were checked against the published versions. */
  publications?: number;
  /**
   * What makes an unchanged rebuild cheap (written by every build, see `listingFingerprint`): the fingerprint of the
   * listing the index was made from, when each bucket was written (and the oldest of those times), a digest of the
   * stored buckets, and whether any file had warnings. A listing with that fingerprint, each file older than its
   * bucket, is described by the index exactly, so the buckets need not be decoded.
   */
  listing?: {
    digest: string;
    trustedBefore: number;
    bucketListedAt: (number | null)[];
    bucketDigests: (string | null)[];
    warnings: boolean;
  };
  /** As read from the store: the listing time of the build that wrote each bucket (by bucket number). */
  bucketListedAt?: number[];
}

/** What a build writes to the cache besides the snapshot. */
export interface BuildCacheUpdate {
  /** The registry the cache is kept for (its resolved directory). */
  registryKey: string;
  index: BuildIndex;
  /** The index this build started from: only the buckets whose entries differ from it are written. */
  previous?: BuildIndex;
  /** This build's listing fingerprint, and whether any file had warnings (for the next build's fast path). */
  listing?: { digest: string; warnings: boolean };
  /** The cached analyses of the files this build read (cachedAnalysisRecord), by path: texts, or staged (a large build). */
  analysed: ReadonlyMap<string, string | StagedText>;
  /** Paths of files that are gone. */
  removed: string[];
}

export const buildCacheFormat = 'specstore/build-cache/v11';

const indexKey = (registryPath: string) => buildCacheSpaces.index.key(sha256HexOfString(registryPath));
/** The entries, in buckets by a hash of the path, so that a build that changes one file rewrites one bucket. */
const bucketKey = (registryPath: string, bucket: number) =>
  buildCacheSpaces.index.key(`${sha256HexOfString(registryPath)}:${String(bucket).padStart(2, '0')}`);
const bucketCount = 64;
/** One key per file, so a build that changes one file rewrites one analysis, not all of them. */
const analysesPrefix = (registryPath: string) => buildCacheSpaces.analyses.key(`${sha256HexOfString(registryPath)}:`);
/** Where format v5 kept the references apart from the index; deleted when seen. */
const legacyReferencesKey = (registryPath: string) =>
  buildCacheSpaces.legacyReferences.key(sha256HexOfString(registryPath));
/** Where format v2 kept every analysis in one value; deleted when seen. */
const legacyAnalysesKey = (registryPath: string) => buildCacheSpaces.analyses.key(sha256HexOfString(registryPath));

/** The stored index, read but not decoded: its header, whether the stored buckets are the ones it describes, and a decoder. */
export interface StoredBuildIndex {
  header: Omit<BuildIndex, 'files'>;
  /** The buckets are exactly those the header's build wrote (each one's check value matches). */
  intact: () => boolean;
  decode: () => BuildIndex | undefined;
}

/**
 * Reads the stored index without decoding its entries. Both reads are issued before the first await, so a caller that
 * starts this and then lists the registry (synchronous stat calls) has LevelDB fetch the index meanwhile.
 */
export async function readBuildIndex(store: SpecStore, registryPath: string): Promise<StoredBuildIndex | undefined> {
  const [headerText, texts] = await Promise.all([
    store.kv.get(indexKey(registryPath)),
    store.kv.getMany(Array.from({ length: bucketCount }, (_, bucket) => bucketKey(registryPath, bucket))),
  ]);
  if (headerText === undefined) return undefined;
  const header = parseIndexHeader(headerText);
  if (header === undefined) {
    if (headerFormat(headerText) === undefined)
      throw new SpecError('STORE_CORRUPT', 'the build index header is not a JSON object with a format', {
        data: { key: indexKey(registryPath) },
      });
    return undefined; // another format or tool version: this build replaces it
  }
  const buckets = new Map(
    texts.flatMap((text, bucket): [number, string][] => (text === undefined ? [] : [[bucket, text]])),
  );
  let decoded: BuildIndex | undefined | null = null;
  let intact: boolean | undefined; // hashing every bucket is ~20 ms at 100k files: once per build
  return {
    header,
    intact: () => (intact ??= bucketsMatch(header, buckets)),
    decode: () => (decoded === null ? (decoded = decodeEntries(header, buckets)) : decoded),
  };
}

type IndexHeader = Omit<BuildIndex, 'files'>;

function bucketsMatch(header: IndexHeader, buckets: ReadonlyMap<number, string>): boolean {
  const digests = header.listing?.bucketDigests;
  if (!digests) return false;
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    const text = buckets.get(bucket);
    if ((text === undefined ? null : bucketDigest(text)) !== (digests[bucket] ?? null)) return false;
  }
  return true;
}

/** The header, if it is of this format and tool version; a malformed fast-path record is dropped (no fast path). */
function parseIndexHeader(text: string): IndexHeader | undefined {
  let header: IndexHeader;
  try {
    header = JSON.parse(text) as IndexHeader;
  } catch {
    return undefined;
  }
  if (
    header === null ||
    typeof header !== 'object' ||
    header.format !== buildCacheFormat ||
    header.tool !== toolVersion
  )
    return undefined;
  if (header.listing !== undefined && !isListingRecord(header.listing)) delete header.listing;
  return header;
}

/**
 * What an unchanged listing must match: a digest of every file's path and kind, and of its stat numbers as float64
 * bytes (formatting tens of thousands of numbers as text was measurably slower; this is a local cache, so the
 * machine's byte order is fine).
 */
export function listingFingerprint(files: readonly RegistryFile[]): { digest: string } {
  const numbers = new Float64Array(files.length * 4);
  const names: string[] = [];
  files.forEach((file, i) => {
    numbers[4 * i] = file.size;
    numbers[4 * i + 1] = file.mtimeMs;
    numbers[4 * i + 2] = file.ctimeMs;
    numbers[4 * i + 3] = file.ino;
    names.push(file.path, file.kind);
  });
  return { digest: `${sha256HexOfString(names.join('\u0000'))}:${digestBytes(new Uint8Array(numbers.buffer))}` };
}

/**
 * Whether every file is older than the bucket its entry is in (the racy rule, as `isUnchanged` applies it); only the
 * files newer than the oldest bucket are hashed to find theirs.
 */
export function listingTrusted(files: readonly RegistryFile[], listing: NonNullable<BuildIndex['listing']>): boolean {
  return files.every((file) => modifiedBefore(file, listing.bucketListedAt, listing.trustedBefore));
}

/**
 * How much earlier than the listing a file's time must be for its entry to be trusted. The listing time is read from
 * the system clock, but a file system stamps files from its own, coarser one: Linux uses the clock of the last timer
 * tick (measured here: a file written just after reading the clock was stamped up to 5.9 ms before it; a tick is at
 * most 10 ms), and file systems that keep whole seconds (FAT's two, HFS+ and ext3's one; seen as both times whole)
 * round down by up to two seconds. A file written after the listing read it could otherwise carry a time before the listing and be trusted
 * with content the build never saw. Git compares against its index file's time on the same file system instead; the
 * store may be on another, so the margin stands in for that. Its cost: a file modified within the margin before a
 * build is hashed again by the next one.
 */
export function racyMarginMs(file: Pick<RegistryFile, 'mtimeMs' | 'ctimeMs'>): number {
  return file.mtimeMs % 1000 === 0 && file.ctimeMs % 1000 === 0 ? 2000 : 20;
}

/** The newest of a file's times, moved later by the racy margin: trusted only if before the listing that recorded it. */
function racyTime(file: RegistryFile): number {
  return Math.max(file.mtimeMs, file.ctimeMs) + racyMarginMs(file);
}

/**
 * Git's "racy" rule, per bucket: the file was last modified (or its inode changed) before the bucket holding its entry
 * was written, by more than the clocks can disagree (racyMarginMs); a file modified in that instant or after may have
 * changed unseen. `oldest` is the earliest of the buckets' times: a file older than it needs no hashing to find its
 * bucket.
 */
function modifiedBefore(
  file: RegistryFile,
  bucketListedAt: readonly (number | null | undefined)[],
  oldest: number,
): boolean {
  const newest = racyTime(file);
  if (newest < oldest) return true;
  const writtenAt = bucketListedAt[bucketOf(file.path)];
  return writtenAt !== null && writtenAt !== undefined && newest < writtenAt;
}

function isListingRecord(value: unknown): value is NonNullable<BuildIndex['listing']> {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  const times = record['bucketListedAt'];
  const digests = record['bucketDigests'];
  return (
    typeof record['digest'] === 'string' &&
    typeof record['trustedBefore'] === 'number' &&
    typeof record['warnings'] === 'boolean' &&
    Array.isArray(times) &&
    times.length === bucketCount &&
    times.every((time) => time === null || typeof time === 'number') &&
    Array.isArray(digests) &&
    digests.length === bucketCount &&
    digests.every((digest) => digest === null || typeof digest === 'string')
  );
}

/** A stored bucket's check value: 64 bits of SHA-256 (this guards a cache against damage, not against forgery). */
function bucketDigest(text: string): string {
  return sha256HexOfString(text).slice(0, 16);
}

/** The bucket of a path: FNV-1a over its UTF-16 code units (stable for a format version; only the cache uses it). */
export function bucketOf(path: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) hash = Math.imul(hash ^ path.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % bucketCount;
}

/** The stored form of an index: a JSON header, and the text of each bucket (undefined: delete an emptied bucket). */
export interface EncodedBuildIndex {
  header: string;
  buckets: Map<number, string | undefined>;
}

/**
 * A bucket as stored: the listing time of the build that wrote it, a line break, then per file these NUL-separated
 * fields: path, size, mtime, ctime, inode, kind, id, digest, warnings as JSON, the schema's `$id` URL, the number of
 * ids it references, and those ids. Every build reads the index, so it is made to be split, not parsed (a JSON object per file is
 * several times slower to parse in a fresh process), and written back only where it changed: with `previous`, only the buckets whose
 * entries are not exactly the previous index's (a one-file change writes ~1/64 of the index). Paths never contain
 * NUL; ids and kinds are validated names; JSON escapes NUL.
 */
export function encodeBuildIndex(
  index: BuildIndex,
  previous?: BuildIndex,
  changedPaths?: Iterable<string>,
  listing?: { digest: string; warnings: boolean },
): EncodedBuildIndex {
  const { files, listedAt, bucketListedAt: _read, listing: _previousListing, ...header } = index;
  const byBucket = changedBuckets(files, previous, changedPaths);
  const buckets = new Map<number, string | undefined>();
  byBucket.forEach((entries, bucket) => {
    if (entries === undefined) return; // as stored
    if (entries.length === 0) {
      buckets.set(bucket, undefined);
      return;
    }
    const fields: string[] = [];
    for (const [path, entry] of entries) {
      fields.push(
        path,
        String(entry.size),
        String(entry.mtimeMs),
        String(entry.ctimeMs),
        String(entry.ino),
        entry.kind,
        entry.id ?? '',
        entry.digest ?? '',
        entry.warnings ? JSON.stringify(entry.warnings) : '',
        entry.schemaId ?? '',
        String(entry.references.length),
        ...entry.references,
      );
    }
    buckets.set(bucket, `${listedAt}\n${fields.join('\u0000')}`);
  });
  if (!listing) return { header: JSON.stringify({ ...header, listedAt }), buckets };
  // The buckets as they will be stored, and when the oldest of them was written: for the next build's fast path.
  // Kept buckets keep their check values (from the previous header, else hashed from the text read); written ones are hashed.
  const writtenAt = new Array<number | null>(bucketCount).fill(null);
  const digests = new Array<string | null>(bucketCount).fill(null);
  const kept = previous ? decodedFrom.get(previous)?.texts : undefined;
  let complete = !previous || kept !== undefined; // without the previous texts, the stored buckets are unknown
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    const written = buckets.has(bucket);
    const text = written ? buckets.get(bucket) : kept?.get(bucket);
    if (text === undefined) continue;
    writtenAt[bucket] = written ? listedAt : (previous?.bucketListedAt?.[bucket] ?? null);
    digests[bucket] = written ? bucketDigest(text) : (previous?.listing?.bucketDigests[bucket] ?? bucketDigest(text));
    if (writtenAt[bucket] === null) complete = false;
  }
  const trustedBefore = Math.min(listedAt, ...writtenAt.filter((time): time is number => time !== null));
  const fast = complete
    ? {
        listing: {
          digest: listing.digest,
          trustedBefore,
          bucketListedAt: writtenAt,
          bucketDigests: digests,
          warnings: listing.warnings,
        },
      }
    : {};
  return { header: JSON.stringify({ ...header, listedAt, ...fast }), buckets };
}

/**
 * The entries of each bucket that must be written (an empty list: delete the bucket), or undefined for a bucket
 * exactly as stored. With the previous index, only the paths that changed are hashed (all of them, unless the caller
 * names them: `changedPaths`, the added, removed and re-made entries): a bucket's other members are known from
 * decoding. Without it, every bucket is written or cleared (no stale entry may survive).
 */
function changedBuckets(
  files: ReadonlyMap<string, IndexEntry>,
  previous: BuildIndex | undefined,
  changedPaths?: Iterable<string>,
): ([string, IndexEntry][] | undefined)[] {
  const members = previous ? decodedFrom.get(previous)?.members : undefined;
  if (!previous || !members) {
    const all = Array.from({ length: bucketCount }, (): [string, IndexEntry][] => []);
    for (const [path, entry] of files) all[bucketOf(path)]!.push([path, entry]);
    return all;
  }
  const changed = new Set<number>();
  if (changedPaths) for (const path of changedPaths) changed.add(bucketOf(path));
  else {
    for (const [path, entry] of files) if (previous.files.get(path) !== entry) changed.add(bucketOf(path));
    for (const path of previous.files.keys()) if (!files.has(path)) changed.add(bucketOf(path));
  }
  const result = new Array<[string, IndexEntry][] | undefined>(bucketCount).fill(undefined);
  for (const bucket of changed) {
    const entries: [string, IndexEntry][] = [];
    for (const path of members[bucket] ?? []) {
      const entry = files.get(path);
      if (entry) entries.push([path, entry]);
    }
    result[bucket] = entries;
  }
  // Paths new since the previous index join the buckets marked above.
  const added = changedPaths
    ? [...changedPaths].filter((path) => files.has(path) && !previous.files.has(path))
    : [...files.keys()].filter((path) => !previous.files.has(path));
  for (const path of added) result[bucketOf(path)]!.push([path, files.get(path)!]);
  return result;
}

/** What a decoded index was decoded from: each bucket's paths in stored order, the bucket texts, the oldest bucket's time. */
const decodedFrom = new WeakMap<
  BuildIndex,
  { members: string[][]; texts: ReadonlyMap<number, string>; oldest: number }
>();

/** Undefined for a damaged index or one of another format or tool version (a cache is only ever an optimisation). */
export function decodeBuildIndex(stored: {
  header: string;
  buckets: ReadonlyMap<number, string>;
}): BuildIndex | undefined {
  const header = parseIndexHeader(stored.header);
  return header === undefined ? undefined : decodeEntries(header, stored.buckets);
}

function decodeEntries(header: IndexHeader, buckets: ReadonlyMap<number, string>): BuildIndex | undefined {
  try {
    const files = new Map<string, IndexEntry>();
    const bucketListedAt: number[] = [];
    const members: string[][] = [];
    for (const [bucket, text] of buckets) {
      const paths: string[] = [];
      const listedAt = decodeBucket(text, files, paths);
      if (listedAt === undefined) return undefined;
      bucketListedAt[bucket] = listedAt;
      members[bucket] = paths;
    }
    const index: BuildIndex = { ...header, files, bucketListedAt };
    decodedFrom.set(index, {
      members,
      texts: buckets,
      oldest: Math.min(...bucketListedAt.filter((time) => time !== undefined)),
    });
    return index;
  } catch {
    return undefined;
  }
}

/** Adds a bucket's entries to `files`; returns the bucket's listing time, or undefined if it is damaged. */
function decodeBucket(text: string, files: Map<string, IndexEntry>, paths: string[]): number | undefined {
  const newline = text.indexOf('\n');
  const listedAt = Number(text.slice(0, newline));
  if (newline < 0 || !Number.isFinite(listedAt)) return undefined;
  // One split of the whole text (no copy of it without its first line): the first field also holds the time.
  const fields = text.split('\u0000');
  fields[0] = fields[0]!.slice(newline + 1);
  let i = 0;
  while (i < fields.length) {
    if (i + 11 > fields.length) return undefined;
    const path = fields[i]!;
    const entry: IndexEntry = {
      size: Number(fields[i + 1]),
      mtimeMs: Number(fields[i + 2]),
      ctimeMs: Number(fields[i + 3]),
      ino: Number(fields[i + 4]),
      kind: fields[i + 5]!,
      references: noReferences,
    };
    if (fields[i + 6] !== '') entry.id = fields[i + 6]!;
    if (fields[i + 7] !== '') entry.digest = fields[i + 7] as Digest;
    if (fields[i + 8] !== '') entry.warnings = JSON.parse(fields[i + 8]!) as Diagnostic[];
    if (fields[i + 9] !== '') entry.schemaId = fields[i + 9]!;
    const count = Number(fields[i + 10]);
    i += 11;
    if (!Number.isSafeInteger(count) || count < 0 || i + count > fields.length) return undefined;
    if (count > 0) entry.references = fields.slice(i, i + count);
    i += count;
    if (
      !(
        Number.isFinite(entry.size) &&
        Number.isFinite(entry.mtimeMs) &&
        Number.isFinite(entry.ctimeMs) &&
        Number.isFinite(entry.ino)
      ) ||
      files.has(path)
    )
      return undefined;
    files.set(path, entry);
    paths.push(path);
  }
  return listedAt;
}

/** Shared by the decoded entries that reference nothing (frozen: nothing may add to it). */
const noReferences: string[] = Object.freeze([]) as unknown as string[];

/** The cached analyses of these files (undefined where there is none, or it is damaged: a miss). */
export async function loadCachedAnalyses(
  store: SpecStore,
  registryPath: string,
  paths: readonly string[],
): Promise<(CachedAnalysis | undefined)[]> {
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
/**
 * The records that save a build's cache: the index header and buckets, and (unless `analyses: false`, when they were
 * written ahead with cachedAnalysisOperations) one analysis per file read.
 */
export function buildCacheOperations(
  registryPath: string,
  update: BuildCacheUpdate,
  options: { analyses?: boolean } = {},
): BatchOperation[] {
  const prefix = analysesPrefix(registryPath);
  const { header, buckets } = encodeBuildIndex(
    update.index,
    update.previous,
    [...update.analysed.keys(), ...update.removed],
    update.listing,
  );
  return [
    { type: 'put', key: indexKey(registryPath), value: header },
    ...[...buckets].map(([bucket, text]): BatchOperation =>
      text === undefined
        ? { type: 'del', key: bucketKey(registryPath, bucket) }
        : { type: 'put', key: bucketKey(registryPath, bucket), value: text },
    ),
    { type: 'del', key: legacyReferencesKey(registryPath) },
    { type: 'del', key: legacyAnalysesKey(registryPath) },
    ...(options.analyses === false ? [] : cachedAnalysisOperations(registryPath, update)),
    ...update.removed.map((path): BatchOperation => ({ type: 'del', key: `${prefix}${path}` })),
  ];
}

/**
 * The analyses of the files a build read, made one at a time as they are taken. Each may be written before the
 * index that describes it: an analysis is used only where the index's digest for its file matches its own
 * (relinkFromCache), and the payload keys it vouches for are content-addressed.
 */
export function* cachedAnalysisOperations(registryPath: string, update: BuildCacheUpdate): Iterable<BatchOperation> {
  const prefix = analysesPrefix(registryPath);
  for (const [path, record] of update.analysed) yield { type: 'put', key: `${prefix}${path}`, value: textOf(record) };
}

/** Whether a file is as the index saw it, and was not modified in the instant its entry was recorded or after. */
export function isUnchanged(index: BuildIndex | undefined, file: RegistryFile): boolean {
  return unchangedEntry(index, file) !== undefined;
}

/** The file's entry, when the file is unchanged (isUnchanged); else undefined. */
export function unchangedEntry(index: BuildIndex | undefined, file: RegistryFile): IndexEntry | undefined {
  const entry = index?.files.get(file.path);
  if (!entry || !index) return undefined;
  if (
    entry.size !== file.size ||
    entry.mtimeMs !== file.mtimeMs ||
    entry.ctimeMs !== file.ctimeMs ||
    entry.ino !== file.ino ||
    entry.kind !== file.kind
  )
    return undefined;
  // An index made in memory (not decoded) has no bucket times: its own listing time stands for every entry.
  if (index.bucketListedAt === undefined) return racyTime(file) < index.listedAt ? entry : undefined;
  return modifiedBefore(file, index.bucketListedAt, decodedFrom.get(index)?.oldest ?? Number.NEGATIVE_INFINITY)
    ? entry
    : undefined;
}

export function indexEntry(
  file: RegistryFile,
  analysis: FileAnalysis | CachedAnalysis,
  references: string[],
): IndexEntry {
  const entry: IndexEntry = {
    size: file.size,
    mtimeMs: file.mtimeMs,
    ctimeMs: file.ctimeMs,
    ino: file.ino,
    kind: file.kind,
    references,
  };
  if (analysis.spec) {
    entry.id = analysis.spec.id;
    entry.digest = analysis.spec.digest;
    if (analysis.schemaId !== undefined) entry.schemaId = analysis.schemaId;
  }
  if (analysis.diagnostics.length > 0) entry.warnings = analysis.diagnostics;
  return entry;
}

/**
 * The cached analysis of a file this build read, as the text stored for it: the analysis without the spec's text,
 * with the payload keys found valid. Made as text once validation is done, so that a large build keeps one string per
 * file until it is written rather than each analysis's objects (their references and schemas).
 */
export function cachedAnalysisRecord(
  analysis: FileAnalysis | CachedAnalysis,
  validPayloads?: readonly string[],
): string {
  // Field by field (no spreads): at 100k files the copies were a measurable part of the build's garbage.
  const record: CachedAnalysis = {
    file: analysis.file,
    path: analysis.path,
    kind: analysis.kind,
    diagnostics: analysis.diagnostics,
    references: analysis.references,
    schemas: analysis.schemas,
  };
  if (analysis.id !== undefined) record.id = analysis.id;
  const spec = analysis.spec;
  if (spec) record.spec = { id: spec.id, name: spec.name, version: spec.version, digest: spec.digest };
  if (analysis.schemaId !== undefined) record.schemaId = analysis.schemaId;
  if (validPayloads && validPayloads.length > 0) record.validPayloads = [...validPayloads];
  return JSON.stringify(record);
}

/**
 * What is wrong with the stored build-cache records, for `spec verify`: a key that is not a cache key, a header or
 * analysis that is not JSON, a bucket that does not decode or does not match its header's check value. A cache of
 * another format or tool version is not damage (the next build replaces it).
 */
export async function buildCacheProblems(store: SpecStore): Promise<{ key: string; reason: string }[]> {
  const problems: { key: string; reason: string }[] = [];
  const headers = new Map<string, string>();
  const buckets = new Map<string, Map<number, string>>();
  for await (const [name, value] of store.namespace(buildCacheSpaces.index).entries('')) {
    const key = buildCacheSpaces.index.key(name);
    const match = /^([0-9a-f]{64})(?::([0-9]{2}))?$/.exec(name);
    if (!match || (match[2] !== undefined && Number(match[2]) >= bucketCount)) {
      problems.push({ key, reason: 'it is not a build-cache key' });
      continue;
    }
    if (match[2] === undefined) headers.set(match[1]!, value);
    else {
      if (!buckets.has(match[1]!)) buckets.set(match[1]!, new Map());
      buckets.get(match[1]!)!.set(Number(match[2]), value);
    }
  }
  for (const [registry, text] of headers) {
    const key = buildCacheSpaces.index.key(registry);
    const header = parseIndexHeader(text);
    if (header === undefined) {
      if (headerFormat(text) === undefined)
        problems.push({ key, reason: 'the index header is not a JSON object with a format' });
      continue; // another format or tool version: replaced by the next build, not damage
    }
    const stored = buckets.get(registry) ?? new Map<number, string>();
    for (let bucket = 0; bucket < bucketCount; bucket++) {
      const bucketText = stored.get(bucket);
      const bucketKeyText = `${key}:${String(bucket).padStart(2, '0')}`;
      if (bucketText !== undefined && !bucketDecodes(bucketText))
        problems.push({ key: bucketKeyText, reason: 'the index bucket does not decode' });
      else if (
        header.listing &&
        (bucketText === undefined ? null : bucketDigest(bucketText)) !== (header.listing.bucketDigests[bucket] ?? null)
      ) {
        problems.push({
          key: bucketKeyText,
          reason: 'the index bucket does not match the check value its header records',
        });
      }
    }
  }
  for await (const { key, value } of store.records(buildCacheSpaces.analyses)) {
    try {
      JSON.parse(value);
    } catch {
      problems.push({ key, reason: 'the cached analysis is not JSON' });
    }
  }
  return problems;
}

function bucketDecodes(text: string): boolean {
  try {
    return decodeBucket(text, new Map(), []) !== undefined;
  } catch {
    return false;
  }
}

/** The format a stored index header names, or undefined when it is not a JSON object with a format (damage). */
function headerFormat(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    const format = value !== null && typeof value === 'object' ? (value as { format?: unknown }).format : undefined;
    return typeof format === 'string' ? format : undefined;
  } catch {
    return undefined;
  }
}
