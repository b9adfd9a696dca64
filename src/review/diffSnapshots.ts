// Diffing stored snapshots, the I/O around diff/'s pure rules: compare the trees, then read only the specs the rules ask
// for (the two versions compared per name, and the schema specs their `$ref`s reach).
import type { Digest } from '../core/digest.js';
import { getAtPointer, type JsonObject } from '../core/json.js';
import { parseSpecId } from '../core/ref.js';
import { compareVersions, parseVersion, type Version } from '../core/version.js';
import { defaultDiffConfig, reaches, type DiffConfig, type FailOn } from '../diff/diffConfig.js';
import { diffKindDefinitions, type KindDiff } from '../diff/kindRules.js';
import { worstSeverity } from '../diff/severity.js';
import {
  diffSpecs,
  summarizeDiff,
  type ChangedSpecName,
  type DiffSummary,
  type SpecDiff,
  type SpecDocuments,
} from '../diff/diffSpecs.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { compareTrees } from '../snapshot/compareTrees.js';
import { findUrlReferrers } from '../snapshot/referenceIndex.js';
import { schemaIdIndex } from '../snapshot/schemaIdIndex.js';
import type { SnapshotEntry, SnapshotView } from '../snapshot/snapshotView.js';
import { declaredSchemaId } from '../validate/schemaUrlRefs.js';

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
  const compared: ChangedSpecName[] = [
    ...changed,
    ...(await urlRetargetedReferrers(before, after, kinds, differing, loaded, changed)),
  ];
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
    specs = diffSpecs(compared, documents, config, kinds);
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
    empty: compared.length === 0 && kindChanges.length === 0,
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

/**
 * The unchanged specs that the diff must compare all the same: a schema spec that differs declares a URL as its
 * `$id`, and that URL names another spec in `after` than in `before` (acme.base@1 removed, acme.base@2 added with
 * the same `$id`), so what the specs `$ref`ing the URL accept changed without a new version. Costs nothing when no
 * differing schema declares a URL; otherwise reads the schema specs of both sides and every spec of `after` once.
 */
async function urlRetargetedReferrers(
  before: SnapshotView,
  after: SnapshotView,
  kinds: readonly KindDescriptor[],
  differing: { old: SnapshotEntry[]; new: SnapshotEntry[] },
  loaded: { old: Map<string, JsonObject | null>; new: Map<string, JsonObject | null> },
  changed: readonly ChangedSpecName[],
): Promise<ChangedSpecName[]> {
  const pointerOf = new Map(
    kinds.flatMap((kind) => (kind.referenceableSchema === undefined ? [] : [[kind.name, kind.referenceableSchema]])),
  );
  const declared = new Set<string>();
  for (const side of ['old', 'new'] as const)
    for (const entry of differing[side]) {
      const pointer = pointerOf.get(entry.kind);
      const document = loaded[side].get(entry.id);
      const url = pointer === undefined || !document ? undefined : declaredSchemaId(getAtPointer(document, pointer));
      if (url !== undefined) declared.add(url);
    }
  if (declared.size === 0) return [];
  const [was, is] = await Promise.all([schemaIdIndex(before, kinds), schemaIdIndex(after, kinds)]);
  const retargeted = new Set([...declared].filter((url) => was.get(url) !== is.get(url)));
  if (retargeted.size === 0) return [];
  const names = new Set(changed.map((each) => each.name));
  const added: ChangedSpecName[] = [];
  for (const [id, urls] of await findUrlReferrers(after, retargeted, kinds)) {
    const ref = parseSpecId(id)!;
    if (names.has(ref.name)) continue; // compared anyway, each side through its own snapshot
    const entry = await after.nameEntry(ref.name);
    const previous = await before.nameEntry(ref.name);
    // The diff compares a name's highest versions: only a referrer that is one on both sides.
    if (
      !entry ||
      !previous ||
      highest(entry.versions) !== ref.version.text ||
      highest(previous.versions) !== ref.version.text
    )
      continue;
    names.add(ref.name);
    added.push({ name: ref.name, old: previous, new: entry, urlRetargeted: urls });
  }
  return added;
}

/** The text of the highest of a name's versions. */
function highest(versions: Readonly<Record<string, unknown>>): string | undefined {
  return Object.keys(versions)
    .map((text) => parseVersion(text))
    .filter((version): version is Version => version !== undefined)
    .sort(compareVersions)
    .at(-1)?.text;
}
