// `spec diff`, the pure part: given the names whose entries differ between two snapshots and their documents, what
// changed and what it breaks. Each name with a version on both sides is compared as an upgrade: its highest version
// on the old side replaced by its highest on the new side.
import { getAtPointer, joinPointer, type JsonObject, type JsonValue } from '../core/json.js';
import { compareVersions, parseVersion, type Version } from '../core/version.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { compareContract, comparedFields } from './contractComparisons.js';
import { isIgnored, kindConfig, reaches, type DiffConfig, type FailOn } from './diffConfig.js';
import type { SchemaResolvers } from './schemaChanges.js';
import { worstSeverity, type Direction, type Severity } from './severity.js';
import { differs, SpecRuleCatalogue, underMode, type DiffChange, type EngineSpecRuleId } from './specRules.js';

export type { DiffChange } from './specRules.js';

/** A name's entry on one side: its kind and the digest of each version. */
export interface NameVersions {
  kind: string;
  versions: Record<string, string>;
}

/** A name whose entry differs; a side is absent where the name is. */
export interface ChangedSpecName {
  name: string;
  old?: NameVersions;
  new?: NameVersions;
  /**
   * Its versions are the same on both sides, but a `$ref` by URL in its latest version reaches another schema spec
   * in the new snapshot (a URL is not pinned): compare it anyway, each side through its own snapshot's schemas.
   */
  urlRetargeted?: readonly string[];
}

/** Spec documents by id on each side; undefined when the side has no such spec. */
export interface SpecDocuments {
  old: (id: string) => JsonObject | undefined;
  new: (id: string) => JsonObject | undefined;
}

export interface SpecDiff {
  name: string;
  kind: string;
  /** `changed`: the name is on both sides with other versions or digests. */
  status: 'added' | 'removed' | 'changed';
  /** The versions compared as an upgrade: the highest on each side (absent for added and removed names). */
  from?: string;
  to?: string;
  changes: DiffChange[];
  /** The worst severity of `changes`. */
  severity: Severity;
  /** Changes dropped by the configuration's `ignore`. */
  ignored: number;
}

export interface DiffSummary {
  specs: SpecDiff[];
  severity: Severity;
  counts: Record<Severity, number>;
  ignored: number;
  failOn?: FailOn;
  /** Some change reaches `failOn`. */
  failed: boolean;
}

/** Fields that only describe: their changes are compatible in every kind. */
const annotationFields = new Set(['description', 'name']);

/** The kinds a diff knows: their comparisons by name, and the catalogue of every rule they report. */
interface DiffKinds {
  byName: ReadonlyMap<string, KindDescriptor>;
  rules: SpecRuleCatalogue;
}

const prepared = new WeakMap<readonly KindDescriptor[], DiffKinds>();

function prepareKinds(kinds: readonly KindDescriptor[]): DiffKinds {
  let diffKinds = prepared.get(kinds);
  if (!diffKinds)
    prepared.set(
      kinds,
      (diffKinds = { byName: new Map(kinds.map((kind) => [kind.name, kind])), rules: new SpecRuleCatalogue(kinds) }),
    );
  return diffKinds;
}

/** `kinds` (default: the built-in ones) say how each kind compares; a kind not among them gets the generic field rules. */
export function diffSpecs(
  changed: readonly ChangedSpecName[],
  documents: SpecDocuments,
  config: DiffConfig,
  kinds: readonly KindDescriptor[] = builtinKinds,
): SpecDiff[] {
  const diffKinds = prepareKinds(kinds);
  // A `$ref: "name@version"` names a spec of a kind with a referenceable schema (the schema kind's `/schema`).
  const pointers = [
    ...new Set(kinds.flatMap((kind) => (kind.referenceableSchema === undefined ? [] : [kind.referenceableSchema]))),
  ];
  const schemaOf = (document: JsonObject | undefined): JsonValue | undefined => {
    if (document === undefined) return undefined;
    for (const pointer of pointers) {
      const schema = getAtPointer(document, pointer);
      if (schema !== undefined) return schema;
    }
    return undefined;
  };
  const resolvers: SchemaResolvers = {
    old: (ref) => schemaOf(documents.old(ref)),
    new: (ref) => schemaOf(documents.new(ref)),
  };
  return changed.map((name) => diffName(name, documents, resolvers, config, diffKinds));
}

