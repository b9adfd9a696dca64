// The registry API over a working registry directory: the last good build of it, refreshed from the build cache.
import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Digest } from '../core/digest.js';
import { isSpecError, type Diagnostic } from '../errors.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import type { RegistrySource } from '../source/registrySource.js';
import { MemoryStore } from '../store/memoryStore.js';
import { SpecStore } from '../store/specStore.js';
import { compileRegistry, storeSnapshot, type CompiledRegistry } from '../build/buildSnapshot.js';
import { SnapshotView } from '../snapshot/snapshotView.js';
import { catalogKinds } from './catalogKinds.js';
import { SpecCatalog } from './specCatalog.js';

export interface OpenRegistryCatalogOptions {
  /** The registry directory; with `source`, the name messages give it. */
  registry: string;
  /** Where to read the registry from instead of the directory (several roots, files in memory). */
  source?: RegistrySource;
  kinds?: readonly KindDescriptor[];
  /**
   * The store that holds the build cache and each good build. Default: an in-memory store the catalog owns (and
   * closes). A store of yours gets every good state as a build, as `spec build` without a tag would store it.
   */
  store?: SpecStore;
  /** Only for the paths in messages. */
  cwd?: string;
  /** The clock, passed in so builds are testable. */
  now?: () => Date;
}

/** What one refresh found: the ids added, removed and modified since the state before it, or why it failed. */
export interface RefreshResult {
  /** False when the registry is invalid now (or gone): the catalog keeps its last good state, `snapshot`. */
  ok: boolean;
  /** The snapshot the catalog reads after the refresh. */
  snapshot: Digest;
  /** The snapshot it read before. */
  previous: Digest;
  /** Whether the catalog's content changed (false for a failed refresh). */
  changed: boolean;
  added: string[];
  removed: string[];
  /** Ids whose digest or kind changed. */
  modified: string[];
  /** Files read and analysed again, and files whose cached analysis was reused. */
  analyzed: number;
  reused: number;
  /** Warnings of a good build; every problem of a failed one. */
  diagnostics: Diagnostic[];
  /** Why a refresh failed: the error's code and message (`INVALID_INPUT` with diagnostics, `REGISTRY_NOT_FOUND`…). */
  error?: { code: string; message: string };
}

export interface CatalogWatchOptions {
  /** Milliseconds of quiet after a change before the refresh starts (default 50): an editor's save is several events. */
  debounceMs?: number;
  /** Called after every refresh the watcher made, good or failed. */
  onRefresh?: (result: RefreshResult) => void;
  /** Called when a refresh fails for a reason that is not the registry's (the store) or the watcher itself fails. */
  onError?: (error: unknown) => void;
}

/** A running watch: `close()` stops it (a refresh under way still finishes, and is not reported). */
export interface CatalogWatcher {
  close(): void;
}

/** Failures of the registry itself: a refresh reports them and keeps the last good state. */
const registryFailures = new Set(['invalid', 'not-found', 'io']);

/** Where a spec of the working registry is: its path in its root and the path messages show. */
export interface SpecFile {
  kind: string;
  digest: Digest;
  /** The path in its root (`tools/a.yaml`). */
  path: string;
  /** The path as messages show it (relative to the working directory). */
  file: string;
  /** The ids it references, as written (undefined when the build did not say). */
  references?: readonly string[];
}

export class RegistryCatalog extends SpecCatalog {
  private ids: Map<string, string>;
  private files: Map<string, SpecFile>;
  private pending: Promise<RefreshResult> | undefined;
  private last: RefreshResult | undefined;
  private readonly watchers = new Set<() => void>();
  private readonly adopted = new Map<string, string>();

  private constructor(
    view: SnapshotView,
    kinds: Awaited<ReturnType<typeof catalogKinds>>,
    compiled: CompiledRegistry,
    private readonly options: OpenRegistryCatalogOptions,
    private readonly store: SpecStore,
    private readonly ownsStore: boolean,
  ) {
    super(view, kinds);
    this.ids = idsOf(compiled);
    this.files = filesOf(compiled);
  }

  /** The file a spec of the current state is in, by id (`name@version`). */
  specFile(id: string): SpecFile | undefined {
    return this.files.get(id);
  }

  /**
   * The ids of the specs whose files reference `id` exactly (as written), from the build's own record of references:
   * no spec is read. Undefined when the state was built without that record (then read the specs: findSpecReferrers).
   */
  referencingIds(id: string): string[] | undefined {
    const referencing: string[] = [];
    for (const [each, file] of this.files) {
      if (file.references === undefined) return undefined;
      if (file.references.includes(id)) referencing.push(each);
    }
    return referencing.sort();
  }

  /**
   * Compiles the registry as `source` gives it (the registry with a change not made yet, say), against the catalog's
   * build cache: nothing is stored and the catalog keeps its state. Throws as `compileRegistry` does (INVALID_INPUT
   * with every diagnostic). `adopt` switches to the result once the change is made.
   */
  compileCandidate(source: RegistrySource): Promise<CompiledRegistry> {
    return compileRegistry({ ...compileOptions(this.options), source, store: this.store });
  }

