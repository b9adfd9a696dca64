// Finding the npm packages a registry names in specstore.yaml, as Node would, and making each a registry root.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { SpecError, type Diagnostic, type ErrorCode } from '../errors.js';
import { fileSystemRoot, type RegistryRoot, type RegistrySource } from '../source/registrySource.js';
import type { RegistryConfig, RegistryConfigPlugin } from './registryConfig.js';

/** The name of the registry-wide configuration file, at the registry's root. */
export const registryConfigFile = 'specstore.yaml';

/** A plugin package as installed: what the registry named, where it is, and the root its specs are read from. */
export interface ResolvedPlugin {
  /** The package name, as `specstore.yaml` gives it (and as snapshots record it). */
  name: string;
  /** Its `version` in its package.json. */
  version: string;
  /** The package's folder (in a node_modules folder). */
  packageDirectory: string;
  /** The folder its package.json declares as `"specstore": {"registry": …}`: a registry of its own (kinds/ included). */
  registryDirectory: string;
  /** That folder as a registry root, with the plugin as its origin. */
  root: RegistryRoot;
  /** The module its package.json declares as `"specstore": {"adapters": …}`, when it ships adapters (`spec run`). */
  adaptersModule?: string;
}

/** A registry with the roots of its plugins, and what they are. */
export interface RegistryWithPlugins {
  /** The registry's own root first, then one root per plugin, in the order specstore.yaml names them. */
  source: RegistrySource;
  plugins: ResolvedPlugin[];
  /** The registry's specstore.yaml, when it has one. */
  config?: RegistryConfig;
}

/**
 * The registry at `directory` with the plugins its `specstore.yaml` names (none without the file). Each package is
 * looked for as Node looks for one from the registry's directory: in `node_modules` there and in each folder above
 * (then Node's global folders); its package.json, which `exports` may hide from `require.resolve`, is read directly.
 * Every plugin problem is reported at once, at the plugin's place in specstore.yaml: `PLUGIN_NOT_INSTALLED`,
 * `PLUGIN_NOT_A_SPEC_PACKAGE` (no `specstore` field), `PLUGIN_MANIFEST_INVALID`, `PLUGIN_FOLDER_MISSING`; the error's
 * code is the first problem's. `cwd` is what paths in messages are relative to (default: the process's).
 */
