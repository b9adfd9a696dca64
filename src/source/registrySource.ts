// How a registry is read: a small file-system interface per root (injected, like isomorphic-git's `fs`), on disk or in memory.
import { readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { normalize, sep } from 'node:path';

export type SourceEntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface SourceEntry {
  name: string;
  type: SourceEntryType;
  /** The name's bytes, when they are not UTF-8 (`name` is then a lossy decoding, and the entry cannot be read). */
  nameBytes?: Uint8Array;
}

export interface SourceStat {
  type: 'file' | 'directory' | 'other';
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/**
 * What listing and building read from one root. Paths are `/`-separated and relative to the root ('' is the root).
 * Failures are thrown as node's are, with an errno `code` (ENOENT, EACCES, ELOOP…): the listing reports them.
 */
export interface RegistryFileSystem {
  /** The entries of a folder, links not followed. */
  readdir(path: string): SourceEntry[];
  /** The stats of what a path leads to, links followed. */
  stat(path: string): SourceStat;
  /** Where a path leads with every link resolved: a path relative to the root, or outside it (where to, for messages). */
  realpath(path: string): { inside: string } | { outside: string };
  /** A link's own target, for messages. */
  readlink(path: string): string;
  readFile(path: string): Uint8Array;
  /** The file's path on disk, so worker threads can read it themselves; absent when the root is not on disk. */
  diskPath?(path: string): string;
  /** Whether stats change whenever content does (as on disk), so the build cache may trust them; not in memory. */
  readonly statsTrackChanges: boolean;
}

/** One root of a registry: where it is (a directory as given, or a label) and how to read it. */
export interface RegistryRoot {
  location: string;
  fs: RegistryFileSystem;
  /** Set when the root's specs come from an npm plugin package, not from the registry itself. */
  origin?: PluginOrigin;
}

/** An npm package that ships specs (and kinds): its name and installed version, as recorded in snapshots. */
export interface PluginOrigin {
  plugin: string;
  version: string;
}

/** A registry: one root, or several (plugin packages add theirs); a path may be in only one of them. */
export interface RegistrySource {
  roots: readonly RegistryRoot[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A directory on disk as a registry root. */
export function fileSystemRoot(directory: string): RegistryRoot {
  const base = normalize(directory);
  // Paths are joined by hand, not with path.join per file: on 13k files that was a third of the listing.
  const prefix = base.endsWith(sep) ? base : `${base}${sep}`;
  const absolute = (path: string) => (path === '' ? base : prefix + (sep === '/' ? path : path.split('/').join(sep)));
  let realRoot: string | undefined;
  const fs: RegistryFileSystem = {
    statsTrackChanges: true,
    readdir(path) {
      const at = absolute(path);
      const dirents = readdirSync(at, { withFileTypes: true });
      const typeOf = (dirent: (typeof dirents)[number]): SourceEntryType =>
        dirent.isFile() ? 'file' : dirent.isDirectory() ? 'directory' : dirent.isSymbolicLink() ? 'symlink' : 'other';
      // One pass: a bad name is rare, so the entries are made while looking for one.
      const entries: SourceEntry[] = new Array<SourceEntry>(dirents.length);
      let badName = false;
      for (let i = 0; i < dirents.length; i++) {
        const dirent = dirents[i]!;
        if (dirent.name.includes('\uFFFD')) badName = true;
        entries[i] = { name: dirent.name, type: typeOf(dirent) };
      }
      if (!badName) return entries;
      // node turns a name's bad bytes into U+FFFD (the file could then not be opened): read the names as bytes.
      return readdirSync(at, { withFileTypes: true, encoding: 'buffer' }).map((dirent) => {
        const type = typeOf(dirent as unknown as (typeof dirents)[number]);
        try {
          return { name: strictUtf8.decode(dirent.name), type };
        } catch {
          return { name: dirent.name.toString('utf8'), type, nameBytes: new Uint8Array(dirent.name) };
        }
      });
    },
    stat(path) {
      const stat = statSync(absolute(path));
      return {
        type: stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other',
        size: stat.size,
        mtimeMs: stat.mtimeMs,
        ctimeMs: stat.ctimeMs,
        ino: stat.ino,
      };
    },
    realpath(path) {
      realRoot ??= realpathSync(base);
      const real = realpathSync(absolute(path));
      if (real === realRoot) return { inside: '' };
      if (!real.startsWith(`${realRoot}${sep}`)) return { outside: real };
      const inside = real.slice(realRoot.length + 1);
      return { inside: sep === '/' ? inside : inside.split(sep).join('/') };
    },
    readlink: (path) => readlinkSync(absolute(path)),
    readFile: (path) => readFileSync(absolute(path)),
    diskPath: absolute,
  };
  return { location: directory, fs };
}

/**
 * Texts by `/`-separated path (`tools/a.yaml`) as a registry root, for validating a draft that is not on disk. Its
 * stats do not follow its content, so a build from it never uses the build cache.
 */
export function memoryRoot(
  files: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
  location = 'memory:',
): RegistryRoot {
  const entries: [string, string][] =
    files instanceof Map
      ? [...(files as ReadonlyMap<string, string>)]
      : Object.entries(files as Readonly<Record<string, string>>);
  const contents = new Map<string, Uint8Array>();
  const folders = new Map<string, Map<string, SourceEntryType>>([['', new Map()]]);
  const encoder = new TextEncoder();
  for (const [path, text] of entries) {
    const parts = path.split('/');
    if (parts.some((part) => part === '' || part === '.' || part === '..'))
      throw new TypeError(`memoryRoot: "${path}" is not a relative path of /-separated names`);
    contents.set(path, encoder.encode(text));
    for (let depth = 0; depth < parts.length; depth++) {
      const folder = parts.slice(0, depth).join('/');
      let children = folders.get(folder);
      if (!children) folders.set(folder, (children = new Map<string, SourceEntryType>()));
      const isFile = depth === parts.length - 1;
      const existing = children.get(parts[depth]!);
      if (existing !== undefined && existing !== (isFile ? 'file' : 'directory'))
        throw new TypeError(`memoryRoot: "${parts.slice(0, depth + 1).join('/')}" is both a file and a folder`);
      children.set(parts[depth]!, isFile ? 'file' : 'directory');
    }
  }
  const missing = (path: string) =>
    Object.assign(new Error(`ENOENT: no such file or directory, '${path}'`), { code: 'ENOENT' });
  const fs: RegistryFileSystem = {
    statsTrackChanges: false,
    readdir(path) {
      const children = folders.get(path);
      if (!children) throw missing(path);
      return [...children].map(([name, type]) => ({ name, type }));
    },
    stat(path) {
      const bytes = contents.get(path);
      if (bytes) return { type: 'file', size: bytes.length, mtimeMs: 0, ctimeMs: 0, ino: 0 };
      if (folders.has(path)) return { type: 'directory', size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0 };
      throw missing(path);
    },
    realpath(path) {
      if (!contents.has(path) && !folders.has(path)) throw missing(path);
      return { inside: path };
    },
    readlink(path) {
      throw Object.assign(new Error(`EINVAL: not a link, '${path}'`), { code: 'EINVAL' });
    },
    readFile(path) {
      const bytes = contents.get(path);
      if (!bytes) throw missing(path);
      return bytes;
    },
  };
  return { location, fs };
}
