// The kinds a registry builds with: the built-in ones and those its roots define in kinds/*.yaml, each file checked.
import type { JsonObject } from '../core/json.js';
import { isJsonObject } from '../core/json.js';
import type { Diagnostic } from '../errors.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { definitionFromKindFile, descriptorFromDefinition, kindFileSchema } from '../kinds/kindDefinition.js';
import { kindFilesDirectory } from '../source/listRegistry.js';
import { parseYamlSpec } from '../source/parseYamlSpec.js';
import { shownPath } from '../source/shownPath.js';
import { fileSystemRoot, type RegistryRoot, type RegistrySource } from '../source/registrySource.js';

/** A kind defined by a file: its descriptor and where it was read from. */
export interface RegistryKind {
  kind: KindDescriptor;
  /** The file as shown to users. */
  file: string;
  /** The root it was found in. */
  root: string;
}

export interface RegistryKinds {
  /** The built-in kinds, then the registry's own in file order: the set to build with. */
  kinds: KindDescriptor[];
  /** The kinds that came from files. */
  defined: RegistryKind[];
  /** Problems of kind files (errors: the registry must not build), each at file:line:col. */
  diagnostics: Diagnostic[];
}

/** Which kinds are built in (a file may not redefine them) and where files are shown from. */
export interface LoadRegistryKindsOptions {
  /** The kinds a file may not redefine (default: the built-in ones). */
  builtins?: readonly KindDescriptor[];
  /** Files are shown relative to it (default: the process's working directory). */
  cwd?: string;
}

const kindFileExtension = /\.ya?ml$/i;

/**
 * Reads `kinds/*.yaml` at the top of every root of a registry. Each file is parsed by the safe YAML reader, checked
 * against the schema of kind files, and its `schema` compiled as kinds' schemas are; a kind whose name or directory is
 * a built-in's or another file's is refused, naming both; references must name known kinds. Never throws for a user's
 * mistake: the problems are diagnostics, and `kinds` holds the built-ins and the kinds that passed.
 */
