// What the benchmarks share: changing a generated registry as editors do, timing whole commands, the figures' format.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const specBin = join(root, 'bin/spec.js');
/** The shared corpus: `../shared` next to the repository, or `$SPECSTORE_SHARED_DIR` (as the tests read it). */
export const sharedDir = process.env.SPECSTORE_SHARED_DIR ?? resolve(root, '../shared');

/** Changes a fraction of the tools: a different default temperature is a different spec (same id). */
export function mutateTools(registry, fraction, round) {
  const directory = join(registry, 'tools');
  const names = readdirSync(directory).sort();
  const step = Math.max(1, Math.round(1 / fraction));
  let changed = 0;
  for (let i = round % step; i < names.length; i += step) {
    const path = join(directory, names[i]);
    writeFileSync(
      path,
      readFileSync(path, 'utf8')
        .replace(/default: ([0-9.]+)\n/, `default: ${(round + 7) / 100}\n`)
        .replace(/^id: "(t[^@]+)@(\d+)"/m, (_, name, version) => `id: "${name}@${Number(version) + 3 + round}"`),
    );
    changed++;
  }
  return changed;
}

/** Editors' files are older than the build that reads them; freshly generated ones are not (docs/performance.md). */
export function ageTree(directory) {
  const past = new Date(Date.now() - 3600_000);
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) utimesSync(join(entry.parentPath ?? entry.path, entry.name), past, past);
  }
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export const seconds = (ms) => `${(ms / 1000).toFixed(3)} s`;
/** The median, and the range of the runs (this machine's speed varies from run to run). */
export const spread = (values) =>
  `${seconds(median(values))} (${(Math.min(...values) / 1000).toFixed(3)}–${(Math.max(...values) / 1000).toFixed(3)})`;
export const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Runs a command to its end: wall milliseconds and its output; a failure throws unless `allowFailure`. */
export function timed(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && !options.allowFailure) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  }
  return { ms, stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** `spec ARGS` through bin/spec.js, timed. */
export const spec = (args, options) => timed(process.execPath, [specBin, ...args], options);

/**
 * Writes the page cache back to disk and lets it settle, so that a phase does not pay for the last one's writes (git's
 * cold runs leave ~40k files being written back, and every build ends with an fsync).
 */
export const settle = () => {
  spawnSync('sync');
  spawnSync('sleep', ['1']);
};
