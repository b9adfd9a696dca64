// Registry authentication: the `WWW-Authenticate` challenge, Basic, and the Bearer token flow (docker's token spec):
// tokens per scope, cached until shortly before they expire, asked for again when the registry wants a wider scope.
import { SpecError } from '../errors.js';

/** What a user authenticates with: a user name and password (or token), or docker's identity (refresh) token. */
export type RegistryCredentials = { username: string; password: string } | { identityToken: string };

/** One challenge of a `WWW-Authenticate` header: its scheme (lower case) and parameters. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (several challenges, quoted strings with escapes). */
export function parseAuthChallenges(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let i = 0;
  const skip = (pattern: RegExp) => {
    while (i < header.length && pattern.test(header[i]!)) i++;
  };
  const token = () => {
    const start = i;
    while (i < header.length && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const scheme = token();
    if (scheme === '') break;
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    for (;;) {
      skip(/\s/);
      const mark = i;
      const name = token();
      skip(/\s/);
      if (name === '' || header[i] !== '=') {
        i = mark; // the next challenge's scheme, or the end
        break;
      }
      i++;
      skip(/\s/);
      let value = '';
      if (header[i] === '"') {
        for (i++; i < header.length && header[i] !== '"'; i++)
          value += header[i] === '\\' ? (header[++i] ?? '') : header[i];
        i++;
      } else value = token();
      challenge.params[name.toLowerCase()] = value;
      skip(/\s/);
      if (header[i] !== ',') break;
      i++;
      // After a comma: another parameter, or a new challenge (a token followed by a space or the end).
      const look = i;
      skip(/\s/);
      const next = token();
      skip(/\s/);
      const isParam = next !== '' && header[i] === '=';
      i = look;
      if (!isParam) break;
    }
  }
  return challenges;
}

export interface TokenRequestOptions {
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  /** Looked up when a token is first needed. */
  credentials: () => Promise<RegistryCredentials | undefined>;
  /** Called after the token endpoint answers (request counting). */
  onResponse?: (info: { method: string; url: string; status: number; bytesSent: number }) => void;
  now: () => number;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Tokens of one registry, by scope. */
export class BearerTokens {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly options: TokenRequestOptions) {}

  /** A token for the scopes still valid for at least 10 more seconds, if one was obtained. */
  cached(scopes: readonly string[]): string | undefined {
    const found = this.tokens.get(scopeKey(scopes));
    return found && found.expiresAt - 10_000 > this.options.now() ? found.token : undefined;
  }

  /** Asks the realm for a token for the scopes (GET with Basic credentials, or the OAuth2 refresh-token POST). */
  async obtain(challenge: AuthChallenge, scopes: readonly string[]): Promise<string> {
    const realm = challenge.params['realm'];
    if (realm === undefined)
      throw new SpecError('OCI_UNAUTHORIZED', 'the registry asked for a Bearer token without a realm');
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new SpecError('OCI_UNAUTHORIZED', `the registry named a token realm that is not a URL: ${realm}`);
    }
    const service = challenge.params['service'];
    const credentials = await this.options.credentials();
    let init: RequestInit;
    if (credentials && 'identityToken' in credentials) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken });
      form.set('client_id', 'specstore');
      if (service) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      init = {
        method: 'POST',
        body: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      };
    } else {
      if (service) url.searchParams.set('service', service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      init = {
        method: 'GET',
        headers: credentials ? { authorization: basicAuthorization(credentials.username, credentials.password) } : {},
      };
    }
    let response: Response;
    try {
      response = await this.options.fetch(url.href, { ...init, redirect: 'error' });
    } catch (cause) {
      throw new SpecError(
        'OCI_UNREACHABLE',
        `cannot reach the token service ${url.origin}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    this.options.onResponse?.({
      method: init.method ?? 'GET',
      url: url.origin + url.pathname,
      status: response.status,
      bytesSent: typeof init.body === 'string' ? init.body.length : 0,
    });
    const body = (await response.json().catch(() => undefined)) as
      { token?: unknown; access_token?: unknown; expires_in?: unknown } | undefined;
    const token = typeof body?.token === 'string' ? body.token : body?.access_token;
    if (response.status !== 200 || typeof token !== 'string' || token === '')
      throw new SpecError(
        'OCI_UNAUTHORIZED',
        `the token service ${url.origin} refused ${credentials ? 'the credentials' : 'an anonymous request'} for ${scopes.join(' ') || 'the registry'} (${response.status})`,
        { data: { status: response.status } },
      );
    // The token spec: 60 s when the service does not say.
    const expiresIn = typeof body?.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    this.tokens.set(scopeKey(scopes), { token, expiresAt: this.options.now() + expiresIn * 1000 });
    return token;
  }
}

/** `Basic base64(user:password)`. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** The scopes a request needs, merged with what a challenge names (each `repository:name:actions` once, actions joined). */
export function mergeScopes(...lists: readonly (readonly string[])[]): string[] {
  const actions = new Map<string, Set<string>>();
  const order: string[] = [];
  for (const scope of lists.flat()) {
    const at = scope.lastIndexOf(':');
    const resource = at > 0 ? scope.slice(0, at) : scope;
    if (!actions.has(resource)) {
      actions.set(resource, new Set());
      order.push(resource);
    }
    if (at > 0) for (const action of scope.slice(at + 1).split(',')) if (action) actions.get(resource)!.add(action);
  }
  return order.map((resource) => {
    const list = [...actions.get(resource)!].sort();
    return list.length > 0 ? `${resource}:${list.join(',')}` : resource;
  });
}

function scopeKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(' ');
}
