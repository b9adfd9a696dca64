// A read-only, lazily loaded view of one snapshot: only the tree nodes and specs asked for are read.
import { sha256HexOfString, type Digest } from '../core/digest.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { describeRefProblem, parseRef, quoteStart, refProblem } from '../core/ref.js';
import { compareVersions, parseVersion, type Version } from '../core/version.js';
import { SpecError } from '../errors.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import { matchPointerPattern, type KindDescriptor } from '../kinds/kindDescriptor.js';
import type { SpecStore } from '../store/specStore.js';
import { isLeafNode, snapshotFormat, type NameEntry, type SnapshotRoot, type TreeNode } from './manifestTree.js';

/** One spec as listed in a snapshot. */
export interface SnapshotEntry {
  id: string;
  name: string;
  version: string;
  kind: string;
  digest: Digest;
}

/** What resolving a ref gives: the exact spec, its digest and its document. */
export interface ResolvedSpec extends SnapshotEntry {
  ref: string;
  spec: JsonObject;
}

export interface ResolveExplanation {
  ref: string;
  parsed: { name: string; version?: string; floating: boolean };
  snapshot: Digest;
  /** Every version of the name in the snapshot, lowest first. */
  candidates: { version: string; digest: Digest }[];
  chosen?: { version: string; digest: Digest; reason: string };
  kind?: string;
}

export class SnapshotView {
  private readonly nodeCache = new Map<Digest, TreeNode>();
  private readonly names = new Map<string, NameEntry | null>();
  /** Refs already resolved by get/resolve, for the synchronous resolveCached path. */
  private readonly resolved = new Map<string, ResolvedSpec>();

  private constructor(
    private readonly store: SpecStore,
    readonly id: Digest,
    readonly root: SnapshotRoot,
  ) {}

  /** Opens a snapshot by exact id: reads its root object only. */
  static async open(store: SpecStore, id: Digest): Promise<SnapshotView> {
    const root = await store.readObject(id);
    if (root === undefined) throw new SpecError('SNAPSHOT_NOT_FOUND', `snapshot ${id} is not in the store`, { data: { snapshot: id } });
    if (!isJsonObject(root) || root['format'] !== snapshotFormat) {
      throw new SpecError('STORE_CORRUPT', `object ${id} is not a snapshot root (format ${JSON.stringify(isJsonObject(root) ? root['format'] : typeof root)})`, { data: { snapshot: id } });
    }
    return new SnapshotView(store, id, root as unknown as SnapshotRoot);
  }

  get size(): number {
    return this.root.specs;
  }

  /** Reads one tree node (cached); a missing node means the store lost part of the snapshot. */
  async node(digest: Digest): Promise<TreeNode> {
    const cached = this.nodeCache.get(digest);
    if (cached) return cached;
    const node = (await this.store.readObject(digest)) as TreeNode | undefined;
    if (node === undefined) {
      throw new SpecError('STORE_CORRUPT', `snapshot ${this.id} refers to tree node ${digest}, which is missing from the store`, { data: { snapshot: this.id, object: digest } });
    }
    this.nodeCache.set(digest, node);
    return node;
  }

  /** Several tree nodes at once (cached; the missing ones in one batched, re-hashed read). */
  async nodes(digests: readonly Digest[]): Promise<TreeNode[]> {
    const missing = [...new Set(digests.filter((digest) => !this.nodeCache.has(digest)))];
    if (missing.length > 0) {
      const read = await this.store.readObjects(missing);
      missing.forEach((digest, i) => {
        const node = read[i] as TreeNode | undefined;
        if (node === undefined) throw new SpecError('STORE_CORRUPT', `snapshot ${this.id} refers to tree node ${digest}, which is missing from the store`, { data: { snapshot: this.id, object: digest } });
        this.nodeCache.set(digest, node);
      });
    }
    return digests.map((digest) => this.nodeCache.get(digest)!);
  }

  /** All versions of a name: one path from the root to a leaf. */
  async nameEntry(name: string): Promise<NameEntry | undefined> {
    const cached = this.names.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const hash = sha256HexOfString(name);
    let node = await this.node(this.root.tree);
    for (let depth = 0; !isLeafNode(node); depth++) {
      const child = node.branch[hash[depth]];
      if (child === undefined) {
        this.names.set(name, null);
        return undefined;
      }
      node = await this.node(child);
    }
    const entry = Object.hasOwn(node.leaf, name) ? node.leaf[name] : undefined;
    this.names.set(name, entry ?? null);
    return entry;
  }

