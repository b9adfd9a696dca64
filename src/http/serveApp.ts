// The HTTP API of `spec serve` as a hono app: reads over immutable snapshots, writes over the drafts, events, the panel.
// A value, so tests call it in-process (app.request) as well as over a socket.
import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { isDigest } from '../core/digest.js';
import { SpecError } from '../errors.js';
import { compatibilityModes, withMode, type CompatibilityMode } from '../diff/diffConfig.js';
import { loadDiffConfig } from '../review/loadDiffConfig.js';
import { diffSnapshots } from '../review/diffSnapshots.js';
import { exportSnapshot } from '../snapshot/exportSnapshot.js';
import { outgoingReferences } from '../snapshot/referenceIndex.js';
import type { SnapshotView } from '../snapshot/snapshotView.js';
import { readPlanDirectories } from '../plan/findPlanFiles.js';
import { findReferrers } from '../plan/planUsage.js';
import { buildSnapshot } from '../build/buildSnapshot.js';
import { maxDraftBytes, type DraftBody, type RegistryDrafts } from '../drafts/registryDrafts.js';
import { toolVersion } from '../version.js';
import { openApiDocument } from './openApiDocument.js';
import { pathRedactor, problemOf } from './problemResponse.js';
import type { ServedStore } from './servedStore.js';
import type { ServerEvents } from './serverEvents.js';
import { webAsset } from './webAssets.js';

export interface ServeAppOptions {
  drafts: RegistryDrafts;
  store: ServedStore;
  events: ServerEvents;
  /** The registry directory (absolute). */
  registry: string;
  /** Plan directories (absolute) whose plans count as users of specs. */
  plans: readonly string[];
  /** The token every write must carry (`Authorization: Bearer …`). */
  token: string;
  /** Refuse every write. */
  readOnly: boolean;
  /** The server's working directory: where the diff configuration is looked for. */
  cwd: string;
  /** More directories to keep out of answers (the temporary directory, the home directory). */
  privatePaths?: readonly string[];
  /** Milliseconds between keep-alive comments on the event stream (default 15 s). */
  keepAliveMs?: number;
  /** Told of errors that are bugs (answered `500 INTERNAL` without detail), for the server's log. */
  onInternalError?: (error: unknown) => void;
}

/** What the checks of a write read of a request: its headers. */
interface RequestHeaders {
  req: { header(name: string): string | undefined; url: string };
}

const immutable = 'public, max-age=31536000, immutable';

/** How many answers under full snapshot ids are kept in memory (the oldest goes first). */
const maxKeptAnswers = 20_000;

