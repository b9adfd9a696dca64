import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundledRegistry, dumpStore, json, repoRoot, runSpec, tempDir } from '../support/cli.js';

const digestLine = /^sha256:[0-9a-f]{64}\n$/;

test('spec build prints one snapshot id line, and the same id again on a rebuild', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  const first = runSpec(['build'], { cwd: dir.path });
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, digestLine);
  assert.ok(existsSync(join(dir.path, '.spec/store/CURRENT')), 'default store is .spec/store');
  const second = runSpec(['build', '--json'], { cwd: dir.path });
  assert.equal(second.status, 0);
  const result = json(second);
  assert.equal(result.snapshot, first.stdout.trim());
  assert.equal(result.newObjects, 0, 'writing identical content again adds no objects');
  assert.equal(result.unchanged, true);
});

test('the bundled registry gives the id of the committed snapshots/ document, byte for byte', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const store = join(dir.path, 'store');
  const built = runSpec(['build', '--registry', join(repoRoot, 'registry'), '--store', store]);
  assert.equal(built.status, 0, built.stderr);
  const exported = runSpec(['export', built.stdout.trim(), '--store', store]);
  assert.equal(exported.status, 0, exported.stderr);
  const committed = readFileSync(join(repoRoot, 'snapshots/registry.snapshot.json'), 'utf8');
  assert.equal(exported.stdout, committed, 'snapshots/registry.snapshot.json is stale: run `npm run snapshots`');
});

test('--store is accepted before or after arguments, and SPEC_STORE sets the default', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  const id = runSpec(['--store', 's1', 'build'], { cwd: dir.path }).stdout.trim();
  assert.match(id, /^sha256:/);
  assert.equal(runSpec(['resolve', 'latest', 'text.llm@1', '--store', 's1'], { cwd: dir.path }).status, 0);
  assert.equal(runSpec(['build'], { cwd: dir.path, env: { SPEC_STORE: join(dir.path, 's2') } }).status, 0);
  assert.ok(existsSync(join(dir.path, 's2/CURRENT')));
  assert.ok(!existsSync(join(dir.path, '.spec')));
});

test('an invalid registry exits 1, reports every problem with file:line:col, and does not create or touch the store', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  writeFileSync(
    join(registry, 'tools/broken.yaml'),
    'id: "broken.tool@1"\nname: "Broken"\nadapter: "local"\nentry_point: "x"\ninputs:\n  - name: "a"\n    schema: "missing.schema@1"\n',
  );
  writeFileSync(join(registry, 'policies/dup.yaml'), 'id: "default@1"\nbudget: {max_usd_micro: 5}\n');
  const result = runSpec(['build'], { cwd: dir.path });
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^registry\/tools\/broken\.yaml:7:\d+ REF_NOT_FOUND /m);
  assert.match(result.stderr, /^registry\/policies\/dup\.yaml:1:\d+ DUPLICATE_ID /m);
  assert.ok(!existsSync(join(dir.path, '.spec')), 'no store was created');

  const asJson = json(runSpec(['build', '--json'], { cwd: dir.path }));
  const codes = asJson.error.diagnostics.map((d: { code: string }) => d.code).sort();
  assert.deepEqual(codes, ['DUPLICATE_ID', 'REF_NOT_FOUND']);
  const duplicate = asJson.error.diagnostics.find((d: { code: string }) => d.code === 'DUPLICATE_ID');
  assert.equal(duplicate.related[0].file, 'registry/policies/default.yaml', 'a duplicate id names both files');
});

test('an invalid registry leaves an existing store exactly as it was (every key and value)', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  assert.equal(runSpec(['build'], { cwd: dir.path }).status, 0);
  const before = await dumpStore(join(dir.path, '.spec/store'));
  writeFileSync(join(registry, 'tools/text.llm.yaml'), 'id: "text.llm@1"\nname: [unclosed\n');
  assert.equal(runSpec(['build'], { cwd: dir.path }).status, 1);
  assert.deepEqual(await dumpStore(join(dir.path, '.spec/store')), before);
});

test('a damaged store (CURRENT missing) is reported and never replaced by an empty one', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  assert.equal(runSpec(['build'], { cwd: dir.path }).status, 0);
  rmSync(join(dir.path, '.spec/store/CURRENT'));
  const before = readdirSync(join(dir.path, '.spec/store')).sort();
  const result = runSpec(['build', '--json'], { cwd: dir.path });
  assert.equal(result.status, 5);
  assert.equal(json(result).error.code, 'STORE_CORRUPT');
  assert.deepEqual(readdirSync(join(dir.path, '.spec/store')).sort(), before);
});

