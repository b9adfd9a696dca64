// Diffing stored snapshots, the I/O around diff/'s pure rules: compare the trees, then read only the specs the rules ask
// for (the two versions compared per name, and the schema specs their `$ref`s reach).
import type { Digest } from '../core/digest.js';
import type { JsonObject } from '../core/json.js';
import { parseSpecId } from '../core/ref.js';
import { defaultDiffConfig, reaches, type DiffConfig, type FailOn } from '../diff/diffConfig.js';
import { diffKindDefinitions, type KindDiff } from '../diff/kindRules.js';
import { worstSeverity } from '../diff/severity.js';
import { diffSpecs, summarizeDiff, type DiffSummary, type SpecDiff, type SpecDocuments } from '../diff/diffSpecs.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { compareTrees } from '../snapshot/compareTrees.js';
import { schemaIdIndex } from '../snapshot/schemaIdIndex.js';
import type { SnapshotEntry, SnapshotView } from '../snapshot/snapshotView.js';

/** How to diff: the compatibility configuration, and the severity to fail on. */
export interface DiffOptions {
  config?: DiffConfig;
  /** Overrides the configuration's `failOn`. */
  failOn?: FailOn;
  /** The kinds whose rules compare specs (default: those the two snapshots record, the new side's where both do). */
  kinds?: readonly KindDescriptor[];
}

/** A diff of two snapshots: every changed spec with its changes and their severities, and whether it failed. */
export interface DiffReport extends DiffSummary {
  from: Digest;
  to: Digest;
  /** What changed in the kinds the snapshots record (empty when either records none, as v1 snapshots do). */
  kinds: KindDiff[];
  /** No name and no kind differs. */
  empty: boolean;
  /** What was read: tree nodes (both sides) and spec documents. */
  read: { treeNodes: number; specs: number };
}

/** Reference chains between schema specs longer than this are left unresolved (their changes are `unknown`). */
const maxLoadRounds = 64;

/** What changed from `before` to `after`, and what it breaks, reading only the specs that differ. */
export async function diffSnapshots(
  before: SnapshotView,
  after: SnapshotView,
  options: DiffOptions = {},
): Promise<DiffReport> {
  const config = options.config ?? defaultDiffConfig;
  const { changed, nodesRead } = await compareTrees(before, after);
  const kinds = options.kinds ?? (await snapshotKinds(before, after));
  const loaded = { old: new Map<string, JsonObject | null>(), new: new Map<string, JsonObject | null>() };
  // The versions that differ are what the rules compare first: read them in one batch per side, before the first round.
  const differing = { old: [] as SnapshotEntry[], new: [] as SnapshotEntry[] };
  for (const { name, old, new: next } of changed) {
    for (const [side, entry, other] of [
      ['old', old, next],
      ['new', next, old],
    ] as const) {
      if (!entry) continue;
      for (const [version, digest] of Object.entries(entry.versions)) {
        if (other?.versions[version] !== digest)
          differing[side].push({ id: `${name}@${version}`, name, version, kind: entry.kind, digest });
      }
    }
  }
  await Promise.all(
    (['old', 'new'] as const).map(async (side) => {
      const documents = await (side === 'old' ? before : after).readSpecs(differing[side]);
      differing[side].forEach((entry, i) => loaded[side].set(entry.id, documents[i]!));
    }),
  );
  // The rules are pure and synchronous: run them, note the documents they asked for and did not have, load those,
  // run again. Each round loads one more link of the $ref chains; the last round had everything it asked for.
  let specs: SpecDiff[] = [];
  for (let round = 0; round < maxLoadRounds; round++) {
    const wanted = { old: new Set<string>(), new: new Set<string>() };
    const lookup = (side: 'old' | 'new') => (id: string) => {
      const document = loaded[side].get(id);
      if (document === undefined) wanted[side].add(id);
      return document ?? undefined;
    };
    const documents: SpecDocuments = { old: lookup('old'), new: lookup('new') };
    specs = diffSpecs(changed, documents, config, kinds);
    if (wanted.old.size + wanted.new.size === 0) break;
    await Promise.all([load(before, wanted.old, loaded.old), load(after, wanted.new, loaded.new)]);
  }
  const read = [...loaded.old.values(), ...loaded.new.values()].filter((document) => document !== null).length;
  const failOn = options.failOn ?? config.failOn;
  const kindChanges = diffKindDefinitions(before.kindDigests(), after.kindDigests());
  const summary = summarizeDiff(specs, failOn);
  for (const change of kindChanges) summary.counts[change.severity]++;
  summary.severity = worstSeverity([summary, ...kindChanges]);
  if (failOn !== undefined && kindChanges.some((change) => reaches(change.severity, failOn))) summary.failed = true;
  return {
    from: before.id,
    to: after.id,
    kinds: kindChanges,
    empty: changed.length === 0 && kindChanges.length === 0,
    ...summary,
    read: { treeNodes: nodesRead, specs: read },
  };
}

/** The kinds of both snapshots by name, the new side's where both have one. */
async function snapshotKinds(before: SnapshotView, after: SnapshotView): Promise<KindDescriptor[]> {
  const [old, next] = await Promise.all([before.descriptors(), after.descriptors()]);
  const byName = new Map(old.map((kind) => [kind.name, kind]));
  for (const kind of next) byName.set(kind.name, kind);
  return [...byName.values()];
}

async function load(view: SnapshotView, ids: Set<string>, into: Map<string, JsonObject | null>): Promise<void> {
  await Promise.all(
    [...ids].map(async (id) => {
      // A $ref the rules pass on may be any URI: an exact id, or the `$id` URL a schema spec declares, names a spec.
      const specId = parseSpecId(id) ? id : (await schemaIdIndex(view)).get(id);
      const resolved = specId === undefined ? undefined : await view.get(specId);
      into.set(id, resolved ? resolved.spec : null);
    }),
  );
}
