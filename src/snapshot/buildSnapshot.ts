// `spec build`: read a registry, validate everything, and store the snapshot in one atomic batch.
import { resolve } from 'node:path';
import type { CanonicalObject, Digest } from '../core/digest.js';
import { invalidInput, type Diagnostic } from '../errors.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { findGitCommit } from '../source/gitCommit.js';
import { readRegistry } from '../source/readRegistry.js';
import type { SpecStore } from '../store/specStore.js';
import { validateSpecs, type ValidatedSpec } from '../validate/validateSpecs.js';
import { toolName, toolVersion } from '../version.js';
import { buildManifest, type BuiltManifest } from './manifestTree.js';

export interface CompileRegistryOptions {
  registry: string;
  kinds?: readonly KindDescriptor[];
  cwd?: string;
}

export interface CompiledRegistry {
  registry: string;
  specs: ValidatedSpec[];
  manifest: BuiltManifest;
  /** Warnings (errors are thrown as INVALID_INPUT with every diagnostic). */
  diagnostics: Diagnostic[];
}

/** Reads and validates a registry and computes its snapshot, without touching any store. */
export function compileRegistry(options: CompileRegistryOptions): CompiledRegistry {
  const kinds = options.kinds ?? builtinKinds;
  const listing = readRegistry(options.registry, kinds, options.cwd === undefined ? {} : { cwd: options.cwd });
  const result = validateSpecs(listing.files, { kinds });
  const diagnostics = [...listing.diagnostics, ...result.diagnostics];
  if (!result.ok) throw invalidInput(diagnostics);
  const manifest = buildManifest(result.specs.map((spec) => ({ name: spec.name, version: spec.version, kind: spec.kind, digest: spec.digest })));
  return { registry: options.registry, specs: result.specs, manifest, diagnostics };
}

export interface BuildOptions extends CompileRegistryOptions {
  store: SpecStore;
  tag?: string;
  /** The clock, passed in so builds are testable. */
  now?: () => Date;
}

export interface BuildResult {
  snapshot: Digest;
  specs: number;
  newObjects: number;
  bytesWritten: number;
  tag?: string;
  /** True when the store already held this snapshot. */
  unchanged: boolean;
  diagnostics: Diagnostic[];
}

/** Stores a compiled registry as a snapshot: one atomic batch of new objects, snapshot record, log entry and tag. */
export async function storeSnapshot(store: SpecStore, compiled: CompiledRegistry, options: { tag?: string; now?: () => Date } = {}): Promise<BuildResult> {
  const objects: CanonicalObject[] = [...compiled.specs.map((spec) => ({ digest: spec.digest, text: spec.text })), ...compiled.manifest.objects];
  const gitCommit = findGitCommit(compiled.registry);
  const existed = (await store.snapshotMetadata(compiled.manifest.snapshotId)) !== undefined;
  const commit = await store.commitBuild({
    snapshot: compiled.manifest.snapshotId,
    objects,
    metadata: {
      createdAt: (options.now ?? (() => new Date()))().toISOString(),
      source: resolve(compiled.registry),
      ...(gitCommit === undefined ? {} : { gitCommit }),
      tool: `${toolName} ${toolVersion}`,
      specs: compiled.specs.length,
    },
    ...(options.tag === undefined ? {} : { tag: options.tag }),
  });
  return {
    snapshot: commit.snapshot,
    specs: compiled.specs.length,
    newObjects: commit.newObjects,
    bytesWritten: commit.bytesWritten,
    ...(options.tag === undefined ? {} : { tag: options.tag }),
    unchanged: existed,
    diagnostics: compiled.diagnostics,
  };
}

/** compileRegistry then storeSnapshot: nothing is written unless every check passes. */
export async function buildSnapshot(options: BuildOptions): Promise<BuildResult> {
  if (options === null || typeof options !== 'object' || typeof options.registry !== 'string') throw new TypeError('buildSnapshot: options.registry must be a string');
  if (!options.store) throw new TypeError('buildSnapshot: options.store is required (see openStore)');
  const compiled = compileRegistry(options);
  return storeSnapshot(options.store, compiled, options);
}
