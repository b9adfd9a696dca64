// Finding and reading a registry's spec files: one directory per kind, YAML files below it, in a stable order.
import { readdirSync, readFileSync, readlinkSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { normalize, relative, sep } from 'node:path';
import { SpecError, type Diagnostic } from '../errors.js';

/** One spec file found in a registry (stat only; read its bytes with readSourceFile). */
export interface RegistryFile {
  /** Path shown to users (relative to the working directory when inside it). */
  file: string;
  /** Path relative to the registry root, with `/` separators: the file's stable name across machines. */
  path: string;
  absolutePath: string;
  kind: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** A registry file with its bytes. */
export interface SourceFile extends RegistryFile {
  bytes: Uint8Array;
}

export function readSourceFile(file: RegistryFile): SourceFile {
  return { ...file, bytes: readFileSync(file.absolutePath) };
}

export interface RegistryListing {
  root: string;
  files: RegistryFile[];
  /** Things in the registry that are not specs (unknown directories, non-YAML files): warnings. */
  diagnostics: Diagnostic[];
}

const specExtension = /\.ya?ml$/i;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** What listing needs of a kind (a KindDescriptor is one): its name and the directory its files live in. */
export interface KindDirectory {
  readonly name: string;
  readonly directory: string;
}

/**
 * Finds every `*.yaml`/`*.yml` file (extension in any case) under each kind's directory, recursively; dot-files and
 * dot-directories are skipped. Symbolic links are followed when their target stays inside the registry (a link
 * that leaves it, dangles or loops is an error naming it); nothing is skipped silently: a problem with the file
 * system (an unreadable folder, a name that is not UTF-8, a file where a kind folder belongs) is an error diagnostic,
 * other things that are not specs draw warnings. The rules are in docs/specs.md.
 */
export function listRegistry(root: string, kinds: readonly KindDirectory[], options: { cwd?: string } = {}): RegistryListing {
  const cwd = options.cwd ?? process.cwd();
  let rootStat;
  let realRoot;
  try {
    rootStat = statSync(root);
    realRoot = realpathSync(root);
  } catch {
    throw new SpecError('REGISTRY_NOT_FOUND', `registry directory ${root} does not exist (pass --registry DIR, or run \`spec init\`)`, { data: { registry: root } });
  }
  if (!rootStat.isDirectory()) throw new SpecError('REGISTRY_NOT_FOUND', `registry ${root} is not a directory`, { data: { registry: root } });

  const files: RegistryFile[] = [];
  const diagnostics: Diagnostic[] = [];
  // Paths are joined by hand, not with path.join/relative per file: on 13k files that was a third of the listing.
  const base = normalize(root);
  const rootPrefix = base.endsWith(sep) ? base : `${base}${sep}`;
  const rootFromCwd = relative(cwd, base);
  const shownPrefix = rootFromCwd === '' ? '' : rootFromCwd.startsWith('..') ? rootPrefix : `${rootFromCwd}${sep}`;
  const local = (relativePath: string) => (sep === '/' ? relativePath : relativePath.split('/').join(sep));
  const shown = (relativePath: string) => `${shownPrefix}${local(relativePath)}`;
  const walker: Walker = { rootPrefix, realRoot, shown, diagnostics, files: [] };
  const kindByDirectory = new Map(kinds.map((kind) => [kind.directory, kind]));

  const rootEntries = readEntries(walker, '');
  const rootEntryByName = new Map((rootEntries ?? []).map((entry) => [entry.name, entry]));
  for (const entry of rootEntries ?? []) {
    if (entry.name.startsWith('.') || kindByDirectory.has(entry.name)) continue;
    if (entry.dirent.isDirectory() || entry.dirent.isSymbolicLink()) {
      diagnostics.push({
        code: 'UNKNOWN_KIND_DIRECTORY',
        severity: 'warning',
        file: shown(entry.name),
        message: `directory "${entry.name}" is not a kind directory (${[...kindByDirectory.keys()].join(', ')}); its files are ignored`,
      });
    }
  }

  for (const kind of kinds) {
    const entry = rootEntryByName.get(kind.directory);
    if (entry === undefined) continue;
    walker.files = [];
    const ancestors = new Set([realRoot]);
    if (entry.dirent.isSymbolicLink()) {
      const target = followLink(walker, kind.directory);
      if (target?.type === 'directory') walk(walker, `${kind.directory}/`, target.real, new Set([...ancestors, target.real]));
      else if (target?.type !== undefined) kindNotADirectory(walker, kind.directory);
    } else if (entry.dirent.isDirectory()) {
      const real = `${realRoot}${sep}${kind.directory}`;
      walk(walker, `${kind.directory}/`, real, new Set([...ancestors, real]));
    } else kindNotADirectory(walker, kind.directory);

    for (const relativePath of walker.files) {
      const path = `${rootPrefix}${local(relativePath)}`;
      if (!specExtension.test(relativePath)) {
        diagnostics.push({ code: 'NOT_A_SPEC_FILE', severity: 'warning', file: shown(relativePath), message: 'not a .yaml or .yml file; ignored' });
        continue;
      }
      let stat;
      try {
        stat = statSync(path);
      } catch (cause) {
        diagnostics.push(unreadableFile(shown(relativePath), cause));
        continue;
      }
      files.push({ file: shown(relativePath), path: relativePath, absolutePath: path, kind: kind.name, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino });
    }
  }
  if (files.length === 0 && !diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
    diagnostics.push({ code: 'REGISTRY_EMPTY', severity: 'warning', file: shown('').replace(/[\\/]$/, '') || '.', message: `no spec files in any kind directory (${[...kindByDirectory.keys()].join(', ')}): the snapshot is empty` });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, files, diagnostics };
}

/** FILE_UNREADABLE for a spec file that cannot be read (no permission, removed or replaced since it was listed). */
export function unreadableFile(file: string, cause: unknown): Diagnostic {
  return { code: 'FILE_UNREADABLE', severity: 'error', file, message: `cannot read: ${(cause as Error).message}` };
}

interface Walker {
  rootPrefix: string;
  realRoot: string;
  shown: (relativePath: string) => string;
  diagnostics: Diagnostic[];
  /** `/`-separated paths relative to the root of the files found (of every type but folders). */
  files: string[];
}

interface Entry {
  name: string;
  dirent: Dirent<string> | Dirent<Buffer>;
}

function absoluteOf(walker: Walker, relativePath: string): string {
  return walker.rootPrefix + (sep === '/' ? relativePath : relativePath.split('/').join(sep));
}

/**
 * The entries of a folder (`/`-terminated, relative to the root; '' for the root), or undefined with
 * DIRECTORY_UNREADABLE. A name that is not UTF-8 (node would turn its bad bytes into U+FFFD, and the file could then
 * not be opened) is FILE_NAME_NOT_UTF8: the folder is read again as bytes only when a name holds U+FFFD.
 */
function readEntries(walker: Walker, directory: string): Entry[] | undefined {
  const absolute = absoluteOf(walker, directory);
  let dirents;
  try {
    dirents = readdirSync(absolute, { withFileTypes: true });
  } catch (cause) {
    const shownDirectory = walker.shown(directory).replace(/[\\/]$/, '') || '.';
    walker.diagnostics.push({ code: 'DIRECTORY_UNREADABLE', severity: 'error', file: shownDirectory, message: `cannot read this folder: ${(cause as Error).message}` });
    return undefined;
  }
  if (!dirents.some((dirent) => dirent.name.includes('\uFFFD'))) return dirents.map((dirent) => ({ name: dirent.name, dirent }));
  const entries: Entry[] = [];
  for (const dirent of readdirSync(absolute, { withFileTypes: true, encoding: 'buffer' })) {
    let name;
    try {
      name = strictUtf8.decode(dirent.name);
    } catch {
      const lossy = dirent.name.toString('utf8');
      const escaped = [...dirent.name].map((byte) => (byte < 0x80 ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`)).join('');
      walker.diagnostics.push({ code: 'FILE_NAME_NOT_UTF8', severity: 'error', file: walker.shown(`${directory}${lossy}`), message: `the name "${escaped}" is not valid UTF-8, so it cannot be a stable path in a snapshot; rename it` });
      continue;
    }
    entries.push({ name, dirent });
  }
  return entries;
}

/** Collects into walker.files the files below `directory`, whose real path is `real`; `ancestors` detect loops. */
function walk(walker: Walker, directory: string, real: string, ancestors: Set<string>): void {
  for (const entry of readEntries(walker, directory) ?? []) {
    if (entry.name.startsWith('.')) continue;
    const relativePath = `${directory}${entry.name}`;
    const { dirent } = entry;
    if (dirent.isFile()) walker.files.push(relativePath);
    else if (dirent.isDirectory()) {
      const childReal = `${real}${sep}${entry.name}`;
      walk(walker, `${relativePath}/`, childReal, new Set([...ancestors, childReal]));
    } else if (dirent.isSymbolicLink()) {
      const target = followLink(walker, relativePath);
      if (target?.type === 'file') walker.files.push(relativePath);
      else if (target?.type === 'directory') {
        if (ancestors.has(target.real)) {
          walker.diagnostics.push({ code: 'SYMLINK_LOOP', severity: 'error', file: walker.shown(relativePath), message: 'this link leads to a folder that contains it: following it would never end' });
        } else walk(walker, `${relativePath}/`, target.real, new Set([...ancestors, target.real]));
      } else if (target?.type === 'other') notRegular(walker, relativePath);
    } else notRegular(walker, relativePath);
  }
}

/** Where a link leads, when that is inside the registry; otherwise undefined, with SYMLINK_* (or FILE_UNREADABLE). */
function followLink(walker: Walker, relativePath: string): { type: 'file' | 'directory' | 'other'; real: string } | undefined {
  const file = walker.shown(relativePath);
  const absolute = absoluteOf(walker, relativePath);
  let real;
  try {
    real = realpathSync(absolute);
  } catch (cause) {
    const errno = (cause as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT') walker.diagnostics.push({ code: 'SYMLINK_DANGLING', severity: 'error', file, message: `this link leads nowhere (${linkTarget(absolute)} does not exist)` });
    else if (errno === 'ELOOP') walker.diagnostics.push({ code: 'SYMLINK_LOOP', severity: 'error', file, message: 'this link leads to itself through other links' });
    else walker.diagnostics.push(unreadableFile(file, cause));
    return undefined;
  }
  if (real !== walker.realRoot && !real.startsWith(`${walker.realRoot}${sep}`)) {
    walker.diagnostics.push({ code: 'SYMLINK_OUTSIDE_REGISTRY', severity: 'error', file, message: `this link leads outside the registry (to ${real}); only links that stay inside it are followed` });
    return undefined;
  }
  try {
    const stat = statSync(real);
    return { type: stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other', real };
  } catch (cause) {
    walker.diagnostics.push(unreadableFile(file, cause));
    return undefined;
  }
}

function linkTarget(absolute: string): string {
  try {
    return readlinkSync(absolute);
  } catch {
    return 'its target';
  }
}

function notRegular(walker: Walker, relativePath: string): void {
  walker.diagnostics.push({ code: 'NOT_A_SPEC_FILE', severity: 'warning', file: walker.shown(relativePath), message: 'not a regular file (a FIFO, socket or device); ignored' });
}

function kindNotADirectory(walker: Walker, directory: string): void {
  walker.diagnostics.push({ code: 'KIND_NOT_A_DIRECTORY', severity: 'error', file: walker.shown(directory), message: `"${directory}" is the folder of a kind, but this is not a folder` });
}
