// A loopback HTTP proxy in front of a real registry that can delay, corrupt, cut or replace its answers, per request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface ProxiedRequest {
  method: string;
  /** Path and query, as the client sent them. */
  path: string;
  headers: IncomingMessage['headers'];
}

/** What the proxy does with one request; undefined passes it through untouched. */
export type ProxyAction =
  | { delayMs: number }
  /** Answers this status (and body) without asking the registry. */
  | { status: number; body?: string; headers?: Record<string, string> }
  /** Asks the registry, then sends back `rewrite(body)` with the registry's status and a matching Content-Length. */
  | { rewrite: (body: Buffer) => Buffer }
  /** Asks the registry, then sends its headers and only the first `bytes` of the body before destroying the socket. */
  | { cutAfter: number }
  /** Asks the registry, then streams the body in small pieces with pauses between them. */
  | { trickleMs: number };

export interface RegistryProxy {
  url: string;
  /** `METHOD /path` of every request seen, in order. */
  requests: string[];
  stop(): Promise<void>;
}

const hopHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

/** Starts the proxy on a free loopback port; `rule` decides per request (it may keep state to act only once). */
export async function startRegistryProxy(
  target: string,
  rule: (request: ProxiedRequest) => ProxyAction | undefined = () => undefined,
): Promise<RegistryProxy> {
  const requests: string[] = [];
  let origin = '';
  const server = createServer((request, response) => {
    void handle(request, response).catch(() => response.destroy());
  });
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const proxied = { method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers };
    requests.push(`${proxied.method} ${proxied.path.split('?')[0]}`);
    const action = rule(proxied);
    if (action && 'status' in action) {
      response.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
      response.end(action.body ?? '');
      return;
    }
    if (action && 'delayMs' in action) await new Promise((done) => setTimeout(done, action.delayMs));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (!hopHeaders.has(name) && typeof value === 'string') headers[name] = value;
    const upstream = await fetch(`${target}${proxied.path}`, {
      method: proxied.method,
      headers,
      redirect: 'manual',
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    let body: Buffer = Buffer.from(await upstream.arrayBuffer());
    if (action && 'rewrite' in action) body = action.rewrite(body);
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (hopHeaders.has(name) || name === 'content-encoding') return;
      // The registry names itself in upload locations; the client must keep talking to the proxy.
      out[name] = name === 'location' ? value.replace(target, origin) : value;
    });
    out['content-length'] =
      proxied.method === 'HEAD' ? (upstream.headers.get('content-length') ?? '0') : String(body.length);
    response.writeHead(upstream.status, out);
    if (action && 'cutAfter' in action) {
      response.write(body.subarray(0, action.cutAfter), () => response.destroy());
      return;
    }
    if (action && 'trickleMs' in action) {
      for (let start = 0; start < body.length; start += 512) {
        response.write(body.subarray(start, start + 512));
        await new Promise((done) => setTimeout(done, action.trickleMs));
      }
      response.end();
      return;
    }
    response.end(proxied.method === 'HEAD' ? undefined : body);
  };
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url: origin,
    requests,
    stop: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
