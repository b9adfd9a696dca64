// Who references a spec inside a snapshot: the kinds' reference fields, and `$ref`s of embedded JSON Schemas.
import { getAtPointer, type JsonObject } from '../core/json.js';
import { matchPointerPattern, type KindDescriptor } from '../kinds/kindDescriptor.js';
import { findSchemaSpecRefs } from '../validate/schemaCompiler.js';
import { declaredSchemaId } from '../validate/schemaUrlRefs.js';
import type { SnapshotEntry, SnapshotView } from './snapshotView.js';

/**
 * One reference written in a spec: at `pointer`, to `ref`, through a reference field or a schema `$ref` (whose `ref`
 * is a `name@version`, or the URL without fragment that a schema spec declares as its `$id`).
 */
export interface OutgoingReference {
  pointer: string;
  ref: string;
  via: 'field' | 'schema';
}

export interface SpecReferrer extends OutgoingReference {
  /** The referring spec. */
  id: string;
  kind: string;
}

export interface SpecReferrers {
  snapshot: string;
  target: SnapshotEntry;
  referrers: SpecReferrer[];
}

/** Every reference a spec makes, as its kind describes them. Pure. */
export function outgoingReferences(
  spec: JsonObject,
  kind: Pick<KindDescriptor, 'references' | 'embeddedSchemas'>,
): OutgoingReference[] {
  const references: OutgoingReference[] = [];
  for (const field of kind.references) {
    for (const match of matchPointerPattern(spec, field.path)) {
      if (typeof match.value === 'string') references.push({ pointer: match.pointer, ref: match.value, via: 'field' });
    }
  }
  for (const pattern of kind.embeddedSchemas) {
    for (const match of matchPointerPattern(spec, pattern)) {
      for (const ref of findSchemaSpecRefs(match.value))
        references.push({ pointer: `${match.pointer}${ref.pointer}`, ref: ref.ref, via: 'schema' });
    }
  }
  return references;
}

/**
 * The specs of a snapshot that reference what `ref` resolves to (a floating ref means its highest version). Reads
 * every spec once; REF_NOT_FOUND when the ref resolves to nothing.
 */
export async function findSpecReferrers(
  view: SnapshotView,
  ref: string,
  kinds?: readonly KindDescriptor[],
): Promise<SpecReferrers> {
  const { id, name, version, kind, digest, spec } = await view.resolve(ref);
  // By default, the kinds the snapshot records (their reference fields are the ones it was checked with).
  const kindByName = new Map((kinds ?? (await view.descriptors())).map((each) => [each.name, each]));
  // A schema spec is also reached by the URL its schema declares as `$id` (one spec per URL: the build checked it).
  const schemaPointer = kindByName.get(kind)?.referenceableSchema;
  const url = schemaPointer === undefined ? undefined : declaredSchemaId(getAtPointer(spec, schemaPointer));
  const referrers: SpecReferrer[] = [];
  for await (const resolved of view.values()) {
    const descriptor = kindByName.get(resolved.kind);
    if (!descriptor) continue;
    for (const reference of outgoingReferences(resolved.spec, descriptor)) {
      if (reference.ref === id || (reference.via === 'schema' && reference.ref === url))
        referrers.push({ id: resolved.id, kind: resolved.kind, ...reference });
    }
  }
  return { snapshot: view.id, target: { id, name, version, kind, digest }, referrers };
}

/**
 * The specs of a snapshot whose embedded schemas `$ref` any of `urls` (the `$id`s schema specs declare), each with
 * the URLs it reaches so. Reads every spec of a kind with embedded schemas: asked for only when a URL was retargeted.
 */
export async function findUrlReferrers(
  view: SnapshotView,
  urls: ReadonlySet<string>,
  kinds?: readonly KindDescriptor[],
): Promise<Map<string, string[]>> {
  const kindByName = new Map((kinds ?? (await view.descriptors())).map((each) => [each.name, each]));
  const referrers = new Map<string, string[]>();
  for await (const resolved of view.values()) {
    const descriptor = kindByName.get(resolved.kind);
    if (!descriptor || descriptor.embeddedSchemas.length === 0) continue;
    const reached = new Set<string>();
    for (const reference of outgoingReferences(resolved.spec, {
      references: [],
      embeddedSchemas: descriptor.embeddedSchemas,
    }))
      if (reference.via === 'schema' && urls.has(reference.ref)) reached.add(reference.ref);
    if (reached.size > 0) referrers.set(resolved.id, [...reached].sort());
  }
  return referrers;
}
