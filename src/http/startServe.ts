// `spec serve` as a library call: opens the drafts and the store, watches both, and listens on loopback by default.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { isSpecError, SpecError } from '../errors.js';
import { openRegistryDrafts, type RegistryDrafts } from '../drafts/registryDrafts.js';
import type { RefreshResult } from '../catalog/registryCatalog.js';
import { createServeApp } from './serveApp.js';
import { ServedStore } from './servedStore.js';
import { ServerEvents } from './serverEvents.js';

export interface StartServeOptions {
  /** The registry directory (the drafts). */
  registry: string;
  /** The store directory (the snapshots); it may not exist yet (`POST /v1/build` creates it). */
  store: string;
  /** Default 127.0.0.1. Any address but loopback needs `token`. */
  host?: string;
  /** Default 8016; 0 picks a free port. */
  port?: number;
  /** The write token; default: 128 random bits, hex. */
  token?: string;
  readOnly?: boolean;
  /** Plan directories whose plans count as users of specs. */
  plans?: readonly string[];
  /** Where relative paths and the diff configuration are taken from (default: the process's working directory). */
  cwd?: string;
  /** Milliseconds of quiet after a change on disk before the drafts are read again (default 20). */
  debounceMs?: number;
  /** Told of failures that are not the request's (a bug, a watcher that stops), for the server's log. */
  onError?: (error: unknown) => void;
}

export interface RunningServer {
  /** The base URL (`http://127.0.0.1:8016/`). */
  url: string;
  token: string;
  host: string;
  port: number;
  app: Hono;
  drafts: RegistryDrafts;
  events: ServerEvents;
  close(): Promise<void>;
}

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

/** Starts the server; resolves once it listens. */
export async function startServe(options: StartServeOptions): Promise<RunningServer> {
  if (options === null || typeof options !== 'object' || typeof options.registry !== 'string')
    throw new TypeError('startServe: options.registry must be a string');
  if (typeof options.store !== 'string') throw new TypeError('startServe: options.store must be a string');
  const cwd = options.cwd ?? process.cwd();
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8016;
  if (!loopbackHosts.has(host) && !options.token)
    throw new SpecError(
      'SERVE_TOKEN_REQUIRED',
      `serving on ${host} (not loopback) needs a token you chose: set SPEC_SERVE_TOKEN`,
      { data: { host } },
    );
  const token = options.token ?? randomBytes(16).toString('hex');
  const registry = resolve(cwd, options.registry);
  const plans = (options.plans ?? []).map((directory) => resolve(cwd, directory));
  const store = new ServedStore(resolve(cwd, options.store));
  const drafts = await openRegistryDrafts({
    registry,
    cwd: registry,
    plans,
    publishedVersions: async () => {
      try {
        return await store.records();
      } catch (error) {
        if (isSpecError(error) && error.code === 'STORE_NOT_FOUND') return undefined;
        throw error;
      }
    },
  });
  // The records first (publications are what every change is checked against), so the first write does not wait.
  await store.open().catch((error: unknown) => {
    if (!(isSpecError(error) && error.code === 'STORE_NOT_FOUND')) throw error;
  });
  const events = new ServerEvents();
  // The app redacts what it sends, events included.
  const publishRegistry = (result: RefreshResult) => {
    if (result.ok && !result.changed) return;
    events.publish({ event: 'registry', data: result });
  };
  drafts.onChange(publishRegistry);
  let watcher: { close(): void } | undefined;
  try {
    watcher = drafts.watch({
      debounceMs: options.debounceMs ?? 20,
      onRefresh: publishRegistry,
      onError: (error) => options.onError?.(error),
    });
    store.watch(() => {
      void (async () => {
        try {
          const records = await store.records();
          events.publish({
            event: 'store',
            data: { tags: await records.listTags(), latest: (await records.latest()) ?? null },
          });
        } catch {
          events.publish({ event: 'store', data: { tags: [], latest: null } });
        }
      })();
    });
    const app = createServeApp({
      drafts,
      store,
      events,
      registry,
      plans,
      token,
      readOnly: options.readOnly === true,
      cwd,
      privatePaths: [tmpdir(), homedir()],
      ...(options.onError ? { onInternalError: options.onError } : {}),
    });
    const server = createAdaptorServer({ fetch: app.fetch, hostname: host });
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', (cause: NodeJS.ErrnoException) =>
        reject(
          new SpecError('SERVE_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${cause.code ?? cause.message}`, {
            data: { host, port, ...(cause.code ? { errno: cause.code } : {}) },
            cause,
          }),
        ),
      );
      server.listen(port, host, () => resolveListen());
    });
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      url: `http://${shownHost}:${address.port}/`,
      token,
      host: address.address,
      port: address.port,
      app,
      drafts,
      events,
      close: async () => {
        watcher?.close();
        store.close();
        await new Promise<void>((resolveClose) => {
          server.close(() => resolveClose());
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        await drafts.close();
      },
    };
  } catch (error) {
    watcher?.close();
    store.close();
    await drafts.close();
    throw error;
  }
}
