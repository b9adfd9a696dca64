import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinKinds } from '../../src/kinds/builtinKinds.js';
import { listRegistry } from '../../src/source/listRegistry.js';
import { tempDir } from '../support/cli.js';

function registryIn(t: { after: (fn: () => void) => void }): { dir: string; registry: string } {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = join(dir.path, 'registry');
  mkdirSync(join(registry, 'policies'), { recursive: true });
  return { dir: dir.path, registry };
}

test("a linked file is listed under the link's own path; its stat is the target's", (t) => {
  const { registry } = registryIn(t);
  mkdirSync(join(registry, 'shared'));
  writeFileSync(join(registry, 'shared/a.yaml'), 'id: "a@1"\n');
  symlinkSync('../shared/a.yaml', join(registry, 'policies/b.yaml'));
  const listing = listRegistry(registry, builtinKinds, { cwd: registry });
  assert.deepEqual(
    listing.files.map((file) => [file.path, file.file, file.size]),
    [['policies/b.yaml', 'policies/b.yaml', 10]],
  );
  assert.deepEqual(
    listing.diagnostics.map((d) => d.code),
    ['UNKNOWN_KIND_DIRECTORY'],
  ); // shared/
});

test('one folder reached through two links is walked twice (not a loop); the registry may itself be a link', (t) => {
  const { dir, registry } = registryIn(t);
  mkdirSync(join(registry, 'policies/common'));
  writeFileSync(join(registry, 'policies/common/c.yaml'), 'id: "c@1"\n');
  symlinkSync('common', join(registry, 'policies/one'));
  symlinkSync('common', join(registry, 'policies/two'));
  symlinkSync('registry', join(dir, 'linked'));
  const listing = listRegistry(join(dir, 'linked'), builtinKinds, { cwd: dir });
  assert.deepEqual(
    listing.files.map((file) => file.path),
    ['policies/common/c.yaml', 'policies/one/c.yaml', 'policies/two/c.yaml'],
  );
  assert.deepEqual(listing.diagnostics, []);
});

test('a link to the registry root from inside it is SYMLINK_LOOP, not an endless walk', (t) => {
  const { registry } = registryIn(t);
  symlinkSync('..', join(registry, 'policies/root'));
  const listing = listRegistry(registry, builtinKinds, { cwd: registry });
  assert.deepEqual(
    listing.diagnostics.map((d) => [d.code, d.severity, d.file]),
    [['SYMLINK_LOOP', 'error', 'policies/root']],
  );
});
