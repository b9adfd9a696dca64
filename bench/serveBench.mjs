// The `spec serve` figures of `npm run bench` (docs/serve.md): resolve over HTTP under load (autocannon, 50
// connections) against a bare node:http server answering a body of the same size, a validated PUT of one tool on the
// workload's registry, and the time from a file written on disk to the SSE `registry` event. Each server runs in a
// child process of its own, so the load generator here does not share its event loop. bench.mjs calls benchServe
// with its row printer; `node bench/serveBench.mjs` runs it alone (after `npm run build`) on a registry of its own.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const self = fileURLToPath(import.meta.url);
const root = resolve(dirname(self), '..');

const defaultMedian = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
/** The nearest-rank percentile (of 30 writes, p99 is the slowest). */
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};
const ms = (value) => `${value.toFixed(1)} ms`;
const sleep = (milliseconds) => new Promise((done) => setTimeout(done, milliseconds));

/**
 * Starts `node serveBench.mjs <mode> …` and waits for the JSON line it prints once it listens. `stop()` asks it to
 * close (SIGTERM: it closes its server and exits, so a --cpu-prof profile is written), then kills it if it lingers.
 */
async function startChild(args, { nodeArgs = [], label }) {
  const child = spawn(process.execPath, [...nodeArgs, self, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const outcome = await Promise.race([exited, sleep(10_000).then(() => undefined)]);
    if (outcome === undefined) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    const info = await new Promise((done, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`${label}: no answer after 180 s`)), 180_000);
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const newline = out.indexOf('\n');
        if (newline < 0) return;
        clearTimeout(timer);
        try {
          done(JSON.parse(out.slice(0, newline)));
        } catch (error) {
          fail(new Error(`${label} printed ${out.slice(0, newline)}: ${error.message}`));
        }
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        fail(new Error(`${label} exited (${code ?? signal}) before it listened`));
      });
    });
    return { info, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One autocannon run; refused unless every answer was a 2xx. */
async function load(url, paths, { connections, seconds }) {
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    requests: paths.map((path) => ({ method: 'GET', path })),
  });
  let result;
  try {
    result = await instance;
  } finally {
    instance.stop();
  }
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0)
    throw new Error(
      `autocannon on ${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`,
    );
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    p50: result.latency.p50,
    total: result.requests.total,
  };
}