  /**
   * Switches to a compiled state of the registry (a candidate whose change was made): stored as a refresh would.
   * Announce the file of the change first (`expectWrite`), so that its own watch events need no refresh.
   */
  async adopt(compiled: CompiledRegistry): Promise<RefreshResult> {
    await storeSnapshot(this.store, compiled, this.options.now ? { now: this.options.now } : {});
    const view = await SnapshotView.open(this.store, compiled.snapshot);
    return (this.last = await this.switchToBuild(compiled, view));
  }

  /**
   * Before a change this catalog will adopt renames `staged` to `path` (both absolute): while `path` is the staged
   * file as it was (a rename keeps its inode, size and mtime), events about it need no refresh.
   */
  expectWrite(path: string, staged: string): void {
    this.adopted.clear();
    const stat = statOf(staged);
    if (stat) this.adopted.set(path, stat);
  }

  /** Whether a path is a file this catalog wrote and adopted, unchanged since (same inode, size and mtime). */
  private isAdopted(path: string): boolean {
    const adopted = this.adopted.get(path);
    if (!adopted) return false;
    const now = statOf(path);
    return now !== undefined && now === adopted;
  }

  /** Builds the registry once (an invalid registry is INVALID_INPUT with every diagnostic, as for `spec build`). */
  static async open(options: OpenRegistryCatalogOptions): Promise<RegistryCatalog> {
    if (options === null || typeof options !== 'object' || typeof options.registry !== 'string')
      throw new TypeError('openRegistryCatalog: options.registry must be a string');
    const ownsStore = options.store === undefined;
    const store = options.store ?? new SpecStore(new MemoryStore());
    try {
      const { compiled, view } = await buildOnce(options, store);
      const kinds = await catalogKinds(view, options.kinds ?? builtinKinds);
      return new RegistryCatalog(view, kinds, compiled, options, store, ownsStore);
    } catch (error) {
      if (ownsStore) await store.close();
      throw error;
    }
  }

  /**
   * Reads the registry again, re-reading only the files that changed (the build cache), and switches to the new state
   * if it is valid. A registry that is invalid now is reported (`ok: false`, its diagnostics) and the last good state
   * kept. Calls made while a refresh runs share it: they get the same result.
   */
  refresh(): Promise<RefreshResult> {
    this.pending ??= this.refreshOnce()
      .then((result) => (this.last = result))
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** What the last refresh (or adopted change) found: whether the registry is valid now, and its diagnostics. */
  get lastRefresh(): RefreshResult | undefined {
    return this.last;
  }

  private async refreshOnce(): Promise<RefreshResult> {
    const previous = this.view.id;
    const unchanged = { previous, added: [], removed: [], modified: [] };
    let built;
    try {
      built = await buildOnce(this.options, this.store);
    } catch (error) {
      if (!isSpecError(error) || !registryFailures.has(error.category)) throw error;
      return {
        ok: false,
        snapshot: previous,
        changed: false,
        ...unchanged,
        analyzed: 0,
        reused: 0,
        diagnostics: error.diagnostics,
        error: { code: error.code, message: error.message },
      };
    }
    return this.switchToBuild(built.compiled, built.view);
  }

  private async switchToBuild(compiled: CompiledRegistry, view: SnapshotView): Promise<RefreshResult> {
    const previous = this.view.id;
    const result = { ok: true, snapshot: view.id, analyzed: compiled.analyzed, reused: compiled.reused };
    if (view.id === previous)
      return {
        ...result,
        changed: false,
        previous,
        added: [],
        removed: [],
        modified: [],
        diagnostics: compiled.diagnostics,
      };
    const ids = idsOf(compiled);
    const before = this.ids;
    this.switchTo(view, await catalogKinds(view, this.options.kinds ?? builtinKinds));
    this.ids = ids;
    this.files = filesOf(compiled);
    return {
      ...result,
      previous,
      changed: true,
      added: [...ids.keys()].filter((id) => !before.has(id)).sort(),
      removed: [...before.keys()].filter((id) => !ids.has(id)).sort(),
      modified: [...ids]
        .filter(([id, state]) => before.has(id) && before.get(id) !== state)
        .map(([id]) => id)
        .sort(),
      diagnostics: compiled.diagnostics,
    };
  }

  /**
   * Refreshes whenever a file of the registry changes (a watch per folder, new folders too), once the changes have been quiet for
   * `debounceMs`; changes made during a refresh start another one after it. Needs a registry on disk.
   */
  watch(options: CatalogWatchOptions = {}): CatalogWatcher {
    const debounceMs = options.debounceMs ?? 50;
    if (!(Number.isFinite(debounceMs) && debounceMs >= 0))
      throw new TypeError('RegistryCatalog.watch: options.debounceMs must be a non-negative number');
    const directories = watchedDirectories(this.options);
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    let again = false;
    let closed = false;
    const report = (error: unknown) => {
      if (!closed) options.onError?.(error);
    };
    const run = async () => {
      timer = undefined;
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const result = await this.refresh();
          if (!closed) options.onRefresh?.(result);
        } while (again && !closed);
      } catch (error) {
        report(error);
      } finally {
        running = false;
      }
    };
    const changed = (path: string | undefined) => {
      if (closed) return;
      // Dot-files are never part of the registry (a staged write's temporary file is one); a file this catalog wrote
      // and adopted, still as it was written, needs no refresh either.
      if (path !== undefined && (basename(path).startsWith('.') || this.isAdopted(path))) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => void run(), debounceMs);
    };
    const watchers = new Map<string, FSWatcher>();
    const close = () => {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      this.watchers.delete(close);
    };
    // One watch per folder, not fs.watch's recursive mode: on Linux, Node 20 implements that in JavaScript with a
    // watcher per file, and reads a whole folder again on every event in it (13% of a server's time at 13k files).
    const watchFolder = (folder: string, required: boolean) => {
      if (closed || watchers.has(folder)) return;
      let watcher: FSWatcher;
      try {
        watcher = watch(folder, (event, name) => {
          const path = name ? join(folder, name.toString()) : undefined;
          if (event === 'rename' && path) watchNewFolder(path);
          changed(path);
        });
      } catch (error) {
        if (required) throw error;
        return; // gone again (a temporary folder), or not readable: the listing reports what matters
      }
      watcher.on('error', (error) => report(error));
      watchers.set(folder, watcher);
      for (const entry of subfolders(folder)) watchFolder(join(folder, entry), false);
    };
    const watchNewFolder = (path: string) => {
      try {
        if (statSync(path).isDirectory()) watchFolder(path, false);
      } catch {
        const gone = watchers.get(path);
        gone?.close();
        watchers.delete(path);
      }
    };
    try {
      for (const directory of directories) watchFolder(directory, true);
    } catch (error) {
      close();
      throw error;
    }
    this.watchers.add(close);
    return { close };
  }

  /** Stops every watcher and closes the store the catalog made (a store you passed stays open). */
  async close(): Promise<void> {
    for (const close of [...this.watchers]) close();
    await this.pending?.catch(() => undefined);
    if (this.ownsStore) await this.store.close();
  }
}

