// Editing the working registry safely: every change is validated as `spec build` would before it is written, based on
// the digest the editor read (no lost updates), refused while the spec is in use, and written atomically.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { digestValue, type Digest } from '../core/digest.js';
import { isJsonObject, parseJsonText, type JsonObject } from '../core/json.js';
import { parseSpecId } from '../core/ref.js';
import { SpecError, invalidInput, type Diagnostic } from '../errors.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { overlayRoot } from '../source/overlayRoot.js';
import { parseYamlSpec } from '../source/parseYamlSpec.js';
import type { RegistrySource } from '../source/registrySource.js';
import { freshYamlText, updateYamlText } from '../source/updateYamlText.js';
import { registrySourceWithPlugins } from '../plugins/resolvePlugins.js';
import type { SpecStore } from '../store/specStore.js';
import { checkPublishedVersions } from '../build/checkPublished.js';
import {
  findSpecReferrers,
  outgoingReferences,
  type OutgoingReference,
  type SpecReferrer,
} from '../snapshot/referenceIndex.js';
import type { SnapshotEntry } from '../snapshot/snapshotView.js';
import {
  openRegistryCatalog,
  type CatalogWatcher,
  type RefreshResult,
  type RegistryCatalog,
} from '../catalog/registryCatalog.js';
import { readPlanDirectories } from '../plan/findPlanFiles.js';
import { stageOutputFile } from '../plan/outputFile.js';
import { findPlanReferrers, type PlanReferrer } from '../plan/planUsage.js';

export interface OpenRegistryDraftsOptions {
  /** The registry directory. */
  registry: string;
  /** Plan directories whose plans count as users of a spec (a spec a plan uses cannot be deleted). */
  plans?: readonly string[];
  /**
   * The store whose published versions are immutable: a change that gives a published id@version another digest is
   * VERSION_MUTATED. Asked for on every checked change (it may change meanwhile); undefined: no store to respect.
   */
  publishedVersions?: () => Promise<SpecStore | undefined>;
  /** Only for the paths in messages (default: the process's working directory). */
  cwd?: string;
  now?: () => Date;
}

/** A spec document sent by an editor: its text, as JSON or YAML. */
export interface DraftBody {
  text: string;
  format: 'json' | 'yaml';
}

export interface DraftSummary extends SnapshotEntry {
  /** The file the spec is in, relative to the registry. */
  file: string;
  description?: string;
}

export interface DraftSpec extends DraftSummary {
  protected: boolean;
  spec: JsonObject;
  /** The file's text as it is on disk. */
  text: string;
  /** What it references, each with the kind of the spec the ref resolves to (absent when it resolves to none). */
  references: (OutgoingReference & { kind?: string })[];
  referrers: { specs: SpecReferrer[]; plans: PlanReferrer[] };
  /** The ids of every version of its name, lowest first. */
  versions: string[];
}

export interface DraftWriteResult {
  id: string;
  kind: string;
  /** The spec's digest after the change: the ETag to send with the next change. */
  digest: Digest;
  file: string;
  /** True when nothing was written (`dryRun`). */
  dryRun: boolean;
  /** The snapshot id the registry builds to after the change. */
  snapshot: Digest;
  /** Warnings of the build (errors refuse the change). */
  diagnostics: Diagnostic[];
}

export interface DraftWriteOptions {
  /** Validate only: every check runs, nothing is written. */
  dryRun?: boolean;
}

export interface DraftChangeOptions extends DraftWriteOptions {
  /** The digest the change is based on (the ETag the editor read): DRAFT_CHANGED when the draft has another one. */
  ifMatch: string;
}

/** Request bodies beyond this are refused before they are parsed. */
export const maxDraftBytes = 1024 * 1024;

export class RegistryDrafts {
  private writing: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(result: RefreshResult) => void>();

  private constructor(
    readonly catalog: RegistryCatalog,
    private readonly options: OpenRegistryDraftsOptions,
    private readonly cwd: string,
  ) {}