  /**
   * Reads the whole snapshot now: every tree node, a level at a time, and every spec, in batches, each re-hashed.
   * Afterwards every exact ref (`name@version`) and every floating one (`name`) resolves from memory, synchronously
   * with resolveCached, without touching the store: for a runtime that resolves many refs of one pinned snapshot.
   */
  async preload(): Promise<void> {
    let level: Digest[] = [this.root.tree];
    const leaves: TreeNode[] = [];
    while (level.length > 0) {
      const missing = level.filter((digest) => !this.nodeCache.has(digest));
      const read = await this.store.readObjects(missing);
      missing.forEach((digest, i) => {
        const node = read[i] as TreeNode | undefined;
        if (node === undefined) throw new SpecError('STORE_CORRUPT', `snapshot ${this.id} refers to tree node ${digest}, which is missing from the store`, { data: { snapshot: this.id, object: digest } });
        this.nodeCache.set(digest, node);
      });
      const next: Digest[] = [];
      for (const digest of level) {
        const node = this.nodeCache.get(digest)!;
        if (isLeafNode(node)) leaves.push(node);
        else next.push(...Object.values(node.branch));
      }
      level = next;
    }
    const entries: SnapshotEntry[] = [];
    for (const leaf of leaves) {
      if (!isLeafNode(leaf)) continue;
      for (const [name, entry] of Object.entries(leaf.leaf)) {
        this.names.set(name, entry);
        for (const [version, digest] of Object.entries(entry.versions)) entries.push({ id: `${name}@${version}`, name, version, kind: entry.kind, digest });
      }
    }
    const batch = 1024;
    for (let start = 0; start < entries.length; start += batch) {
      const slice = entries.slice(start, start + batch).filter((entry) => !this.resolved.has(entry.id));
      const specs = await this.store.readObjects(slice.map((entry) => entry.digest));
      slice.forEach((entry, i) => {
        const spec = specs[i];
        if (spec === undefined) throw new SpecError('STORE_CORRUPT', `snapshot ${this.id} lists ${entry.id} as ${entry.digest}, which is missing from the store`, { data: { snapshot: this.id, object: entry.digest, ref: entry.id } });
        this.resolved.set(entry.id, deepFreeze({ ref: entry.id, ...entry, spec: spec as JsonObject }));
      });
    }
    // A floating ref is the highest version, as `lookup` chooses it.
    for (const [name, entry] of this.names) {
      if (entry === null || this.resolved.has(name)) continue;
      const versions = sortedVersions(entry);
      const highest = this.resolved.get(`${name}@${versions[versions.length - 1].text}`);
      if (highest) this.resolved.set(name, Object.freeze({ ...highest, ref: name }));
    }
  }

  /** Lists every spec (reads the whole tree, not the specs), ordered by name then version. */
  async list(filter: { kind?: string } = {}): Promise<SnapshotEntry[]> {
    const entries: SnapshotEntry[] = [];
    const visit = async (digest: Digest): Promise<void> => {
      const node = await this.node(digest);
      if (isLeafNode(node)) {
        for (const [name, entry] of Object.entries(node.leaf)) {
          if (filter.kind !== undefined && entry.kind !== filter.kind) continue;
          for (const [version, specDigest] of Object.entries(entry.versions)) {
            entries.push({ id: `${name}@${version}`, name, version, kind: entry.kind, digest: specDigest });
          }
        }
      } else {
        for (const child of Object.values(node.branch)) await visit(child);
      }
    };
    await visit(this.root.tree);
    return entries.sort(compareEntries);
  }

  /** How a ref resolves: the candidates and the choice. Never throws for a ref that is merely absent. */
  async explain(refText: string): Promise<ResolveExplanation> {
    const ref = parseRef(refText);
    if (!ref) {
      const problem = refProblem(refText, 'ref') ?? 'name-invalid';
      throw new SpecError('REF_INVALID', `${quoteStart(refText)} is not a reference (name or name@version): ${describeRefProblem(refText, problem)} (see docs/specs.md#ids)`, { data: { ref: refText, problem } });
    }
    const explanation: ResolveExplanation = {
      ref: refText,
      parsed: ref.version ? { name: ref.name, version: ref.version.text, floating: false } : { name: ref.name, floating: true },
      snapshot: this.id,
      candidates: [],
    };
    const entry = await this.nameEntry(ref.name);
    if (!entry) return explanation;
    explanation.kind = entry.kind;
    const versions = sortedVersions(entry);
    explanation.candidates = versions.map((version) => ({ version: version.text, digest: entry.versions[version.text] }));
    if (ref.version) {
      const digest = Object.hasOwn(entry.versions, ref.version.text) ? entry.versions[ref.version.text] : undefined;
      if (digest) explanation.chosen = { version: ref.version.text, digest, reason: 'exact version' };
    } else if (versions.length > 0) {
      const highest = versions[versions.length - 1];
      explanation.chosen = { version: highest.text, digest: entry.versions[highest.text], reason: 'highest version under the documented order (docs/specs.md#versions)' };
    }
    return explanation;
  }

