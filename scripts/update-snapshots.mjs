#!/usr/bin/env node
// Rebuilds snapshots/registry.snapshot.json from the bundled registry/ in a throwaway store.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const store = mkdtempSync(join(tmpdir(), 'specstore-snapshots-'));
const spec = (...args) => {
  const result = spawnSync(process.execPath, ['bin/spec.js', ...args, '--store', store], { encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(result.status ?? 1);
  }
  return result.stdout.trim();
};
try {
  const id = spec('build', '--registry', 'registry');
  spec('export', id, '-o', 'snapshots/registry.snapshot.json');
  console.log(`snapshots/registry.snapshot.json <- ${id}`);
  // The golden docs of the bundled registry (test/fixtures/docs/bundled) follow it.
  const golden = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-name-pattern', '^golden', 'test/docgen/docs.test.ts'],
    { encoding: 'utf8', env: { ...process.env, SPEC_UPDATE_GOLDEN: '1' } },
  );
  if (golden.status !== 0) {
    process.stderr.write(golden.stdout + golden.stderr);
    process.exit(golden.status ?? 1);
  }
  console.log('test/fixtures/docs/bundled <- the docs of the same snapshot');
} finally {
  rmSync(store, { recursive: true, force: true });
}