/** Reads a text/event-stream with fetch (Node 20 has no EventSource); `next(match)` waits for a matching event. */
async function openEvents(url) {
  const controller = new AbortController();
  const response = await fetch(new URL('v1/events', url), {
    signal: controller.signal,
    headers: { Accept: 'text/event-stream' },
  });
  if (!response.ok) throw new Error(`GET /v1/events: ${response.status}`);
  const waiters = new Set();
  const deliver = (event) => {
    const at = performance.now();
    for (const waiter of [...waiters])
      if (waiter.match(event)) {
        waiters.delete(waiter);
        waiter.done({ event, at });
      }
  };
  const decoder = new TextDecoder();
  const pump = (async () => {
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let name = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) name = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length > 0) deliver({ name, data: JSON.parse(data.join('\n')) });
        }
      }
    } catch (error) {
      if (error.name !== 'AbortError') throw error;
    }
  })();
  const next = (match, timeoutMs = 5000) =>
    new Promise((done, fail) => {
      const timer = setTimeout(() => {
        if (waiters.delete(waiter)) fail(new Error(`no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        match,
        done: (value) => {
          clearTimeout(timer);
          done(value);
        },
      };
      waiters.add(waiter);
    });
  const hello = next((event) => event.name === 'hello');
  await hello;
  return {
    next,
    close: async () => {
      controller.abort();
      await pump.catch(() => undefined);
    },
  };
}

/**
 * @param {object} bench what bench.mjs lends: its work dir, registry, store and snapshot, its row printer and median
 */
export async function benchServe(bench) {
  const { work, registry, store, snapshot, row } = bench;
  const median = bench.median ?? defaultMedian;
  const seconds = Number(process.env.BENCH_SERVE_SECONDS ?? 5);
  const rounds = Number(process.env.BENCH_SERVE_ROUNDS ?? 3);
  const connections = 50;
  const writes = Number(process.env.BENCH_SERVE_WRITES ?? 30);
  const reloads = Number(process.env.BENCH_SERVE_RELOADS ?? 15);
  const only = new Set((process.env.BENCH_SERVE_ONLY ?? 'resolve,put,reload').split(','));
  // BENCH_SERVE_CPU_PROF=DIR: the server under test writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_SERVE_CPU_PROF;
  const nodeArgs = profile ? ['--cpu-prof', '--cpu-prof-dir', resolve(profile)] : [];
  // With a profile, each phase's window (µs of the monotonic clock the profile's timestamps use) in phases.json.
  const phases = {};
  const now = () => Number(process.hrtime.bigint() / 1000n);

  // The server gets copies (timestamps kept, as an editor's files are older than the server): the writes below
  // change neither the bench's registry nor its store.
  const scratch = mkdtempSync(join(work ?? tmpdir(), 'serve-bench-'));
  const servedRegistry = join(scratch, 'registry');
  const servedStore = join(scratch, 'store');
  cpSync(registry, servedRegistry, { recursive: true, preserveTimestamps: true });
  cpSync(store, servedStore, { recursive: true, preserveTimestamps: true });
  const children = [];
  try {
    const startedServe = performance.now();
    const served = await startChild(['serve', servedRegistry, servedStore], { nodeArgs, label: 'spec serve' });
    children.push(served);
    const { url, token } = served.info;
    const openMs = performance.now() - startedServe;

    // Tool refs to rotate over: every 33rd tool of the snapshot, up to 300 of them.
    const listing = await fetch(new URL(`v1/snapshots/${snapshot}/specs?kind=tool`, url));
    if (!listing.ok) throw new Error(`GET /v1/snapshots/…/specs: ${listing.status} ${await listing.text()}`);
    const tools = (await listing.json()).specs.map((entry) => entry.id);
    const refs = tools.filter((_, i) => i % 33 === 0).slice(0, 300);

    if (only.has('resolve')) {
      phases.resolve = [now()];
      const paths = refs.map((ref) => `/v1/snapshots/${snapshot}/resolve/${encodeURIComponent(ref)}`);
      const sizes = [];
      for (const path of paths) {
        const answer = await fetch(new URL(path, url));
        if (!answer.ok) throw new Error(`GET ${path}: ${answer.status} ${await answer.text()}`);
        sizes.push(Buffer.byteLength(await answer.text()));
      }
      const bodyBytes = Math.round(median(sizes));
      const bodyFile = join(scratch, 'bare-body.json');
      const filler = '{"pad":""}';
      writeFileSync(bodyFile, `{"pad":"${'x'.repeat(Math.max(0, bodyBytes - filler.length))}"}`);
      const bare = await startChild(['bare', bodyFile], { label: 'bare node:http' });
      children.push(bare);
      const bareUrl = bare.info.url;
      // Warm-up: both servers' code paths compiled and connections' buffers grown, then A, B, A, B….
      await load(url, paths, { connections, seconds: 2 });
      await load(bareUrl, paths, { connections, seconds: 2 });
      const measured = { serve: [], bare: [] };
      for (let round = 0; round < rounds; round++) {
        measured.serve.push(await load(url, paths, { connections, seconds }));
        measured.bare.push(await load(bareUrl, paths, { connections, seconds }));
      }
      await bare.stop();
      phases.resolve.push(now());
      const rps = median(measured.serve.map((run) => run.rps));
      const bareRps = median(measured.bare.map((run) => run.rps));
      const p99 = median(measured.serve.map((run) => run.p99));
      const bareP99 = median(measured.bare.map((run) => run.p99));
      const runs = `median of ${rounds} ${seconds} s runs, ${refs.length} tool refs in turn`;
      row(
        `resolve over HTTP (GET /v1/snapshots/{id}/resolve/{ref}), ${connections} connections: throughput (${runs})`,
        `${Math.round(rps)} req/s (each run: ${measured.serve.map((run) => Math.round(run.rps)).join(', ')})`,
        '≥ 0.5 × bare node:http',
        `bare node:http, same ${bodyBytes} B body: ${Math.round(bareRps)} req/s`,
        (rps / bareRps).toFixed(2),
      );
      row(
        `resolve over HTTP, ${connections} connections: p99 latency (${runs})`,
        `${ms(p99)} (p50 ${ms(median(measured.serve.map((run) => run.p50)))})`,
        '< 10 ms',
        `bare node:http: ${ms(bareP99)}`,
        bareP99 > 0 ? (p99 / bareP99).toFixed(2) : '',
      );
    }

    const authorized = { Authorization: `Bearer ${token}` };
    if (only.has('put')) {
      phases.put = [now()];
      // A validated write: each PUT a real change (another description), based on the ETag the last one answered.
      const id = tools[Math.floor(tools.length / 2)];
      const read = await fetch(new URL(`v1/registry/tools/${encodeURIComponent(id)}`, url));
      if (!read.ok) throw new Error(`GET /v1/registry/tools/${id}: ${read.status} ${await read.text()}`);
      let etag = read.headers.get('etag');
      const { spec } = await read.json();
      const times = [];
      const warmups = 2;
      for (let i = 0; i < warmups + writes; i++) {
        const body = JSON.stringify({ ...spec, description: `serve bench revision ${i}` });
        const started = performance.now();
        const answer = await fetch(new URL(`v1/registry/tools/${encodeURIComponent(id)}`, url), {
          method: 'PUT',
          headers: { ...authorized, 'Content-Type': 'application/json', 'If-Match': etag },
          body,
        });
        const text = await answer.text();
        const elapsed = performance.now() - started;
        if (answer.status !== 200) throw new Error(`PUT /v1/registry/tools/${id}: ${answer.status} ${text}`);
        etag = answer.headers.get('etag');
        if (i >= warmups) times.push(elapsed);
      }
      phases.put.push(now());
      row(
        `PUT of one tool on the ${tools.length}-tool registry, validated as spec build would (${writes} sequential writes)`,
        `median ${ms(median(times))}, p99 ${ms(percentile(times, 99))} (fastest ${ms(Math.min(...times))})`,
        'p99 < 300 ms',
      );
    }

    if (only.has('reload')) {
      // Hot reload: an editor's save on disk, until the SSE event naming the changed tool arrives.
      await sleep(500); // the watcher's refreshes after the PUTs settle
      const events = await openEvents(url);
      phases.reload = [now()];
      try {
        const directory = join(servedRegistry, 'tools');
        const files = readdirSync(directory).sort();
        const file = join(directory, files[Math.floor(files.length / 3)]);
        const original = readFileSync(file, 'utf8');
        const id = original.match(/^id: "([^"]+)"/m)[1];
        const times = [];
        for (let run = 0; run < reloads + 1; run++) {
          const text = original.replace(/default: "gpt-4"/, `default: "gpt-4-reload-${run}"`);
          const arrived = events.next(
            (event) => event.name === 'registry' && event.data.ok && event.data.modified?.includes(id),
          );
          const started = performance.now();
          writeFileSync(file, text);
          const { at } = await arrived;
          if (run > 0) times.push(at - started); // the first one is a warm-up
          await sleep(150);
        }
        phases.reload.push(now());
        row(
          `hot reload: a tool file written on disk → SSE registry event (${reloads} runs)`,
          `median ${ms(median(times))}, max ${ms(Math.max(...times))}`,
          '< 200 ms',
        );
      } finally {
        await events.close();
      }
    }
    row('spec serve start on this registry (drafts compiled, listening)', ms(openMs), '');
  } finally {
    for (const child of children.reverse()) await child.stop();
    if (profile) writeFileSync(join(profile, 'phases.json'), `${JSON.stringify(phases)}\n`);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The child `spec serve`: the library's startServe, its url and token printed as one JSON line. */
async function serveChild(registry, store) {
  const { startServe } = await import('../dist/http/startServe.js');
  const server = await startServe({
    registry,
    store,
    port: 0,
    onError: (error) => process.stderr.write(`spec serve (bench): ${error?.stack ?? error}\n`),
  });
  process.once('SIGTERM', () => {
    void server.close().finally(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ url: server.url, token: server.token })}\n`);
}

/** The baseline: node:http answering a fixed JSON body, with the headers spec serve sends for an immutable read. */
async function bareChild(bodyFile) {
  const body = readFileSync(bodyFile);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(body.length),
    'cache-control': 'public, max-age=31536000, immutable',
    etag: '"sha256:0000000000000000000000000000000000000000000000000000000000000000"',
  };
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, headers);
    response.end(body);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/` })}\n`);
}

// Run alone: `BENCH_TOOLS=10000 node bench/serveBench.mjs` (after `npm run build`).
if (process.argv[1] === self) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'serve') await serveChild(rest[0], rest[1]);
  else if (mode === 'bare') await bareChild(rest[0]);
  else {
    const { generateRegistry } = await import('./generateRegistry.mjs');
    const tools = Number(process.env.BENCH_TOOLS ?? 10000);
    const work = mkdtempSync(join(tmpdir(), 'specstore-serve-bench-'));
    try {
      const registry = join(work, 'registry');
      const files = generateRegistry(registry, tools);
      // Editors' files are older than the build that reads them (as bench.mjs ages its tree).
      const past = new Date(Date.now() - 3600_000);
      for (const entry of readdirSync(registry, { withFileTypes: true, recursive: true }))
        if (entry.isFile()) utimesSync(join(entry.parentPath ?? entry.path, entry.name), past, past);
      const store = join(work, 'store');
      const build = spawnSync(
        process.execPath,
        [join(root, 'bin/spec.js'), 'build', '--registry', registry, '--store', store],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 26,
        },
      );
      if (build.status !== 0) throw new Error(`spec build exited ${build.status}:\n${build.stderr}`);
      const snapshot = build.stdout.trim();
      console.log(
        `spec serve benchmark: ${tools} tools, ${files} files, snapshot ${snapshot}, node ${process.version}`,
      );
      await benchServe({
        work,
        registry,
        store,
        snapshot,
        median: defaultMedian,
        row: (figure, value, target, baseline, ratio) =>
          console.log(
            `  ${figure}: ${value}${target ? `  [target ${target}]` : ''}${baseline ? `  (${baseline}, ratio ${ratio})` : ''}`,
          ),
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}
