// The OCI distribution API (v2) over an injected fetch: blobs, manifests and tags, every byte read back re-hashed.
//
// Written here rather than taken from npm: the maintained OCI clients for Node either wrap the docker CLI or pull in a
// whole image toolchain; what specstore needs is a few endpoints, with its own error codes and every digest checked.
import { digestBytes, isDigest, type Digest } from '../core/digest.js';
import { SpecError } from '../errors.js';

/** The media type of an OCI 1.1 image manifest. */
export const ociManifestMediaType = 'application/vnd.oci.image.manifest.v1+json';

/** What the client needs of `fetch` (the global one by default; a test or a proxy may pass its own). */
export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

export interface DistributionClientOptions {
  /** `http://127.0.0.1:5000` or `https://registry.example.com`: scheme, host and port, no path. */
  baseUrl: string;
  fetch?: FetchFunction;
}

/** A manifest as read back: its bytes (hashed to its digest), the digest, and its media type. */
export interface FetchedManifest {
  digest: Digest;
  mediaType: string;
  bytes: Uint8Array;
}

/** A repository name as the distribution spec admits it: lower-case path components. */
const repositoryName = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
/** A tag as the distribution spec admits it. */
const tagName = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** A client of one registry. Methods take the repository (`acme/specs`) and throw SpecErrors with OCI_* codes. */
export class DistributionClient {
  readonly baseUrl: string;
  private readonly fetch: FetchFunction;