  /** Builds the registry once (INVALID_INPUT with every diagnostic when it is invalid, as `spec build`). */
  static async open(options: OpenRegistryDraftsOptions): Promise<RegistryDrafts> {
    if (options === null || typeof options !== 'object' || typeof options.registry !== 'string')
      throw new TypeError('openRegistryDrafts: options.registry must be a string');
    const cwd = options.cwd ?? process.cwd();
    const catalog = await openRegistryCatalog({
      registry: options.registry,
      cwd,
      ...(options.now ? { now: options.now } : {}),
    });
    return new RegistryDrafts(catalog, options, cwd);
  }

  /** The kinds of the registry (built-in, its kind files, its plugins'), with their JSON Schemas. */
  kinds(): Promise<KindDescriptor[]> {
    return this.catalog.snapshot.descriptors();
  }

  /** The kind whose specs live in `directory` (`tools`, `agents`…); SERVE_NOT_FOUND for any other name. */
  async kindOfDirectory(directory: string): Promise<KindDescriptor> {
    const kind = (await this.kinds()).find((each) => each.directory === directory);
    if (kind) return kind;
    throw new SpecError('SERVE_NOT_FOUND', `no kind keeps its specs in "${directory}"`, { data: { directory } });
  }

  /** The specs of the kind kept in `directory`, with a capability or a text (in the id or description) to match. */
  async list(directory: string, filter: { capability?: string; q?: string } = {}): Promise<DraftSummary[]> {
    const kind = await this.kindOfDirectory(directory);
    const catalog = this.catalog.kind(kind.name);
    const resolved =
      filter.capability === undefined
        ? await collect(catalog.values())
        : await catalog.findByCapability(filter.capability);
    const needle = filter.q?.toLowerCase();
    const summaries: DraftSummary[] = [];
    for (const { ref: _ref, spec, ...entry } of resolved) {
      const description = typeof spec['description'] === 'string' ? spec['description'] : undefined;
      if (needle && !`${entry.id}\n${description ?? ''}`.toLowerCase().includes(needle)) continue;
      summaries.push({
        ...entry,
        file: this.catalog.specFile(entry.id)?.path ?? '',
        ...(description === undefined ? {} : { description }),
      });
    }
    return summaries;
  }

  /** One spec of the kind kept in `directory`, with what it references and what uses it. */
  async get(directory: string, id: string): Promise<DraftSpec> {
    const kind = await this.kindOfDirectory(directory);
    checkId(id);
    const resolved = await this.catalog.kind(kind.name).get(id);
    if (resolved.id !== id) throw notFound(id, kind);
    const { ref: _ref, spec, ...entry } = resolved;
    const file = this.catalog.specFile(id);
    const view = this.catalog.snapshot;
    const description = typeof spec['description'] === 'string' ? spec['description'] : undefined;
    return {
      ...entry,
      file: file?.path ?? '',
      ...(description === undefined ? {} : { description }),
      protected: spec['protected'] === true,
      spec,
      text: file && entry.origin === undefined ? this.readText(file.path) : '',
      references: await Promise.all(
        outgoingReferences(spec, kind).map(async (reference) => {
          const target = await view.lookup(reference.ref);
          return target ? { ...reference, kind: target.kind } : reference;
        }),
      ),
      referrers: await this.usersOf(id),
      versions: (await view.list({ kind: kind.name }))
        .filter((each) => each.name === entry.name)
        .map((each) => each.id),
    };
  }

  /** Writes a new spec to `{directory}/{name}.yaml` (or `{name}.v{version}.yaml` when that file is taken). */
  create(directory: string, body: DraftBody, options: DraftWriteOptions = {}): Promise<DraftWriteResult> {
    return this.serially(async () => {
      const kind = await this.kindOfDirectory(directory);
      // Against the last state: a spec with this id added on disk since is a duplicate the compile below reports.
      const value = parseBody(body, `${directory}/(new)`);
      const id = documentId(value);
      if (this.catalog.specFile(id) || (await this.catalog.snapshot.lookup(id)))
        throw new SpecError('DRAFT_EXISTS', `${id} is already in the registry: change it with PUT instead`, {
          data: { id },
        });
      const path = this.newFilePath(kind, id);
      const text = body.format === 'yaml' ? body.text : freshYamlText(value);
      return this.change(kind, id, { path, text }, options);
    });
  }

