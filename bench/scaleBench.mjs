// The scale series of `npm run bench` (docs/performance.md, "Scale"): registries of 13k, 50k and 100k files in the
// reference generator's shape (tools, schemas, policies at 1 : 0.25 : 0.05), each measured side by side with git's cold
// add + write-tree in the same run: time, peak memory, per-file cost, and that cost's ratio to the smallest size's.
//   node bench/scaleBench.mjs [--scale 13k,50k,100k] [--runs 3]     (after npm run build)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateRegistry } from './generateRegistry.mjs';
import { ageTree, median, megabytes, mutateTools, root, settle, spec, timed } from './benchSupport.mjs';

/** `13k`, `50k`, `100k`, `2000`… as a number of files. */
export function parseSizes(text) {
  return text.split(',').map((part) => {
    const match = /^(\d+(?:\.\d+)?)(k?)$/i.exec(part.trim());
    if (!match) throw new Error(`--scale: "${part}" is not a size such as 13k or 50000`);
    return Math.round(Number(match[1]) * (match[2] ? 1000 : 1));
  });
}

const ms = (value) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);

/** Cold builds and git's cold add + write-tree, interleaved; the store's peak RSS from the same runs. */
function coldBuilds(registry, work, runs) {
  const spec_ = [];
  const git = [];
  const rss = [];
  for (let run = 0; run < runs; run++) {
    const gitDir = join(work, `git-${run}`);
    execFileSync('git', ['init', '-q', '--object-format=sha256', '--bare', gitDir]);
    settle();
    const started = process.hrtime.bigint();
    execFileSync('sh', ['-c', 'git add -A && git write-tree'], {
      env: { ...process.env, GIT_DIR: gitDir, GIT_WORK_TREE: registry, GIT_INDEX_FILE: join(gitDir, 'index') },
      cwd: registry,
      stdio: 'ignore',
    });
    git.push(Number(process.hrtime.bigint() - started) / 1e6);
    rmSync(gitDir, { recursive: true, force: true });
    const store = join(work, 'store');
    rmSync(store, { recursive: true, force: true });
    settle();
    const result = timed(process.execPath, [
      join(root, 'bench/peakMemory.mjs'),
      'build',
      '--registry',
      registry,
      '--store',
      store,
    ]);
    const measured = JSON.parse(result.stdout);
    if (measured.exitCode !== 0) throw new Error(`spec build exited ${measured.exitCode}`);
    spec_.push(result.ms);
    rss.push(measured.maxRssBytes);
  }
  return { spec: spec_, git, rss };
}

