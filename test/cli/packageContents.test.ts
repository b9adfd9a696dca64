// What `npm pack` ships: the license with the code, the CLI, the library, the docs and the bundled registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/cli.js';

test('npm pack ships LICENSE (the Apache License 2.0 that package.json names), README and package.json', () => {
  const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(packed.status, 0, packed.stderr);
  const [packResult] = JSON.parse(packed.stdout) as { files: { path: string }[] }[];
  assert.ok(packResult, 'npm pack reports the package');
  const files = new Set(packResult.files.map((file) => file.path));
  for (const path of [
    'LICENSE',
    'README.md',
    'package.json',
    'bin/spec.js',
    'dist/index.js',
    'dist/http/startServe.js',
    'web/index.html',
    'web/panel.js',
    'web/panel.css',
  ])
    assert.ok(files.has(path), `${path} is not in the tarball`);
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { license: string };
  assert.equal(manifest.license, 'Apache-2.0');
  const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
  assert.match(license, /^\s*Apache License\s+Version 2\.0, January 2004/);
  assert.match(license, /END OF TERMS AND CONDITIONS/);
});
