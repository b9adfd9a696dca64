// Finding and reading a registry's spec files: one directory per kind, YAML files below it, in a stable order.
import { normalize, relative, sep } from 'node:path';
import { SpecError, type Diagnostic } from '../errors.js';
import {
  fileSystemRoot,
  type PluginOrigin,
  type RegistryFileSystem,
  type RegistryRoot,
  type RegistrySource,
} from './registrySource.js';

/** One spec file found in a registry (stat only; read its bytes with the listing's readFile). */
export interface RegistryFile {
  /** Path shown to users (relative to the working directory when inside it). */
  file: string;
  /**
   * Path relative to its root, with `/` separators: the file's stable name across machines. A plugin root's files are
   * named under the package (`@acme/media-tools/tools/x.yaml`), so they never take a path of the registry's own.
   */
  path: string;
  /** The location of the root it was found in. */
  root: string;
  /** The plugin package the file comes from; absent for the registry's own files. */
  origin?: PluginOrigin;
  /** Where it is on disk (so worker threads can read it); absent for a root that is not on disk. */
  absolutePath?: string;
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

export interface RegistryListing {
  root: string;
  files: RegistryFile[];
  /** Things in the registry that are not specs (unknown directories, non-YAML files): warnings. */
  diagnostics: Diagnostic[];
  /** Reads a listed file from its root. */
  readFile: (file: RegistryFile) => SourceFile;
  /** Every root's stats change whenever its content does: the build cache may trust them. */
  statsTrackChanges: boolean;
}

const specExtension = /\.ya?ml$/i;

/** The folder at a root's top that holds kind files (`kinds/*.yaml`): never a spec directory, never warned about. */
export const kindFilesDirectory = 'kinds';

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
 * other things that are not specs draw warnings. The rules are in docs/specs.md. With several roots, each is listed
 * so, and a path found in two of them is REGISTRY_PATH_CONFLICT (the first root's file is kept). A root with an
 * `origin` (a plugin) names its files under the package name, and its files carry that origin.
 */
export function listRegistry(
  source: string | RegistrySource,
  kinds: readonly KindDirectory[],
  options: { cwd?: string } = {},
): RegistryListing {
  const cwd = options.cwd ?? process.cwd();
  const roots = typeof source === 'string' ? [fileSystemRoot(source)] : source.roots;
  if (roots.length === 0) throw new TypeError('listRegistry: a registry source needs at least one root');
  const files: RegistryFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const kindByDirectory = new Map(kinds.map((kind) => [kind.directory, kind]));
  const byPath = new Map<string, RegistryFile>();
  let shownFirst = '';
  roots.forEach((root, index) => {
    const walker = openRoot(root, cwd, diagnostics);
    if (index === 0) shownFirst = walker.shown('');
    const found = listRoot(walker, root, kinds, kindByDirectory);
    // One root's paths are unique (one walk per kind directory, no path twice): only several roots need the map.
    if (roots.length === 1 && kindByDirectory.size === kinds.length) {
      for (const file of found) files.push(file);
      return;
    }
    for (const file of found) {
      const first = byPath.get(file.path);
      if (first) {
        diagnostics.push({
          code: 'REGISTRY_PATH_CONFLICT',
          severity: 'error',
          file: file.file,
          message: `${file.path} is in two registry roots, ${first.root} and ${file.root}: a path may be in only one`,
          related: [{ file: first.file }],
        });
        continue;
      }
      byPath.set(file.path, file);
      files.push(file);
    }
  });
  if (files.length === 0 && !diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
    diagnostics.push({
      code: 'REGISTRY_EMPTY',
      severity: 'warning',
      file: shownFirst.replace(/[\\/]$/, '') || '.',
      message: `no spec files in any kind directory (${[...kindByDirectory.keys()].join(', ')}): the snapshot is empty`,
    });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const rootByLocation = new Map(roots.map((root) => [root.location, root]));
  return {
    root: roots[0]!.location,
    files,
    diagnostics,
    readFile: (file) => {
      const root = rootByLocation.get(file.root)!;
      return { ...file, bytes: root.fs.readFile(file.path.slice(pathPrefixOf(root).length)) };
    },
    statsTrackChanges: roots.every((root) => root.fs.statsTrackChanges),
  };
}

/** What a root's paths start with: the plugin's package name and a `/`, or nothing for the registry's own root. */
function pathPrefixOf(root: RegistryRoot): string {
  return root.origin ? `${root.origin.plugin}/` : '';
}

/** The root's walker, once it is known to be a folder (else REGISTRY_NOT_FOUND). */
function openRoot(root: RegistryRoot, cwd: string, diagnostics: Diagnostic[]): Walker {
  const { fs, location } = root;
  let rootStat;
  try {
    rootStat = fs.stat('');
    fs.realpath('');
  } catch {
    throw new SpecError(
      'REGISTRY_NOT_FOUND',
      `registry directory ${location} does not exist (pass --registry DIR, or run \`spec init\`)`,
      { data: { registry: location } },
    );
  }
  if (rootStat.type !== 'directory')
    throw new SpecError('REGISTRY_NOT_FOUND', `registry ${location} is not a directory`, {
      data: { registry: location },
    });
  let shownPrefix: string;
  if (fs.diskPath) {
    const base = normalize(location);
    const rootPrefix = base.endsWith(sep) ? base : `${base}${sep}`;
    const rootFromCwd = relative(cwd, base);
    shownPrefix = rootFromCwd === '' ? '' : rootFromCwd.startsWith('..') ? rootPrefix : `${rootFromCwd}${sep}`;
  } else shownPrefix = location === '' ? '' : `${location}/`;
  const local = (relativePath: string) =>
    sep === '/' || !fs.diskPath ? relativePath : relativePath.split('/').join(sep);
  return { fs, shown: (relativePath) => `${shownPrefix}${local(relativePath)}`, diagnostics, files: [] };
}

function listRoot(
  walker: Walker,
  root: RegistryRoot,
  kinds: readonly KindDirectory[],
  kindByDirectory: ReadonlyMap<string, KindDirectory>,
): RegistryFile[] {
  const { fs, shown, diagnostics } = walker;
  const files: RegistryFile[] = [];
  const prefix = pathPrefixOf(root);
  const rootEntries = readEntries(walker, '');
  const rootEntryByName = new Map((rootEntries ?? []).map((entry) => [entry.name, entry]));
  for (const entry of rootEntries ?? []) {
    // node_modules is where plugin packages are installed when the registry is also the npm project.
    if (
      entry.name.startsWith('.') ||
      entry.name === 'node_modules' ||
      entry.name === kindFilesDirectory ||
      kindByDirectory.has(entry.name)
    )
      continue;
    if (entry.type === 'directory' || entry.type === 'symlink') {
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
    const ancestors = new Set(['']);
    if (entry.type === 'symlink') {
      const target = followLink(walker, kind.directory);
      if (target?.type === 'directory')
        walk(walker, `${kind.directory}/`, target.real, new Set([...ancestors, target.real]));
      else if (target?.type !== undefined) kindNotADirectory(walker, kind.directory);
    } else if (entry.type === 'directory') {
      walk(walker, `${kind.directory}/`, kind.directory, new Set([...ancestors, kind.directory]));
    } else kindNotADirectory(walker, kind.directory);

    for (const relativePath of walker.files) {
      if (!specExtension.test(relativePath)) {
        diagnostics.push({
          code: 'NOT_A_SPEC_FILE',
          severity: 'warning',
          file: shown(relativePath),
          message: 'not a .yaml or .yml file; ignored',
        });
        continue;
      }
      let stat;
      try {
        stat = fs.stat(relativePath);
      } catch (cause) {
        diagnostics.push(unreadableFile(shown(relativePath), cause));
        continue;
      }
      const file: RegistryFile = {
        file: shown(relativePath),
        path: `${prefix}${relativePath}`,
        root: root.location,
        kind: kind.name,
        size: stat.size,
        mtimeMs: stat.mtimeMs,
        ctimeMs: stat.ctimeMs,
        ino: stat.ino,
      };
      if (fs.diskPath) file.absolutePath = fs.diskPath(relativePath);
      if (root.origin) file.origin = root.origin;
      files.push(file);
    }
  }
  return files;
}

/** FILE_UNREADABLE for a spec file that cannot be read (no permission, removed or replaced since it was listed). */
export function unreadableFile(file: string, cause: unknown): Diagnostic {
  return { code: 'FILE_UNREADABLE', severity: 'error', file, message: `cannot read: ${(cause as Error).message}` };
}

interface Walker {
  fs: RegistryFileSystem;
  shown: (relativePath: string) => string;
  diagnostics: Diagnostic[];
  /** `/`-separated paths relative to the root of the files found (of every type but folders). */
  files: string[];
}

interface Entry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
}

/**
 * The entries of a folder (`/`-terminated, relative to the root; '' for the root), or undefined with
 * DIRECTORY_UNREADABLE. A name that is not UTF-8 (it could not be a stable path, nor be opened) is FILE_NAME_NOT_UTF8.
 */
function readEntries(walker: Walker, directory: string): Entry[] | undefined {
  let listed;
  try {
    listed = walker.fs.readdir(directory.endsWith('/') ? directory.slice(0, -1) : directory);
  } catch (cause) {
    const shownDirectory = walker.shown(directory).replace(/[\\/]$/, '') || '.';
    walker.diagnostics.push({
      code: 'DIRECTORY_UNREADABLE',
      severity: 'error',
      file: shownDirectory,
      message: `cannot read this folder: ${(cause as Error).message}`,
    });
    return undefined;
  }
  if (!listed.some((entry) => entry.nameBytes !== undefined)) return listed;
  const entries: Entry[] = [];
  for (const entry of listed) {
    if (entry.nameBytes === undefined) {
      entries.push(entry);
      continue;
    }
    const escaped = [...entry.nameBytes]
      .map((byte) => (byte < 0x80 ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`))
      .join('');
    walker.diagnostics.push({
      code: 'FILE_NAME_NOT_UTF8',
      severity: 'error',
      file: walker.shown(`${directory}${entry.name}`),
      message: `the name "${escaped}" is not valid UTF-8, so it cannot be a stable path in a snapshot; rename it`,
    });
  }
  return entries;
}

/**
 * Collects into walker.files the files below `directory`, whose real path (relative to the root, links resolved) is
 * `real`; `ancestors` detect loops.
 */
function walk(walker: Walker, directory: string, real: string, ancestors: Set<string>): void {
  for (const entry of readEntries(walker, directory) ?? []) {
    if (entry.name.startsWith('.')) continue;
    const relativePath = `${directory}${entry.name}`;
    if (entry.type === 'file') walker.files.push(relativePath);
    else if (entry.type === 'directory') {
      const childReal = real === '' ? entry.name : `${real}/${entry.name}`;
      walk(walker, `${relativePath}/`, childReal, new Set([...ancestors, childReal]));
    } else if (entry.type === 'symlink') {
      const target = followLink(walker, relativePath);
      if (target?.type === 'file') walker.files.push(relativePath);
      else if (target?.type === 'directory') {
        if (ancestors.has(target.real)) {
          walker.diagnostics.push({
            code: 'SYMLINK_LOOP',
            severity: 'error',
            file: walker.shown(relativePath),
            message: 'this link leads to a folder that contains it: following it would never end',
          });
        } else walk(walker, `${relativePath}/`, target.real, new Set([...ancestors, target.real]));
      } else if (target?.type === 'other') notRegular(walker, relativePath);
    } else notRegular(walker, relativePath);
  }
}

/** Where a link leads, when that is inside the registry; otherwise undefined, with SYMLINK_* (or FILE_UNREADABLE). */
function followLink(
  walker: Walker,
  relativePath: string,
): { type: 'file' | 'directory' | 'other'; real: string } | undefined {
  const file = walker.shown(relativePath);
  let resolved;
  try {
    resolved = walker.fs.realpath(relativePath);
  } catch (cause) {
    const errno = (cause as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT')
      walker.diagnostics.push({
        code: 'SYMLINK_DANGLING',
        severity: 'error',
        file,
        message: `this link leads nowhere (${linkTarget(walker, relativePath)} does not exist)`,
      });
    else if (errno === 'ELOOP')
      walker.diagnostics.push({
        code: 'SYMLINK_LOOP',
        severity: 'error',
        file,
        message: 'this link leads to itself through other links',
      });
    else walker.diagnostics.push(unreadableFile(file, cause));
    return undefined;
  }
  if ('outside' in resolved) {
    walker.diagnostics.push({
      code: 'SYMLINK_OUTSIDE_REGISTRY',
      severity: 'error',
      file,
      message: `this link leads outside the registry (to ${resolved.outside}); only links that stay inside it are followed`,
    });
    return undefined;
  }
  try {
    return { type: walker.fs.stat(resolved.inside).type, real: resolved.inside };
  } catch (cause) {
    walker.diagnostics.push(unreadableFile(file, cause));
    return undefined;
  }
}

function linkTarget(walker: Walker, relativePath: string): string {
  try {
    return walker.fs.readlink(relativePath);
  } catch {
    return 'its target';
  }
}

function notRegular(walker: Walker, relativePath: string): void {
  walker.diagnostics.push({
    code: 'NOT_A_SPEC_FILE',
    severity: 'warning',
    file: walker.shown(relativePath),
    message: 'not a regular file (a FIFO, socket or device); ignored',
  });
}

function kindNotADirectory(walker: Walker, directory: string): void {
  walker.diagnostics.push({
    code: 'KIND_NOT_A_DIRECTORY',
    severity: 'error',
    file: walker.shown(directory),
    message: `"${directory}" is the folder of a kind, but this is not a folder`,
  });
}
