// Hostile file systems around the CLI: odd names, links, unreadable entries, a file where a folder belongs, broken
// pipes and full disks. Each is an ordinary condition with a stable code (or a documented behaviour), never a stack
// trace and never a spec that silently vanishes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRegistry } from '../../bench/mutableRegistry.mjs';
import {
  copyBundledRegistry,
  hangBoundMs,
  json,
  repoRoot,
  runSpecWithinBound,
  specBin,
  tempDir,
  type CliResult,
} from '../support/cli.js';
import { mount, mountUnavailable, unmount } from '../faults/faultSupport.js';

const policy = (id: string) => `id: "${id}"\nbudget:\n  max_usd_micro: 1\n`;

/** A registry of one policy, plus whatever `arrange` adds; returns the temp dir. */
function smallRegistry(
  t: { after: (fn: () => void) => void },
  arrange: (registry: string, dir: string) => void = () => {},
): string {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = join(dir.path, 'registry');
  mkdirSync(join(registry, 'policies'), { recursive: true });
  writeFileSync(join(registry, 'policies/base.yaml'), policy('base@1'));
  arrange(registry, dir.path);
  return dir.path;
}

function build(cwd: string, ...extra: string[]): CliResult {
  return runSpecWithinBound(['build', '--store', 'store', '--json', ...extra], { cwd });
}

