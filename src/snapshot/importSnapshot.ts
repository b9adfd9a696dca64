// `spec import`: verify a snapshot document completely, then store it atomically.
import type { Digest } from '../core/digest.js';
import { SpecError } from '../errors.js';
import type { SpecStore } from '../store/specStore.js';
import { verifySnapshotDocument } from './exportSnapshot.js';

export interface ImportResult {
  snapshot: Digest;
  objects: number;
  newObjects: number;
  /** True when the store already had this snapshot. */
  existed: boolean;
}

/** Parses and verifies the text of a snapshot document, then stores it; nothing is written if any check fails. */
export async function importSnapshot(store: SpecStore, text: string, options: { source?: string; now?: () => Date } = {}): Promise<ImportResult> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new SpecError('IMPORT_INVALID', `the snapshot document is not valid JSON: ${(cause as Error).message}`, { cause, data: options.source === undefined ? {} : { file: options.source } });
  }
  const { snapshot, objects } = verifySnapshotDocument(document);
  const metadata = { importedAt: (options.now ?? (() => new Date()))().toISOString(), ...(options.source === undefined ? {} : { source: options.source }) };
  const { newObjects, existed } = await store.importSnapshot({ snapshot, objects, metadata });
  return { snapshot, objects: objects.length, newObjects, existed };
}