/** Every figure of one size. */
function measureSize(files, runs, warmRuns) {
  const work = mkdtempSync(join(tmpdir(), `specstore-scale-${files}-`));
  try {
    const registry = join(work, 'registry');
    const written = generateRegistry(registry, Math.round(files / 1.3));
    ageTree(registry);
    const figures = { files: written };
    const cold = coldBuilds(registry, work, runs);
    figures.cold = median(cold.spec);
    figures.gitCold = median(cold.git);
    figures.rss = Math.max(...cold.rss);
    const store = join(work, 'store');
    const build = () => spec(['build', '--registry', registry, '--store', store]);
    for (let run = 0; run < 2; run++) build(); // LevelDB compacts the cold build's batch in the first opens
    settle();
    const repeat = (count, work_) => median(Array.from({ length: count }, work_));
    figures.noChange = repeat(warmRuns, () => build().ms);
    const victim = join(registry, 'tools', readdirSync(join(registry, 'tools')).sort()[7]);
    const original = readFileSync(victim, 'utf8');
    let edit = 0;
    figures.oneFile = repeat(warmRuns, () => {
      writeFileSync(victim, original.replace(/default: "gpt-4[^"]*"/, `default: "gpt-4-${edit++}"`));
      const past = new Date(Date.now() - 1000);
      utimesSync(victim, past, past);
      return build().ms;
    });
    writeFileSync(victim, original);
    utimesSync(victim, new Date(Date.now() - 1000), new Date(Date.now() - 1000));
    const snapshot = build().stdout.trim();
    const someTool = /^id: "([^"]+)"/m.exec(readFileSync(victim, 'utf8'))[1];
    figures.resolve = repeat(warmRuns, () => spec(['resolve', snapshot, someTool, '--store', store]).ms);
    figures.ls = repeat(3, () => spec(['ls', snapshot, '--store', store, '--json']).ms);
    figures.verify = repeat(1, () => spec(['verify', '--store', store]).ms);
    // 1% of the tools changed: the diff of the two snapshots, and status of the registry against the first.
    mutateTools(registry, 0.01, 1);
    const changed = build().stdout.trim();
    figures.diff = repeat(
      3,
      () => spec(['diff', snapshot, changed, '--store', store, '--json'], { allowFailure: true }).ms,
    );
    figures.status = repeat(
      3,
      () =>
        spec(['status', '--against', snapshot, '--registry', registry, '--store', store], { allowFailure: true }).ms,
    );
    return figures;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs the series and prints a table per figure: each size, git's figure where there is one, per-file cost and ratio. */
export function benchScale({ sizes, runs = 3, warmRuns = 5, log = console.log }) {
  if (spawnSync('git', ['--version']).status !== 0) {
    log('  (no git: the scale series needs it as the baseline)');
    return [];
  }
  const results = [];
  for (const size of sizes) {
    const started = performance.now();
    const figures = measureSize(size, runs, warmRuns);
    results.push(figures);
    log(`  ${figures.files} files measured in ${ms(performance.now() - started)}`);
  }
  const base = results[0];
  const perFile = (value, figures) => (value * 1000) / figures.files; // µs per file
  const lines = [
    ['cold build', 'cold', '≤ 1.0× git at every size; per file at 100k ≤ 1.2× 13k'],
    ['no-change rebuild (with process start)', 'noChange', '≤ 0.3 s at 13k, 0.5 s at 100k'],
    ['one tool changed', 'oneFile', '≤ 0.4 s at 13k, 0.6 s at 100k'],
    ['fresh process open + resolve', 'resolve', '≤ 0.15 s'],
    ['diff of two snapshots 1% apart', 'diff', '≤ 0.2 s at 13k, 0.8 s at 100k'],
    ['status against the first of them', 'status', '≤ 3× one-change'],
    ['ls (JSON)', 'ls', '≤ 3× one-change'],
    ['verify', 'verify', '≤ 1.5× cold build'],
  ];
  for (const [label, key, target] of lines) {
    log(`  ${label}  [target ${target}]`);
    for (const figures of results) {
      const value = figures[key];
      const git = key === 'cold' ? `, git ${ms(figures.gitCold)} (ratio ${(value / figures.gitCold).toFixed(2)})` : '';
      const memory = key === 'cold' ? `, peak ${megabytes(figures.rss)}` : '';
      const relative =
        key === 'oneFile' || key === 'status' || key === 'ls'
          ? `, ${(value / figures.oneFile).toFixed(2)}× one-change`
          : key === 'verify'
            ? `, ${(value / figures.cold).toFixed(2)}× cold`
            : '';
      log(
        `    ${String(figures.files).padStart(7)} files: ${ms(value)}${git}${memory}${relative}; ${perFile(value, figures).toFixed(1)} µs/file, ${(perFile(value, figures) / perFile(base[key], base)).toFixed(2)}× the ${base.files}-file cost`,
      );
    }
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flag = (name, fallback) => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : fallback;
  };
  const sizes = parseSizes(flag('--scale', process.env.BENCH_SCALE ?? '13k,50k,100k'));
  console.log(`specstore scale series: ${sizes.join(', ')} files, node ${process.version}`);
  benchScale({ sizes, runs: Number(flag('--runs', '3')) });
}
