// The runtime figures of `npm run bench` (docs/adapters.md): a trivial local tool through the runner versus spawning
// the same process directly, and a 200-step plan with 4 jobs. bench.mjs calls benchRuntime with its row printer.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (value) => `${value.toFixed(1)} ms`;

/** Spawns argv with `input` on stdin and waits for it to close, as the local adapter does (without the runner). */
function spawnDirect(argv, input, cwd) {
  return new Promise((done, fail) => {
    // The environment the local adapter gives a tool, so that both start the same program the same way.
    const env = { PATH: process.env.PATH, HOME: cwd, TMPDIR: cwd, LANG: 'C.UTF-8' };
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', fail);
    child.on('close', (status) => (status === 0 ? done(out) : fail(new Error(`exit ${status}`))));
    child.stdin.end(input);
  });
}

/**
 * @param {{ row: (figure: string, value: string, target?: string, baseline?: string, ratio?: string) => void, runs?: number }} bench
 */
export async function benchRuntime({ row, runs = 15 }) {
  const { buildSnapshot } = await import('../dist/build/buildSnapshot.js');
  const { openStore } = await import('../dist/store/openStore.js');
  const { parsePlanFile } = await import('../dist/plan/planFile.js');
  const { createRunner } = await import('../dist/runtime/runner.js');
  const work = mkdtempSync(join(tmpdir(), 'specstore-runtime-bench-'));
  try {
    cpSync(join(root, 'examples/runtime'), work, { recursive: true });
    const store = await openStore({ directory: ':memory:' });
    const { snapshot } = await buildSnapshot({ registry: join(work, 'registry'), store, useCache: false });
    const runner = createRunner({
      store,
      workdir: work,
      env: { PATH: process.env.PATH },
      runsDirectory: join(work, 'runs'),
    });
    const planOf = (steps) =>
      parsePlanFile(
        new TextEncoder().encode(`plan: bench\nsnapshot: ${snapshot}\npolicy: default@1\nsteps:\n${steps}`),
        'bench.yaml',
      ).planFile;
    const one = planOf('  - id: shout\n    processor_ref: text.shout@1\n    inputs: {text: "hello"}\n');
    const input = JSON.stringify({ inputs: { text: 'hello', mark: '!' }, context: {} });
    const argv = [join(work, 'bin/shout.mjs')];
    const direct = [];
    const through = [];
    await runner.run(one, { noMemo: true }); // warm up both paths once
    await spawnDirect(argv, input, work);
    for (let i = 0; i < runs; i++) {
      let started = performance.now();
      await spawnDirect(argv, input, work);
      direct.push(performance.now() - started);
      started = performance.now();
      const record = await runner.run(one, { noMemo: true });
      through.push(performance.now() - started);
      if (record.status !== 'succeeded') throw new Error(`bench run failed: ${JSON.stringify(record.steps[0])}`);
    }
    const spawnMs = median(direct);
    const runnerMs = median(through);
    row(
      `a trivial local tool through the runner vs spawning it directly (median of ${runs})`,
      ms(runnerMs),
      `≤ 1.3 × direct + 5 ms (${ms(spawnMs * 1.3 + 5)})`,
      ms(spawnMs),
      `${(runnerMs / spawnMs).toFixed(2)}×`,
    );
    // 200 steps, each waiting for the one 4 places before it: 4 chains the 4 jobs can run side by side.
    const steps = Array.from({ length: 200 }, (_, i) => {
      const after = i >= 4 ? `\n    after: [s${i - 4}]` : '';
      return `  - id: s${i}\n    processor_ref: text.shout@1${after}\n    inputs: {text: "step ${i}"}\n`;
    }).join('');
    const big = planOf(steps);
    const started = performance.now();
    const record = await runner.run(big, { jobs: 4, noMemo: true });
    const total = performance.now() - started;
    if (record.status !== 'succeeded') throw new Error('the 200-step bench plan failed');
    // The baseline: the same 200 processes spawned directly, 4 at a time.
    const directStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < 200) {
          next++;
          await spawnDirect(argv, input, work);
        }
      }),
    );
    const directTotal = performance.now() - directStarted;
    row(
      'a 200-step plan of local tools, 4 jobs (wall)',
      `${(total / 1000).toFixed(2)} s (${ms(total / 200)} a step)`,
      '',
      `${(directTotal / 1000).toFixed(2)} s (200 direct spawns, 4 at a time)`,
      `${(total / directTotal).toFixed(2)}×`,
    );
    const memoStarted = performance.now();
    await runner.run(big, { jobs: 4 });
    row('the same plan again, every step memoized (wall)', ms(performance.now() - memoStarted), '');
    await store.close();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// Run alone: `node bench/runtimeBench.mjs` (after `npm run build`).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchRuntime({
    row: (figure, value, target, baseline, ratio) =>
      console.log(
        `  ${figure}: ${value}${target ? `  [target ${target}]` : ''}${baseline ? `  (direct: ${baseline}, ratio ${ratio})` : ''}`,
      ),
  });
}
