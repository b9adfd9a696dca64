// Finding and reading a registry's spec files: one directory per kind, YAML files below it, in a stable order.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
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

  for (const kind of kinds) {
    const directory = join(root, kind.directory);
    for (const path of walk(directory)) {
      const relativePath = relative(root, path).split(sep).join('/');
      if (!specExtension.test(path)) {
        diagnostics.push({ code: 'NOT_A_SPEC_FILE', severity: 'warning', file: display(path), message: 'not a .yaml or .yml file; ignored' });
        continue;
      }
      const stat = statSync(path);
      files.push({ file: display(path), path: relativePath, absolutePath: path, kind: kind.name, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino });
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, files, diagnostics };
}

function walk(directory: string): string[] {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw cause;
  }
  const paths: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) paths.push(...walk(path));
    else if (entry.isFile()) paths.push(path);
  }
  return paths;
}
