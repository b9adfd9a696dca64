#!/usr/bin/env node
// `npm run bench`: specstore's speed, memory and storage figures, side by side with git's content-addressed snapshot
// of the same tree (git add -A && git write-tree with --object-format=sha256). Prints medians and ratios.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRegistry } from './generateRegistry.mjs';
import { writeSchemastoreRegistry } from './schemastoreRegistry.mjs';
import { benchRemotes } from './ociBench.mjs';
import { benchRuntime } from './runtimeBench.mjs';
import { benchServe } from './serveBench.mjs';
import { benchScale, parseSizes } from './scaleBench.mjs';
import { benchPairs } from './pairsBench.mjs';
import {
  ageTree,
  median,
  megabytes,
  mutateTools,
  root,
  sharedDir,
  seconds,
  settle,
  spec,
  spread,
  timed,
} from './benchSupport.mjs';

const tools = Number(process.env.BENCH_TOOLS ?? 10000);
const coldRuns = Number(process.env.BENCH_COLD_RUNS ?? 3);
const warmRuns = Number(process.env.BENCH_WARM_RUNS ?? 7);
const work = mkdtempSync(join(tmpdir(), 'specstore-bench-'));
const rows = [];

function row(figure, value, target, baseline, ratio) {
  rows.push({ figure, value, target, baseline: baseline ?? '', ratio: ratio ?? '' });
  console.log(`  ${figure}: ${value}${baseline ? `  (git: ${baseline}, ratio ${ratio})` : ''}`);
}

function duBytes(directory) {
  let total = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return total;
}

