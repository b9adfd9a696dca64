// A run's directory: the read-only world mount, a fresh scratch directory per attempt, and writes found outside them.
import { chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface RunDirectory {
  directory: string;
  worldMount: string;
  /** Creates the scratch directory of one attempt. */
  scratch(step: string, attempt: number): string;
  /**
   * Paths outside every scratch directory (the world mount, the run directory) that changed since the last call, each
   * relative to the run directory. With `--jobs` above 1 a change is charged to the attempt that finishes first.
   */
  changesOutsideScratch(): string[];
  /** Deletes the directory (the world mount is made writable first). */
  remove(): void;
}

const stepsFolder = 'steps';

/** Creates `<base>/<runId>/` with `world/` (a copy of `world`, or empty) made read-only, and `steps/`. */
export function createRunDirectory(base: string, runId: string, world: string | undefined): RunDirectory {
  const directory = join(base, runId);
  const worldMount = join(directory, 'world');
  mkdirSync(join(directory, stepsFolder), { recursive: true });
  if (world === undefined) mkdirSync(worldMount);
  else cpSync(world, worldMount, { recursive: true, verbatimSymlinks: true });
  setWritable(worldMount, false);
  let baseline = listing(directory);
  return {
    directory,
    worldMount,
    scratch(step, attempt) {
      const path = join(directory, stepsFolder, step, String(attempt));
      mkdirSync(path, { recursive: true });
      return path;
    },
    changesOutsideScratch() {
      const now = listing(directory);
      const changed = [...new Set([...baseline.keys(), ...now.keys()])].filter(
        (path) => baseline.get(path) !== now.get(path),
      );
      baseline = now;
      return changed.sort();
    },
    remove() {
      try {
        setWritable(worldMount, true);
      } catch {
        // already gone
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Files 0444 and folders 0555 (or back to 0644 and 0755); symbolic links are left alone. */
function setWritable(root: string, writable: boolean): void {
  const pending = [root];
  const folders: string[] = [];
  while (pending.length > 0) {
    const path = pending.pop()!;
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) {
      folders.push(path);
      if (writable) chmodSync(path, 0o755);
      for (const name of readdirSync(path)) pending.push(join(path, name));
    } else chmodSync(path, writable ? 0o644 : 0o444);
  }
  // Folders last when making them read-only, so that their entries could still be changed until then.
  if (!writable) for (const folder of folders.reverse()) chmodSync(folder, 0o555);
}

/** Every path under the run directory but the scratch directories, with its type, size and modification time. */
function listing(directory: string): Map<string, string> {
  const found = new Map<string, string>();
  const pending = [directory];
  while (pending.length > 0) {
    const path = pending.pop()!;
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    const name = relative(directory, path);
    if (name === stepsFolder) continue;
    if (name !== '') found.set(name, `${stat.isDirectory() ? 'd' : 'f'}:${stat.size}:${stat.mtimeMs}:${stat.mode}`);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) pending.push(join(path, entry));
  }
  return found;
}
