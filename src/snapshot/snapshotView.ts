// A read-only, lazily loaded view of one snapshot: only the tree nodes and specs asked for are read.
import { sha256HexOfString, type Digest } from '../core/digest.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { describeRefProblem, parseRef, quoteStart, refProblem } from '../core/ref.js';
import { compareVersions, parseVersion, type Version } from '../core/version.js';
import { SpecError } from '../errors.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import { matchPointerPattern, type KindDescriptor } from '../kinds/kindDescriptor.js';
import { descriptorFromDefinition, type KindDefinition } from '../kinds/kindDefinition.js';
import { originLabel } from '../plugins/pluginOrigin.js';
import type { ObjectReader } from '../store/objectReader.js';
import { isLeafNode, type NameEntry, type SnapshotRoot, type TreeNode } from './manifestTree.js';
import { decodeSnapshotRoot, decodeTreeNode, rootKindDigests } from './treeDecoder.js';
import { leafSpecs, walkRootObjects, walkTree, type TreeWalkProblem, type WalkedNode } from './treeWalk.js';

/** One spec as listed in a snapshot. */
export interface SnapshotEntry {
  id: string;
  name: string;
  version: string;
  kind: string;
  digest: Digest;
  /** The plugin package the spec came from; absent (undefined) for the registry's own specs. */
  origin?: string;
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
  /** The plugin package the chosen version came from; absent for the registry's own specs. */
  origin?: string;
}

export class SnapshotView {
  private readonly nodeCache = new Map<Digest, TreeNode>();
  private readonly names = new Map<string, NameEntry | null>();
  /** Refs already resolved by get/resolve, for the synchronous resolveCached path. */
  private readonly resolved = new Map<string, ResolvedSpec>();
  private definitions: Promise<Map<string, KindDefinition>> | undefined;

  private constructor(
    private readonly reader: ObjectReader,
    readonly id: Digest,
    readonly root: SnapshotRoot,
  ) {}

  /** Opens a snapshot by exact id: reads its root object only. Any object reader will do (the store, a document, a pack). */
  static async open(reader: ObjectReader, id: Digest): Promise<SnapshotView> {
    const [value] = await reader.readObjects([id]);
    if (value === undefined)
      throw new SpecError('SNAPSHOT_NOT_FOUND', `snapshot ${id} is not in the store`, { data: { snapshot: id } });
    const root = decodeSnapshotRoot(value);
    if (!root.ok)
      throw new SpecError('STORE_CORRUPT', `object ${id} ${root.problem.message}`, { data: { snapshot: id } });
    return new SnapshotView(reader, id, root.value);
  }

  get size(): number {
    return this.root.specs;
  }

  /** The format of the root: `specstore/snapshot/v1` snapshots record no kinds and no plugins. */
  get format(): SnapshotRoot['format'] {
    return this.root.format;
  }

  /**
   * The kind definitions that validated this snapshot, by name (read once, re-hashed; empty for a v1 snapshot). A
   * definition that is missing or malformed means the store lost or damaged part of the snapshot.
   */
  async kinds(): Promise<ReadonlyMap<string, KindDefinition>> {
    this.definitions ??= walkRootObjects(this.reader, this.root, {
      onProblem: (problem) => {
        throw this.treeProblem(problem);
      },
    }).then((walked) => new Map(walked.map(({ kind, definition }) => [kind, deepFreeze(definition)])));
    const definitions = this.definitions;
    definitions.catch(() => {
      if (this.definitions === definitions) this.definitions = undefined;
    });
    return definitions;
  }

  /** The digest of each kind's definition, as the root lists them (empty for v1). */
  kindDigests(): Readonly<Record<string, Digest>> {
    return rootKindDigests(this.root);
  }

  /** The plugin packages the snapshot includes, with their versions (empty for v1 and when there are none). */
  plugins(): Readonly<Record<string, string>> {
    return 'plugins' in this.root ? this.root.plugins : {};
  }

  /** How an entry's origin is shown: `registry`, or `<package>@<version>` with the version this snapshot records. */
  originLabel(entry: { origin?: string | undefined }): string {
    const plugins = this.plugins();
    const plugin = entry.origin;
    return originLabel(plugin, plugin !== undefined && Object.hasOwn(plugins, plugin) ? plugins[plugin] : undefined);
  }

  /**
   * The kinds to read this snapshot's specs with: a built-in kind's own descriptor (its code checks and diff rules),
   * any other kind from its recorded definition; a snapshot that records no kinds (v1) was built with the built-ins.
   */
  async descriptors(builtins: readonly KindDescriptor[] = builtinKinds): Promise<KindDescriptor[]> {
    const definitions = await this.kinds();
    if (definitions.size === 0) return [...builtins];
    // The built-in kinds first, in their own order (as a build lists them), then the others by name.
    const known = builtins.filter((kind) => definitions.has(kind.name));
    const others = [...definitions.values()]
      .filter((definition) => !known.some((kind) => kind.name === definition.name))
      .map(descriptorFromDefinition);
    return [...known, ...others];
  }

