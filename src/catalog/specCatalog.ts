// The registry API over a snapshot: per kind, list ids, get one (a bare name = highest version), values, capabilities.
import { SpecError } from '../errors.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import type { ResolvedSpec, SnapshotView } from '../snapshot/snapshotView.js';
import { catalogKinds, type CatalogKind } from './catalogKinds.js';

/** The specs of one kind, read lazily from the catalog's current snapshot. Lookups are case-sensitive. */
export class KindCatalog {
  constructor(
    readonly kind: CatalogKind,
    private readonly currentView: () => SnapshotView,
  ) {}

  get name(): string {
    return this.kind.name;
  }

  /** The ids (`name@version`) of this kind, ordered by name then version; reads the tree, not the specs. */
  async list(): Promise<string[]> {
    return (await this.currentView().list({ kind: this.kind.name })).map((entry) => entry.id);
  }

  /** Whether `ref` (exact, or a bare name) resolves to a spec of this kind. */
  async has(ref: string): Promise<boolean> {
    return (await this.find(this.currentView(), ref)) !== undefined;
  }

  /**
   * The spec `ref` resolves to: `name@version` exactly, a bare `name` its highest version (docs/specs.md#versions).
   * REF_NOT_FOUND when there is none of this kind (a spec of another kind included); REF_INVALID for a malformed ref.
   */
  async get(ref: string): Promise<ResolvedSpec> {
    const view = this.currentView();
    const found = await this.find(view, ref);
    if (found) return found;
    const other = await view.lookup(ref);
    const why = other ? `: ${other.id} is a ${other.kind}, not a ${this.kind.name}` : '';
    throw new SpecError('REF_NOT_FOUND', `${ref} is not a ${this.kind.name} of snapshot ${view.id}${why}`, {
      data: { ref, kind: this.kind.name, snapshot: view.id },
    });
  }

  /** Every spec of this kind with its document, in list order, each read when the iteration reaches it. */
  async *values(): AsyncGenerator<ResolvedSpec> {
    yield* this.currentView().values({ kind: this.kind.name });
  }

  /** The specs of this kind whose capabilities (the kind's `capabilities` pointer) include `capability`; exact match. */
  async findByCapability(capability: string): Promise<ResolvedSpec[]> {
    if (this.kind.capabilities === undefined) return [];
    return this.currentView().findByCapability(capability, [this.kind]);
  }

  private async find(view: SnapshotView, ref: string): Promise<ResolvedSpec | undefined> {
    const resolved = await view.get(ref);
    return resolved?.kind === this.kind.name ? resolved : undefined;
  }
}

/** A catalog: its kinds by name, over one snapshot (or, for a registry directory, the latest good build of it). */
export class SpecCatalog {
  private byName: Map<string, KindCatalog>;

  protected constructor(
    protected view: SnapshotView,
    kinds: readonly CatalogKind[],
  ) {
    this.byName = this.catalogsOf(kinds);
  }

  /** Reads another snapshot from now on, with its kinds (a refresh may have added or removed a kind file). */
  protected switchTo(view: SnapshotView, kinds: readonly CatalogKind[]): void {
    this.view = view;
    this.byName = this.catalogsOf(kinds);
  }

  private catalogsOf(kinds: readonly CatalogKind[]): Map<string, KindCatalog> {
    return new Map(kinds.map((kind) => [kind.name, new KindCatalog(kind, () => this.view)]));
  }

  /** The catalog of a snapshot: the given kinds (default the built-in ones) and any kind the snapshot records. */
  static async of(view: SnapshotView, options: { kinds?: readonly KindDescriptor[] } = {}): Promise<SpecCatalog> {
    return new SpecCatalog(view, await catalogKinds(view, options.kinds ?? builtinKinds));
  }

  /** The snapshot the catalog reads now (its `id` is the snapshot id). */
  get snapshot(): SnapshotView {
    return this.view;
  }

  /** The names of the kinds, sorted. */
  kindNames(): string[] {
    return [...this.byName.keys()];
  }

  /** The specs of one kind; KIND_NOT_FOUND for a name that is not one of the catalog's kinds (case-sensitive). */
  kind(name: string): KindCatalog {
    const kind = this.byName.get(name);
    if (kind) return kind;
    throw new SpecError('KIND_NOT_FOUND', `there is no kind "${name}" (the kinds are ${this.kindNames().join(', ')})`, {
      data: { kind: name, kinds: this.kindNames() },
    });
  }
}

/** The registry API over a stored snapshot: `(await openCatalog(view)).kind('tool').get('text.llm')`. */
export function openCatalog(
  view: SnapshotView,
  options: { kinds?: readonly KindDescriptor[] } = {},
): Promise<SpecCatalog> {
  return SpecCatalog.of(view, options);
}
