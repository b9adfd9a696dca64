// `spec status`: how a working registry differs from a snapshot, spec by spec (like `git status`).
import type { Digest } from '../core/digest.js';
import { parseSpecId } from '../core/ref.js';
import { compareVersions } from '../core/version.js';
import type { CompiledSpec } from '../build/buildSnapshot.js';
import type { SnapshotEntry } from './snapshotView.js';

export interface StatusEntry {
  id: string;
  kind: string;
  /** The digest in the registry (added, modified) or in the snapshot (removed). */
  digest: Digest;
  /** The registry file (added, modified). */
  file?: string;
  /** The digest in the snapshot (modified). */
  snapshotDigest?: Digest;
}

export interface RegistryStatus {
  registry: string;
  against: Digest;
  clean: boolean;
  added: StatusEntry[];
  removed: StatusEntry[];
  modified: StatusEntry[];
}

/** Compares by id@version: in the registry only, in the snapshot only, in both with other digests. Pure. */
export function compareRegistryWithSnapshot(
  registry: string,
  specs: readonly CompiledSpec[],
  against: Digest,
  entries: readonly SnapshotEntry[],
): RegistryStatus {
  const inSnapshot = new Map(entries.map((entry) => [entry.id, entry]));
  const inRegistry = new Set(specs.map((spec) => spec.id));
  const added: StatusEntry[] = [];
  const modified: StatusEntry[] = [];
  for (const spec of specs) {
    const entry = inSnapshot.get(spec.id);
    if (!entry) added.push({ id: spec.id, kind: spec.kind, digest: spec.digest, file: spec.file });
    else if (entry.digest !== spec.digest)
      modified.push({
        id: spec.id,
        kind: spec.kind,
        digest: spec.digest,
        file: spec.file,
        snapshotDigest: entry.digest,
      });
  }
  const removed = entries
    .filter((entry) => !inRegistry.has(entry.id))
    .map(({ id, kind, digest }) => ({ id, kind, digest }));
  added.sort(byNameThenVersion);
  modified.sort(byNameThenVersion);
  return { registry, against, clean: added.length + removed.length + modified.length === 0, added, removed, modified };
}

/** The order of `spec ls`: by name, then by version. */
function byNameThenVersion(a: StatusEntry, b: StatusEntry): number {
  const left = parseSpecId(a.id)!;
  const right = parseSpecId(b.id)!;
  if (left.name !== right.name) return left.name < right.name ? -1 : 1;
  return compareVersions(left.version, right.version);
}
