// A registry root as it would be after one file is written or removed: for validating a change before it is made.
import { statSync } from 'node:fs';
import type { RegistryFileSystem, RegistryRoot, SourceStat } from './registrySource.js';

/**
 * One file of a root, changed: `file` holds its new bytes, staged on disk at `diskPath` (a temporary file in the same
 * folder, renamed into place once the change is accepted), or is absent when the file is removed.
 */
export interface RootChange {
  /** The file's path in the root (`tools/a.yaml`). */
  path: string;
  file?: { bytes: Uint8Array; diskPath: string };
}

/**
 * `root` with `change` applied. The changed file's stats are the staged file's, which a rename keeps, so a build from
 * the overlay may use and fill the build cache as a build of the renamed file would.
 */
export function overlayRoot(root: RegistryRoot, change: RootChange): RegistryRoot {
  const { fs } = root;
  const slash = change.path.lastIndexOf('/');
  const folder = slash < 0 ? '' : change.path.slice(0, slash);
  const name = change.path.slice(slash + 1);
  const missing = () =>
    Object.assign(new Error(`ENOENT: no such file or directory, '${change.path}'`), { code: 'ENOENT' });
  const overlay: RegistryFileSystem = {
    statsTrackChanges: fs.statsTrackChanges,
    readdir(path) {
      const entries = fs.readdir(path);
      if (path !== folder) return entries;
      const others = entries.filter((entry) => entry.name !== name);
      return change.file ? [...others, { name, type: 'file' }] : others;
    },
    stat(path) {
      if (path !== change.path) return fs.stat(path);
      if (!change.file) throw missing();
      const stat = statSync(change.file.diskPath);
      const staged: SourceStat = {
        type: 'file',
        size: stat.size,
        mtimeMs: stat.mtimeMs,
        ctimeMs: stat.ctimeMs,
        ino: stat.ino,
      };
      return staged;
    },
    realpath(path) {
      if (path !== change.path) return fs.realpath(path);
      if (!change.file) throw missing();
      return { inside: path };
    },
    readlink: (path) => fs.readlink(path),
    readFile(path) {
      if (path !== change.path) return fs.readFile(path);
      if (!change.file) throw missing();
      return change.file.bytes;
    },
  };
  const diskPath = fs.diskPath?.bind(fs);
  if (diskPath)
    overlay.diskPath = (path) => (path === change.path && change.file ? change.file.diskPath : diskPath(path));
  return { ...root, fs: overlay };
}