  constructor(options: DistributionClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new SpecError('OCI_URL_INVALID', `${JSON.stringify(options.baseUrl)} is not a registry URL`);
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== ''))
      throw new SpecError('OCI_URL_INVALID', `${options.baseUrl}: a registry URL is http(s)://host[:port], no path`);
    this.baseUrl = `${url.protocol}//${url.host}`;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Whether the registry speaks the v2 API (`GET /v2/` answers 200). */
  async ping(): Promise<void> {
    const response = await this.request('GET', '/v2/');
    await this.expect(response, [200], 'the registry API (/v2/)');
  }

  /** Whether the repository holds a blob (HEAD). */
  async hasBlob(repository: string, digest: Digest): Promise<boolean> {
    const response = await this.request('HEAD', `/v2/${checkRepository(repository)}/blobs/${digest}`);
    if (response.status === 404) return false;
    await this.expect(response, [200], `blob ${digest}`);
    return true;
  }

  /** Uploads a blob in one request (POST an upload, then PUT its bytes with the digest); the registry checks the digest. */
  async pushBlob(
    repository: string,
    digest: Digest,
    bytes: Uint8Array,
    _options: { mountFrom?: readonly string[] } = {},
  ): Promise<'uploaded' | 'mounted'> {
    if (digestBytes(bytes) !== digest) throw new TypeError(`pushBlob: the bytes do not hash to ${digest}`);
    const started = await this.request('POST', `/v2/${checkRepository(repository)}/blobs/uploads/`);
    await this.expect(started, [202], `an upload of ${digest}`);
    const location = started.headers.get('location');
    if (!location) throw this.protocolError(`the registry started an upload of ${digest} without a Location`);
    const url = new URL(location, this.baseUrl);
    if (url.host !== new URL(this.baseUrl).host)
      throw this.protocolError(`the registry sent the upload of ${digest} to another host (${url.host})`);
    url.searchParams.set('digest', digest);
    const put = await this.request('PUT', url.pathname + url.search, {
      body: bytes,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
    });
    await this.expect(put, [201], `the upload of ${digest}`);
    return 'uploaded';
  }

  /** Reads a blob; bytes that do not hash to `digest` are OCI_DIGEST_MISMATCH, never returned. */
  async getBlob(repository: string, digest: Digest): Promise<Uint8Array> {
    const response = await this.request('GET', `/v2/${checkRepository(repository)}/blobs/${digest}`);
    await this.expect(response, [200], `blob ${digest}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const actual = digestBytes(bytes);
    if (actual !== digest)
      throw new SpecError('OCI_DIGEST_MISMATCH', `blob ${digest} from ${this.baseUrl} hashes to ${actual}`, {
        data: { expected: digest, actual },
      });
    return bytes;
  }

  /** Bytes [start, end] (inclusive) of a blob, by a Range request; not hash-checked: the caller checks the content. */
  async getBlobRange(repository: string, digest: Digest, start: number, end: number): Promise<Uint8Array> {
    const response = await this.request('GET', `/v2/${checkRepository(repository)}/blobs/${digest}`, {
      headers: { range: `bytes=${start}-${end}` },
    });
    await this.expect(response, [200, 206], `blob ${digest} (bytes ${start}-${end})`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return response.status === 206 ? bytes : bytes.slice(start, end + 1);
  }

  /** Stores a manifest under a tag or its digest; returns its digest (checked against what the registry says). */
  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<Digest> {
    const digest = digestBytes(bytes);
    const response = await this.request(
      'PUT',
      `/v2/${checkRepository(repository)}/manifests/${checkReference(reference)}`,
      {
        body: bytes,
        headers: { 'content-type': mediaType },
      },
    );
    await this.expect(response, [201], `the manifest ${reference}`);
    const said = response.headers.get('docker-content-digest');
    if (said !== null && said !== digest)
      throw new SpecError(
        'OCI_DIGEST_MISMATCH',
        `the registry stored manifest ${reference} as ${said}, not ${digest}`,
        {
          data: { expected: digest, actual: said },
        },
      );
    return digest;
  }

  /** Reads a manifest by tag or digest; undefined when there is none. By digest, its bytes must hash to it. */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest | undefined> {
    const response = await this.request(
      'GET',
      `/v2/${checkRepository(repository)}/manifests/${checkReference(reference)}`,
      {
        headers: { accept: ociManifestMediaType },
      },
    );
    if (response.status === 404) return undefined;
    await this.expect(response, [200], `manifest ${reference}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const digest = digestBytes(bytes);
    const said = response.headers.get('docker-content-digest');
    const expected = isDigest(reference) ? reference : said;
    if (expected !== null && expected !== digest)
      throw new SpecError('OCI_DIGEST_MISMATCH', `manifest ${reference} from ${this.baseUrl} hashes to ${digest}`, {
        data: { expected, actual: digest },
      });
    return { digest, mediaType: (response.headers.get('content-type') ?? '').split(';')[0]!.trim(), bytes };
  }

  /** Every tag of a repository, following the registry's pages (`Link: <…>; rel="next"`); [] for an unknown one. */
  async listTags(repository: string, pageSize = 1000): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${checkRepository(repository)}/tags/list?n=${pageSize}`;
    for (let pages = 0; path !== undefined; pages++) {
      if (pages > 10_000) throw this.protocolError('the tag list does not end');
      const response = await this.request('GET', path);
      if (response.status === 404 && pages === 0) return [];
      await this.expect(response, [200], `the tags of ${repository}`);
      const page = (await response.json().catch(() => undefined)) as { tags?: unknown } | undefined;
      const listed = page?.tags ?? [];
      if (!Array.isArray(listed) || !listed.every((tag): tag is string => typeof tag === 'string'))
        throw this.protocolError(`the tag list of ${repository} is not a list of strings`);
      tags.push(...listed);
      path = nextPage(response.headers.get('link'), this.baseUrl);
    }
    return tags;
  }

  private async request(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await this.fetch(`${this.baseUrl}${path}`, { ...init, method, redirect: 'follow' });
    } catch (cause) {
      throw new SpecError('OCI_UNREACHABLE', `cannot reach ${this.baseUrl}: ${(cause as Error).message}`, {
        data: { registry: this.baseUrl },
        cause,
      });
    }
  }

  /** A status outside `ok` is an error that says what the registry answered (its `errors[0].code` when it gives one). */
  private async expect(response: Response, ok: number[], what: string): Promise<void> {
    if (ok.includes(response.status)) return;
    const text = await response.text().catch(() => '');
    let detail = '';
    try {
      const body = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
      const first = body.errors?.[0];
      if (first && typeof first.code === 'string')
        detail = `: ${first.code}${typeof first.message === 'string' ? ` (${first.message})` : ''}`;
    } catch {
      // not a distribution error body: the status says enough
    }
    const code =
      response.status === 401 || response.status === 403
        ? 'OCI_UNAUTHORIZED'
        : response.status === 404
          ? 'OCI_NOT_FOUND'
          : 'OCI_REFUSED';
    throw new SpecError(code, `${this.baseUrl} answered ${response.status} for ${what}${detail}`, {
      data: { registry: this.baseUrl, status: response.status },
    });
  }

  private protocolError(message: string): SpecError {
    return new SpecError('OCI_REFUSED', `${this.baseUrl}: ${message}`, { data: { registry: this.baseUrl } });
  }
}

/** The repository name, or OCI_URL_INVALID when the distribution spec does not admit it. */
export function checkRepository(repository: string): string {
  if (!repositoryName.test(repository) || repository.length > 255)
    throw new SpecError('OCI_URL_INVALID', `${JSON.stringify(repository)} is not a repository name (lower-case path)`);
  return repository;
}

function checkReference(reference: string): string {
  if (!isDigest(reference) && !tagName.test(reference))
    throw new SpecError('OCI_URL_INVALID', `${JSON.stringify(reference)} is neither a tag nor a sha256 digest`);
  return reference;
}

/** The path of the next page from a `Link` header, on the same registry only. */
function nextPage(link: string | null, baseUrl: string): string | undefined {
  const match = link?.match(/<([^>]+)>\s*;\s*rel="?next"?/);
  if (!match) return undefined;
  const url = new URL(match[1]!, baseUrl);
  if (url.host !== new URL(baseUrl).host) return undefined;
  return url.pathname + url.search;
}
