// Finding and reading plan files: the one discovery that `gc --plans`, `build --plans`, `refs --plans` and the plan
// commands share, so that no two of them can ever see different plans.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SpecError } from '../errors.js';
import { defaultYamlLimits } from '../source/yamlLimits.js';
import { shownPath } from '../source/shownPath.js';
import { parsePlanFile, requireValidPlans, type PlanFile } from './planFile.js';

/** What `findPlanFiles` found: the plan files, and the entries it could not read. */
export interface FoundPlanFiles {
  /** Absolute paths of every `*.yaml`/`*.yml` file below the directories, sorted. */
  files: string[];
  /** Entries that could not be listed or inspected: any of them might hold a plan. */
  unreadable: { path: string; message: string; code: 'DIRECTORY_UNREADABLE' | 'FILE_UNREADABLE' }[];
}

/**
 * Every `*.yaml`/`*.yml` file below the (absolute) directories, recursively; entries whose name starts with `.` are
 * skipped. Symbolic links are followed (a linked plan is a plan); a directory reached twice, through a link or a
 * loop, is read once, and so is a file. A directory that does not exist is FILE_NOT_FOUND.
 */
export function findPlanFiles(directories: readonly string[]): FoundPlanFiles {
  const files: string[] = [];
  const unreadable: FoundPlanFiles['unreadable'] = [];
  const seen = new Set<string>();
  const once = (path: string): boolean => {
    const real = realpathSync(path);
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  };
  // Iterative: a deep tree of directories costs no stack.
  const pending: string[] = [];
  for (const directory of directories) {
    let isDirectory = false;
    try {
      isDirectory = statSync(directory).isDirectory();
    } catch {
      // reported below
    }
    if (!isDirectory)
      throw new SpecError('FILE_NOT_FOUND', `plan directory ${directory} does not exist or is not a directory`, {
        data: { file: directory },
      });
    pending.push(directory);
  }
  pending.reverse();
  while (pending.length > 0) {
    const directory = pending.pop()!;
    try {
      if (!once(directory)) continue;
      const children: string[] = [];
      for (const name of readdirSync(directory).sort()) {
        if (name.startsWith('.')) continue;
        const path = join(directory, name);
        try {
          const stat = statSync(path);
          if (stat.isDirectory()) children.push(path);
          else if (stat.isFile() && /\.ya?ml$/i.test(name) && once(path)) files.push(path);
        } catch (cause) {
          unreadable.push({ path, message: (cause as Error).message, code: 'FILE_UNREADABLE' }); // a dangling link, a name not UTF-8
        }
      }
      pending.push(...children.reverse());
    } catch (cause) {
      unreadable.push({ path: directory, message: (cause as Error).message, code: 'DIRECTORY_UNREADABLE' });
    }
  }
  return { files: files.sort(), unreadable };
}

/**
 * Reads one plan file with the strict reader (`parsePlanFile`); `file` is the path shown to users. A file that
 * cannot be read is FILE_NOT_FOUND; one larger than the YAML size limit is not read at all (YAML_TOO_LARGE).
 */
export function readPlanFile(path: string, file: string = path): ReturnType<typeof parsePlanFile> & { file: string } {
  let bytes: Uint8Array;
  try {
    const size = statSync(path).size;
    if (size > defaultYamlLimits.maxBytes) {
      const message = `file is ${size} bytes, more than the limit of ${defaultYamlLimits.maxBytes}`;
      return { file, diagnostics: [{ code: 'YAML_TOO_LARGE', message, severity: 'error', file }] };
    }
    bytes = readFileSync(path);
  } catch (cause) {
    throw new SpecError('FILE_NOT_FOUND', `cannot read plan ${file}: ${(cause as Error).message}`, {
      data: { file },
      cause,
    });
  }
  return { file, ...parsePlanFile(bytes, file) };
}

/** Reads the plan files at `paths` (relative to `cwd`), each shown relative to `cwd`; a missing one is FILE_NOT_FOUND. */
export function readPlanFiles(paths: readonly string[], options: { cwd: string }): ReturnType<typeof readPlanFile>[] {
  return paths.map((path) => {
    const absolute = resolve(options.cwd, path);
    return readPlanFile(absolute, shownPath(options.cwd, absolute));
  });
}

/**
 * The plans below `directories` (relative to `cwd`), found by `findPlanFiles`, every one well-formed: an entry that
 * cannot be read is its DIRECTORY_UNREADABLE or FILE_UNREADABLE, plans with problems INVALID_INPUT with every one.
 */
export function readPlanDirectories(directories: readonly string[], options: { cwd: string }): PlanFile[] {
  const found = findPlanFiles(directories.map((directory) => resolve(options.cwd, directory)));
  if (found.unreadable.length > 0) {
    const first = found.unreadable[0]!;
    const shown = shownPath(options.cwd, first.path);
    throw new SpecError(first.code, `cannot read the plans in ${shown}: ${first.message}`, { data: { file: shown } });
  }
  return requireValidPlans(found.files.map((path) => readPlanFile(path, shownPath(options.cwd, path))));
}
