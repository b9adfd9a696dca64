// A SnapshotView of a compiled but unstored registry: its new objects from memory, the rest (specs the build cache
// took from the store) from the store. Nothing is written.
import { memoryObjectReader } from '../store/objectReader.js';
import type { SpecStore } from '../store/specStore.js';
import type { CompiledRegistry } from './buildSnapshot.js';
import { SnapshotView } from '../snapshot/snapshotView.js';

/**
 * Opens the snapshot a registry would build to, as if it were stored. Without a store (a registry compiled without
 * one, so without the build cache) every object is in `compiled.objects`.
 */
export async function openCompiledRegistry(
  store: SpecStore | undefined,
  compiled: CompiledRegistry,
): Promise<SnapshotView> {
  return SnapshotView.open(memoryObjectReader(compiled.objects, store), compiled.snapshot);
}
