// The OCI distribution API (v2) over an injected fetch: blobs, manifests and tags, every byte read back re-hashed.
//
// Written here rather than taken from npm (docs/oci.md says which clients were looked at): what specstore needs is a
// few endpoints with its own error codes, every digest checked, and docker's auth flow, over an injected fetch.
import { digestBytes, isDigest, type Digest } from '../core/digest.js';
import { SpecError } from '../errors.js';
import {
  basicAuthorization,
  BearerTokens,
  mergeScopes,
  parseAuthChallenges,
  type AuthChallenge,
  type RegistryCredentials,
} from './registryAuth.js';

/** The media type of an OCI 1.1 image manifest. */
export const ociManifestMediaType = 'application/vnd.oci.image.manifest.v1+json';

/** What the client needs of `fetch` (the global one by default; a test or a proxy may pass its own). */
export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/** One HTTP exchange, reported after the answer (request counting, progress). */
export interface ResponseInfo {
  method: string;
  url: string;
  status: number;
  bytesSent: number;
}

export interface DistributionClientOptions {
  /** `http://127.0.0.1:5000` or `https://registry.example.com`: scheme, host and port, no path. */
  baseUrl: string;
  fetch?: FetchFunction;
  /** Looked up once, the first time the registry asks (a 401); undefined: anonymous. */
  credentials?: () => Promise<RegistryCredentials | undefined>;
  /** Blobs above this many bytes are uploaded in PATCH chunks of this size. Default 8 MiB. */
  chunkSize?: number;
  /** Retries of 429, 5xx and failed connections: attempts in all (default 4) and the first delay (default 200 ms, doubling). */
  retry?: { attempts?: number; delayMs?: number };
  onResponse?: (info: ResponseInfo) => void;
  /** The clock (token expiry), and the pause between retries: passed in for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
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
export const ociTagPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** Manifests larger than this are refused unread (distribution caps them at 4 MiB). */
const maxManifestBytes = 8 * 1024 * 1024;
const maxRedirects = 5;
/** The longest Retry-After honoured. */
const maxRetryDelayMs = 10_000;

interface RequestOptions {
  body?: Uint8Array;
  headers?: Record<string, string>;
  /** The token scopes the request needs (`repository:acme/specs:pull`). */
  scopes: string[];
}

/** A client of one registry. Methods take the repository (`acme/specs`) and throw SpecErrors with OCI_* codes. */
export class DistributionClient {
  readonly baseUrl: string;
  private readonly fetch: FetchFunction;
  private readonly host: string;
  private readonly chunkSize: number;
  private readonly attempts: number;
  private readonly delayMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private credentials: Promise<RegistryCredentials | undefined> | undefined;
  private readonly tokens: BearerTokens;
  /** The registry's challenge, once it has sent one: later requests authenticate before being asked. */
  private challenge: AuthChallenge | undefined;