/** The registry API over a working registry directory: list, get, values, findByCapability, refresh and watch. */
export function openRegistryCatalog(options: OpenRegistryCatalogOptions): Promise<RegistryCatalog> {
  return RegistryCatalog.open(options);
}

/** Compiles the registry against the store (its build cache) and stores the build, so the next one reuses it. */
async function buildOnce(
  options: OpenRegistryCatalogOptions,
  store: SpecStore,
): Promise<{ compiled: CompiledRegistry; view: SnapshotView }> {
  const compiled = await compileRegistry({ ...compileOptions(options), store });
  await storeSnapshot(store, compiled, options.now ? { now: options.now } : {});
  return { compiled, view: await SnapshotView.open(store, compiled.snapshot) };
}

function compileOptions(options: OpenRegistryCatalogOptions) {
  return {
    registry: options.registry,
    ...(options.source ? { source: options.source } : {}),
    ...(options.kinds ? { kinds: options.kinds } : {}),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.now ? { now: options.now } : {}),
  };
}

function filesOf(compiled: CompiledRegistry): Map<string, SpecFile> {
  const referencesOf = compiled.referencesOf;
  return new Map(
    compiled.specs.map((spec) => [
      spec.id,
      {
        kind: spec.kind,
        digest: spec.digest,
        path: spec.path,
        file: spec.file,
        ...(referencesOf ? { references: referencesOf(spec.path) } : {}),
      },
    ]),
  );
}

/** Each spec's kind and digest by id, to tell what a refresh changed. */
function idsOf(compiled: CompiledRegistry): Map<string, string> {
  return new Map(compiled.specs.map((spec) => [spec.id, `${spec.kind} ${spec.digest}`]));
}

/** A file's identity and version as a string (inode, size, mtime), or undefined when it is gone. */
function statOf(path: string): string | undefined {
  try {
    const stat = statSync(path, { bigint: true });
    return `${stat.ino} ${stat.size} ${stat.mtimeNs}`;
  } catch {
    return undefined;
  }
}

/** The folders in a folder (dot-folders and links left out, as the listing leaves them out). */
function subfolders(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** The folders to watch: the registry directory, or every root of the source that is on disk. */
function watchedDirectories(options: OpenRegistryCatalogOptions): string[] {
  if (!options.source) return [resolve(options.registry)];
  const onDisk = options.source.roots.filter((root) => root.fs.diskPath !== undefined);
  if (onDisk.length === 0) throw new TypeError('RegistryCatalog.watch: the registry has no root on disk to watch');
  return onDisk.map((root) => resolve(root.location));
}