export async function registrySourceWithPlugins(
  directory: string,
  options: {
    cwd?: string;
    /**
     * Read the registry, and its specstore.yaml, from this root instead of the directory (the registry at a git
     * commit, say); plugins are still looked for from the directory, as installed now.
     */
    root?: RegistryRoot;
  } = {},
): Promise<RegistryWithPlugins> {
  if (typeof directory !== 'string' || directory === '')
    throw new TypeError('registrySourceWithPlugins: directory must be a non-empty string');
  const cwd = options.cwd ?? process.cwd();
  const registryRoot = options.root ?? fileSystemRoot(directory);
  const configPath = join(directory, registryConfigFile);
  const configBytes = options.root ? rootConfigBytes(options.root) : undefined;
  // The YAML reader and ajv load only for a registry that has the file.
  if (options.root ? configBytes === undefined : !existsSync(configPath))
    return { source: { roots: [registryRoot] }, plugins: [] };
  const { readRegistryConfig, parseRegistryConfig } = await import('./registryConfig.js');
  const config = configBytes
    ? parseRegistryConfig(configBytes, `${options.root!.location}/${registryConfigFile}`)
    : readRegistryConfig(configPath, shownPath(cwd, configPath));
  if (!config || config.plugins.length === 0)
    return { source: { roots: [registryRoot] }, plugins: [], ...(config ? { config } : {}) };
  const nodeRequire = createRequire(join(directory, 'package.json'));
  const plugins: ResolvedPlugin[] = [];
  const problems: { code: ErrorCode; diagnostic: Diagnostic }[] = [];
  for (const entry of config.plugins) {
    const found = resolvePlugin(entry, nodeRequire.resolve.paths(entry.name) ?? [], (path) => shownPath(cwd, path));
    if ('root' in found) plugins.push(found);
    else
      problems.push({
        code: found.code,
        diagnostic: {
          code: found.code,
          severity: 'error',
          message: found.message,
          file: config.file,
          pointer: entry.pointer,
          ...config.locate(entry.pointer),
        },
      });
  }
  if (problems.length > 0) {
    const [first] = problems;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more plugin problems)` : '';
    throw new SpecError(first!.code, `${first!.diagnostic.message}${more}; nothing was built`, {
      data: { file: config.file, plugin: config.plugins.find((p) => p.pointer === first!.diagnostic.pointer)!.name },
      diagnostics: problems.map((problem) => problem.diagnostic),
    });
  }
  return { source: { roots: [registryRoot, ...plugins.map((plugin) => plugin.root)] }, plugins, config };
}

/** The specstore.yaml of a root that is not on disk, or undefined when it has none. */
function rootConfigBytes(root: RegistryRoot): Uint8Array | undefined {
  try {
    if (root.fs.stat(registryConfigFile).type !== 'file') return undefined;
  } catch {
    return undefined;
  }
  return root.fs.readFile(registryConfigFile);
}

function resolvePlugin(
  entry: RegistryConfigPlugin,
  lookupPaths: readonly string[],
  shown: (path: string) => string,
): ResolvedPlugin | { code: ErrorCode; message: string } {
  const { name } = entry;
  const packageDirectory = lookupPaths
    .map((folder) => join(folder, name))
    .find((folder) => isFile(join(folder, 'package.json')));
  if (packageDirectory === undefined)
    return {
      code: 'PLUGIN_NOT_INSTALLED',
      message: `plugin ${name} is not installed: no node_modules folder from the registry up holds it (npm install ${name})`,
    };
  const manifestFile = shown(join(packageDirectory, 'package.json'));
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8'));
  } catch (cause) {
    return {
      code: 'PLUGIN_MANIFEST_INVALID',
      message: `plugin ${name}: cannot read ${manifestFile}: ${(cause as Error).message}`,
    };
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest))
    return { code: 'PLUGIN_MANIFEST_INVALID', message: `plugin ${name}: ${manifestFile} is not a JSON object` };
  const { version, specstore } = manifest as Record<string, unknown>;
  if (specstore === undefined)
    return {
      code: 'PLUGIN_NOT_A_SPEC_PACKAGE',
      message: `plugin ${name} ships no specs: ${manifestFile} has no "specstore": {"registry": "<folder>"} field`,
    };
  if (typeof version !== 'string' || version === '')
    return { code: 'PLUGIN_MANIFEST_INVALID', message: `plugin ${name}: ${manifestFile} has no "version"` };
  const folder =
    specstore !== null && typeof specstore === 'object'
      ? (specstore as Record<string, unknown>)['registry']
      : undefined;
  if (typeof folder !== 'string' || !insidePackage(folder))
    return {
      code: 'PLUGIN_MANIFEST_INVALID',
      message: `plugin ${name}: "specstore" in ${manifestFile} must be {"registry": "<folder>"}, a relative path inside the package`,
    };
  const registryDirectory = join(packageDirectory, folder);
  if (!isDirectory(registryDirectory))
    return {
      code: 'PLUGIN_FOLDER_MISSING',
      message: `plugin ${name}@${version} declares its specs in "${folder}", but ${shown(registryDirectory)} is not a folder`,
    };
  const root: RegistryRoot = { ...fileSystemRoot(registryDirectory), origin: { plugin: name, version } };
  const adapters = (specstore as Record<string, unknown>)['adapters'];
  if (adapters === undefined) return { name, version, packageDirectory, registryDirectory, root };
  if (typeof adapters !== 'string' || !insidePackage(adapters) || !isFile(join(packageDirectory, adapters)))
    return {
      code: 'PLUGIN_MANIFEST_INVALID',
      message: `plugin ${name}: "specstore": {"adapters": …} in ${manifestFile} must name a module file inside the package`,
    };
  return { name, version, packageDirectory, registryDirectory, root, adaptersModule: join(packageDirectory, adapters) };
}

/** A relative path that stays inside the package (`specs`, `./specs`, `lib/specs`; not `..`, `/x` or `C:\x`). */
function insidePackage(folder: string): boolean {
  if (folder === '' || isAbsolute(folder) || /^[A-Za-z]:/.test(folder)) return false;
  const normalized = normalize(folder);
  return normalized !== '..' && !normalized.startsWith(`..${sep}`) && !normalized.startsWith('../');
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A path as listings show it: relative to the working directory when inside it, else absolute. */
function shownPath(cwd: string, path: string): string {
  const fromCwd = relative(cwd, path);
  return fromCwd === '' || fromCwd.startsWith('..') || isAbsolute(fromCwd) ? path : fromCwd;
}
