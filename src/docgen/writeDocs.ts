// Writing generated docs into a folder all or nothing: into a new folder beside it, then renamed into its place.
import { randomUUID } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { canonicalJson } from '../core/canonicalJson.js';
import type { Digest } from '../core/digest.js';
import { SpecError } from '../errors.js';
import { outputError } from '../plan/outputFile.js';
import { markerFilePath } from './docsLayout.js';
import type { GeneratedDocs } from './generateDocs.js';

export const docsFormat = 'specstore/docs/v1';

export interface WriteDocsOptions {
  /** Replace the folder even if it holds files `spec docs` did not write (they are deleted). */
  force?: boolean;
  /** How messages name the folder (default: the path as given). */
  shown?: string;
}

/** What was written: the folder as given, and every file in it (sorted; the marker file included last). */
export interface DocsWriteResult {
  snapshot: Digest;
  directory: string;
  files: string[];
  /** Whether a folder that was there (empty, or written by `spec docs`, or any with `force`) was replaced. */
  replaced: boolean;
}

/**
 * Writes the docs to `directory`, which must not exist, be empty, or hold a marker file (`.spec-docs.json`) from an
 * earlier run; else OUTPUT_NOT_EMPTY, unless `force`. Every file goes into a new folder next to it, which is then
 * renamed into place (the old folder is removed after), so readers never see half the pages; a failure leaves the
 * folder as it was. Its parent must exist (OUTPUT_NOT_FOUND otherwise, as for every output file).
 */
export function writeDocs(docs: GeneratedDocs, directory: string, options: WriteDocsOptions = {}): DocsWriteResult {
  const shown = options.shown ?? directory;
  const requested = resolve(directory);
  const existing = existingFolder(requested, shown, options.force === true);
  const target = existing ? realpathSync(requested) : requested;
  const staging = join(dirname(target), `.${basename(target)}.${randomUUID().slice(0, 8)}.spec-docs.tmp`);
  const marker = { format: docsFormat, snapshot: docs.snapshot, files: docs.files.map((file) => file.path) };
  try {
    mkdirSync(staging);
    for (const file of docs.files) {
      const path = join(staging, ...file.path.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.text, { flag: 'wx' });
    }
    writeFileSync(join(staging, markerFilePath), `${canonicalJson(marker)}\n`, { flag: 'wx' });
  } catch (cause) {
    rmSync(staging, { recursive: true, force: true });
    throw outputError(cause, shown);
  }
  swapInto(staging, target, existing, shown);
  return {
    snapshot: docs.snapshot,
    directory: shown,
    files: [...marker.files, markerFilePath],
    replaced: existing,
  };
}

/** Whether the folder exists (and may be replaced); refuses one that is a file, or holds files not ours. */
function existingFolder(absolute: string, shown: string, force: boolean): boolean {
  let stat;
  try {
    stat = lstatSync(absolute).isSymbolicLink() ? statSync(absolute) : lstatSync(absolute);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw outputError(cause, shown);
  }
  if (!stat.isDirectory())
    throw new SpecError('OUTPUT_FAILED', `cannot write docs into ${shown}: it is a file, not a folder`, {
      data: { file: shown },
    });
  let names: string[];
  try {
    names = readdirSync(absolute);
  } catch (cause) {
    throw outputError(cause, shown);
  }
  if (names.length === 0 || names.includes(markerFilePath) || force) return true;
  throw new SpecError(
    'OUTPUT_NOT_EMPTY',
    `${shown} holds files spec docs did not write (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}): name an empty or new folder, or pass --force to replace it`,
    { data: { file: shown, entries: names.length } },
  );
}

/** Renames the staged folder into place; an existing folder is moved aside first and removed once the swap is done. */
function swapInto(staging: string, target: string, existing: boolean, shown: string): void {
  const aside = `${staging}.old`;
  try {
    if (existing) renameSync(target, aside);
  } catch (cause) {
    rmSync(staging, { recursive: true, force: true });
    throw outputError(cause, shown);
  }
  try {
    renameSync(staging, target);
  } catch (cause) {
    if (existing) renameSync(aside, target);
    rmSync(staging, { recursive: true, force: true });
    throw outputError(cause, shown);
  }
  if (existing) rmSync(aside, { recursive: true, force: true });
}
