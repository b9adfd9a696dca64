// The registry as it was at a git ref, compiled in memory (no checkout, no store): the old side of a CI check.
import { resolve } from 'node:path';
import { registrySourceWithPlugins } from '../plugins/resolvePlugins.js';
import { gitRegistryRoot, type GitRevision } from '../source/gitSource.js';
import type { SnapshotView } from '../snapshot/snapshotView.js';
import { compileRegistry, type CompiledRegistry } from './buildSnapshot.js';
import { openCompiledRegistry } from './compiledRegistryView.js';

/** What compileGitRevision reads: which registry, at which git ref, from where. */
export interface CompileGitRevisionOptions {
  /** The registry directory, relative to `cwd` or absolute (it need not exist in the working tree). */
  registry: string;
  /** A git revision naming a commit: `main`, `HEAD~1`, a tag, a commit id (without the `git:` of the CLI). */
  ref: string;
  /** Where git runs and paths are relative to (default: the process's working directory). */
  cwd?: string;
  /** The git program (default `git`). */
  git?: string;
}

/** A registry compiled from a git commit: which commit, the compiled registry, and a view of its snapshot. */
export interface CompiledGitRevision {
  revision: GitRevision;
  compiled: CompiledRegistry;
  view: SnapshotView;
}

/**
 * Compiles the registry as it was at `ref`, read from git's objects (see gitRegistryRoot), with the kinds its kind
 * files had then and the plugins its specstore.yaml named then (as installed now). Nothing is written: the snapshot
 * is opened from memory. A registry that was invalid at that commit is INVALID_INPUT, as a build of it would be.
 */
export async function compileGitRevision(options: CompileGitRevisionOptions): Promise<CompiledGitRevision> {
  if (options === null || typeof options !== 'object' || typeof options.registry !== 'string')
    throw new TypeError('compileGitRevision: options.registry must be a string');
  if (typeof options.ref !== 'string') throw new TypeError('compileGitRevision: options.ref must be a string');
  const cwd = options.cwd ?? process.cwd();
  const { root, revision } = await gitRegistryRoot({
    cwd,
    registry: options.registry,
    ref: options.ref,
    ...(options.git === undefined ? {} : { git: options.git }),
  });
  const { source } = await registrySourceWithPlugins(resolve(cwd, options.registry), { cwd, root });
  const compiled = await compileRegistry({ registry: root.location, source, cwd });
  return { revision, compiled, view: await openCompiledRegistry(undefined, compiled) };
}