  /** The entry a ref resolves to, without reading the spec; undefined when absent. */
  async lookup(refText: string): Promise<SnapshotEntry | undefined> {
    const explanation = await this.explain(refText);
    if (!explanation.chosen) return undefined;
    const name = explanation.parsed.name;
    return { id: `${name}@${explanation.chosen.version}`, name, version: explanation.chosen.version, kind: explanation.kind!, digest: explanation.chosen.digest };
  }

  /** Resolves a ref and reads the spec (re-hashed); undefined when the snapshot has no such spec. */
  async get(refText: string): Promise<ResolvedSpec | undefined> {
    const cached = this.resolved.get(refText);
    if (cached) return cached;
    const entry = await this.lookup(refText);
    if (!entry) return undefined;
    // Frozen because it is shared by every later caller of the same ref.
    const resolved = deepFreeze({ ref: refText, ...entry, spec: await this.readSpec(entry) });
    this.resolved.set(refText, resolved);
    return resolved;
  }

  /** A ref that get/resolve has already loaded, synchronously (no store access); undefined otherwise. */
  resolveCached(refText: string): ResolvedSpec | undefined {
    return this.resolved.get(refText);
  }

  /** Like get, but a missing spec is REF_NOT_FOUND. */
  async resolve(refText: string): Promise<ResolvedSpec> {
    const resolved = await this.get(refText);
    if (resolved) return resolved;
    const explanation = await this.explain(refText);
    const hint = explanation.candidates.length > 0 ? ` (it has ${explanation.candidates.map((c) => `${explanation.parsed.name}@${c.version}`).join(', ')})` : '';
    throw new SpecError('REF_NOT_FOUND', `${refText} is not in snapshot ${this.id}${hint}`, { data: { ref: refText, snapshot: this.id } });
  }

  async readSpec(entry: SnapshotEntry): Promise<JsonObject> {
    const spec = await this.store.readObject(entry.digest);
    if (spec === undefined) {
      throw new SpecError('STORE_CORRUPT', `snapshot ${this.id} lists ${entry.id} as ${entry.digest}, which is missing from the store`, { data: { snapshot: this.id, object: entry.digest, ref: entry.id } });
    }
    return spec as JsonObject;
  }

  /** Several specs' documents at once (one batched read, each re-hashed); a missing one is STORE_CORRUPT. */
  async readSpecs(entries: readonly SnapshotEntry[]): Promise<JsonObject[]> {
    const specs = await this.store.readObjects(entries.map((entry) => entry.digest));
    return specs.map((spec, i) => {
      if (spec === undefined) {
        const entry = entries[i];
        throw new SpecError('STORE_CORRUPT', `snapshot ${this.id} lists ${entry.id} as ${entry.digest}, which is missing from the store`, { data: { snapshot: this.id, object: entry.digest, ref: entry.id } });
      }
      return spec as JsonObject;
    });
  }

  /** Every spec with its document, in list order. */
  async *values(filter: { kind?: string } = {}): AsyncGenerator<ResolvedSpec> {
    for (const entry of await this.list(filter)) yield { ref: entry.id, ...entry, spec: await this.readSpec(entry) };
  }

  /** Specs that declare a capability, of the kinds that have capabilities (`capabilities` in the descriptor: tools). */
  async findByCapability(capability: string, kinds: readonly KindDescriptor[] = builtinKinds): Promise<ResolvedSpec[]> {
    const found: ResolvedSpec[] = [];
    for (const kind of kinds) {
      if (kind.capabilities === undefined) continue;
      for await (const resolved of this.values({ kind: kind.name })) {
        const declared = matchPointerPattern(resolved.spec, kind.capabilities).some(({ value }) => Array.isArray(value) && value.includes(capability));
        if (declared) found.push(resolved);
      }
    }
    return found;
  }
}

function sortedVersions(entry: NameEntry): Version[] {
  return Object.keys(entry.versions)
    .map((text) => parseVersion(text)!)
    .sort(compareVersions);
}

function compareEntries(a: SnapshotEntry, b: SnapshotEntry): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return compareVersions(parseVersion(a.version)!, parseVersion(b.version)!);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