  /** Reads one tree node (cached); a missing or malformed node means the store lost or damaged part of the snapshot. */
  async node(digest: Digest): Promise<TreeNode> {
    const [node] = await this.nodes([digest]);
    return node!;
  }

  /** Several tree nodes at once (cached; the missing ones in one batched, re-hashed read). */
  async nodes(digests: readonly Digest[]): Promise<TreeNode[]> {
    const missing = [...new Set(digests.filter((digest) => !this.nodeCache.has(digest)))];
    if (missing.length > 0) {
      const read = await this.reader.readObjects(missing);
      missing.forEach((digest, i) => {
        const position = { digest, prefix: '', parent: undefined };
        const value = read[i];
        if (value === undefined)
          throw this.treeProblem({ code: 'NODE_MISSING', ...position, message: `tree node ${digest} is missing` });
        const node = decodeTreeNode(value);
        if (!node.ok)
          throw this.treeProblem({
            code: 'NODE_MALFORMED',
            ...position,
            message: `tree node ${digest} ${node.problem.message}`,
          });
        this.nodeCache.set(digest, node.value);
      });
    }
    return digests.map((digest) => this.nodeCache.get(digest)!);
  }

  /** The whole tree, breadth first, in batches (cached nodes are not read again); a node that cannot be read throws. */
  levels(): AsyncGenerator<WalkedNode[]> {
    return walkTree(this.reader, this.root.tree, {
      cache: this.nodeCache,
      onProblem: (problem) => {
        throw this.treeProblem(problem);
      },
    });
  }

  /** A node the snapshot cannot do without: its damage as it was read (DIGEST_MISMATCH), else STORE_CORRUPT. */
  private treeProblem(problem: TreeWalkProblem): unknown {
    if (problem.code === 'NODE_DAMAGED' || problem.code === 'DEFINITION_DAMAGED') return problem.cause;
    const what =
      problem.code === 'NODE_MISSING'
        ? `tree node ${problem.digest}, which is missing from the store`
        : problem.code === 'DEFINITION_MISSING'
          ? `kind definition ${problem.digest} (${problem.kind}), which is missing from the store`
          : problem.code === 'DEFINITION_MALFORMED'
            ? `kind definition ${problem.digest}, which is malformed: ${problem.message}`
            : `tree node ${problem.digest}, which is malformed: ${problem.message}`;
    return new SpecError('STORE_CORRUPT', `snapshot ${this.id} refers to ${what}`, {
      data: { snapshot: this.id, object: problem.digest },
    });
  }

