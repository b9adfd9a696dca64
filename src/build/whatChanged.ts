// What a build must redo, from the last build's index and the listing alone: pure, so a file watcher can reuse it.
import type { Digest } from '../core/digest.js';
import type { RegistryFile } from '../source/listRegistry.js';
import { unchangedEntry, type BuildIndex, type IndexEntry } from './buildCache.js';

/** What the link needs to know of a file: the id it defines (if any), its kind and digest, the ids it references. */
export interface FileState {
  id?: string;
  kind: string;
  digest?: Digest;
  references: readonly string[];
  /** The URL its schema declares as `$id`: a file may reference it by that instead of its id. */
  schemaId?: string;
}

export interface Changes {
  /** Files (indices into the listing) to read and analyse again: new, modified, or not vouched for by the index. */
  reanalyse: number[];
  /** Unchanged files whose references reach, directly or through other specs, an id whose spec changed. */
  relink: number[];
  /** Paths the index has that the listing no longer has. */
  removed: string[];
}

/**
 * The index entry that still describes each listed file (as the index saw it, and not modified since its entry was
 * written), or undefined for a file to read again. An entry without a digest (a file that failed) does not count.
 */
export function unchangedEntries(
  previous: BuildIndex | undefined,
  files: readonly RegistryFile[],
): (IndexEntry | undefined)[] {
  const known = new Array<IndexEntry | undefined>(files.length);
  for (let index = 0; index < files.length; index++) {
    const entry = unchangedEntry(previous, files[index]!);
    known[index] = entry?.digest === undefined ? undefined : entry;
  }
  return known;
}

/** The indices of the files `known` has no entry for (a loop: flatMap made an array per file). */
export function unknownIndices(known: readonly (IndexEntry | undefined)[]): number[] {
  const indices: number[] = [];
  for (let index = 0; index < known.length; index++) if (known[index] === undefined) indices.push(index);
  return indices;
}

/**
 * What changed: the files not described by `known` (see unchangedEntries) are re-analysed, and `readAgain` gives what
 * their analysis found; the files to link again are the referrers, direct or through other specs, of every id whose
 * spec was added, removed, duplicated or changed in kind or digest. Only the files read again and the files that are
 * gone can change an id, so only theirs are compared (the index holds no duplicates: only a build that succeeded
 * writes it). Without an index there is nothing to compare: nothing is relinked.
 */
export function whatChanged(
  previous: BuildIndex | undefined,
  files: readonly RegistryFile[],
  known: readonly (IndexEntry | undefined)[],
  readAgain: ReadonlyMap<number, FileState>,
): Changes {
  const reanalyse = unknownIndices(known);
  if (!previous) return { reanalyse, relink: [], removed: [] };
  const removed = removedPaths(previous, files, reanalyse);

  const before = new Map<string, string[]>();
  const now = new Map<string, string[]>();
  const note = (map: Map<string, string[]>, id: string, state: string) => {
    const states = map.get(id);
    if (states) states.push(state);
    else map.set(id, [state]);
  };
  // A spec is known by its id and, for a schema whose root declares one, by its `$id` URL: a change reaches both.
  const noteState = (map: Map<string, string[]>, state: FileState | IndexEntry | undefined) => {
    if (state?.id === undefined) return;
    note(map, state.id, `${state.kind} ${state.digest ?? '-'}`);
    if (state.schemaId !== undefined) note(map, state.schemaId, `${state.id} ${state.digest ?? '-'}`);
  };
  const noteEntry = (entry: IndexEntry | undefined) => noteState(before, entry);
  for (const index of reanalyse) {
    noteEntry(previous.files.get(files[index]!.path));
    noteState(now, readAgain.get(index));
  }
  for (const path of removed) noteEntry(previous.files.get(path));
  const changed = new Set<string>();
  const same = (a: string[] | undefined, b: string[] | undefined) =>
    a !== undefined && b !== undefined && a.length === b.length && a.sort().join('\n') === b.sort().join('\n');
  for (const id of new Set([...before.keys(), ...now.keys()])) if (!same(before.get(id), now.get(id))) changed.add(id);

  // Changes travel through every file, read again or not (a predicate read again but unchanged still passes on a
  // change to the schema its args $ref); only the files the index alone describes need linking again. One pass over
  // the files per step of the chain (chains are short), instead of a map of every file's referrers.
  const affected = new Set<number>();
  const visited = new Set<number>();
  let frontier = changed;
  while (frontier.size > 0) {
    const next = new Set<string>();
    for (let index = 0; index < files.length; index++) {
      const state = known[index] ?? readAgain.get(index);
      if (state === undefined || !referencesAny(state.references, frontier) || visited.has(index)) continue;
      visited.add(index);
      if (known[index]) affected.add(index);
      // Its referrers may depend on what it reaches (a schema that $refs a changed schema), by id or by `$id`.
      for (const name of [state?.id, state?.schemaId]) {
        if (name !== undefined && !changed.has(name)) {
          changed.add(name);
          next.add(name);
        }
      }
    }
    frontier = next;
  }
  return { reanalyse, relink: [...affected].sort((a, b) => a - b), removed };
}

/** Whether a file references one of these ids (a plain loop: this runs for every file of the registry). */
function referencesAny(references: readonly string[], ids: ReadonlySet<string>): boolean {
  for (let i = 0; i < references.length; i++) if (ids.has(references[i]!)) return true;
  return false;
}

/**
 * The paths of the index that the listing no longer has. Every file not read again is described by the index, so when
 * the listing accounts for all of the index's paths (the usual rebuild) nothing is gone, without a set of every path.
 */
function removedPaths(previous: BuildIndex, files: readonly RegistryFile[], reanalyse: readonly number[]): string[] {
  let inIndex = files.length - reanalyse.length;
  for (const index of reanalyse) if (previous.files.has(files[index]!.path)) inIndex++;
  if (inIndex === previous.files.size) return [];
  const listed = new Set(files.map((file) => file.path));
  return [...previous.files.keys()].filter((path) => !listed.has(path));
}