/** The hono app of `spec serve`. */
export function createServeApp(options: ServeAppOptions): Hono {
  const { drafts, store, events } = options;
  const redact = pathRedactor([
    { path: options.registry, shownAs: 'registry' },
    { path: store.directory, shownAs: 'store' },
    { path: options.cwd, shownAs: '.' },
    ...(options.privatePaths ?? []).map((path) => ({ path, shownAs: '…' })),
  ]);
  const redactValue = <T>(value: T): T => JSON.parse(redact(JSON.stringify(value))) as T;
  const app = new Hono();

  app.onError((error, c) => {
    const problem = problemOf(error, redact);
    if (problem.code === 'INTERNAL') options.onInternalError?.(error);
    return c.body(JSON.stringify(problem), problem.status as 500, { 'content-type': 'application/problem+json' });
  });
  app.notFound((c) => {
    throw new SpecError('SERVE_NOT_FOUND', `no route ${c.req.method} ${new URL(c.req.url).pathname}`, {});
  });

  // Writes: read-only mode, then the origin (CSRF), then the token; bodies bounded before they are read. Reads skip all
  // of it (reading the body stream would make the node adapter build a full Request for every GET).
  const limitBody = bodyLimit({
    maxSize: maxDraftBytes,
    onError: () => {
      throw new SpecError('SERVE_BODY_TOO_LARGE', `a request body may be at most ${maxDraftBytes} bytes`, {
        data: { limit: maxDraftBytes },
      });
    },
  });
  app.use('/v1/*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (options.readOnly) throw new SpecError('SERVE_READ_ONLY', 'this server was started with --read-only', {});
    checkOrigin(c);
    checkToken(c, options.token);
    return next();
  });
  app.on(['POST', 'PUT', 'DELETE', 'PATCH'], '/v1/*', limitBody);

  // Answers under a full snapshot id never change: their bodies are kept (bounded) and sent again as they are.
  const immutableAnswers = new Map<string, { body: string; etag: string | null }>();
  app.use('/v1/snapshots/:selector/*', async (c, next) => {
    if (c.req.method !== 'GET' || !isDigest(c.req.param('selector') ?? '')) return next();
    const key = c.req.url.slice(c.req.url.indexOf('/v1/'));
    const kept = immutableAnswers.get(key);
    if (kept) {
      const given = c.req.header('If-None-Match');
      const headers: Record<string, string> = { 'cache-control': immutable };
      if (kept.etag) headers['etag'] = kept.etag;
      if (given !== undefined && kept.etag && parseEtags(given).includes(kept.etag.replace(/"/g, '')))
        return c.body(null, 304, headers);
      return c.body(kept.body, 200, { ...headers, 'content-type': 'application/json' });
    }
    await next();
    if (c.res.status !== 200 || c.res.headers.get('cache-control') !== immutable || key.endsWith('/export')) return;
    if (immutableAnswers.size >= maxKeptAnswers) immutableAnswers.delete(immutableAnswers.keys().next().value!);
    immutableAnswers.set(key, { body: await c.res.clone().text(), etag: c.res.headers.get('etag') });
  });

  app.get('/v1/openapi.json', (c) => c.json(openApiDocument()));
  app.get('/v1/info', (c) =>
    c.json({
      version: toolVersion,
      readOnly: options.readOnly,
      writes: !options.readOnly,
      registry: 'registry',
      store: 'store',
    }),
  );

  // Snapshots: answered from memory; a URL with a full id is cacheable forever.
  app.get('/v1/snapshots', async (c) => {
    const records = await store.records();
    const tags = await records.listTags();
    const snapshots = [];
    for (const id of await records.listSnapshots()) {
      const metadata = await records.snapshotMetadata(id);
      snapshots.push({
        id,
        createdAt: metadata?.createdAt ?? null,
        specs: metadata?.specs ?? null,
        tags: tags.filter((tag) => tag.snapshot === id).map((tag) => tag.name),
      });
    }
    snapshots.sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
    return noCache(c).json({ latest: (await records.latest()) ?? null, snapshots });
  });
  app.get('/v1/tags', async (c) => noCache(c).json({ tags: await (await store.records()).listTags() }));
  app.get('/v1/snapshots/:selector', async (c) => {
    const view = await snapshotView(c);
    if (notModified(c, view.id)) return c.body(null, 304);
    const records = await store.records();
    const metadata = await records.snapshotMetadata(view.id);
    const entries = await view.list();
    const descriptors = await view.descriptors();
    return c.json({
      id: view.id,
      createdAt: metadata?.createdAt ?? null,
      specs: entries.length,
      tags: (await records.listTags()).filter((tag) => tag.snapshot === view.id).map((tag) => tag.name),
      kinds: descriptors.map((kind) => ({
        name: kind.name,
        directory: kind.directory,
        count: entries.filter((entry) => entry.kind === kind.name).length,
      })),
    });
  });
  app.get('/v1/snapshots/:selector/specs', async (c) => {
    const view = await snapshotView(c);
    const kind = c.req.query('kind');
    const capability = c.req.query('capability');
    const needle = c.req.query('q')?.toLowerCase();
    let entries =
      capability === undefined
        ? await view.list(kind === undefined ? {} : { kind })
        : (await view.findByCapability(capability)).filter((entry) => kind === undefined || entry.kind === kind);
    if (needle) entries = entries.filter((entry) => entry.id.toLowerCase().includes(needle));
    return c.json({
      snapshot: view.id,
      specs: entries.map(({ id, name, version, kind: entryKind, digest, origin }) => ({
        id,
        name,
        version,
        kind: entryKind,
        digest,
        ...(origin === undefined ? {} : { origin }),
      })),
    });
  });
  app.get('/v1/snapshots/:selector/specs/:ref', async (c) => {
    const view = await snapshotView(c);
    const resolved = await view.resolve(c.req.param('ref'));
    if (notModified(c, resolved.digest)) return c.body(null, 304);
    const { ref: _ref, ...spec } = resolved;
    return c.json({ snapshot: view.id, ...spec });
  });
  app.get('/v1/snapshots/:selector/resolve/:ref', async (c) => {
    const view = await snapshotView(c);
    const ref = c.req.param('ref');
    const explanation = await view.explain(ref);
    const resolved = await view.resolve(ref);
    if (notModified(c, resolved.digest)) return c.body(null, 304);
    return c.json({
      snapshot: view.id,
      resolved: { id: resolved.id, kind: resolved.kind, digest: resolved.digest, spec: resolved.spec },
      explanation,
    });
  });
  app.get('/v1/snapshots/:selector/refs/:ref', async (c) => {
    const view = await snapshotView(c);
    const resolved = await view.resolve(c.req.param('ref'));
    const kind = (await view.descriptors()).find((each) => each.name === resolved.kind);
    return c.json({
      snapshot: view.id,
      id: resolved.id,
      kind: resolved.kind,
      references: kind ? outgoingReferences(resolved.spec, kind) : [],
    });
  });
  app.get('/v1/snapshots/:selector/referrers/:ref', async (c) => {
    const view = await snapshotView(c);
    const planFiles = options.plans.length > 0 ? readPlanDirectories(options.plans, { cwd: options.registry }) : [];
    return c.json(await findReferrers(view, c.req.param('ref'), planFiles));
  });
  app.get('/v1/snapshots/:selector/export', async (c) => {
    const view = await snapshotView(c);
    if (notModified(c, view.id)) return c.body(null, 304);
    return c.json(await exportSnapshot(store.memory, view.id));
  });
  app.get('/v1/diff', async (c) => {
    const from = c.req.query('from');
    const to = c.req.query('to') ?? 'latest';
    if (from === undefined) throw new SpecError('USAGE', 'name the old side: /v1/diff?from=SNAPSHOT&to=SNAPSHOT', {});
    const [before, after] = [await store.view(from), await store.view(to)];
    const both = isDigest(from) && isDigest(to);
    if (!both) noCache(c);
    const loaded = await loadDiffConfig({ cwd: options.cwd });
    const mode = c.req.query('mode');
    if (mode !== undefined && !compatibilityModes.includes(mode as CompatibilityMode))
      throw new SpecError('USAGE', `mode is one of ${compatibilityModes.join(', ')}, not ${JSON.stringify(mode)}`, {});
    const config = mode === undefined ? loaded : withMode(loaded, mode as CompatibilityMode);
    return c.json(await diffSnapshots(before, after, { config }));
  });

  // The drafts: the working registry directory.
  app.get('/v1/registry', async (c) => {
    const kinds = await drafts.kinds();
    const counts = new Map<string, number>();
    for (const entry of await drafts.catalog.snapshot.list()) counts.set(entry.kind, (counts.get(entry.kind) ?? 0) + 1);
    // A registry made invalid on disk is reported here, while the last good state is served.
    const last = drafts.catalog.lastRefresh;
    return noCache(c).json({
      snapshot: drafts.catalog.snapshot.id,
      ok: last?.ok ?? true,
      diagnostics: redactValue(last?.diagnostics ?? []),
      ...(last?.error ? { error: redactValue(last.error) } : {}),
      kinds: kinds.map((kind) => ({
        name: kind.name,
        directory: kind.directory,
        summary: kind.summary,
        count: counts.get(kind.name) ?? 0,
        capabilities: kind.capabilities !== undefined,
        schema: kind.schema,
      })),
    });
  });
  app.get('/v1/registry/:directory', async (c) => {
    const directory = c.req.param('directory');
    const kind = await drafts.kindOfDirectory(directory);
    const capability = c.req.query('capability');
    const q = c.req.query('q');
    const specs = await drafts.list(directory, {
      ...(capability === undefined ? {} : { capability }),
      ...(q === undefined ? {} : { q }),
    });
    return noCache(c).json({ kind: kind.name, directory, snapshot: drafts.catalog.snapshot.id, specs });
  });
  app.post('/v1/registry/:directory', async (c) => {
    const directory = c.req.param('directory');
    const result = await drafts.create(directory, await draftBody(c), { dryRun: dryRun(c) });
    if (result.dryRun) return c.json({ ok: true, ...result });
    c.header('ETag', `"${result.digest}"`);
    c.header('Location', `/v1/registry/${directory}/${result.id}`);
    return c.json(result, 201);
  });
  app.get('/v1/registry/:directory/:id', async (c) => {
    const spec = await drafts.get(c.req.param('directory'), c.req.param('id'));
    c.header('ETag', `"${spec.digest}"`);
    return noCache(c).json(spec);
  });
  app.put('/v1/registry/:directory/:id', async (c) => {
    const ifMatch = requireIfMatch(c);
    const result = await drafts.update(c.req.param('directory'), c.req.param('id'), await draftBody(c), {
      ifMatch,
      dryRun: dryRun(c),
    });
    if (result.dryRun) return c.json({ ok: true, ...result });
    c.header('ETag', `"${result.digest}"`);
    return c.json(result);
  });
  app.delete('/v1/registry/:directory/:id', async (c) => {
    const ifMatch = requireIfMatch(c);
    const result = await drafts.remove(c.req.param('directory'), c.req.param('id'), { ifMatch, dryRun: dryRun(c) });
    if (result.dryRun) return c.json({ ok: true, ...result });
    return c.body(null, 204);
  });
  app.post('/v1/build', async (c) => {
    const text = await c.req.text();
    let tag: string | undefined;
    if (text.trim() !== '') {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new SpecError('DRAFT_BODY_INVALID', 'the body of POST /v1/build is JSON: {"tag": "name"} or {}', {});
      }
      const given = (body as { tag?: unknown } | null)?.tag;
      if (given !== undefined && typeof given !== 'string')
        throw new SpecError('DRAFT_BODY_INVALID', 'tag must be a string', {});
      tag = given;
    }
    const result = await store.write(
      (target) =>
        buildSnapshot({
          registry: options.registry,
          cwd: options.registry,
          store: target,
          ...(tag === undefined ? {} : { tag }),
        }),
      { create: true },
    );
    return c.json({
      snapshot: result.snapshot,
      specs: result.specs,
      unchanged: result.unchanged,
      newObjects: result.newObjects,
      ...(result.tag === undefined ? {} : { tag: result.tag }),
      diagnostics: result.diagnostics,
    });
  });

  app.get('/v1/events', (c) =>
    streamSSE(c, async (stream) => {
      const send = (event: { event: string; data: unknown }) =>
        void stream.writeSSE({ event: event.event, data: redact(JSON.stringify(event.data)) }).catch(() => undefined);
      const unsubscribe = events.subscribe(send);
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ snapshot: drafts.catalog.snapshot.id }) });
      await new Promise<void>((resolve) => {
        const keepAlive = setInterval(
          () => void stream.write(': keep-alive\n\n').catch(() => undefined),
          options.keepAliveMs ?? 15_000,
        );
        stream.onAbort(() => {
          clearInterval(keepAlive);
          unsubscribe();
          resolve();
        });
      });
    }),
  );

  // The panel: static files shipped in the package.
  app.get('/', (c) => asset(c, 'index.html'));
  app.get('/assets/:file', (c) => asset(c, c.req.param('file')));

  return app;

  async function snapshotView(c: Context): Promise<SnapshotView> {
    const selector = c.req.param('selector')!;
    const view = await store.view(selector);
    if (isDigest(selector)) {
      c.header('Cache-Control', immutable);
      c.header('ETag', `"${view.id}"`);
    } else noCache(c);
    return view;
  }
}

