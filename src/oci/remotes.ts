// Remotes: `oci://host[:port]/repository` locations, the names a store saves for them, and pull references.
import { isDigest, type Digest } from '../core/digest.js';
import { SpecError } from '../errors.js';
import type { SpecStore } from '../store/specStore.js';
import { formatRemoteRecord, parseRemoteRecord } from '../store/remoteRecords.js';
import { keySpaces } from '../store/storeKeys.js';
import { checkRepository } from './distributionClient.js';

/** Where snapshots are pushed and pulled: one repository of one registry. */
export interface RemoteLocation {
  /** `oci://host[:port]/repository`, as the user wrote it (normalised). */
  url: string;
  /** `host[:port]`: the key credentials are looked up under. */
  registry: string;
  repository: string;
  /** `https://host[:port]`, or `http://` for loopback hosts and with `plainHttp`. */
  baseUrl: string;
  plainHttp: boolean;
}

/** A saved remote: a name and its location. */
export interface SavedRemote extends RemoteLocation {
  name: string;
}

const remoteNamePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Loopback hosts, which docker (and this client) reach over plain HTTP without being told. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** Parses `oci://host[:port]/repository`; OCI_URL_INVALID names what is wrong. */
export function parseRemoteUrl(text: string, options: { plainHttp?: boolean } = {}): RemoteLocation {
  const invalid = (reason: string) =>
    new SpecError('OCI_URL_INVALID', `${JSON.stringify(text)} is not a remote: ${reason}`, { data: { url: text } });
  if (!text.startsWith('oci://')) throw invalid('a remote URL starts with oci:// (oci://host[:port]/repository)');
  let url: URL;
  try {
    url = new URL(`http://${text.slice('oci://'.length)}`);
  } catch {
    throw invalid('the host is not valid');
  }
  if (url.username || url.password)
    throw invalid('credentials do not belong in the URL (use SPEC_REGISTRY_USERNAME or docker login)');
  if (url.search || url.hash) throw invalid('a remote URL has no query or fragment');
  const repository = url.pathname.replace(/^\/+|\/+$/g, '');
  if (repository === '') throw invalid('the repository is missing (oci://host/acme/specs)');
  checkRepository(repository);
  const plainHttp = options.plainHttp === true || isLoopbackHost(url.hostname);
  return {
    url: `oci://${url.host}/${repository}`,
    registry: url.host,
    repository,
    baseUrl: `${plainHttp ? 'http' : 'https'}://${url.host}`,
    plainHttp,
  };
}

/** What `spec pull` names: a remote (saved name or oci:// URL) and a tag or a snapshot id. */
export interface RemoteReference {
  remote: string;
  tag?: string;
  snapshot?: Digest;
}

/**
 * Splits `origin:prod`, `origin@sha256:<id>`, `oci://host:5000/acme/specs:prod` or `oci://…@sha256:<id>`. A colon
 * before the last `/` of a URL is its port, not a tag.
 */
export function parseRemoteReference(text: string): RemoteReference {
  const at = text.lastIndexOf('@');
  if (at > 0) {
    const snapshot = text.slice(at + 1);
    if (!isDigest(snapshot))
      throw new SpecError('OCI_URL_INVALID', `${JSON.stringify(text)}: after @ comes a snapshot id (sha256:<64 hex>)`, {
        data: { reference: text },
      });
    return { remote: text.slice(0, at), snapshot };
  }
  const colon = text.lastIndexOf(':');
  const pathStart = text.startsWith('oci://') ? text.indexOf('/', 'oci://'.length) : -1;
  if (colon > pathStart && colon > 0 && text.slice(colon + 1) !== '' && !text.slice(colon).startsWith('://'))
    return { remote: text.slice(0, colon), tag: text.slice(colon + 1) };
  throw new SpecError(
    'OCI_URL_INVALID',
    `${JSON.stringify(text)} names no tag or snapshot: write REMOTE:TAG or REMOTE@sha256:<snapshot id>`,
    { data: { reference: text } },
  );
}

