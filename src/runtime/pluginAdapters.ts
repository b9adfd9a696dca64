// Adapters shipped in plugin packages: the module a plugin's package.json names as `"specstore": {"adapters": …}`,
// imported and checked before a run, so `processor_ref`s can run on adapters no one wrote into specstore.
import { pathToFileURL } from 'node:url';
import { SpecError } from '../errors.js';
import { registrySourceWithPlugins, type ResolvedPlugin } from '../plugins/resolvePlugins.js';
import type { Adapter } from './adapter.js';

/**
 * The adapters of every plugin that ships some: each module exports `adapters`, an array of Adapter (a name and an
 * invoke function; `version` defaults to the package's). A module that cannot be imported, exports something else, or
 * names an adapter another plugin already has is PLUGIN_ADAPTERS_INVALID.
 */
export async function loadPluginAdapters(plugins: readonly ResolvedPlugin[]): Promise<Adapter[]> {
  const loaded: Adapter[] = [];
  const owners = new Map<string, string>();
  for (const plugin of plugins) {
    if (plugin.adaptersModule === undefined) continue;
    const label = `${plugin.name}@${plugin.version}`;
    let module: { adapters?: unknown };
    try {
      module = (await import(pathToFileURL(plugin.adaptersModule).href)) as { adapters?: unknown };
    } catch (cause) {
      throw invalid(label, `its adapters module cannot be loaded: ${(cause as Error).message}`, cause);
    }
    if (!Array.isArray(module.adapters)) throw invalid(label, 'its adapters module exports no `adapters` array');
    for (const candidate of module.adapters as unknown[]) {
      const adapter = candidate as Partial<Adapter> | null;
      if (typeof adapter?.name !== 'string' || adapter.name === '' || typeof adapter.invoke !== 'function')
        throw invalid(label, 'an adapter it exports has no name or no invoke function');
      if (adapter.name === 'local' || adapter.name === 'http' || owners.has(adapter.name))
        throw invalid(
          label,
          `adapter "${adapter.name}" is already ${owners.has(adapter.name) ? `${owners.get(adapter.name)}'s` : 'built in'}`,
        );
      owners.set(adapter.name, label);
      loaded.push({ ...(adapter as Adapter), version: adapter.version ?? `${label}` });
    }
  }
  return loaded;
}

function invalid(plugin: string, reason: string, cause?: unknown): SpecError {
  return new SpecError('PLUGIN_ADAPTERS_INVALID', `plugin ${plugin}: ${reason}`, {
    data: { plugin },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The adapters of the plugins the registry at `directory` names in its specstore.yaml (none without the file). */
export async function registryAdapters(directory: string, options: { cwd?: string } = {}): Promise<Adapter[]> {
  return loadPluginAdapters((await registrySourceWithPlugins(directory, options)).plugins);
}