  /** Replaces a spec's document, keeping its file's comments and layout where the values did not change. */
  update(directory: string, id: string, body: DraftBody, options: DraftChangeOptions): Promise<DraftWriteResult> {
    return this.serially(async () => {
      const kind = await this.kindOfDirectory(directory);
      checkId(id);
      const file = await this.current(kind, id, options.ifMatch);
      const value = parseBody(body, file.path);
      const bodyId = value['id'];
      if (bodyId !== id)
        throw new SpecError(
          'DRAFT_ID_MISMATCH',
          `the document's id is ${JSON.stringify(bodyId)}, not ${id}: a new version is a new spec (POST it)`,
          { data: { id, documentId: bodyId ?? null } },
        );
      const text = updateYamlText(this.readText(file.path), value);
      return this.change(kind, id, { path: file.path, text }, options);
    });
  }

  /** Removes a spec's file; refused while a spec or plan uses it (SPEC_IN_USE) and for protected specs. */
  remove(directory: string, id: string, options: DraftChangeOptions): Promise<DraftWriteResult> {
    return this.serially(async () => {
      const kind = await this.kindOfDirectory(directory);
      checkId(id);
      const file = await this.current(kind, id, options.ifMatch);
      const spec = (await this.catalog.snapshot.resolve(id)).spec;
      if (spec['protected'] === true)
        throw new SpecError(
          'SPEC_PROTECTED',
          `Cannot delete ${kind.name} ${id}: it is protected (protected: true); remove that first if it must go`,
          { data: { id } },
        );
      const users = await this.usersOf(id);
      if (users.specs.length > 0 || users.plans.length > 0) throw inUse(kind, id, users);
      return this.change(kind, id, { path: file.path }, options);
    });
  }

  /** Reads the registry again (only what changed); see RegistryCatalog.refresh. */
  refresh(): Promise<RefreshResult> {
    return this.catalog.refresh();
  }

  /** Refreshes on every change on disk (an editor, `git pull`); see RegistryCatalog.watch. */
  watch(options: Parameters<RegistryCatalog['watch']>[0]): CatalogWatcher {
    return this.catalog.watch(options);
  }

