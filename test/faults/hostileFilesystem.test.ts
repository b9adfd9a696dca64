// Fault 5: the store directory is a file, is read-only, or sits on a full disk. Protection: file-system errors are
// mapped to stable codes, and a build is one batch, so a failed write leaves nothing behind. Expected: a clear
// STORE_NOT_A_DIRECTORY / STORE_READ_ONLY / STORE_FULL (exit 5), and no partial state.
// Read-only and full disks need a file system of their own: as root, a read-only bind mount and a small tmpfs; as
// another user, chmod makes the store read-only (a full disk cannot be made, and that test is skipped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRegistry } from '../../bench/mutableRegistry.mjs';
import { copyBundledRegistry, json, repoRoot, runSpec, tempDir } from '../support/cli.js';
import { mount, mountUnavailable, smallDisk, storeFiles, unmount } from './faultSupport.js';

const storeCommands = [['build'], ['ls', 'latest'], ['verify'], ['gc'], ['import', 'doc.json']];

test('a store path that is a file: STORE_NOT_A_DIRECTORY (exit 5) from every command, and the file is untouched', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  // A valid document: import checks the document before it opens the store.
  writeFileSync(join(dir.path, 'doc.json'), readFileSync(join(repoRoot, 'snapshots/registry.snapshot.json')));
  writeFileSync(join(dir.path, 'store'), 'my notes\n');
  for (const args of storeCommands) {
    const result = runSpec([...args, '--store', 'store', '--json'], { cwd: dir.path });
    assert.equal(result.status, 5, `${args[0]}: ${result.stdout}`);
    assert.equal(json(result).error.code, 'STORE_NOT_A_DIRECTORY', args[0]);
  }
  assert.equal(readFileSync(join(dir.path, 'store'), 'utf8'), 'my notes\n');
});

test('a read-only store: STORE_READ_ONLY (exit 5) from commands that write, reading commands work, and not one byte changes', (t) => {
  const dir = tempDir();
  const registry = copyBundledRegistry(dir.path);
  const store = join(dir.path, 'store');
  assert.equal(runSpec(['build', '--store', store], { cwd: dir.path }).status, 0);
  const snapshot = runSpec(['ls', '--store', store, '--json'], { cwd: dir.path });
  assert.equal(snapshot.status, 0);
  writeFileSync(join(registry, 'policies/extra.yaml'), 'id: "extra@1"\nbudget:\n  max_usd_micro: 1\n');
  writeFileSync(join(dir.path, 'doc.json'), runSpec(['export', 'latest', '--store', store]).stdout);

  const root = process.getuid?.() === 0;
  const why = root ? mountUnavailable(join(dir.path, 'probe')) : undefined;
  if (root && why === undefined) {
    // Root ignores permissions: make the directory itself a read-only mount.
    mount(['--bind', store, store]);
    mount(['-o', 'remount,bind,ro', store]);
    t.after(() => {
      unmount(store);
      dir.cleanup();
    });
  } else if (!root) {
    for (const name of readdirSync(store)) chmodSync(join(store, name), 0o444);
    chmodSync(store, 0o555);
    t.after(() => {
      chmodSync(store, 0o755);
      dir.cleanup();
    });
  } else {
    t.after(dir.cleanup);
    t.skip(`running as root, where permissions do not stop writes, and ${why}`);
    return;
  }
  const before = storeFiles(store);
  for (const args of storeCommands) {
    const result = runSpec([...args, '--store', store, '--json'], { cwd: dir.path });
    if (args[0] === 'ls' || args[0] === 'verify') {
      assert.equal(result.status, 0, `${args[0]}: ${result.stdout}`); // from a private copy (docs/store.md)
      continue;
    }
    assert.equal(result.status, 5, `${args[0]}: ${result.stdout}`);
    assert.equal(json(result).error.code, 'STORE_READ_ONLY', args[0]);
  }
  assert.deepEqual(storeFiles(store), before);
});

test('a full disk: STORE_FULL (exit 5); the failed build leaves nothing, and the store works once there is room', (t) => {
  const small = smallDisk(t, '256k');
  if (!small) return;
  const { disk } = small;
  const dir = { path: small.path };
  copyBundledRegistry(dir.path);
  const store = join(disk, 'store');
  const first = runSpec(['build', '--store', store], { cwd: dir.path });
  assert.equal(first.status, 0, first.stderr);
  // About 2 MB of specs: their one batch cannot fit in what is left of 256 KiB.
  const big = join(dir.path, 'big');
  generateRegistry(big, { specs: 600, seed: 3 });
  const full = runSpec(['build', '--registry', big, '--store', store, '--json'], { cwd: dir.path });
  assert.equal(full.status, 5, full.stdout);
  assert.equal(json(full).error.code, 'STORE_FULL');

  mount(['-o', 'remount,size=32m', disk]);
  const report = json(runSpec(['verify', '--store', store, '--json']));
  assert.deepEqual(report.problems, []);
  assert.equal(report.snapshots, 1, 'the failed build left no snapshot');
  assert.equal(report.logEntries, 1);
  assert.equal(runSpec(['ls', 'latest', '--store', store, '--json']).status, 0);
  const retried = runSpec(['build', '--registry', big, '--store', store], { cwd: dir.path });
  assert.equal(retried.status, 0, retried.stderr);
  assert.equal(runSpec(['verify', '--store', store]).status, 0);
});