function notModified(c: Context, digest: string): boolean {
  if (!isDigest(c.req.param('selector') ?? '')) return false;
  c.header('ETag', `"${digest}"`);
  const given = c.req.header('If-None-Match');
  return given !== undefined && parseEtags(given).includes(digest);
}

function noCache(c: Context): Context {
  c.header('Cache-Control', 'no-cache');
  return c;
}

function parseEtags(header: string): string[] {
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, ''));
}

function requireIfMatch(c: Context): string {
  const header = c.req.header('If-Match');
  if (header === undefined || header.trim() === '')
    throw new SpecError(
      'DRAFT_PRECONDITION_REQUIRED',
      'send If-Match with the ETag you read (GET the spec first): a change is based on the version it replaces',
      {},
    );
  const [tag] = parseEtags(header);
  return tag!;
}

function dryRun(c: Context): boolean {
  const value = c.req.query('dryRun');
  return value === 'true' || value === '1' || value === '';
}

async function draftBody(c: Context): Promise<DraftBody> {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  const format =
    type === 'application/json' || type.endsWith('+json')
      ? 'json'
      : ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'].includes(type)
        ? 'yaml'
        : undefined;
  if (format === undefined)
    throw new SpecError(
      'SERVE_MEDIA_TYPE',
      `a spec document is sent as application/json or application/yaml, not ${type || 'no Content-Type'}`,
      { data: { contentType: type } },
    );
  return { format, text: await c.req.text() };
}

