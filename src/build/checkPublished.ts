// The immutability rule applied to a build: no id@version may change digest once published (or, --strict, stored).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Digest } from '../core/digest.js';
import type { Diagnostic } from '../errors.js';
import type { BatchOperation } from '../store/keyValueStore.js';
import {
  conflictMessage,
  findPublishedConflicts,
  publicationOperations,
  readPublicationCount,
  versionMutatedError,
  type VersionConflict,
  type VersionEntry,
} from '../store/publishedVersions.js';
import type { SpecStore } from '../store/specStore.js';
import { keySpaces } from '../store/storeKeys.js';
import type { CompiledRegistry } from './buildSnapshot.js';
import { SnapshotView } from '../snapshot/snapshotView.js';

export interface VersionCheckOptions {
  /** The build also tags its snapshot, which publishes it. */
  tag?: string;
  /** Check against every snapshot in the store, not only published ones. */
  strict?: boolean;
  now: Date;
}

/**
 * Runs inside commitBuild's write lock: throws VERSION_MUTATED (with a positioned diagnostic per changed spec) so that
 * nothing is written, or returns the published-version records a tagged build adds to its batch, and the store's
 * publication count once the batch is written. When nothing was published since the last build checked its specs
 * (`compiled.versionsChecked`), only the specs that build did not have are checked.
 */
export async function buildVersionOperations(
  store: SpecStore,
  compiled: CompiledRegistry,
  options: VersionCheckOptions,
): Promise<{ operations: BatchOperation[]; publications: number }> {
  const snapshot = compiled.snapshot;
  const entries = (specs: readonly CompiledRegistry['specs'][number][]): VersionEntry[] =>
    specs.map(({ id, digest }) => ({ id, digest }));
  const publications = await readPublicationCount(store);
  const checked = compiled.versionsChecked;
  const upToDate = checked !== undefined && checked.publications === publications;
  // An unchanged rebuild with nothing published since needs no check (and no list of its specs).
  const toCheck =
    upToDate && checked.uncheckedPaths.size === 0
      ? []
      : entries(upToDate ? compiled.specs.filter((spec) => checked.uncheckedPaths.has(spec.path)) : compiled.specs);
  const conflicts = await findPublishedConflicts(store, toCheck);
  if (options.strict)
    conflicts.push(
      ...(await findStoredConflicts(store, snapshot, entries(compiled.specs), new Set(conflicts.map((c) => c.id)))),
    );
  if (conflicts.length > 0)
    throw versionMutatedError(conflicts, snapshot, await conflictDiagnostics(compiled, conflicts));
  if (options.tag === undefined) return { operations: [], publications };
  const operations = await publicationOperations(
    store,
    snapshot,
    entries(compiled.specs),
    [`tag ${options.tag}`],
    options.now,
  );
  return {
    operations,
    publications: operations.some((operation) => keySpaces.published.holds(operation.key))
      ? publications + 1
      : publications,
  };
}

/**
 * VERSION_MUTATED (a positioned diagnostic per spec) when a spec of `ids` in `compiled` has another digest than the
 * version `store` publishes: the check a change to the drafts (`spec serve`) runs before it is written.
 */
export async function checkPublishedVersions(
  store: SpecStore,
  compiled: CompiledRegistry,
  ids: ReadonlySet<string>,
): Promise<void> {
  const entries = compiled.specs.filter((spec) => ids.has(spec.id)).map(({ id, digest }) => ({ id, digest }));
  const conflicts = await findPublishedConflicts(store, entries);
  if (conflicts.length > 0)
    throw versionMutatedError(conflicts, compiled.snapshot, await conflictDiagnostics(compiled, conflicts));
}

/** Conflicts with any snapshot in the store (one per id, the first snapshot found); `skip` holds ids already reported. */
async function findStoredConflicts(
  store: SpecStore,
  snapshot: Digest,
  entries: readonly VersionEntry[],
  skip: Set<string>,
): Promise<VersionConflict[]> {
  const wanted = new Map(entries.filter((entry) => !skip.has(entry.id)).map((entry) => [entry.id, entry.digest]));
  const conflicts: VersionConflict[] = [];
  for (const other of await store.listSnapshots()) {
    if (other === snapshot || wanted.size === 0) continue;
    for (const entry of await (await SnapshotView.open(store, other)).list()) {
      const digest = wanted.get(entry.id);
      if (digest === undefined || digest === entry.digest) continue;
      conflicts.push({ id: entry.id, digest, existing: { digest: entry.digest, snapshot: other }, published: false });
      wanted.delete(entry.id);
    }
  }
  return conflicts;
}

/** One diagnostic per conflict at the spec's `id`, so the build output names the file to change. */
async function conflictDiagnostics(
  compiled: CompiledRegistry,
  conflicts: readonly VersionConflict[],
): Promise<Diagnostic[]> {
  // Positioning needs the YAML parser: loaded on this error path only, not by every build.
  const { positionDiagnostic } = await import('../validate/analyzeSpecFile.js');
  const specById = new Map(compiled.specs.map((spec) => [spec.id, spec]));
  return conflicts.map((conflict) => {
    const spec = specById.get(conflict.id)!;
    const diagnostic: Diagnostic = {
      code: 'VERSION_MUTATED',
      severity: 'error',
      message: conflictMessage(conflict),
      file: spec.file,
      pointer: '/id',
      ref: conflict.id,
    };
    try {
      const path =
        compiled.cwd === undefined ? resolve(compiled.registry, spec.path) : resolve(compiled.cwd, spec.file);
      return positionDiagnostic(diagnostic, readFileSync(path));
    } catch {
      return diagnostic; // the file changed since the build read it: the name is still right
    }
  });
}
