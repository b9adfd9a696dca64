// `spec fmt` over files: finds the spec files, formats each with its kind's schema, and writes changed ones atomically.
import { chmodSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { JsonObject } from '../core/json.js';
import { invalidInput, SpecError, type Diagnostic } from '../errors.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { kindFileSchema } from '../kinds/kindDefinition.js';
import { formatSpecText } from '../source/formatSpecText.js';
import { kindFilesDirectory, listRegistry } from '../source/listRegistry.js';
import { shownPath } from '../source/shownPath.js';
import { loadRegistryKinds } from './loadRegistryKinds.js';

export interface FormatSpecFilesOptions {
  /** The registry folder: its kinds give the key order, and it is what is formatted when `paths` is empty. */
  registry: string;
  /** Files or folders (searched for `*.yaml`/`*.yml`) to format instead of the whole registry. */
  paths?: string[];
  /** Rewrite the files that change (atomically, keeping their mode). */
  write?: boolean;
  /** Relative paths are resolved and files shown from here (default: the process's working directory). */
  cwd?: string;
}

export interface FormattedFile {
  /** The file as shown to users. */
  file: string;
  /** The kind whose schema ordered its keys, when the file is in a kind's directory. */
  kind?: string;
  changed: boolean;
  /** Whether it was rewritten (`write`, and changed). */
  written: boolean;
  original: string;
  formatted: string;
}

export interface FormatSpecFilesResult {
  files: FormattedFile[];
  /** The files that are not formatted (or were, and have been rewritten), as shown. */
  changed: string[];
}

const yamlFile = /\.ya?ml$/i;

/**
 * Formats spec files. Every file is formatted before any is written: if one does not parse, the call throws
 * INVALID_INPUT with every file's problems (file:line:col) and nothing is written.
 */
export async function formatSpecFiles(options: FormatSpecFilesOptions): Promise<FormatSpecFilesResult> {
  const cwd = options.cwd ?? process.cwd();
  const registry = resolve(cwd, options.registry);
  const loaded = await loadRegistryKinds(registry, { cwd });
  const kinds = loaded.kinds;
  const targets = options.paths?.length ? filesUnder(options.paths.map((path) => resolve(cwd, path))) : undefined;
  const files =
    targets ??
    listRegistry(registry, kinds, { cwd })
      .files.flatMap((file) => (file.absolutePath === undefined ? [] : [file.absolutePath]))
      .sort();
  const diagnostics: Diagnostic[] = [];
  const results: (FormattedFile & { path: string })[] = [];
  for (const path of files) {
    const file = shownPath(cwd, path);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (cause) {
      diagnostics.push({ code: 'FILE_UNREADABLE', severity: 'error', file, message: (cause as Error).message });
      continue;
    }
    const { kind, schema } = kindOf(path, registry, kinds);
    const formatted = formatSpecText(bytes, file, schema);
    diagnostics.push(...formatted.diagnostics);
    if (formatted.text === undefined) continue;
    const original = Buffer.from(bytes).toString('utf8');
    results.push({
      path,
      file,
      ...(kind === undefined ? {} : { kind }),
      changed: original !== formatted.text,
      written: false,
      original,
      formatted: formatted.text,
    });
  }
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
    throw invalidInput(diagnostics, 'nothing was written');
  }
  if (options.write) {
    for (const result of results) {
      if (!result.changed) continue;
      writeAtomically(result.path, result.formatted, result.file);
      result.written = true;
    }
  }
  return {
    files: results.map(({ path: _path, ...result }) => result),
    changed: results.filter((result) => result.changed).map((result) => result.file),
  };
}

/** The kind of a file: the kind whose directory is the first folder of its path in the registry (or nearest above). */
function kindOf(
  path: string,
  registry: string,
  kinds: readonly KindDescriptor[],
): { kind?: string; schema?: JsonObject } {
  const inside = relative(registry, path);
  const folders = (inside.startsWith('..') ? dirname(path) : dirname(inside)).split(sep);
  const candidates = inside.startsWith('..') ? folders.reverse() : folders.slice(0, 1);
  for (const folder of candidates) {
    if (folder === kindFilesDirectory) return { kind: 'kind', schema: kindFileSchema };
    const kind = kinds.find((candidate) => candidate.directory === folder);
    if (kind !== undefined) return { kind: kind.name, schema: kind.schema };
  }
  return {};
}

function filesUnder(paths: string[]): string[] {
  const found: string[] = [];
  const visit = (path: string, named: boolean): void => {
    let stats;
    try {
      stats = statSync(path);
    } catch (cause) {
      if (named) throw new SpecError('FILE_UNREADABLE', `cannot read ${path}: ${(cause as Error).message}`);
      return;
    }
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path).sort()) if (!entry.startsWith('.')) visit(join(path, entry), false);
    } else if (named || yamlFile.test(path)) found.push(path);
  };
  for (const path of paths) visit(path, true);
  return [...new Set(found)];
}

/** A temporary file in the same folder, given the old file's mode, renamed over it: readers see old or new. */
function writeAtomically(path: string, text: string, file: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.fmt.tmp`);
  try {
    const mode = statSync(path).mode & 0o7777;
    writeFileSync(temporary, text, { flag: 'wx', mode });
    chmodSync(temporary, mode);
    renameSync(temporary, path);
  } catch (cause) {
    rmSync(temporary, { force: true });
    throw new SpecError('FORMAT_WRITE_FAILED', `cannot write ${file}: ${(cause as Error).message}`, {
      cause,
      data: { file },
    });
  }
}