function diffName(
  changed: ChangedSpecName,
  documents: SpecDocuments,
  resolvers: SchemaResolvers,
  config: DiffConfig,
  kinds: DiffKinds,
): SpecDiff {
  const { name } = changed;
  const kind = (changed.new ?? changed.old)!.kind;
  const specChange = (
    rule: EngineSpecRuleId,
    direction: Direction,
    pointer: string,
    message: string,
    old?: JsonValue,
    next?: JsonValue,
  ) => kinds.rules.change(rule, direction, pointer, message, old, next);
  const settings = kindConfig(config, kind);
  const changes: DiffChange[] = [];
  let status: SpecDiff['status'] = 'changed';
  let from: Version | undefined;
  let to: Version | undefined;
  if (!changed.old) {
    status = 'added';
    changes.push(
      specChange(
        'spec.added',
        'backward',
        '',
        `${name} added (${versionsOf(changed.new!)
          .map((v) => v.text)
          .join(', ')})`,
        undefined,
        Object.keys(changed.new!.versions),
      ),
    );
  } else if (!changed.new) {
    status = 'removed';
    changes.push(specChange('spec.removed', 'backward', '', `${name} removed`, Object.keys(changed.old.versions)));
  } else if (changed.old.kind !== changed.new.kind) {
    changes.push(
      specChange(
        'spec.kind-changed',
        'backward',
        '',
        `${name} was a ${changed.old.kind}, is a ${changed.new.kind}`,
        changed.old.kind,
        changed.new.kind,
      ),
    );
  } else {
    const before = changed.old.versions;
    const after = changed.new.versions;
    for (const version of versionsOf(changed.old)) {
      const id = `${name}@${version.text}`;
      if (!Object.hasOwn(after, version.text))
        changes.push(specChange('spec.version-removed', 'backward', '', `${id} removed`, version.text));
      else if (after[version.text] !== before[version.text]) {
        changes.push(
          specChange(
            'spec.version-mutated',
            'backward',
            '',
            `${id} has another digest: a published version must not change; give the change a new version`,
            before[version.text],
            after[version.text],
          ),
        );
      }
    }
    for (const version of versionsOf(changed.new)) {
      if (!Object.hasOwn(before, version.text))
        changes.push(
          specChange('spec.version-added', 'backward', '', `${name}@${version.text} added`, undefined, version.text),
        );
    }
    from = versionsOf(changed.old).at(-1);
    to = versionsOf(changed.new).at(-1);
    if (changed.urlRetargeted !== undefined && changed.urlRetargeted.length > 0)
      changes.push(
        specChange(
          'spec.url-retargeted',
          'backward',
          '',
          `${name}@${to?.text ?? '?'} is unchanged, but ${changed.urlRetargeted.join(', ')} now names another schema spec: compared through each snapshot's`,
          undefined,
          [...changed.urlRetargeted],
        ),
      );
    if (from && to && (before[from.text] !== after[to.text] || changed.urlRetargeted !== undefined)) {
      const oldSpec = documents.old(`${name}@${from.text}`);
      const newSpec = documents.new(`${name}@${to.text}`);
      if (oldSpec && newSpec)
        changes.push(...compareContracts(kinds, kind, oldSpec, newSpec, settings.mode, resolvers));
    }
  }
  const kept = changes.filter((change) => !isIgnored(change.rule, settings.ignore));
  const ignored = changes.length - kept.length;
  if (from && to && breaksWithinMajor(from, to, kept)) {
    const change = specChange(
      'semver.breaking-without-major',
      'backward',
      '',
      `${name}@${from.text} → ${to.text} breaks callers without a new major version`,
      from.text,
      to.text,
    );
    if (!isIgnored(change.rule, settings.ignore)) kept.push(change);
  }
  const diff: SpecDiff = { name, kind, status, changes: kept, severity: worstSeverity(kept), ignored };
  if (from) diff.from = `${name}@${from.text}`;
  if (to) diff.to = `${name}@${to.text}`;
  return diff;
}

/** The contract comparison of two documents of one kind, then the fields no comparison of the kind covers. */
function compareContracts(
  kinds: DiffKinds,
  kind: string,
  oldSpec: JsonObject,
  newSpec: JsonObject,
  mode: Direction | 'full',
  resolvers: SchemaResolvers,
): DiffChange[] {
  const comparisons = kinds.byName.get(kind)?.diff?.compare ?? [];
  const covered = comparedFields(comparisons);
  return underMode(mode, (direction) => {
    const changes = compareContract(comparisons, kinds.rules, oldSpec, newSpec, direction, resolvers);
    for (const key of new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])) {
      if (key === 'id' || covered.has(key) || !differs(oldSpec[key], newSpec[key])) continue;
      const annotation = annotationFields.has(key) || key.startsWith('x-');
      changes.push(
        kinds.rules.change(
          annotation ? 'spec.annotation-changed' : 'spec.field-changed',
          direction,
          joinPointer('', key),
          `${key} changed`,
          oldSpec[key],
          newSpec[key],
        ),
      );
    }
    return changes;
  });
}

/** An upgrade within one major version (semver, or integers as majors; 0.x exempt, as semver allows) that breaks. */
function breaksWithinMajor(from: Version, to: Version, changes: readonly DiffChange[]): boolean {
  if (compareVersions(to, from) <= 0 || from.major !== to.major || from.major === '0') return false;
  return changes.some((change) => change.severity === 'breaking' && !change.rule.startsWith('spec.version-'));
}

function versionsOf(entry: NameVersions): Version[] {
  return Object.keys(entry.versions)
    .map((text) => parseVersion(text))
    .filter((version): version is Version => version !== undefined)
    .sort(compareVersions);
}

/** The report's totals and verdict. */
export function summarizeDiff(specs: SpecDiff[], failOn: FailOn | undefined): DiffSummary {
  const counts: Record<Severity, number> = { breaking: 0, unknown: 0, warning: 0, compatible: 0 };
  for (const spec of specs) for (const change of spec.changes) counts[change.severity]++;
  const severity = worstSeverity(specs);
  const summary: DiffSummary = {
    specs,
    severity,
    counts,
    ignored: specs.reduce((sum, spec) => sum + spec.ignored, 0),
    failed: failOn !== undefined && specs.some((spec) => reaches(spec.severity, failOn)),
  };
  if (failOn !== undefined) summary.failOn = failOn;
  return summary;
}