  constructor(private readonly options: DistributionClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new SpecError('OCI_URL_INVALID', `${JSON.stringify(options.baseUrl)} is not a registry URL`);
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== ''))
      throw new SpecError('OCI_URL_INVALID', `${options.baseUrl}: a registry URL is http(s)://host[:port], no path`);
    this.baseUrl = `${url.protocol}//${url.host}`;
    this.host = url.host;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.chunkSize = options.chunkSize ?? 8 * 1024 * 1024;
    if (!Number.isSafeInteger(this.chunkSize) || this.chunkSize < 1)
      throw new TypeError('DistributionClient: chunkSize must be a positive integer');
    this.attempts = Math.max(1, options.retry?.attempts ?? 4);
    this.delayMs = options.retry?.delayMs ?? 200;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms)));
    this.tokens = new BearerTokens({
      fetch: (input, init) => this.fetch(input, init),
      credentials: () => this.credentialsOnce(),
      now: this.now,
      ...(options.onResponse ? { onResponse: options.onResponse } : {}),
    });
  }

  /** Whether the registry speaks the v2 API (`GET /v2/` answers 200). */
  async ping(): Promise<void> {
    const response = await this.request('GET', '/v2/', { scopes: [] });
    await this.expect(response, [200], 'the registry API (/v2/)');
  }

  /** Whether the repository holds a blob (HEAD). */
  async hasBlob(repository: string, digest: Digest): Promise<boolean> {
    const response = await this.request('HEAD', `/v2/${checkRepository(repository)}/blobs/${digest}`, {
      scopes: [pull(repository)],
    });
    if (response.status === 404) return false;
    await this.expect(response, [200], `blob ${digest}`);
    return true;
  }

  /**
   * Uploads a blob, unless one of `mountFrom` (repositories of the same registry) holds it and the registry mounts it
   * from there. At most `chunkSize` bytes go in one request: a larger blob is sent as PATCH chunks. The registry checks
   * the digest.
   */
  async pushBlob(
    repository: string,
    digest: Digest,
    bytes: Uint8Array,
    options: { mountFrom?: readonly string[] } = {},
  ): Promise<'uploaded' | 'mounted'> {
    if (digestBytes(bytes) !== digest) throw new TypeError(`pushBlob: the bytes do not hash to ${digest}`);
    const uploads = `/v2/${checkRepository(repository)}/blobs/uploads/`;
    let started: Response | undefined;
    for (const from of options.mountFrom ?? []) {
      const mount = await this.request('POST', `${uploads}?mount=${digest}&from=${checkRepository(from)}`, {
        scopes: [push(repository), pull(from)],
      });
      if (mount.status === 201) {
        await discard(mount);
        return 'mounted';
      }
      // 202: the registry could not mount and began an ordinary upload instead; use it.
      if (mount.status === 202) {
        started = mount;
        break;
      }
      await discard(mount);
    }
    started ??= await this.request('POST', uploads, { scopes: [push(repository)] });
    await this.expect(started, [202], `an upload of ${digest}`);
    await discard(started);
    let location = this.uploadLocation(started, digest);
    for (let offset = 0; bytes.length > this.chunkSize && offset < bytes.length; offset += this.chunkSize) {
      const chunk = bytes.subarray(offset, Math.min(offset + this.chunkSize, bytes.length));
      const patch = await this.request('PATCH', location.pathname + location.search, {
        body: chunk,
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.length - 1}`,
          'content-length': String(chunk.length),
        },
        scopes: [push(repository)],
      });
      await this.expect(patch, [202], `bytes ${offset}-${offset + chunk.length - 1} of ${digest}`);
      await discard(patch);
      location = this.uploadLocation(patch, digest);
    }
    location.searchParams.set('digest', digest);
    const last = bytes.length > this.chunkSize ? new Uint8Array(0) : bytes;
    const put = await this.request('PUT', location.pathname + location.search, {
      body: last,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(last.length) },
      scopes: [push(repository)],
    });
    await this.expect(put, [201], `the upload of ${digest}`);
    await discard(put);
    return 'uploaded';
  }

  /** Reads a blob; bytes that do not hash to `digest` are OCI_DIGEST_MISMATCH, never returned. */
  async getBlob(repository: string, digest: Digest): Promise<Uint8Array> {
    const response = await this.request('GET', `/v2/${checkRepository(repository)}/blobs/${digest}`, {
      scopes: [pull(repository)],
    });
    await this.expect(response, [200], `blob ${digest}`);
    const bytes = await this.readBody(response, `blob ${digest}`);
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
      scopes: [pull(repository)],
    });
    await this.expect(response, [200, 206], `blob ${digest} (bytes ${start}-${end})`);
    const bytes = await this.readBody(response, `blob ${digest}`);
    // A registry that ignores Range answers 200 with the whole blob.
    return response.status === 206 ? bytes : bytes.slice(start, end + 1);
  }

  /** Stores a manifest under a tag or its digest; returns its digest (checked against what the registry says). */
  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<Digest> {
    const digest = digestBytes(bytes);
    const response = await this.request(
      'PUT',
      `/v2/${checkRepository(repository)}/manifests/${checkReference(reference)}`,
      { body: bytes, headers: { 'content-type': mediaType }, scopes: [push(repository)] },
    );
    await this.expect(response, [201], `the manifest ${reference}`);
    await discard(response);
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
      { headers: { accept: ociManifestMediaType }, scopes: [pull(repository)] },
    );
    if (response.status === 404) {
      await discard(response);
      return undefined;
    }
    await this.expect(response, [200], `manifest ${reference}`);
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > maxManifestBytes)
      throw this.protocolError(`manifest ${reference} is ${length} bytes, more than a manifest may be`);
    const bytes = await this.readBody(response, `manifest ${reference}`);
    if (bytes.length > maxManifestBytes)
      throw this.protocolError(`manifest ${reference} is ${bytes.length} bytes, more than a manifest may be`);
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
      const response = await this.request('GET', path, { scopes: [pull(repository)] });
      if (response.status === 404 && pages === 0) {
        await discard(response);
        return [];
      }
      await this.expect(response, [200], `the tags of ${repository}`);
      const text = new TextDecoder().decode(await this.readBody(response, `the tags of ${repository}`));
      let page: { tags?: unknown } | undefined;
      try {
        page = JSON.parse(text) as { tags?: unknown };
      } catch {
        page = undefined;
      }
      const listed = page?.tags ?? [];
      if (!Array.isArray(listed) || !listed.every((tag): tag is string => typeof tag === 'string'))
        throw this.protocolError(`the tag list of ${repository} is not a list of strings`);
      tags.push(...listed);
      path = nextPage(response.headers.get('link'), this.baseUrl);
    }
    return tags;
  }

  /**
   * One request, as the registry wants it: authenticated (Basic, or a Bearer token for the scopes, asked for again when
   * the registry names a wider scope), redirects followed by hand (Authorization never sent to another host), and
   * retried with backoff for 429, 5xx and failed connections.
   */
  private async request(method: string, path: string, options: RequestOptions): Promise<Response> {
    // Two rounds: the first token, then one for the wider scope an insufficient_scope answer names.
    let authRounds = 0;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.follow(method, new URL(path, this.baseUrl), options, await this.authorization(options));
      } catch (cause) {
        if (cause instanceof SpecError) throw cause;
        if (attempt < this.attempts) {
          await this.sleep(this.backoff(attempt));
          continue;
        }
        throw new SpecError('OCI_UNREACHABLE', `cannot reach ${this.baseUrl}: ${describe(cause)}`, {
          data: { registry: this.baseUrl },
          cause,
        });
      }
      if (response.status === 401 && authRounds < 2) {
        const challenge = parseAuthChallenges(response.headers.get('www-authenticate') ?? '')[0];
        if (challenge && (challenge.scheme === 'bearer' || challenge.scheme === 'basic')) {
          await discard(response);
          authRounds++;
          this.challenge = challenge;
          if (challenge.scheme === 'bearer') {
            // The scope the registry names (wider on insufficient_scope) joins what the request needs.
            const named = challenge.params['scope'] ? challenge.params['scope'].split(' ') : [];
            const scopes = mergeScopes(options.scopes, named);
            await this.tokenFor(scopes, true);
            options = { ...options, scopes };
          } else if ((await this.credentialsOnce()) === undefined) {
            throw new SpecError(
              'OCI_UNAUTHORIZED',
              `${this.baseUrl} asks for a user name and password, and none is set`,
              {
                data: { registry: this.baseUrl, status: 401 },
              },
            );
          }
          continue;
        }
      }
      if ((response.status === 429 || response.status >= 500) && attempt < this.attempts) {
        const retryAfter = Number(response.headers.get('retry-after'));
        await discard(response);
        await this.sleep(
          Number.isFinite(retryAfter) && retryAfter > 0
            ? Math.min(retryAfter * 1000, maxRetryDelayMs)
            : this.backoff(attempt),
        );
        continue;
      }
      return response;
    }
  }

  /** Sends the request and follows redirects; the Authorization header stays with the registry's own host. */
  private async follow(
    method: string,
    start: URL,
    options: RequestOptions,
    authorization: string | undefined,
  ): Promise<Response> {
    let url = start;
    for (let hops = 0; ; hops++) {
      const headers: Record<string, string> = { ...options.headers };
      if (authorization !== undefined && url.host === this.host) headers['authorization'] = authorization;
      const response = await this.fetch(url.href, {
        method,
        headers,
        redirect: 'manual',
        ...(options.body === undefined ? {} : { body: options.body }),
      });
      this.options.onResponse?.({
        method,
        url: url.origin + url.pathname,
        status: response.status,
        bytesSent: options.body?.length ?? 0,
      });
      const location = response.headers.get('location');
      const redirected = [301, 302, 303, 307, 308].includes(response.status) && location !== null;
      // An upload's 201/202 Location is the next step of the protocol, not a redirect.
      if (!redirected || method === 'POST' || method === 'PUT' || method === 'PATCH') return response;
      if (hops >= maxRedirects) throw this.protocolError(`more than ${maxRedirects} redirects for ${start.pathname}`);
      await discard(response);
      url = new URL(location, url);
    }
  }

  private async authorization(options: RequestOptions): Promise<string | undefined> {
    if (this.challenge === undefined) return undefined;
    if (this.challenge.scheme === 'basic') {
      const credentials = await this.credentialsOnce();
      return credentials && 'username' in credentials
        ? basicAuthorization(credentials.username, credentials.password)
        : undefined;
    }
    return `Bearer ${await this.tokenFor(options.scopes, false)}`;
  }

  private async tokenFor(scopes: readonly string[], fresh: boolean): Promise<string> {
    const cached = fresh ? undefined : this.tokens.cached(scopes);
    return cached ?? this.tokens.obtain(this.challenge!, scopes);
  }

  private credentialsOnce(): Promise<RegistryCredentials | undefined> {
    this.credentials ??= this.options.credentials?.() ?? Promise.resolve(undefined);
    return this.credentials;
  }

  private backoff(attempt: number): number {
    return Math.min(this.delayMs * 2 ** (attempt - 1), maxRetryDelayMs);
  }

  /** The Location of an upload step, on this registry only. */
  private uploadLocation(response: Response, digest: Digest): URL {
    const location = response.headers.get('location');
    if (!location) throw this.protocolError(`the registry continued the upload of ${digest} without a Location`);
    const url = new URL(location, this.baseUrl);
    if (url.host !== this.host)
      throw this.protocolError(`the registry sent the upload of ${digest} to another host (${url.host})`);
    return url;
  }

  /** The whole body; a connection that breaks while it arrives is OCI_UNREACHABLE. */
  private async readBody(response: Response, what: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await response.arrayBuffer());
    } catch (cause) {
      throw new SpecError(
        'OCI_UNREACHABLE',
        `${this.baseUrl}: the connection broke while reading ${what}: ${describe(cause)}`,
        {
          data: { registry: this.baseUrl },
          cause,
        },
      );
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

const pull = (repository: string) => `repository:${repository}:pull`;
const push = (repository: string) => `repository:${repository}:pull,push`;

/** Reads and drops a body, so the connection can be reused. */
async function discard(response: Response): Promise<void> {
  await response.arrayBuffer().catch(() => undefined);
}

function describe(cause: unknown): string {
  const error = cause as { message?: string; cause?: { code?: string; message?: string } };
  const inner = error.cause?.code ?? error.cause?.message;
  return inner ? `${error.message ?? String(cause)} (${inner})` : (error.message ?? String(cause));
}

/** The repository name, or OCI_URL_INVALID when the distribution spec does not admit it. */
export function checkRepository(repository: string): string {
  if (!repositoryName.test(repository) || repository.length > 255)
    throw new SpecError('OCI_URL_INVALID', `${JSON.stringify(repository)} is not a repository name (lower-case path)`);
  return repository;
}

function checkReference(reference: string): string {
  if (!isDigest(reference) && !ociTagPattern.test(reference))
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
