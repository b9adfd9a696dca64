// `protected: true`: a spec the last build of a registry had and this build drops fails the build, unless named.
import { join } from 'node:path';
import type { Digest } from '../core/digest.js';
import { isJsonObject } from '../core/json.js';
import { parseRef } from '../core/ref.js';
import { SpecError, type Diagnostic } from '../errors.js';
import type { SpecStore } from '../store/specStore.js';
import type { IndexEntry } from './buildCache.js';

/** Checks a library caller's `allowRemoval` once, at the boundary: names or exact ids. */
export function assertAllowRemoval(allowRemoval: unknown): asserts allowRemoval is readonly string[] | undefined {
  if (allowRemoval === undefined) return;
  if (!Array.isArray(allowRemoval) || !allowRemoval.every((each) => typeof each === 'string' && parseRef(each)))
    throw new TypeError('allowRemoval must be a list of spec names or name@version ids');
}

/**
 * Throws PROTECTED_SPEC_REMOVED when a spec of the previous build (entries of the build cache's index of this
 * registry, by path: the build its `last` snapshot came from; the caller may leave out the paths whose spec it knows
 * is kept) was `protected: true` and its id is not among `ids`, unless `allowRemoval`
 * names it (`name` allows every version, `name@version` that one). Only the dropped specs' documents are read.
 */
export async function assertProtectedSpecsKept(
  store: SpecStore,
  previous: ReadonlyMap<string, IndexEntry>,
  registry: string,
  ids: { has: (id: string) => boolean },
  allowRemoval: readonly string[] = [],
): Promise<void> {
  const allowed = new Set(allowRemoval);
  const dropped: { id: string; path: string; digest: Digest }[] = [];
  for (const [path, entry] of previous) {
    if (entry.id === undefined || entry.digest === undefined || ids.has(entry.id)) continue;
    if (allowed.has(entry.id) || allowed.has(entry.id.slice(0, entry.id.indexOf('@')))) continue;
    dropped.push({ id: entry.id, path, digest: entry.digest });
  }
  if (dropped.length === 0) return;
  // A document collected since (gc) cannot say whether it was protected: it is not held against the build.
  const documents = await store.readObjects(dropped.map((spec) => spec.digest));
  const diagnostics: Diagnostic[] = dropped.flatMap((spec, i) => {
    const document = documents[i];
    if (!isJsonObject(document) || document['protected'] !== true) return [];
    const name = spec.id.slice(0, spec.id.indexOf('@'));
    return [
      {
        code: 'PROTECTED_SPEC_REMOVED',
        severity: 'error' as const,
        file: join(registry, spec.path),
        ref: spec.id,
        message: `${spec.id} is protected and the last build of this registry had it, but this one does not: restore it, or allow its removal (--allow-removal ${name})`,
      },
    ];
  });
  if (diagnostics.length === 0) return;
  throw new SpecError(
    'PROTECTED_SPEC_REMOVED',
    `${diagnostics.map((d) => d.ref).join(', ')} ${diagnostics.length === 1 ? 'is' : 'are'} protected and would be removed: nothing was built or stored`,
    { diagnostics, data: { removed: diagnostics.map((d) => d.ref) } },
  );
}