  /** All versions of a name: one path from the root to a leaf. */
  async nameEntry(name: string): Promise<NameEntry | undefined> {
    const cached = this.names.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const hash = sha256HexOfString(name);
    let node = await this.node(this.root.tree);
    for (let depth = 0; !isLeafNode(node); depth++) {
      const child = node.branch[hash[depth]!];
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
    await this.kinds();
    const entries: SnapshotEntry[] = [];
    for await (const level of this.levels()) {
      for (const { node } of level) {
        if (!isLeafNode(node)) continue;
        for (const [name, entry] of Object.entries(node.leaf)) this.names.set(name, entry);
        for (const spec of leafSpecs(node)) entries.push(entryOf(spec));
      }
    }
    const batch = 1024;
    for (let start = 0; start < entries.length; start += batch) {
      const slice = entries.slice(start, start + batch).filter((entry) => !this.resolved.has(entry.id));
      const specs = await this.readSpecs(slice);
      slice.forEach((entry, i) =>
        this.resolved.set(entry.id, deepFreeze({ ref: entry.id, ...entry, spec: specs[i]! })),
      );
    }
    // A floating ref is the highest version, as `lookup` chooses it.
    for (const [name, entry] of this.names) {
      if (entry === null || this.resolved.has(name)) continue;
      const versions = sortedVersions(entry);
      const last = versions[versions.length - 1];
      if (last === undefined) continue;
      const highest = this.resolved.get(`${name}@${last.text}`);
      if (highest) this.resolved.set(name, Object.freeze({ ...highest, ref: name }));
    }
  }

  /** Lists every spec (reads the whole tree, not the specs), ordered by name then version. */
  async list(filter: { kind?: string } = {}): Promise<SnapshotEntry[]> {
    const entries: SnapshotEntry[] = [];
    for await (const level of this.levels()) {
      for (const { node } of level) {
        if (!isLeafNode(node)) continue;
        for (const spec of leafSpecs(node))
          if (filter.kind === undefined || spec.kind === filter.kind) entries.push(entryOf(spec));
      }
    }
    return entries.sort(compareEntries);
  }

  /** How a ref resolves: the candidates and the choice. Never throws for a ref that is merely absent. */
  async explain(refText: string): Promise<ResolveExplanation> {
    const ref = parseRef(refText);
    if (!ref) {
      const problem = refProblem(refText, 'ref') ?? 'name-invalid';
      throw new SpecError(
        'REF_INVALID',
        `${quoteStart(refText)} is not a reference (name or name@version): ${describeRefProblem(refText, problem)} (see docs/specs.md#ids)`,
        { data: { ref: refText, problem } },
      );
    }
    const explanation: ResolveExplanation = {
      ref: refText,
      parsed: ref.version
        ? { name: ref.name, version: ref.version.text, floating: false }
        : { name: ref.name, floating: true },
      snapshot: this.id,
      candidates: [],
    };
    const entry = await this.nameEntry(ref.name);
    if (!entry) return explanation;
    explanation.kind = entry.kind;
    const versions = sortedVersions(entry);
    explanation.candidates = versions.map((version) => ({
      version: version.text,
      digest: entry.versions[version.text]!,
    }));
    if (ref.version) {
      const digest = Object.hasOwn(entry.versions, ref.version.text) ? entry.versions[ref.version.text] : undefined;
      if (digest) explanation.chosen = { version: ref.version.text, digest, reason: 'exact version' };
    } else if (versions.length > 0) {
      const highest = versions[versions.length - 1]!;
      explanation.chosen = {
        version: highest.text,
        digest: entry.versions[highest.text]!,
        reason: 'highest version under the documented order (docs/specs.md#versions)',
      };
    }
    const origin = explanation.chosen && entry.origins?.[explanation.chosen.version];
    if (origin !== undefined) explanation.origin = origin;
    return explanation;
  }

  /** The entry a ref resolves to, without reading the spec; undefined when absent. */
  async lookup(refText: string): Promise<SnapshotEntry | undefined> {
    const explanation = await this.explain(refText);
    if (!explanation.chosen) return undefined;
    const name = explanation.parsed.name;
    return {
      id: `${name}@${explanation.chosen.version}`,
      name,
      version: explanation.chosen.version,
      kind: explanation.kind!,
      digest: explanation.chosen.digest,
      ...(explanation.origin === undefined ? {} : { origin: explanation.origin }),
    };
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
    const hint =
      explanation.candidates.length > 0
        ? ` (it has ${explanation.candidates.map((c) => `${explanation.parsed.name}@${c.version}`).join(', ')})`
        : '';
    throw new SpecError('REF_NOT_FOUND', `${refText} is not in snapshot ${this.id}${hint}`, {
      data: { ref: refText, snapshot: this.id },
    });
  }

  async readSpec(entry: SnapshotEntry): Promise<JsonObject> {
    const [spec] = await this.readSpecs([entry]);
    return spec!;
  }

  /** Several specs' documents at once (one batched read, each re-hashed); a missing one is STORE_CORRUPT. */
  async readSpecs(entries: readonly SnapshotEntry[]): Promise<JsonObject[]> {
    const specs = await this.reader.readObjects(entries.map((entry) => entry.digest));
    return specs.map((spec, i) => this.specDocument(entries[i]!, spec));
  }

  private specDocument(entry: SnapshotEntry, spec: JsonValue | undefined): JsonObject {
    if (isJsonObject(spec)) return spec;
    const what = spec === undefined ? 'which is missing from the store' : 'which is not a spec (not a JSON object)';
    throw new SpecError('STORE_CORRUPT', `snapshot ${this.id} lists ${entry.id} as ${entry.digest}, ${what}`, {
      data: { snapshot: this.id, object: entry.digest, ref: entry.id },
    });
  }

  /** Every spec with its document, in list order. */
  async *values(filter: { kind?: string } = {}): AsyncGenerator<ResolvedSpec> {
    for (const entry of await this.list(filter)) yield { ref: entry.id, ...entry, spec: await this.readSpec(entry) };
  }

  /**
   * Specs that declare a capability, of the kinds that have capabilities (`capabilities` in the descriptor: tools).
   * The kinds default to the snapshot's own (descriptors()).
   */
  async findByCapability(
    capability: string,
    kinds?: readonly Pick<KindDescriptor, 'name' | 'capabilities'>[],
  ): Promise<ResolvedSpec[]> {
    const found: ResolvedSpec[] = [];
    for (const kind of kinds ?? (await this.descriptors())) {
      if (kind.capabilities === undefined) continue;
      for await (const resolved of this.values({ kind: kind.name })) {
        const declared = matchPointerPattern(resolved.spec, kind.capabilities).some(
          ({ value }) => Array.isArray(value) && value.includes(capability),
        );
        if (declared) found.push(resolved);
      }
    }
    return found;
  }
}

function entryOf(spec: {
  name: string;
  version: string;
  kind: string;
  digest: Digest;
  origin?: string;
}): SnapshotEntry {
  return { id: `${spec.name}@${spec.version}`, ...spec };
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
