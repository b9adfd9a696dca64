// `spec status`: the working registry against a snapshot, like `git status`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareRegistryWithSnapshot } from '../../src/snapshot/registryStatus.js';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';

test('compareRegistryWithSnapshot sorts added, removed and modified by name then version', () => {
  const spec = (id: string, digest: string) => ({
    file: `${id}.yaml`,
    path: `${id}.yaml`,
    kind: 'policy',
    id,
    name: id.split('@')[0]!,
    version: id.split('@')[1]!,
    digest: digest as never,
  });
  const entry = (id: string, digest: string) => ({
    id,
    name: id.split('@')[0]!,
    version: id.split('@')[1]!,
    kind: 'policy',
    digest: digest as never,
  });
  const status = compareRegistryWithSnapshot(
    'r',
    [spec('b@10', 'x'), spec('b@2', 'x'), spec('a@1', 'new'), spec('c@1', 'same')],
    'sha256:s',
    [entry('a@1', 'old'), entry('c@1', 'same'), entry('d@1', 'gone')],
  );
  assert.deepEqual(
    status.added.map((e) => e.id),
    ['b@2', 'b@10'],
  );
  assert.deepEqual(status.modified, [
    { id: 'a@1', kind: 'policy', digest: 'new', file: 'a@1.yaml', snapshotDigest: 'old' },
  ]);
  assert.deepEqual(status.removed, [{ id: 'd@1', kind: 'policy', digest: 'gone' }]);
  assert.equal(status.clean, false);
});

test('spec status: exit 0 when the registry matches latest; exit 6 (REGISTRY_DRIFTED) listing added, modified and removed specs with files', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const snapshot = runSpec(['build'], { cwd: dir.path }).stdout.trim();
  const clean = runSpec(['status', '--json'], { cwd: dir.path });
  assert.equal(clean.status, 0, clean.stderr);
  assert.deepEqual(json(clean), {
    registry: 'registry',
    against: snapshot,
    clean: true,
    added: [],
    removed: [],
    modified: [],
  });
  assert.equal(runSpec(['status'], { cwd: dir.path }).status, 0);

  writeFileSync(join(registry, 'policies/loose.yaml'), 'id: "loose@1"\n');
  const probe = join(registry, 'tools/media.probe.yaml');
  writeFileSync(probe, readFileSync(probe, 'utf8').replace('timeout_s: 30', 'timeout_s: 31'));
  writeFileSync(
    join(registry, 'policies/default.yaml'),
    `# only a comment changed\n${readFileSync(join(registry, 'policies/default.yaml'), 'utf8')}`,
  );
  rmSync(join(registry, 'tools/image.caption.yaml'));
  const drifted = runSpec(['status', '--json'], { cwd: dir.path });
  assert.equal(drifted.status, 6, 'differs is exit 6, not 1 (which is an invalid registry)');
  const status = json(drifted);
  assert.equal(status.clean, false);
  assert.deepEqual(
    status.added.map((e: { id: string; file: string }) => [e.id, e.file]),
    [['loose@1', 'registry/policies/loose.yaml']],
  );
  assert.deepEqual(
    status.modified.map((e: { id: string; file: string }) => [e.id, e.file]),
    [['media.probe@2', 'registry/tools/media.probe.yaml']],
  );
  assert.notEqual(status.modified[0].digest, status.modified[0].snapshotDigest);
  assert.deepEqual(
    status.removed.map((e: { id: string }) => e.id),
    ['image.caption@1.2.0'],
  );
  const text = runSpec(['status'], { cwd: dir.path });
  assert.equal(text.status, 6);
  assert.match(text.stdout, /^ {2}modified +media\.probe@2 +registry\/tools\/media\.probe\.yaml$/m);
  assert.match(text.stdout, /^ {2}removed +image\.caption@1\.2\.0$/m);

  const rebuilt = runSpec(['build', '--tag', 'next'], { cwd: dir.path }).stdout.trim();
  assert.equal(runSpec(['status'], { cwd: dir.path }).status, 0);
  const against = json(runSpec(['status', '--against', snapshot, '--json'], { cwd: dir.path }));
  assert.equal(against.against, snapshot);
  assert.equal(against.clean, false);
  assert.notEqual(rebuilt, snapshot);
});

test('spec status without a store is not found (exit 3); an invalid registry is exit 1', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  assert.equal(runSpec(['status'], { cwd: dir.path }).status, 3);
  runSpec(['build'], { cwd: dir.path });
  writeFileSync(join(registry, 'tools/broken.yaml'), 'id: [\n');
  const invalid = runSpec(['status', '--json'], { cwd: dir.path });
  assert.equal(invalid.status, 1);
  assert.equal(json(invalid).error.code, 'INVALID_INPUT');
});