try {
  console.log(
    `specstore benchmark: ${tools} tools (+ schemas, policies, predicates), ${coldRuns} cold / ${warmRuns} warm runs, node ${process.version}`,
  );
  const registry = join(work, 'registry');
  const files = generateRegistry(registry, tools);
  ageTree(registry);
  const sourceBytes = duBytes(registry);
  console.log(`workload: ${files} files, ${megabytes(sourceBytes)} of YAML\n`);
  const hasGit = spawnSync('git', ['--version']).status === 0;

  // 1. Cold build against git's cold add + write-tree.
  const store = join(work, 'store');
  const cold = [];
  let snapshot;
  for (let run = 0; run < coldRuns; run++) {
    rmSync(store, { recursive: true, force: true });
    settle();
    const result = spec(['build', '--registry', registry, '--store', store]);
    cold.push(result.ms);
    snapshot = result.stdout.trim();
  }
  settle();
  const gitEnv = (gitDir) => ({
    ...process.env,
    GIT_DIR: gitDir,
    GIT_WORK_TREE: registry,
    GIT_INDEX_FILE: join(gitDir, 'index'),
  });
  let gitCold;
  let gitWarm;
  let gitColdRuns = [];
  if (hasGit) {
    const coldGit = [];
    for (let run = 0; run < coldRuns; run++) {
      const gitDir = join(work, `git-${run}`);
      execFileSync('git', ['init', '-q', '--object-format=sha256', '--bare', gitDir]);
      const started = process.hrtime.bigint();
      execFileSync('sh', ['-c', 'git add -A && git write-tree'], {
        env: gitEnv(gitDir),
        cwd: registry,
        stdio: 'ignore',
      });
      coldGit.push(Number(process.hrtime.bigint() - started) / 1e6);
      settle();
    }
    gitCold = median(coldGit);
    gitColdRuns = coldGit;
    const warmGit = [];
    const touched = join(registry, 'policies', 'p0.yaml');
    for (let run = 0; run < warmRuns; run++) {
      const now = new Date();
      utimesSync(touched, now, now);
      const started = process.hrtime.bigint();
      execFileSync('sh', ['-c', 'git add -A && git write-tree'], {
        env: gitEnv(join(work, 'git-0')),
        cwd: registry,
        stdio: 'ignore',
      });
      warmGit.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    gitWarm = median(warmGit);
  }
  console.log('builds');
  row(
    'cold build into an empty store (wall)',
    spread(cold),
    '≤ 1.5× git cold',
    gitCold && spread(gitColdRuns),
    gitCold && (median(cold) / gitCold).toFixed(2),
  );

  // 2. No-change rebuild, including process start.
  ageTree(registry);
  spec(['build', '--registry', registry, '--store', store]); // refresh the cache's listing time
  // Two discarded runs: LevelDB compacts the cold build's 20 MB batch in the first opens after it.
  for (let run = 0; run < 2; run++) spec(['build', '--registry', registry, '--store', store]);
  settle();
  const unchanged = [];
  for (let run = 0; run < warmRuns; run++) unchanged.push(spec(['build', '--registry', registry, '--store', store]).ms);
  row(
    'no-change rebuild (wall, with process start)',
    spread(unchanged),
    '≤ 0.3 s',
    gitWarm && seconds(gitWarm),
    gitWarm && (median(unchanged) / gitWarm).toFixed(2),
  );

  // 3. One file changed: a policy (nothing references it), a tool (its predicates' payloads are checked again) and a
  // schema (the tools whose inputs use it are linked again). Each edit is aged a second, as an editor's save would be.
  const editors = [
    [
      'policy',
      join(registry, 'policies', 'p1.yaml'),
      (text, run) => text.replace(/max_attempts: \d+/, `max_attempts: ${run + 10}`),
    ],
    [
      'tool',
      join(registry, 'tools', readdirSync(join(registry, 'tools')).sort()[7]),
      (text, run) => text.replace(/default: "gpt-4[^"]*"/, `default: "gpt-4-${run}"`),
    ],
    [
      'schema',
      join(registry, 'schemas', readdirSync(join(registry, 'schemas')).sort()[7]),
      (text, run) => text.replace(/^schema:\n/m, `schema:\n  description: "revision ${run}"\n`),
    ],
  ];
  for (const [label, victim, edit] of editors) {
    const original = readFileSync(victim, 'utf8');
    const oneFile = [];
    for (let run = 0; run < warmRuns; run++) {
      writeFileSync(victim, edit(original, run));
      const past = new Date(Date.now() - 1000);
      utimesSync(victim, past, past);
      oneFile.push(spec(['build', '--registry', registry, '--store', store]).ms);
    }
    writeFileSync(victim, original);
    const past = new Date(Date.now() - 1000);
    utimesSync(victim, past, past);
    row(
      `rebuild after one file changed: a ${label} (wall)`,
      spread(oneFile),
      '≤ 0.4 s',
      gitWarm && seconds(gitWarm),
      gitWarm && (median(oneFile) / gitWarm).toFixed(2),
    );
  }

  // 4. Peak memory of a cold build.
  const memoryStore = join(work, 'store-memory');
  const memory = JSON.parse(
    timed(process.execPath, [
      join(root, 'bench/peakMemory.mjs'),
      'build',
      '--registry',
      registry,
      '--store',
      memoryStore,
    ]).stdout,
  );
  rmSync(memoryStore, { recursive: true, force: true });
  row('peak memory of the cold build (RSS, worker threads included)', megabytes(memory.maxRssBytes), '≤ 400 MB');

  // 5. Open and resolve from a fresh process; 6. resolve in an opened snapshot.
  const someTool = readFileSync(join(registry, 'tools', readdirSync(join(registry, 'tools')).sort()[0]), 'utf8').match(
    /^id: "([^"]+)"/m,
  )[1];
  spec(['build', '--registry', registry, '--store', store]);
  const fresh = [];
  for (let run = 0; run < warmRuns; run++) fresh.push(spec(['resolve', snapshot, someTool, '--store', store]).ms);
  row('open a snapshot and resolve one ref, fresh process (wall)', spread(fresh), '≤ 0.15 s');
  const perCall = JSON.parse(
    timed(process.execPath, [join(root, 'bench/resolveLoop.mjs'), store, snapshot, someTool]).stdout,
  );
  row(
    'resolve a ref in an opened snapshot (library, per call): resolved before',
    `${perCall.resolveCached.toFixed(3)} µs sync (resolveCached), ${perCall.resolveAgain.toFixed(3)} µs async (resolve)`,
    '≤ 2 µs',
  );
  row(
    `resolve a ref in an opened snapshot (library, per call): preloaded view, all ${perCall.refs} refs in turn`,
    `${perCall.preloadedPerCall.toFixed(3)} µs sync (opening with preload: ${perCall.preloadMs.toFixed(0)} ms)`,
    '≤ 2 µs',
  );
  row(
    `resolve a ref in an opened snapshot (library, per call): lazy view, first time (${perCall.distinctRefs} refs)`,
    `${perCall.resolveFirst.toFixed(1)} µs (reads its tree path and spec, re-hashes them)`,
    '',
  );

  // 7. Diff of two snapshots differing in 1% of specs; 8. bytes per new snapshot.
  console.log('\nsnapshots');
  const changedRegistry = join(work, 'registry-changed');
  const storage = [];
  for (const fraction of [0.01, 0.1]) {
    rmSync(changedRegistry, { recursive: true, force: true });
    cpSync(registry, changedRegistry, { recursive: true });
    ageTree(changedRegistry);
    // Built once as it is (the same snapshot, and this directory's build cache), then changed: the store's growth is
    // what an incremental rebuild of one working tree writes.
    spec(['build', '--registry', changedRegistry, '--store', store]);
    const changed = mutateTools(changedRegistry, fraction, Math.round(fraction * 100));
    const before = duBytes(store);
    const build = JSON.parse(spec(['build', '--registry', changedRegistry, '--store', store, '--json']).stdout);
    const after = duBytes(store);
    storage.push({ fraction, changed, build, disk: after - before });
    row(
      `bytes written for a new snapshot, ${fraction * 100}% of specs changed (${changed} specs)`,
      `${(build.bytesWritten / 1024).toFixed(0)} KiB of objects, ${build.newObjects} new objects (${(build.bytesWritten / changed).toFixed(0)} B per changed spec), and ${(build.cacheBytesWritten / 1024).toFixed(0)} KiB of build cache`,
      'proportional to the change',
    );
    if (fraction === 0.01) {
      const diffHelp = spec(['diff', '--help'], { allowFailure: true });
      if (diffHelp.status === 0) {
        settle();
        spec(['diff', snapshot, build.snapshot, '--store', store, '--json'], { allowFailure: true }); // discarded warm-up
        const diffs = [];
        for (let run = 0; run < warmRuns; run++)
          diffs.push(spec(['diff', snapshot, build.snapshot, '--store', store, '--json'], { allowFailure: true }).ms);
        row('diff of two snapshots differing in 1% of specs (wall)', spread(diffs), '≤ 0.2 s');
      } else {
        row('diff of two snapshots differing in 1% of specs (wall)', 'n/a (no `spec diff` in this build)', '≤ 0.2 s');
      }
    }
  }
  const fullObjects = JSON.parse(
    spec(['build', '--registry', registry, '--store', join(work, 'store-size'), '--json']).stdout,
  ).bytesWritten;
  row('bytes of a whole snapshot (for scale)', `${(fullObjects / 1024).toFixed(0)} KiB`, '');

  console.log('\nremotes (docs/oci.md)');
  await benchRemotes({
    work,
    registry,
    store,
    snapshot,
    row,
    spec,
    mutateTools,
    ageTree,
    median,
    seconds,
    runs: coldRuns,
  });

  console.log('\nrunning plans (docs/adapters.md)');
  await benchRuntime({ row, runs: 15 });

  console.log('\nspec serve (docs/serve.md)');
  await benchServe({ work, registry, store, snapshot, row, median });

  console.log('\nschema diff on real SchemaStore pairs (docs/compatibility.md)');
  await benchPairs({ row });

  // The real-world corpus, when present.
  const corpus = join(sharedDir, 'corpus/schemastore/current');
  if (existsSync(corpus)) {
    console.log('\nSchemaStore corpus');
    const corpusRegistry = join(work, 'schemastore');
    writeSchemastoreRegistry(corpus, corpusRegistry);
    const corpusRun = timed(
      process.execPath,
      [
        join(root, 'bench/peakMemory.mjs'),
        'build',
        '--registry',
        corpusRegistry,
        '--store',
        join(work, 'store-corpus'),
        '--json',
      ],
      { allowFailure: true },
    );
    const outcome = JSON.parse(corpusRun.stdout);
    const result = JSON.parse(outcome.stdout);
    const problems = result.error?.diagnostics ?? [];
    const failedFiles = new Set(problems.filter((d) => d.severity === 'error').map((d) => d.file));
    const byCode = {};
    for (const problem of problems) byCode[problem.code] = (byCode[problem.code] ?? 0) + 1;
    row(
      'build of 951 real schemas (wall, peak RSS)',
      `${seconds(corpusRun.ms)}, ${megabytes(outcome.maxRssBytes)}`,
      'bounded memory',
    );
    row('real schemas refused', `${failedFiles.size} files: ${JSON.stringify(byCode)}`, 'each with a clear reason');
  } else {
    row('build of 951 real schemas (wall, peak RSS)', `n/a (${corpus} is absent)`, 'bounded memory');
  }

  console.log('\n| figure | measured | target | git baseline | ratio |\n|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.figure} | ${r.value} | ${r.target} | ${r.baseline} | ${r.ratio} |`);

  // The scale series: `npm run bench -- --scale 13k,50k` picks the sizes, `--scale none` leaves it out.
  const scaleFlag = process.argv.indexOf('--scale');
  const scale = scaleFlag >= 0 ? process.argv[scaleFlag + 1] : (process.env.BENCH_SCALE ?? '13k,50k,100k');
  if (scale !== 'none') {
    console.log(`\nscale series (docs/performance.md): ${scale} files, side by side with git`);
    benchScale({ sizes: parseSizes(scale), runs: coldRuns });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