/** Writes must come from the server's own pages (or from no page at all: curl, scripts). */
function checkOrigin(c: RequestHeaders): void {
  const origin = c.req.header('Origin');
  const site = c.req.header('Sec-Fetch-Site');
  if (site === 'cross-site' || site === 'same-site')
    throw new SpecError('SERVE_ORIGIN_REFUSED', 'writes from pages of other sites are refused', { data: { site } });
  if (origin === undefined) return;
  // Over a socket the Host header names the server; an in-process request (app.request) has only its URL.
  const host = c.req.header('Host') ?? new URL(c.req.url).host;
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = undefined;
  }
  if (originHost === undefined || originHost !== host)
    throw new SpecError(
      'SERVE_ORIGIN_REFUSED',
      `writes from ${origin} are refused: only this server's own pages write`,
      {
        data: { origin },
      },
    );
}

function checkToken(c: RequestHeaders, token: string): void {
  const header = c.req.header('Authorization') ?? '';
  const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
  const expected = Buffer.from(token);
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw new SpecError('SERVE_UNAUTHORIZED', "a write needs the server's token: Authorization: Bearer TOKEN", {});
}

async function asset(c: Context, file: string): Promise<Response> {
  const found = await webAsset(file);
  if (!found) throw new SpecError('SERVE_NOT_FOUND', `no file ${file} in the panel`, { data: { file } });
  return c.body(found.bytes as unknown as ArrayBuffer, 200, {
    'content-type': found.type,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    ...(file === 'index.html'
      ? {
          'content-security-policy':
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
        }
      : {}),
  });
}
