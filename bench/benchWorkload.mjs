// What the benchmarks do to a generated registry: change a fraction of its tools, age its files as an editor's are.
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
