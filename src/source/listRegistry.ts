// Finding and reading a registry's spec files: one directory per kind, YAML files below it, in a stable order.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, relative, sep } from 'node:path';
import { SpecError, type Diagnostic } from '../errors.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';

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

const specExtension = /\.ya?ml$/;

/** Finds every `*.yaml`/`*.yml` file under each kind's directory (recursively; dot-files and dot-directories skipped). */
export function listRegistry(root: string, kinds: readonly KindDescriptor[], options: { cwd?: string } = {}): RegistryListing {
  const cwd = options.cwd ?? process.cwd();
  let rootStat;
  try {
    rootStat = statSync(root);
  } catch {
    throw new SpecError('REGISTRY_NOT_FOUND', `registry directory ${root} does not exist (pass --registry DIR, or run \`spec init\`)`, { data: { registry: root } });
  }
  if (!rootStat.isDirectory()) throw new SpecError('REGISTRY_NOT_FOUND', `registry ${root} is not a directory`, { data: { registry: root } });

  const files: RegistryFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const display = (path: string) => {
    const fromCwd = relative(cwd, path);
    return fromCwd.startsWith('..') || fromCwd === '' ? path : fromCwd;
  };
  const kindByDirectory = new Map(kinds.map((kind) => [kind.directory, kind]));

  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    if (!entry.isDirectory()) continue;
    if (!kindByDirectory.has(entry.name)) {
      diagnostics.push({
        code: 'UNKNOWN_KIND_DIRECTORY',
        severity: 'warning',
        file: display(join(root, entry.name)),
        message: `directory "${entry.name}" is not a kind directory (${[...kindByDirectory.keys()].join(', ')}); its files are ignored`,
      });
    }
  }

  // Paths are joined by hand, not with path.join/relative per file: on 13k files that was a third of the listing.
  const base = normalize(root);
  const rootPrefix = base.endsWith(sep) ? base : `${base}${sep}`;
  const rootFromCwd = relative(cwd, base);
  const shownPrefix = rootFromCwd === '' ? '' : rootFromCwd.startsWith('..') ? rootPrefix : `${rootFromCwd}${sep}`;
  for (const kind of kinds) {
    for (const relativePath of walk(rootPrefix, `${kind.directory}/`)) {
      const localPath = sep === '/' ? relativePath : relativePath.split('/').join(sep);
      const path = `${rootPrefix}${localPath}`;
      if (!specExtension.test(relativePath)) {
        diagnostics.push({ code: 'NOT_A_SPEC_FILE', severity: 'warning', file: `${shownPrefix}${localPath}`, message: 'not a .yaml or .yml file; ignored' });
        continue;
      }
      const stat = statSync(path);
      files.push({ file: `${shownPrefix}${localPath}`, path: relativePath, absolutePath: path, kind: kind.name, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino });
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, files, diagnostics };
}

/** Files below `rootPrefix + directory`, as `/`-separated paths relative to the root (dot-files skipped). */
function walk(rootPrefix: string, directory: string, paths: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(rootPrefix + (sep === '/' ? directory : directory.split('/').join(sep)), { withFileTypes: true });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return paths;
    throw cause;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) walk(rootPrefix, `${directory}${entry.name}/`, paths);
    else if (entry.isFile()) paths.push(`${directory}${entry.name}`);
  }
  return paths;
}