  /** Calls `listener` with what each change made through these drafts did (a change on disk: `watch`). */
  onChange(listener: (result: RefreshResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    return this.catalog.close();
  }

  /** Changes never interleave: each one is checked against the state the one before it left. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writing.then(work, work);
    this.writing = run.catch(() => undefined);
    return run;
  }

  /**
   * The spec's file, once its digest is the one the change is based on. The file itself is read for that (a change on
   * disk the watch has not reported yet counts); the registry is read again only when the file is not where the last
   * state had it, or no longer holds what it had.
   */
  private async current(kind: KindDescriptor, id: string, ifMatch: string) {
    let file = this.catalog.specFile(id);
    if (!file || file.kind !== kind.name || this.digestOnDisk(file.path) !== file.digest) {
      await this.catalog.refresh();
      file = this.catalog.specFile(id);
    }
    if (!file || file.kind !== kind.name) {
      const entry = await this.catalog.snapshot.lookup(id);
      if (entry?.kind === kind.name && entry.origin !== undefined)
        throw new SpecError(
          'DRAFT_NOT_EDITABLE',
          `${id} comes from the plugin ${entry.origin}: change it in that package, not here`,
          { data: { id, origin: entry.origin } },
        );
      throw notFound(id, kind);
    }
    if (file.digest !== ifMatch)
      throw new SpecError(
        'DRAFT_CHANGED',
        `${id} changed since it was read (it is ${file.digest} now, not ${ifMatch}): read it again and redo the change`,
        { data: { id, digest: file.digest, ifMatch } },
      );
    return file;
  }

  /** The digest of the spec a file holds now (undefined when it cannot be read or is not one valid document). */
  private digestOnDisk(path: string): string | undefined {
    try {
      const bytes = readFileSync(join(resolve(this.options.registry), path));
      const { value } = parseYamlSpec(bytes, path);
      return value === undefined ? undefined : digestValue(value).digest;
    } catch {
      return undefined;
    }
  }

  /**
   * Stages the new text next to its file, compiles the registry as it would be with it (or without the file), checks
   * the published versions, and only then renames it into place and switches the catalog to the compiled state.
   */
  private async change(
    kind: KindDescriptor,
    id: string,
    change: { path: string; text?: string },
    options: DraftWriteOptions,
  ): Promise<DraftWriteResult> {
    const absolute = join(resolve(this.options.registry), change.path);
    const shown = change.path;
    let staged: ReturnType<typeof stageOutputFile> | undefined;
    // A folder made for a new kind's first spec is removed again unless the change is made.
    let madeFolder: string | undefined;
    let made = false;
    try {
      let bytes: Uint8Array | undefined;
      if (change.text !== undefined) {
        bytes = new TextEncoder().encode(change.text);
        madeFolder = mkdirSync(dirname(absolute), { recursive: true });
        staged = stageOutputFile(absolute, shown, bytes);
      }
      const source = await this.sourceWith(
        change.path,
        bytes && staged ? { bytes, diskPath: staged.temporary ?? absolute } : undefined,
      );
      const compiled = await this.catalog.compileCandidate(source);
      const after = compiled.specs.find((spec) => spec.path === change.path);
      if (change.text !== undefined) {
        if (after?.id !== id) throw documentMismatch(id, after?.id, shown);
        if (after.kind !== kind.name)
          throw new SpecError('DRAFT_ID_MISMATCH', `${shown} holds a ${after.kind}, not a ${kind.name}`, {
            data: { id },
          });
        const published = await this.options.publishedVersions?.();
        if (published) await checkPublishedVersions(published, compiled, new Set([id]));
      }
      // A removal answers with the digest of what it removed.
      const digest = after?.digest ?? (await this.catalog.snapshot.lookup(id))?.digest;
      if (digest === undefined) throw notFound(id, kind);
      const result: DraftWriteResult = {
        id,
        kind: kind.name,
        digest,
        file: change.path,
        dryRun: options.dryRun === true,
        snapshot: compiled.snapshot,
        diagnostics: compiled.diagnostics,
      };
      if (options.dryRun) return result;
      if (staged) {
        if (staged.temporary) this.catalog.expectWrite(absolute, staged.temporary);
        staged.commit();
        staged = undefined;
      } else {
        rmSync(absolute);
      }
      made = true;
      const adopted = await this.catalog.adopt(compiled);
      for (const listener of [...this.listeners]) listener(adopted);
      return result;
    } finally {
      staged?.discard();
      if (madeFolder !== undefined && !made) rmSync(madeFolder, { recursive: true, force: true });
    }
  }

  /** The registry's source (its plugins' roots included) with one file of its own root changed or removed. */
  private async sourceWith(
    path: string,
    file: { bytes: Uint8Array; diskPath: string } | undefined,
  ): Promise<RegistrySource> {
    const { source } = await registrySourceWithPlugins(this.options.registry, { cwd: this.cwd });
    const [own, ...plugins] = source.roots;
    return { roots: [overlayRoot(own!, { path, ...(file ? { file } : {}) }), ...plugins] };
  }

  private newFilePath(kind: KindDescriptor, id: string): string {
    const { name, version } = parseSpecId(id)!;
    const taken = (path: string) => existsSync(join(resolve(this.options.registry), path));
    const plain = `${kind.directory}/${name}.yaml`;
    if (!taken(plain)) return plain;
    const versioned = `${kind.directory}/${name}.v${version.text}.yaml`;
    if (!taken(versioned)) return versioned;
    throw new SpecError('DRAFT_EXISTS', `both ${plain} and ${versioned} exist: make room, or write the file by hand`, {
      data: { id, file: versioned },
    });
  }

  private readText(path: string): string {
    return readFileSync(join(resolve(this.options.registry), path), 'utf8');
  }

  private async usersOf(id: string): Promise<{ specs: SpecReferrer[]; plans: PlanReferrer[] }> {
    const view = this.catalog.snapshot;
    const plans = this.options.plans?.length
      ? await findPlanReferrers(readPlanDirectories(this.options.plans, { cwd: this.cwd }), view, id)
      : [];
    const referencing = this.catalog.referencingIds(id);
    if (referencing === undefined)
      return { specs: (await findSpecReferrers(view, id)).referrers.filter((each) => each.id !== id), plans };
    // The build recorded which files reference the id: only those specs are read, for the places they do.
    const kinds = new Map((await view.descriptors()).map((kind) => [kind.name, kind]));
    const specs: SpecReferrer[] = [];
    for (const each of referencing) {
      if (each === id) continue;
      const resolved = await view.resolve(each);
      const kind = kinds.get(resolved.kind);
      if (!kind) continue;
      for (const reference of outgoingReferences(resolved.spec, kind))
        if (reference.ref === id) specs.push({ id: each, kind: resolved.kind, ...reference });
    }
    return { specs, plans };
  }
}

/** Opens the drafts of a registry directory: list, get, create, update, remove, refresh, watch. */
export function openRegistryDrafts(options: OpenRegistryDraftsOptions): Promise<RegistryDrafts> {
  return RegistryDrafts.open(options);
}

/** A body as a spec document: JSON or YAML text with one mapping; its syntax errors positioned in the body. */
function parseBody(body: DraftBody, file: string): JsonObject {
  if (body.text.length > maxDraftBytes)
    throw new SpecError('SERVE_BODY_TOO_LARGE', `a spec document may be at most ${maxDraftBytes} bytes`, {
      data: { limit: maxDraftBytes },
    });
  let value: unknown;
  if (body.format === 'json') {
    try {
      value = parseJsonText(body.text);
    } catch (cause) {
      throw new SpecError('DRAFT_BODY_INVALID', `the body is not JSON: ${(cause as Error).message}`, { cause });
    }
  } else {
    const parsed = parseYamlSpec(new TextEncoder().encode(body.text), file);
    if (parsed.value === undefined) throw invalidInput(parsed.diagnostics, 'the document is not valid YAML');
    value = parsed.value;
  }
  if (!isJsonObject(value))
    throw new SpecError('DRAFT_BODY_INVALID', 'the body must be one spec document: a mapping with an id', {});
  return value;
}

function documentId(value: JsonObject): string {
  const id = value['id'];
  if (typeof id === 'string' && parseSpecId(id)) return id;
  throw new SpecError('REF_INVALID', `the document's id ${JSON.stringify(id ?? null)} is not name@version`, {
    data: { ref: typeof id === 'string' ? id : null },
  });
}

function checkId(id: string): void {
  if (!parseSpecId(id))
    throw new SpecError('REF_INVALID', `${JSON.stringify(id)} is not a spec id (name@version)`, { data: { ref: id } });
}

function notFound(id: string, kind: KindDescriptor): SpecError {
  return new SpecError('REF_NOT_FOUND', `there is no ${kind.name} ${id} in the registry`, {
    data: { ref: id, kind: kind.name },
  });
}

function documentMismatch(id: string, found: string | undefined, file: string): SpecError {
  return new SpecError('DRAFT_ID_MISMATCH', `${file} would hold ${found ?? 'no spec'}, not ${id}`, {
    data: { id, documentId: found ?? null },
  });
}

function inUse(kind: KindDescriptor, id: string, users: { specs: SpecReferrer[]; plans: PlanReferrer[] }): SpecError {
  const byKind = new Map<string, Set<string>>();
  for (const referrer of users.specs) {
    const ids = byKind.get(referrer.kind) ?? new Set<string>();
    ids.add(referrer.id);
    byKind.set(referrer.kind, ids);
  }
  const parts = [...byKind].map(([name, ids]) => `${plural(name, ids.size)} ${[...ids].join(', ')}`);
  const plans = [...new Set(users.plans.map((plan) => plan.plan ?? plan.file))];
  if (plans.length > 0) parts.push(`${plans.length === 1 ? 'plan' : 'plans'} ${plans.join(', ')}`);
  return new SpecError('SPEC_IN_USE', `Cannot delete ${kind.name} ${id}: used by ${parts.join('; ')}`, {
    data: { id, usedBy: users },
  });
}

function plural(kind: string, count: number): string {
  if (count === 1) return kind;
  return kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : kind.endsWith('s') ? kind : `${kind}s`;
}

async function collect<T>(values: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const value of values) all.push(value);
  return all;
}
