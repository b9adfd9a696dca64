// How the origin of a spec is shown: `registry` for the registry's own specs, `<package>@<version>` for a plugin's.

/** The label of the registry's own specs. */
export const registryOrigin = 'registry';

/**
 * The origin of a spec as `spec ls --origin` and `resolve --explain` show it: `registry` when `plugin` is undefined,
 * else `<package>@<version>` (just the package when its version is unknown).
 */
export function originLabel(plugin: string | undefined, version: string | undefined): string {
  if (plugin === undefined) return registryOrigin;
  return version === undefined ? plugin : `${plugin}@${version}`;
}
