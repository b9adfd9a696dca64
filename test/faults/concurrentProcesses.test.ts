// Fault 4: two processes at once. Protection: LevelDB's lock, surfaced as STORE_LOCKED (exit 5) at once, and
// `--wait SECONDS`, which retries with backoff until the deadline. Expected: a bounded wait, then either the store or
// STORE_LOCKED; concurrent builds never corrupt anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';
import { holdStore, runSpecAsync } from './faultSupport.js';

function setup(t: { after: (fn: () => void) => void }) {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  const store = join(dir.path, 'store');
  assert.equal(runSpec(['build', '--store', store], { cwd: dir.path }).status, 0);
  return { dir: dir.path, store };
}

test('a second process gets STORE_LOCKED (exit 5) at once, from every command that writes; reading commands read a copy', async (t) => {
  const { dir, store } = setup(t);
  const holder = await holdStore(store);
  t.after(() => holder.release());
  for (const args of [['ls'], ['verify']]) {
    const result = await runSpecAsync([...args, '--store', store, '--json'], { cwd: dir });
    assert.equal(result.status, 0, `${args[0]}: ${result.stdout}`);
    assert.match(result.stderr, /^STORE_READ_COPY /m);
  }
  for (const args of [['build'], ['gc'], ['tag', 'prod', 'latest']]) {
    const result = await runSpecAsync([...args, '--store', store, '--json'], { cwd: dir });
    assert.equal(result.status, 5, `${args[0]}: ${result.stdout}`);
    assert.equal(json(result).error.code, 'STORE_LOCKED', args[0]);
    assert.ok(result.ms < 5000, `${args[0]} answered in ${result.ms.toFixed(0)} ms`);
  }
});

test('--wait SECONDS: STORE_LOCKED once the deadline passes, or the store as soon as the other process lets go', async (t) => {
  const { dir, store } = setup(t);
  const holder = await holdStore(store);
  let released = false;
  t.after(() => (released ? undefined : holder.release()));
  const timedOut = await runSpecAsync(['gc', '--dry-run', '--wait', '0.6', '--store', store, '--json'], { cwd: dir });
  assert.equal(timedOut.status, 5);
  assert.equal(json(timedOut).error.code, 'STORE_LOCKED');
  assert.equal(json(timedOut).error.waitedMs, 600);
  assert.ok(timedOut.ms >= 600 && timedOut.ms < 5000, `gave up after ${timedOut.ms.toFixed(0)} ms`);

  const started = performance.now();
  const waiting = runSpecAsync(['--wait', '20', 'gc', '--dry-run', '--store', store, '--json'], { cwd: dir });
  await new Promise((resolve) => setTimeout(resolve, 800));
  await holder.release();
  released = true;
  const releasedAt = performance.now() - started;
  const result = await waiting;
  assert.equal(result.status, 0, result.stdout);
  assert.ok(
    result.ms >= 800 && result.ms < releasedAt + 3000,
    `got the store ${(result.ms - releasedAt).toFixed(0)} ms after it was released`,
  );
});

test('builds racing from several processes: with --wait all land; without, each lands or is STORE_LOCKED; never damage', async (t) => {
  const { dir, store } = setup(t);
  const registries = Array.from({ length: 4 }, (_, i) => {
    const registry = join(dir, `registry-${i}`);
    cpSync(join(dir, 'registry'), registry, { recursive: true });
    writeFileSync(join(registry, `policies/extra${i}.yaml`), `id: "extra${i}@1"\nbudget:\n  max_usd_micro: ${i}\n`);
    return registry;
  });
  const waited = await Promise.all(
    registries.map((registry) =>
      runSpecAsync(['build', '--wait', '60', '--registry', registry, '--store', store, '--json'], { cwd: dir }),
    ),
  );
  for (const result of waited) assert.equal(result.status, 0, result.stdout);
  assert.equal(new Set(waited.map((result) => json(result).snapshot)).size, 4);

  for (const [i, registry] of registries.entries())
    writeFileSync(join(registry, `policies/more${i}.yaml`), `id: "more${i}@1"\nbudget:\n  max_usd_micro: ${i}\n`);
  const raced = await Promise.all(
    registries.map((registry) =>
      runSpecAsync(['build', '--registry', registry, '--store', store, '--json'], { cwd: dir }),
    ),
  );
  for (const result of raced) {
    if (result.status !== 0) {
      assert.equal(result.status, 5, result.stdout);
      assert.equal(json(result).error.code, 'STORE_LOCKED');
    }
  }
  const landed = raced.filter((result) => result.status === 0).length;
  assert.ok(landed >= 1);
  const report = json(runSpec(['verify', '--store', store, '--json']));
  assert.deepEqual(report.problems, []);
  assert.equal(report.logEntries, 1 + 4 + landed);
});
