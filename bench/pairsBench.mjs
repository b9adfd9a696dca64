// The 237 real SchemaStore old/new pairs through compareSchemas: verdicts per direction and the time for all pairs in
// one run (issue 18's target: no slower than 15 s). `node bench/pairsBench.mjs` runs it alone (after npm run build).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, sharedDir } from './benchSupport.mjs';

export async function benchPairs({ row }) {
  const pairs = join(sharedDir, 'corpus/schemastore/pairs');
  if (!existsSync(pairs)) {
    row('diff of 237 real schema pairs', `n/a (${pairs} is absent)`, 'at most 15 s');
    return;
  }
  const { compareSchemas, worstSeverity } = await import(pathToFileURL(join(root, 'dist/diff/compareSchemas.js')).href);
  const counts = { backward: {}, forward: {} };
  const names = readdirSync(pairs).sort();
  const started = performance.now();
  for (const name of names) {
    const oldSchema = JSON.parse(readFileSync(join(pairs, name, 'old.json'), 'utf8'));
    const newSchema = JSON.parse(readFileSync(join(pairs, name, 'new.json'), 'utf8'));
    for (const direction of ['backward', 'forward']) {
      const verdict = worstSeverity(compareSchemas({ schema: oldSchema }, { schema: newSchema }, { direction }));
      counts[direction][verdict] = (counts[direction][verdict] ?? 0) + 1;
    }
  }
  const ms = performance.now() - started;
  row(
    `diff of ${names.length} real schema pairs, both directions (wall)`,
    `${(ms / 1000).toFixed(2)} s`,
    'at most 15 s',
  );
  for (const direction of ['backward', 'forward']) {
    const c = counts[direction];
    row(
      `  ${direction} verdicts`,
      ['breaking', 'warning', 'compatible', 'unknown'].map((v) => `${v} ${c[v] ?? 0}`).join(', '),
      'no unknown where decidable',
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href)
  await benchPairs({ row: (figure, value) => console.log(`  ${figure}: ${value}`) });
