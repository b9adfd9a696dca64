// The kinds a catalog knows: the descriptors it was given, and the kind definitions a snapshot records (format v2).
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import type { KindDescriptor, ReferenceField } from '../kinds/kindDescriptor.js';
import type { SnapshotView } from '../snapshot/snapshotView.js';

/** What the catalog and the docs need of a kind: its name, folder, summary, capability pointer and references. */
export interface CatalogKind {
  name: string;
  directory: string;
  summary: string;
  /** Pointer pattern of the kind's list of capability strings (tools: `/capabilities`); absent = no capabilities. */
  capabilities?: string;
  references: ReferenceField[];
  embeddedSchemas: string[];
}

/** The optional readers a format v2 SnapshotView adds; absent on a view that predates them. */
interface RecordingView {
  kinds?: () => unknown;
}

/**
 * The descriptors, then every kind the snapshot records a definition of that no descriptor names (a user kind of the
 * registry or of a plugin), sorted by name. A descriptor wins over a recorded definition of the same name.
 */
export async function catalogKinds(
  view: SnapshotView | undefined,
  descriptors: readonly KindDescriptor[],
): Promise<CatalogKind[]> {
  const byName = new Map<string, CatalogKind>();
  for (const descriptor of descriptors) byName.set(descriptor.name, fromDescriptor(descriptor));
  const recorded = view ? await (view as unknown as RecordingView).kinds?.() : undefined;
  for (const [name, definition] of recordedEntries(recorded)) {
    if (byName.has(name)) continue;
    byName.set(name, fromDefinition(name, definition));
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function fromDescriptor(descriptor: KindDescriptor): CatalogKind {
  return {
    name: descriptor.name,
    directory: descriptor.directory,
    summary: descriptor.summary,
    ...(descriptor.capabilities === undefined ? {} : { capabilities: descriptor.capabilities }),
    references: descriptor.references,
    embeddedSchemas: descriptor.embeddedSchemas,
  };
}

/** `kinds()` may give a Map or a plain object, of definitions (or, before they are read, of digests). */
function recordedEntries(recorded: unknown): [string, unknown][] {
  if (recorded instanceof Map) return [...(recorded as Map<string, unknown>).entries()];
  if (recorded !== null && typeof recorded === 'object') return Object.entries(recorded);
  return [];
}

/** A recorded definition (`specstore/kind/v1`): only the fields the catalog reads, each checked for its type. */
function fromDefinition(name: string, definition: unknown): CatalogKind {
  const recorded = definition as JsonValue;
  const value: JsonObject = isJsonObject(recorded) ? recorded : {};
  const text = (key: string) => {
    const field = value[key];
    return typeof field === 'string' ? field : undefined;
  };
  const strings = (list: JsonValue | undefined) =>
    Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
  const references = Array.isArray(value['references'])
    ? value['references'].flatMap((field) =>
        isJsonObject(field) && typeof field['path'] === 'string'
          ? [{ path: field['path'], kinds: strings(field['kinds']) }]
          : [],
      )
    : [];
  const capabilities = text('capabilities');
  return {
    name,
    directory: text('directory') ?? name,
    summary: text('summary') ?? '',
    ...(capabilities === undefined ? {} : { capabilities }),
    references,
    embeddedSchemas: strings(value['embedded_schemas']),
  };
}
