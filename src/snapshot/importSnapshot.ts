// `spec import`: verify a snapshot document completely, then store it atomically.
import type { Digest } from '../core/digest.js';
import { parseJsonText } from '../core/json.js';
import { SpecError } from '../errors.js';
import type { SpecStore } from '../store/specStore.js';
import { publicationOperations } from '../store/publishedVersions.js';
import { verifySnapshotDocument } from './exportSnapshot.js';
import { openInMemorySnapshot } from './inMemorySnapshot.js';
import { versionEntries } from './publishSnapshot.js';

export interface ImportResult {
  snapshot: Digest;
  objects: number;
  newObjects: number;
  /** True when the store already had this snapshot. */
  existed: boolean;
}

/** A snapshot document whose every object hashed to its key and whose snapshot reaches only objects it holds. */
export type VerifiedDocument = Awaited<ReturnType<typeof verifySnapshotDocument>>;

/** Parses and verifies the text of a snapshot document, without any store: bad input is refused before one is opened. */
export async function parseSnapshotDocument(
  text: string,
  options: { source?: string } = {},
): Promise<VerifiedDocument> {
  let document: unknown;
  try {
    document = parseJsonText(text);
  } catch (cause) {
    throw new SpecError('IMPORT_INVALID', `the snapshot document is not valid JSON: ${(cause as Error).message}`, {
      cause,
      data: options.source === undefined ? {} : { file: options.source },
    });
  }
  return verifySnapshotDocument(document);
}

/** Stores a verified document: objects, snapshot record and publication records in one batch. */
export async function storeImportedSnapshot(
  store: SpecStore,
  verified: VerifiedDocument,
  options: { source?: string; now?: () => Date } = {},
): Promise<ImportResult> {
  const { snapshot, objects } = verified;
  const now = (options.now ?? (() => new Date()))();
  const metadata = {
    importedAt: now.toISOString(),
    ...(options.source === undefined ? {} : { source: options.source }),
  };
  // An import publishes the snapshot: its versions are recorded in the same batch, or VERSION_MUTATED stores nothing.
  const entries = await versionEntries(await openInMemorySnapshot(snapshot, objects));
  const extraOperations = () => publicationOperations(store, snapshot, entries, ['import'], now);
  const { newObjects, existed } = await store.importSnapshot({ snapshot, objects, metadata, extraOperations });
  return { snapshot, objects: objects.length, newObjects, existed };
}

/** parseSnapshotDocument then storeImportedSnapshot: nothing is written if any check fails. */
export async function importSnapshot(
  store: SpecStore,
  text: string,
  options: { source?: string; now?: () => Date } = {},
): Promise<ImportResult> {
  return storeImportedSnapshot(store, await parseSnapshotDocument(text, options), options);
}