export async function loadRegistryKinds(
  source: string | RegistrySource,
  options: LoadRegistryKindsOptions = {},
): Promise<RegistryKinds> {
  const builtins = options.builtins ?? builtinKinds;
  const cwd = options.cwd ?? process.cwd();
  const roots = typeof source === 'string' ? [fileSystemRoot(source)] : source.roots;
  const diagnostics: Diagnostic[] = [];
  const read: { root: RegistryRoot; file: string; value: JsonObject; bytes: Uint8Array }[] = [];
  for (const root of roots) {
    for (const { path, file } of kindFilesOf(root, cwd, diagnostics)) {
      let bytes: Uint8Array;
      try {
        bytes = root.fs.readFile(path);
      } catch (cause) {
        diagnostics.push({
          code: 'FILE_UNREADABLE',
          severity: 'error',
          file,
          message: `cannot read: ${(cause as Error).message}`,
        });
        continue;
      }
      const parsed = parseYamlSpec(bytes, file);
      diagnostics.push(...parsed.diagnostics);
      if (isJsonObject(parsed.value)) read.push({ root, file, value: parsed.value, bytes });
    }
  }
  if (read.length === 0) return { kinds: [...builtins], defined: [], diagnostics };

  // ajv and the schema compiler are loaded only by a registry that has kind files.
  const [{ checkKindFile }, { positionDiagnostic: positioned }] = await Promise.all([
    import('../validate/checkKindFile.js'),
    import('../validate/analyzeSpecFile.js'),
  ]);
  const checked = read.map((each) => ({ ...each, problems: checkKindFile(each.value, kindFileSchema) }));
  const defined: RegistryKind[] = [];
  const byName = new Map<string, { file: string; builtin: boolean }>(
    builtins.map((kind) => [kind.name, { file: '', builtin: true }]),
  );
  const byDirectory = new Map<string, { file: string; name: string; builtin: boolean }>(
    builtins.map((kind) => [kind.directory, { file: '', name: kind.name, builtin: true }]),
  );
  const pending: { file: string; bytes: Uint8Array; kind: KindDescriptor }[] = [];
  for (const { root, file, value, bytes, problems } of checked) {
    const report = (code: string, pointer: string, message: string, related?: string) =>
      diagnostics.push(
        positioned(
          {
            code,
            severity: 'error',
            file,
            pointer,
            message,
            ...(related === undefined || related === '' ? {} : { related: [{ file: related }] }),
          },
          bytes,
        ),
      );
    for (const problem of problems) report(problem.code, problem.pointer, problem.message);
    if (problems.length > 0) continue;
    const kind = descriptorFromDefinition(definitionFromKindFile(value));
    let refused = false;
    const sameName = byName.get(kind.name);
    if (sameName) {
      refused = true;
      report(
        'KIND_CONFLICT',
        '/name',
        sameName.builtin
          ? `kind ${kind.name} is a built-in kind: a kind file may not redefine it (choose another name)`
          : `kind ${kind.name} is also defined by ${sameName.file}: a kind is defined once`,
        sameName.file,
      );
    }
    const sameDirectory = byDirectory.get(kind.directory);
    if (kind.directory === kindFilesDirectory) {
      refused = true;
      report(
        'KIND_CONFLICT',
        '/directory',
        `directory "${kindFilesDirectory}" holds kind files; a kind's specs live elsewhere`,
      );
    } else if (sameDirectory) {
      refused = true;
      report(
        'KIND_CONFLICT',
        '/directory',
        sameDirectory.builtin
          ? `directory "${kind.directory}" is the folder of the built-in kind ${sameDirectory.name}`
          : `directory "${kind.directory}" is also the folder of kind ${sameDirectory.name} (${sameDirectory.file})`,
        sameDirectory.file,
      );
    }
    if (refused) continue;
    byName.set(kind.name, { file, builtin: false });
    byDirectory.set(kind.directory, { file, name: kind.name, builtin: false });
    pending.push({ file, bytes, kind });
    defined.push({ kind, file, root: root.location });
  }
  // References may name any kind of the set, including ones defined by files read later.
  const accepted = defined.filter(({ kind, file }) => {
    const { bytes } = pending.find((each) => each.file === file)!;
    let known = true;
    kind.references.forEach((reference, i) =>
      reference.kinds.forEach((name, j) => {
        if (byName.has(name)) return;
        known = false;
        diagnostics.push(
          positioned(
            {
              code: 'KIND_REFERENCE_UNKNOWN',
              severity: 'error',
              file,
              pointer: `/references/${i}/kinds/${j}`,
              message: `references kind "${name}", which is neither built in nor defined in ${kindFilesDirectory}/`,
            },
            bytes,
          ),
        );
      }),
    );
    return known;
  });
  return { kinds: [...builtins, ...accepted.map(({ kind }) => kind)], defined: accepted, diagnostics };
}

/** The kind files at the top of a root's kinds/ folder (none when it has none), sorted by path. */
function kindFilesOf(root: RegistryRoot, cwd: string, diagnostics: Diagnostic[]): { path: string; file: string }[] {
  const shown = (path: string) => {
    if (!root.fs.diskPath) return `${root.location}/${path}`;
    return shownPath(cwd, root.fs.diskPath(path));
  };
  let top;
  try {
    top = root.fs.readdir('');
  } catch {
    return []; // no registry there: the listing reports it (REGISTRY_NOT_FOUND)
  }
  let entries;
  try {
    if (!top.some((entry) => entry.name === kindFilesDirectory)) return [];
    if (root.fs.stat(kindFilesDirectory).type !== 'directory') {
      diagnostics.push({
        code: 'KIND_NOT_A_DIRECTORY',
        severity: 'error',
        file: shown(kindFilesDirectory),
        message: `"${kindFilesDirectory}" is where kind files live, but this is not a folder`,
      });
      return [];
    }
    entries = root.fs.readdir(kindFilesDirectory);
  } catch (cause) {
    diagnostics.push({
      code: 'DIRECTORY_UNREADABLE',
      severity: 'error',
      file: shown(kindFilesDirectory),
      message: `cannot read this folder: ${(cause as Error).message}`,
    });
    return [];
  }
  const files: { path: string; file: string }[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = `${kindFilesDirectory}/${entry.name}`;
    if (entry.type === 'file' && kindFileExtension.test(entry.name)) files.push({ path, file: shown(path) });
    else
      diagnostics.push({
        code: 'NOT_A_SPEC_FILE',
        severity: 'warning',
        file: shown(path),
        message: `not a kind file (kind files are ${kindFilesDirectory}/*.yaml, regular files); ignored`,
      });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