test('a store path that is a file is a clear store error', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  writeFileSync(join(dir.path, 'store-file'), 'not a store');
  const result = runSpec(['build', '--store', 'store-file', '--json'], { cwd: dir.path });
  assert.equal(result.status, 5);
  assert.equal(json(result).error.code, 'STORE_NOT_A_DIRECTORY');
});

test('a missing registry is not found (exit 3); a bad option is usage (exit 2)', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const missing = runSpec(['build', '--json'], { cwd: dir.path });
  assert.equal(missing.status, 3);
  assert.equal(json(missing).error.code, 'REGISTRY_NOT_FOUND');
  assert.equal(runSpec(['build', '--no-such-option'], { cwd: dir.path }).status, 2);
  assert.equal(runSpec(['no-such-command'], { cwd: dir.path }).status, 2);
});

test('spec init scaffolds a registry that builds, and ignores the store in .gitignore', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  mkdirSync(join(dir.path, 'proj'));
  writeFileSync(join(dir.path, 'proj/.gitignore'), 'node_modules/');
  const init = runSpec(['init', 'proj'], { cwd: dir.path });
  assert.equal(init.status, 0, init.stderr);
  assert.match(readFileSync(join(dir.path, 'proj/.gitignore'), 'utf8'), /^node_modules\/\n(#.*\n)?\.spec\/\n$/);
  assert.equal(runSpec(['build'], { cwd: join(dir.path, 'proj') }).status, 0);
  const again = runSpec(['init', 'proj', '--json'], { cwd: dir.path });
  assert.equal(again.status, 1);
  assert.equal(json(again).error.code, 'REGISTRY_EXISTS');
});

test('every command has --help with an example', () => {
  for (const command of ['init', 'build', 'ls', 'show', 'resolve', 'tag', 'tags', 'log', 'export', 'import']) {
    const help = runSpec([command, '--help']);
    assert.equal(help.status, 0, command);
    assert.match(help.stdout, /Examples:\n\s+\$ spec /, `${command} --help has an example`);
  }
});

test('a build that takes over a second shows progress on a terminal, and nothing when stderr is not one', async (t) => {
  const { run } = await import('../../src/cli/run.js');
  const { generateRegistry } = await import('../../bench/generateRegistry.mjs');
  const dir = tempDir();
  t.after(dir.cleanup);
  generateRegistry(join(dir.path, 'registry'), 480); // 626 files: analysed in worker threads, in batches
  const build = async (stderrIsTty: boolean, store: string) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    let clock = 0;
    const code = await run(['build', '--registry', join(dir.path, 'registry'), '--store', join(dir.path, store)], {
      stdout: (text) => stdout.push(text),
      stderr: (text) => stderr.push(text),
      env: { NO_COLOR: '1' },
      cwd: dir.path,
      stdoutIsTty: false,
      stderrIsTty,
      now: () => (clock += 400), // every look at the clock is 0.4 s later: the build "takes" seconds
    });
    assert.equal(code, 0, stderr.join(''));
    assert.match(stdout.join(''), /^sha256:[0-9a-f]{64}\n$/, 'progress never goes to stdout');
    return stderr.join('');
  };
  const onTerminal = await build(true, 'store-tty');
  assert.ok(
    new RegExp(String.raw`\r\x1b\[Kparsed and validated \d+/626 files`).test(onTerminal),
    JSON.stringify(onTerminal),
  );
  assert.ok(onTerminal.endsWith('\r\u001b[K'), 'the progress line is cleared before the id is printed');
  assert.equal(await build(false, 'store-pipe'), '', 'nothing when stderr is not a terminal');
});

test('SPEC_WRITE_AHEAD_BYTES and SPEC_STAGE_ABOVE_BYTES: a bad value is a usage error before anything is made; 0 stages every build', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  for (const env of [
    { SPEC_STAGE_ABOVE_BYTES: '-1' },
    { SPEC_STAGE_ABOVE_BYTES: '1.5' },
    { SPEC_WRITE_AHEAD_BYTES: '0' },
  ]) {
    const refused = runSpec(['build', '--json'], { cwd: dir.path, env });
    assert.equal(refused.status, 2, JSON.stringify(env));
    const { error } = json<{ error: { code: string; message: string } }>(refused);
    assert.equal(error.code, 'USAGE');
    assert.match(error.message, new RegExp(`^${Object.keys(env)[0]}=`));
    assert.equal(existsSync(join(dir.path, '.spec')), false, 'no store was made');
  }
  const staged = runSpec(['build'], {
    cwd: dir.path,
    env: { SPEC_STAGE_ABOVE_BYTES: '0', SPEC_WRITE_AHEAD_BYTES: '1024' },
  });
  assert.equal(staged.status, 0, staged.stderr);
  const bundled = runSpec(['build', '--registry', join(repoRoot, 'registry'), '--store', join(dir.path, 'plain')]);
  assert.equal(staged.stdout, bundled.stdout);
});
