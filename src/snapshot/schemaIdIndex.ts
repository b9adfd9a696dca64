// Which schema spec of a snapshot answers to each `$id` URL: how `$ref`s by URL are followed after the build.
import { getAtPointer } from '../core/json.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { declaredSchemaId } from '../validate/schemaUrlRefs.js';
import type { SnapshotView } from './snapshotView.js';

const indexes = new WeakMap<SnapshotView, Promise<ReadonlyMap<string, string>>>();

/**
 * The `id@version` of the schema spec declaring each `$id` URL (the build refused a `$ref` to a URL that two declare). Made on first
 * use, for each view once, by reading every spec of a kind with a referenceable schema: only asked for when a `$ref`
 * by URL must be followed.
 */
export function schemaIdIndex(
  view: SnapshotView,
  kinds?: readonly KindDescriptor[],
): Promise<ReadonlyMap<string, string>> {
  let index = indexes.get(view);
  if (!index) {
    index = (async () => {
      const pointers = new Map(
        (kinds ?? (await view.descriptors())).flatMap((kind) =>
          kind.referenceableSchema === undefined ? [] : [[kind.name, kind.referenceableSchema] as const],
        ),
      );
      const entries = (await view.list()).filter((entry) => pointers.has(entry.kind));
      const documents = await view.readSpecs(entries);
      const byUrl = new Map<string, string>();
      entries.forEach((entry, i) => {
        const url = declaredSchemaId(getAtPointer(documents[i]!, pointers.get(entry.kind)!));
        if (url !== undefined && !byUrl.has(url)) byUrl.set(url, entry.id);
      });
      return byUrl;
    })();
    indexes.set(view, index);
    index.catch(() => indexes.delete(view));
  }
  return index;
}
