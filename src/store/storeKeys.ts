// The whole key layout of a store (docs/store.md): every prefix, the keys under it, and the build cache's namespaces.
import type { Digest } from '../core/digest.js';
import type { BatchOperation } from './keyValueStore.js';

/**
 * A key prefix and what lies under it, like abstract-level's sublevels: `key(name)` is the full key, `nameOf(key)`
 * the name again. Every prefix ends in `:`; nothing user-supplied can contain one before the name.
 */
export class KeySpace {
  constructor(readonly prefix: string) {}

  key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** The name a key of this space holds (the key without the prefix). */
  nameOf(key: string): string {
    return key.slice(this.prefix.length);
  }

  holds(key: string): boolean {
    return key.startsWith(this.prefix);
  }

  /** A space inside this one. */
  space(name: string): KeySpace {
    return new KeySpace(this.key(name));
  }

  put(name: string, value: string): BatchOperation {
    return { type: 'put', key: this.key(name), value };
  }

  del(name: string): BatchOperation {
    return { type: 'del', key: this.key(name) };
  }
}

/** The top-level spaces of a store. */
export const keySpaces = {
  /** `obj:<digest>`: canonical JSON of a spec, tree node or snapshot root. */
  object: new KeySpace('obj:'),
  /** `snap:<snapshot id>`: build metadata, outside the id. */
  snapshot: new KeySpace('snap:'),
  tag: new KeySpace('tag:'),
  /** `log:<12-digit sequence>`: the build log. */
  log: new KeySpace('log:'),
  /** `pub:<id@version>`: published versions. */
  published: new KeySpace('pub:'),
  /** `pin:<snapshot id>`: published snapshots. */
  pin: new KeySpace('pin:'),
  meta: new KeySpace('meta:'),
  /** `gc:<snapshot id>`: snapshots gc removed (the build log may still name them). */
  collected: new KeySpace('gc:'),
  /** `remote:<name>`: a saved OCI remote (`spec remote add`): its URL and options, as JSON. */
  remote: new KeySpace('remote:'),
  /** `run:<run id>`: the record of one `spec run` (docs/adapters.md). */
  run: new KeySpace('run:'),
  /** `memo:<memo key>`: the run and step whose successful result a step with that memo key reuses. */
  memo: new KeySpace('memo:'),
  /** Build-cache records: disposable, deleting them changes no result. */
  cache: new KeySpace('cache:'),
} as const;

/** The build cache's namespaces inside `cache:`. */
export const buildCacheSpaces = {
  /** The build index header and its buckets, per registry. */
  index: keySpaces.cache.space('build:'),
  /** One analysis per file, per registry. */
  analyses: keySpaces.cache.space('analyses:'),
  /** Where cache format v5 kept references: deleted when seen. */
  legacyReferences: keySpaces.cache.space('references:'),
} as const;

/** The full keys of the records the store layer writes. */
export const keys = {
  object: (digest: Digest) => keySpaces.object.key(digest),
  snapshot: (id: Digest) => keySpaces.snapshot.key(id),
  tag: (name: string) => keySpaces.tag.key(name),
  log: (sequence: number) => keySpaces.log.key(String(sequence).padStart(12, '0')),
  published: (specId: string) => keySpaces.published.key(specId),
  pin: (snapshot: Digest) => keySpaces.pin.key(snapshot),
  meta: (name: string) => keySpaces.meta.key(name),
  collected: (snapshot: Digest) => keySpaces.collected.key(snapshot),
} as const;
