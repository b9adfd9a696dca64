// The kinds a catalog knows: the descriptors it was given, and the kind definitions a snapshot records (format v2).
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import type { SnapshotView } from '../snapshot/snapshotView.js';

/** What the catalog and the docs need of a kind: its name, folder, summary, capability pointer and references. */
export type CatalogKind = Pick<
  KindDescriptor,
  'name' | 'directory' | 'summary' | 'capabilities' | 'references' | 'embeddedSchemas'
>;

/**
 * The descriptors, then every kind the snapshot records a definition of that no descriptor names (a user kind of the
 * registry or of a plugin, read by SnapshotView.descriptors), sorted by name. A descriptor wins over a recorded one.
 */
export async function catalogKinds(
  view: SnapshotView | undefined,
  descriptors: readonly KindDescriptor[] = builtinKinds,
): Promise<CatalogKind[]> {
  const byName = new Map<string, CatalogKind>(descriptors.map((descriptor) => [descriptor.name, descriptor]));
  for (const kind of view ? await view.descriptors(descriptors) : [])
    if (!byName.has(kind.name)) byName.set(kind.name, kind);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