/** The codes of a failed build's diagnostics (exit 1, INVALID_INPUT, JSON on stdout, no stack on stderr). */
function failedBuildCodes(result: CliResult): string[] {
  assert.equal(result.status, 1, `${result.stdout}\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /internal error|\n\s+at /);
  const error = json(result).error;
  assert.equal(error.code, 'INVALID_INPUT');
  return error.diagnostics.map((d: { code: string }) => d.code);
}

function listedIds(cwd: string): string[] {
  const listed = runSpecWithinBound(['ls', 'latest', '--store', 'store', '--json'], { cwd });
  assert.equal(listed.status, 0, listed.stderr);
  return (json(listed) as { id: string }[]).map((entry) => entry.id).sort();
}

test('a file name that is not UTF-8: FILE_NAME_NOT_UTF8 naming the folder, the build fails, nothing is stored', (t) => {
  const cwd = smallRegistry(t, (registry) =>
    writeFileSync(
      Buffer.concat([Buffer.from(join(registry, 'policies/bad')), Buffer.from([0xff]), Buffer.from('.yaml')]),
      policy('odd@1'),
    ),
  );
  const codes = failedBuildCodes(build(cwd));
  assert.deepEqual(codes, ['FILE_NAME_NOT_UTF8']);
  assert.equal(existsSync(join(cwd, 'store')), false);
});

test('a kind folder that is a file (registry/tools): KIND_NOT_A_DIRECTORY', (t) => {
  const cwd = smallRegistry(t, (registry) => writeFileSync(join(registry, 'tools'), 'not a folder\n'));
  assert.deepEqual(failedBuildCodes(build(cwd)), ['KIND_NOT_A_DIRECTORY']);
});

test('.YAML and .Yml files are specs like .yaml ones (extensions match case-insensitively)', (t) => {
  const cwd = smallRegistry(t, (registry) => {
    writeFileSync(join(registry, 'policies/upper.YAML'), policy('upper@1'));
    writeFileSync(join(registry, 'policies/mixed.Yml'), policy('mixed@1'));
  });
  const result = build(cwd);
  assert.equal(result.status, 0, result.stdout);
  assert.deepEqual(listedIds(cwd), ['base@1', 'mixed@1', 'upper@1']);
});

test('an empty registry builds a 0-spec snapshot with a REGISTRY_EMPTY warning', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  mkdirSync(join(dir.path, 'registry'));
  const result = build(dir.path);
  assert.equal(result.status, 0, result.stdout);
  assert.deepEqual(
    json(result).diagnostics.map((d: { code: string }) => d.code),
    ['REGISTRY_EMPTY'],
  );
  const human = runSpecWithinBound(['build', '--store', 'store2'], { cwd: dir.path });
  assert.equal(human.status, 0);
  assert.match(human.stderr, /REGISTRY_EMPTY/);
});

test('a FIFO named like a spec: a NOT_A_SPEC_FILE warning, and no hang reading it', (t) => {
  const cwd = smallRegistry(t, (registry) => {
    const made = spawnSync('mkfifo', [join(registry, 'policies/pipe.yaml')]);
    assert.equal(made.status, 0, 'mkfifo');
  });
  const result = build(cwd);
  assert.equal(result.status, 0, result.stdout);
  assert.deepEqual(
    json(result).diagnostics.map((d: { code: string }) => d.code),
    ['NOT_A_SPEC_FILE'],
  );
});

test('a newline or control character in a file name is escaped: each diagnostic stays one file:line:col line', (t) => {
  const cwd = smallRegistry(t, (registry) =>
    writeFileSync(join(registry, 'policies/two\nlines\u001b.yaml'), 'id: "broken@1"\nbudget: [\n'),
  );
  const result = runSpecWithinBound(['build', '--store', 'store'], { cwd });
  assert.equal(result.status, 1);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, result.stderr); // the diagnostic and the summary
  assert.ok(lines[0]!.startsWith('registry/policies/two\\nlines\\x1b.yaml:'), lines[0]);
  assert.match(lines[0]!, /^\S+:\d+:\d+ /);
  // JSON keeps the real name.
  assert.equal(json(build(cwd)).error.diagnostics[0].file, 'registry/policies/two\nlines\u001b.yaml');
});

// Symbolic links: followed while their target stays inside the registry; refused with a code otherwise.
test('symlinks to a file and to a folder inside the registry are followed: their specs are in the snapshot', (t) => {
  const cwd = smallRegistry(t, (registry, dir) => {
    mkdirSync(join(dir, 'registry/shared/more'), { recursive: true });
    writeFileSync(join(registry, 'shared/linked.yaml'), policy('linked@1'));
    writeFileSync(join(registry, 'shared/more/deep.yaml'), policy('deep@1'));
    symlinkSync('../shared/linked.yaml', join(registry, 'policies/linked.yaml'));
    symlinkSync('../shared/more', join(registry, 'policies/more'));
  });
  const result = build(cwd);
  assert.equal(result.status, 0, result.stdout);
  assert.deepEqual(listedIds(cwd), ['base@1', 'deep@1', 'linked@1']);
});

test('a symlinked kind folder inside the registry is followed', (t) => {
  const cwd = smallRegistry(t, (registry) => {
    mkdirSync(join(registry, '.real-schemas'));
    writeFileSync(join(registry, '.real-schemas/s.yaml'), 'id: "s@1"\nschema:\n  type: object\n');
    symlinkSync('.real-schemas', join(registry, 'schemas'));
  });
  const result = build(cwd);
  assert.equal(result.status, 0, result.stdout);
  assert.deepEqual(listedIds(cwd), ['base@1', 's@1']);
});

test('symlinks leaving the registry (file, folder, kind folder): SYMLINK_OUTSIDE_REGISTRY, each named', (t) => {
  const cwd = smallRegistry(t, (registry, dir) => {
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'outside/secret.yaml'), policy('secret@1'));
    symlinkSync(join(dir, 'outside/secret.yaml'), join(registry, 'policies/secret.yaml'));
    symlinkSync('../../outside', join(registry, 'policies/elsewhere'));
    symlinkSync('../outside', join(registry, 'tools'));
  });
  const result = build(cwd);
  assert.deepEqual(failedBuildCodes(result), [
    'SYMLINK_OUTSIDE_REGISTRY',
    'SYMLINK_OUTSIDE_REGISTRY',
    'SYMLINK_OUTSIDE_REGISTRY',
  ]);
  assert.deepEqual(
    json(result)
      .error.diagnostics.map((d: { file: string }) => d.file)
      .sort(),
    ['registry/policies/elsewhere', 'registry/policies/secret.yaml', 'registry/tools'],
  );
});

test('a dangling symlink: SYMLINK_DANGLING; a link loop and a folder link to its own ancestor: SYMLINK_LOOP', (t) => {
  const cwd = smallRegistry(t, (registry) => {
    symlinkSync('gone.yaml', join(registry, 'policies/dangling.yaml'));
    symlinkSync('self.yaml', join(registry, 'policies/self.yaml'));
    mkdirSync(join(registry, 'policies/sub'));
    symlinkSync('..', join(registry, 'policies/sub/up'));
  });
  const codes = failedBuildCodes(build(cwd)).sort();
  assert.deepEqual(codes, ['SYMLINK_DANGLING', 'SYMLINK_LOOP', 'SYMLINK_LOOP']);
});

// Permissions: root reads everything, so these run the CLI as `nobody` (or chmod directly when not root).
function runAsOtherUser(args: string[], cwd: string): CliResult | undefined {
  if (process.getuid?.() !== 0) return runSpecWithinBound(args, { cwd });
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', HOME: cwd };
  delete env['SPEC_STORE'];
  const result = spawnSync(process.execPath, [specBin, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    uid: 65534,
    gid: 65534,
    timeout: hangBoundMs,
    killSignal: 'SIGKILL',
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT')
    throw new Error(`hang bound exceeded: spec ${args.join(' ')}`);
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A temp dir the other user can traverse and write (the store goes there). */
function sharedDir(t: { after: (fn: () => void) => void }, locked: string[]): string {
  const dir = tempDir();
  t.after(() => {
    for (const path of locked) chmodSync(join(dir.path, path), 0o755); // so that a user who is not root can remove it
    dir.cleanup();
  });
  chmodSync(dir.path, 0o777);
  return dir.path;
}

test('an unreadable spec file: FILE_UNREADABLE; an unreadable folder: DIRECTORY_UNREADABLE; both reported at once', (t) => {
  const cwd = sharedDir(t, ['registry/policies/locked']);
  const registry = join(cwd, 'registry');
  mkdirSync(join(registry, 'policies/locked'), { recursive: true });
  mkdirSync(join(registry, 'tools'));
  writeFileSync(join(registry, 'policies/base.yaml'), policy('base@1'));
  writeFileSync(join(registry, 'policies/private.yaml'), policy('private@1'));
  writeFileSync(join(registry, 'policies/locked/inside.yaml'), policy('inside@1'));
  chmodSync(join(registry, 'policies/private.yaml'), 0o000);
  chmodSync(join(registry, 'policies/locked'), 0o000);
  const result = runAsOtherUser(['build', '--store', 'store', '--json'], cwd)!;
  assert.deepEqual(failedBuildCodes(result).sort(), ['DIRECTORY_UNREADABLE', 'FILE_UNREADABLE']);
  assert.equal(existsSync(join(cwd, 'store')), false);
});

test('an unreadable plan folder for --plans: DIRECTORY_UNREADABLE, not a stack trace', (t) => {
  const cwd = sharedDir(t, ['plans/locked']);
  copyBundledRegistry(cwd);
  mkdirSync(join(cwd, 'plans/locked'), { recursive: true });
  chmodSync(join(cwd, 'plans/locked'), 0o000);
  const result = runAsOtherUser(['build', '--store', 'store', '--plans', 'plans', '--json'], cwd)!;
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.equal(json(result).error.code, 'DIRECTORY_UNREADABLE');
});

// Output: stdout and -o files.
function exportedStore(t: { after: (fn: () => void) => void }, beforeCleanup: () => void = () => {}): string {
  const dir = tempDir();
  t.after(() => {
    beforeCleanup();
    dir.cleanup();
  });
  copyBundledRegistry(dir.path);
  assert.equal(runSpecWithinBound(['build', '--store', 'store'], { cwd: dir.path }).status, 0);
  return dir.path;
}

test('export -o into a missing folder: OUTPUT_NOT_FOUND (exit 3); onto a folder: OUTPUT_IS_DIRECTORY; JSON on stdout', (t) => {
  const cwd = exportedStore(t);
  const missing = runSpecWithinBound(['export', 'latest', '-o', 'no/such/dir/x.json', '--store', 'store', '--json'], {
    cwd,
  });
  assert.equal(missing.status, 3, missing.stderr);
  assert.equal(json(missing).error.code, 'OUTPUT_NOT_FOUND');
  const folder = runSpecWithinBound(['export', 'latest', '-o', 'registry', '--store', 'store', '--json'], { cwd });
  assert.equal(folder.status, 1, folder.stderr);
  assert.equal(json(folder).error.code, 'OUTPUT_IS_DIRECTORY');
  const human = runSpecWithinBound(['export', 'latest', '-o', 'no/x.json', '--store', 'store'], { cwd });
  assert.equal(human.status, 3);
  assert.doesNotMatch(human.stderr, /internal error|\n\s+at /);
});

test('export -o into a folder or onto a file the user may not write: OUTPUT_DENIED, the file untouched', (t) => {
  const cwd = exportedStore(t);
  chmodSync(cwd, 0o777);
  spawnSync('chmod', ['-R', 'a+rwX', join(cwd, 'store')]); // the other user may open the store
  mkdirSync(join(cwd, 'locked'), { mode: 0o555 });
  writeFileSync(join(cwd, 'taken.json'), 'mine\n', { mode: 0o444 });
  for (const output of ['locked/x.json', 'taken.json']) {
    const result = runAsOtherUser(['export', 'latest', '-o', output, '--store', 'store', '--json'], cwd)!;
    assert.equal(result.status, 1, `${output}: ${result.stdout}${result.stderr}`);
    assert.equal(json(result).error.code, 'OUTPUT_DENIED', output);
  }
  assert.equal(readFileSync(join(cwd, 'taken.json'), 'utf8'), 'mine\n');
  assert.equal(existsSync(join(cwd, 'locked/x.json')), false);
});

test('export -o onto a full disk: OUTPUT_FULL, and no partial file is left', (t) => {
  let mounted = false;
  const cwd = exportedStore(t, () => mounted && unmount(disk));
  const disk = join(cwd, 'disk');
  mkdirSync(disk);
  const why = mountUnavailable(disk);
  if (why) {
    t.skip(`a full disk needs a small file system of its own: ${why}`);
    return;
  }
  mount(['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', disk]);
  mounted = true;
  const result = runSpecWithinBound(['export', 'latest', '-o', 'disk/out.json', '--store', 'store', '--json'], { cwd });
  assert.equal(result.status, 1, result.stderr);
  assert.equal(json(result).error.code, 'OUTPUT_FULL');
  assert.equal(existsSync(join(disk, 'out.json')), false);
});

/** Runs a shell pipeline; returns spec's own exit status (the first command of the pipe) and its stderr. */
function pipeline(cwd: string, specArgs: string, reader: string): { status: number; stderr: string } {
  const script = `node ${JSON.stringify(specBin)} ${specArgs} 2>spec.err; echo $? >spec.status`;
  const result = spawnSync('sh', ['-c', `{ ${script}; } | ${reader} >/dev/null`], {
    cwd,
    encoding: 'utf8',
    timeout: hangBoundMs,
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(result.status, 0, `the pipeline: ${result.stderr}`);
  return {
    status: Number(readFileSync(join(cwd, 'spec.status'), 'utf8')),
    stderr: readFileSync(join(cwd, 'spec.err'), 'utf8'),
  };
}

test('a reader that stops early (`| head`): spec ends quietly with exit 141, like git killed by SIGPIPE', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  // Enough specs that `ls` and `export` write more than a pipe holds.
  generateRegistry(join(dir.path, 'registry'), { specs: 600, seed: 3 });
  assert.equal(runSpecWithinBound(['build', '--store', 'store'], { cwd: dir.path }).status, 0);
  // A reader that never reads, or stops long before the end: the write fails with EPIPE for certain.
  for (const [args, reader] of [
    ['export latest --store store', 'head -c 100'],
    ['export latest --store store', 'true'],
    ['ls --store store --json', 'true'],
    ['log --store store', 'true'],
  ] as const) {
    const { status, stderr } = pipeline(dir.path, args, reader);
    assert.equal(stderr, '', `${args} | ${reader}`);
    assert.equal(status, 141, `${args} | ${reader}`);
  }
  // `ls | head -1`: whether the write fails depends on how much the pipe holds (as for git); quiet either way.
  const { status, stderr } = pipeline(dir.path, 'ls --store store', 'head -1');
  assert.equal(stderr, '');
  assert.ok(status === 0 || status === 141, String(status));
});

test('stdout on a full device (`> /dev/full`): OUTPUT_FULL on stderr (as JSON with --json), exit 1', (t) => {
  if (!existsSync('/dev/full')) {
    t.skip('no /dev/full here');
    return;
  }
  const cwd = exportedStore(t);
  for (const args of ['log', 'ls latest', 'export latest']) {
    const human = spawnSync('sh', ['-c', `node ${JSON.stringify(specBin)} ${args} --store store >/dev/full`], {
      cwd,
      encoding: 'utf8',
      timeout: hangBoundMs,
    });
    assert.equal(human.status, 1, `${args}: ${human.stderr}`);
    assert.match(human.stderr, /^OUTPUT_FULL /, args);
    const asJson = spawnSync('sh', ['-c', `node ${JSON.stringify(specBin)} ${args} --store store --json >/dev/full`], {
      cwd,
      encoding: 'utf8',
      timeout: hangBoundMs,
    });
    assert.equal(asJson.status, 1, args);
    assert.equal(JSON.parse(asJson.stderr).error.code, 'OUTPUT_FULL', args);
  }
});

test('spec init where a file is in the way: OUTPUT_NOT_FOUND naming the path (exit 3), JSON on stdout', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  writeFileSync(join(dir.path, 'taken'), 'a file\n');
  const result = runSpecWithinBound(['init', 'taken', '--json'], { cwd: dir.path });
  assert.equal(result.status, 3, result.stderr);
  assert.equal(json(result).error.code, 'OUTPUT_NOT_FOUND');
});

test('spec plan pin on a plan the user may not write: PLAN_UNWRITABLE (reason OUTPUT_DENIED), the plan untouched', (t) => {
  const cwd = exportedStore(t);
  chmodSync(cwd, 0o777);
  spawnSync('chmod', ['-R', 'a+rwX', join(cwd, 'store')]);
  const plan = join(cwd, 'plan.yaml');
  // Unpinned, so that pin must write it.
  writeFileSync(
    plan,
    readFileSync(join(repoRoot, 'examples/plans/trailer-render.yaml'), 'utf8').replace(/^snapshot:.*\n/m, ''),
    { mode: 0o444 },
  );
  const before = readFileSync(plan, 'utf8');
  const result = runAsOtherUser(['plan', 'pin', 'plan.yaml', '--store', 'store', '--json'], cwd)!;
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.equal(json(result).error.code, 'PLAN_UNWRITABLE');
  assert.equal(json(result).error.reason, 'OUTPUT_DENIED');
  assert.equal(readFileSync(plan, 'utf8'), before);
});

test('spec import of a folder: FILE_UNREADABLE, not FILE_NOT_FOUND; of bytes that are not UTF-8: IMPORT_INVALID, no store made', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  mkdirSync(join(dir.path, 'folder.json'));
  const folder = runSpecWithinBound(['import', 'folder.json', '--store', 'store', '--json'], { cwd: dir.path });
  assert.equal(folder.status, 1, folder.stdout);
  assert.equal(json(folder).error.code, 'FILE_UNREADABLE');
  writeFileSync(join(dir.path, 'latin1.json'), Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
  const latin1 = runSpecWithinBound(['import', 'latin1.json', '--store', 'store', '--json'], { cwd: dir.path });
  assert.equal(latin1.status, 1, latin1.stdout);
  assert.equal(json(latin1).error.code, 'IMPORT_INVALID');
  assert.equal(existsSync(join(dir.path, 'store')), false);
  assert.equal(
    json(runSpecWithinBound(['import', 'missing.json', '--json'], { cwd: dir.path })).error.code,
    'FILE_NOT_FOUND',
  );
});
