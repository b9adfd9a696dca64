// `spec import`: verify a snapshot document completely, then store it atomically.
import { readFileSync } from 'node:fs';
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

/** Reads a snapshot document from a file and verifies it: a missing, unreadable or non-UTF-8 file is refused by code. */
export async function readSnapshotDocumentFile(path: string, label = path): Promise<VerifiedDocument> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    // Only a missing file is "not found"; a folder or a file the user may not read is named as such.
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SpecError(
      missing ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      `cannot read ${label}: ${(cause as Error).message}`,
      {
        data: { file: label },
        cause,
      },
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new SpecError('IMPORT_INVALID', `${label} is not UTF-8 text: a snapshot document is JSON in UTF-8`, {
      data: { file: label },
      cause,
    });
  }
  return parseSnapshotDocument(text, { source: label });
}