/** A saved name or an inline oci:// URL, as a location. */
export async function findRemote(
  store: SpecStore,
  nameOrUrl: string,
  options: { plainHttp?: boolean } = {},
): Promise<RemoteLocation & { name?: string }> {
  if (nameOrUrl.startsWith('oci://')) return parseRemoteUrl(nameOrUrl, options);
  const saved = await readSavedRemote(store, nameOrUrl);
  if (saved === undefined) {
    const names = (await listRemotes(store)).map((remote) => remote.name);
    throw new SpecError(
      'REMOTE_NOT_FOUND',
      `no remote named ${JSON.stringify(nameOrUrl)}` +
        (names.length > 0 ? ` (saved: ${names.join(', ')})` : ' (spec remote add NAME oci://host/repository)'),
      { data: { remote: nameOrUrl } },
    );
  }
  return options.plainHttp && !saved.plainHttp ? { ...parseRemoteUrl(saved.url, options), name: saved.name } : saved;
}

/** Saves a remote under a name; REMOTE_EXISTS if the name is taken (unless `replace`). */
export async function addRemote(
  store: SpecStore,
  name: string,
  url: string,
  options: { plainHttp?: boolean; replace?: boolean } = {},
): Promise<SavedRemote> {
  if (!remoteNamePattern.test(name))
    throw new SpecError(
      'OCI_URL_INVALID',
      `${JSON.stringify(name)} is not a remote name (lower-case letters, digits, . _ -)`,
      { data: { remote: name } },
    );
  const location = parseRemoteUrl(url, options);
  const records = store.namespace(keySpaces.remote);
  return store.exclusive(async () => {
    if (!options.replace && (await records.get(name)) !== undefined)
      throw new SpecError('REMOTE_EXISTS', `a remote named ${name} is already saved (spec remote remove ${name})`, {
        data: { remote: name },
      });
    const record = { url: location.url, ...(options.plainHttp ? { plainHttp: true as const } : {}) };
    await records.batch([{ type: 'put', key: name, value: formatRemoteRecord(record) }]);
    return { name, ...location };
  });
}

/** Forgets a saved remote (the registry is not touched); REMOTE_NOT_FOUND if there is none. */
export async function removeRemote(store: SpecStore, name: string): Promise<void> {
  const records = store.namespace(keySpaces.remote);
  await store.exclusive(async () => {
    if ((await records.get(name)) === undefined)
      throw new SpecError('REMOTE_NOT_FOUND', `no remote named ${JSON.stringify(name)}`, { data: { remote: name } });
    await records.batch([{ type: 'del', key: name }]);
  });
}

/** The saved remotes, by name. A record that does not parse is left out (`spec verify` reports it). */
export async function listRemotes(store: SpecStore): Promise<SavedRemote[]> {
  const remotes: SavedRemote[] = [];
  for await (const { name, value } of store.records(keySpaces.remote)) {
    const remote = decodeRemote(name, value);
    if (remote !== undefined) remotes.push(remote);
  }
  return remotes;
}

async function readSavedRemote(store: SpecStore, name: string): Promise<SavedRemote | undefined> {
  if (!remoteNamePattern.test(name)) return undefined;
  const value = await store.namespace(keySpaces.remote).get(name);
  return value === undefined ? undefined : decodeRemote(name, value);
}

/** A `remote:` record as a remote, or undefined when it is not one. */
export function decodeRemote(name: string, value: string): SavedRemote | undefined {
  const record = parseRemoteRecord(value);
  if (record === undefined) return undefined;
  try {
    return { name, ...parseRemoteUrl(record.url, { plainHttp: record.plainHttp === true }) };
  } catch {
    return undefined;
  }
}

/**
 * The repositories a push to `location` may mount blobs from: the other saved remotes on the same registry (a blob
 * there costs one request instead of an upload).
 */
export async function mountSources(store: SpecStore, location: RemoteLocation): Promise<string[]> {
  return (await listRemotes(store))
    .filter((saved) => saved.registry === location.registry && saved.repository !== location.repository)
    .map((saved) => saved.repository);
}
