// Fault 1: `spec build` killed with SIGKILL at random moments. Protection: a build's snapshot record, root and log
// entry land in one atomic LevelDB batch (a large build writes its content-addressed objects and cached analyses in
// batches ahead of it), and a write-ahead log cut short by the kill is a write that did not happen (not damage).
// Expected: every snapshot is complete or absent, verify is clean, the cache never changes a result, and building
// again gives the same id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { createRandom, generateRegistry } from '../../bench/mutableRegistry.mjs';
import { verifyStore } from '../../src/maintain/verifyStore.js';
import { compileRegistry, storeSnapshot } from '../../src/build/buildSnapshot.js';
import { exportSnapshot } from '../../src/snapshot/exportSnapshot.js';
import { openStore } from '../../src/store/openStore.js';
import { tempDir } from '../support/cli.js';
import { runSpecAsync, type RunOptions } from './faultSupport.js';

const minimumKills = 50;

test(
  'SIGKILL during spec build, 50+ times: snapshots are complete or absent, verify is clean, a re-run gives the same id',
  { timeout: 300_000 },
  async (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const registry = join(dir.path, 'registry');
    const store = join(dir.path, 'store');
    const stagingTmp = join(dir.path, 'tmp');
    mkdirSync(stagingTmp);
    const generator = generateRegistry(registry, { specs: 120, seed: 11 });
    const build = ['build', '--registry', registry, '--store', store];
    const first = await runSpecAsync(build);
    assert.equal(first.status, 0, first.stderr);
    let expected = first.stdout.trim();
    let duration = first.ms;

    const seed = Number(process.env['FAULT_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
    t.diagnostic(`seed ${seed} (FAULT_SEED=${seed} repeats the choice of moments)`);
    const random = createRandom(seed);
    const outcomes = { killedBeforeCommit: 0, killedAfterCommit: 0, finished: 0 };
    let kills = 0;
    for (
      let round = 0;
      kills < minimumKills || outcomes.killedBeforeCommit === 0 || outcomes.killedAfterCommit === 0;
      round++
    ) {
      assert.ok(round < 120, `after ${round} rounds: ${JSON.stringify(outcomes)}`);
      generator.mutate();
      // Most kills land at a random moment of a whole build (mostly before its one write); the rest just after the
      // process starts writing its write-ahead log, when the batch may be half written.
      let moment: string;
      let options: RunOptions;
      if (random() < 0.65) {
        const delay = random() * duration;
        moment = `${delay.toFixed(0)} ms after spawn`;
        options = { killAfterMs: delay };
      } else {
        const lag = random() * 10;
        moment = `${lag.toFixed(1)} ms after the first write to the log`;
        options = {
          onSpawn: (kill) => {
            let timer: NodeJS.Timeout | undefined;
            const watcher = watch(store, (event, name) => {
              if (event === 'change' && name?.endsWith('.log') && timer === undefined) timer = setTimeout(kill, lag);
            });
            return () => {
              watcher.close();
              clearTimeout(timer);
            };
          },
        };
      }
      // Half the builds take the streaming path: objects and cached analyses in small batches ahead of the record.
      // Half of those stage their texts in a temporary file (in a TMPDIR of their own, which nothing may be left in).
      const streaming = random() < 0.5;
      const staging = streaming && random() < 0.5;
      if (streaming) {
        options.env = {
          SPEC_WRITE_AHEAD_BYTES: '2048',
          ...(staging ? { SPEC_STAGE_ABOVE_BYTES: '0', TMPDIR: stagingTmp } : {}),
        };
        moment += staging ? ', streaming, staging' : ', streaming';
      }
      const result = await runSpecAsync(build, options);
      const killed = result.signal === 'SIGKILL';
      if (staging)
        assert.deepEqual(readdirSync(stagingTmp), [], `round ${round}: killed ${moment}: a staging file was left`);
      if (killed) kills++;
      else {
        assert.equal(result.status, 0, result.stderr);
        duration = (duration + result.ms) / 2;
      }

      const opened = await openStore({ directory: store });
      try {
        const report = await verifyStore(opened);
        assert.deepEqual(report.problems, [], `round ${round}: killed ${moment}`);
        const compiled = await compileRegistry({ registry, store: opened });
        // What a kill left in the build cache (analyses written ahead of their index) never changes the result.
        assert.equal(compiled.snapshot, (await compileRegistry({ registry })).snapshot, `round ${round}: ${moment}`);
        const stored = (await opened.snapshotMetadata(compiled.snapshot)) !== undefined;
        if (!killed) {
          outcomes.finished++;
          assert.equal(result.stdout.trim(), compiled.snapshot);
        } else if (stored) outcomes.killedAfterCommit++;
        else outcomes.killedBeforeCommit++;
        if (stored) await exportSnapshot(opened, compiled.snapshot); // reads every object it reaches, re-hashed
        const rerun = await storeSnapshot(opened, compiled);
        assert.equal(rerun.snapshot, compiled.snapshot, 'building again gives the same id');
        expected = compiled.snapshot;
      } finally {
        await opened.close();
      }
    }
    const again = await runSpecAsync(build);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout.trim(), expected, 'the CLI rebuilds the same id');
    const final = await runSpecAsync(['verify', '--store', store, '--json']);
    assert.equal(final.status, 0, final.stdout);
    t.diagnostic(`${kills} kills: ${JSON.stringify(outcomes)}`);
  },
);
