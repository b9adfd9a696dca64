// `spec verify`, `spec gc` and the export → import round trip, through the built binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';

function setup(t: { after: (fn: () => void) => void }) {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const spec = (...args: string[]) => runSpec([...args, '--store', join(dir.path, 'store')], { cwd: dir.path });
  return { dir: dir.path, registry, spec };
}

test('verify: exit 0 and ok on a sound store; --json prints the report object', (t) => {
  const { spec } = setup(t);
  assert.equal(spec('build').status, 0);
  const human = spec('verify');
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /^store ok: /m);
  const report = json(spec('verify', '--json'));
  assert.equal(report.ok, true);
  assert.deepEqual(report.problems, []);
  assert.equal(report.snapshots, 1);
  assert.equal(spec('verify', '--json').status, 0);
});

test('verify on a missing store is STORE_NOT_FOUND (exit 3); it never creates one', (t) => {
  const { spec } = setup(t);
  const result = spec('verify', '--json');
  assert.equal(result.status, 3);
  assert.equal(json(result).error.code, 'STORE_NOT_FOUND');
});

test('gc through the CLI: --dry-run, --keep-last, --plans; then verify is clean and every kept snapshot resolves', (t) => {
  const { dir, registry, spec } = setup(t);
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    writeFileSync(join(registry, 'policies/default.yaml'), `id: "default@1"\nbudget:\n  max_usd_micro: ${1000 + i}\n`);
    ids.push(spec('build').stdout.trim());
  }
  mkdirSync(join(dir, 'plans'));
  writeFileSync(join(dir, 'plans/release.yaml'), `plan: release\nsnapshot: "${ids[0]}"\nsteps: []\n`);

  const dry = json(spec('gc', '--dry-run', '--json'));
  assert.equal(dry.dryRun, true);
  assert.deepEqual(dry.removed.snapshots.sort(), ids.slice(0, 3).sort());
  assert.equal(json(spec('verify', '--json')).snapshots, 4, 'a dry run removes nothing');

  const human = spec('gc', '--keep-last', '2', '--plans', 'plans');
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`^removed ${ids[1]}$`, 'm'));
  assert.match(human.stdout, /^removed 1 snapshot and \d+ objects \([\d,]+ bytes\)$/m);
  for (const id of [ids[0]!, ids[2]!, ids[3]!]) assert.equal(spec('resolve', id, 'default@1').status, 0);
  assert.equal(spec('resolve', ids[1]!, 'default@1').status, 3);
  assert.equal(spec('verify').status, 0);
  assert.equal(json(spec('log', '--json')).length, 4, 'the build log keeps its history');

  assert.equal(spec('gc', '--keep-last', '0').status, 2);
  assert.equal(spec('gc', '--keep-last', 'x').status, 2);
  const missingPlans = spec('gc', '--plans', 'nope', '--json');
  assert.equal(missingPlans.status, 3);
  assert.equal(json(missingPlans).error.code, 'FILE_NOT_FOUND');
});

test('export → import into an empty store gives the same ids, and verify is clean', (t) => {
  const { dir, registry, spec } = setup(t);
  const first = spec('build').stdout.trim();
  // A new version, not a changed one: importing publishes, and a published version never changes.
  writeFileSync(join(registry, 'policies/default2.yaml'), 'id: "default@2"\nbudget:\n  max_usd_micro: 5\n');
  const second = spec('build').stdout.trim();
  assert.notEqual(first, second);
  const other = join(dir, 'other-store');
  for (const id of [first, second]) {
    const exported = spec('export', id, '-o', join(dir, `${id.slice(7, 15)}.json`));
    assert.equal(exported.status, 0, exported.stdout + exported.stderr);
    const imported = runSpec(['import', join(dir, `${id.slice(7, 15)}.json`), '--store', other, '--json']);
    assert.equal(imported.status, 0, imported.stdout + imported.stderr);
    assert.equal(json(imported).snapshot, id);
  }
  const original = json(spec('verify', '--json'));
  const copy = json(runSpec(['verify', '--json', '--store', other]));
  assert.equal(copy.ok, true);
  assert.equal(copy.snapshots, 2);
  assert.equal(copy.objects, original.objects);
  for (const id of [first, second]) {
    assert.equal(
      runSpec(['export', id, '--store', other]).stdout,
      readFileSync(join(dir, `${id.slice(7, 15)}.json`), 'utf8'),
      'byte-identical re-export',
    );
  }
});

test('import refuses a document whose digests do not match: IMPORT_DIGEST_MISMATCH (exit 1), naming the first bad object, creating no store', (t) => {
  const { dir, spec } = setup(t);
  const id = spec('build').stdout.trim();
  const file = join(dir, 'snap.json');
  assert.equal(spec('export', id, '-o', file).status, 0);
  const document = JSON.parse(readFileSync(file, 'utf8')) as { objects: Record<string, Record<string, unknown>> };
  const specDigests = Object.keys(document.objects).filter(
    (digest) => typeof document.objects[digest]!['id'] === 'string',
  );
  const [firstBad, secondBad] = [specDigests[1], specDigests[3]];
  assert.ok(firstBad && secondBad, 'the export holds at least four specs');
  document.objects[firstBad]!['description'] = 'tampered';
  document.objects[secondBad]!['description'] = 'tampered too';
  writeFileSync(file, JSON.stringify(document, null, 2));
  const other = join(dir, 'other-store');
  const result = runSpec(['import', file, '--store', other, '--json']);
  assert.equal(result.status, 1);
  const error = json(result).error;
  assert.equal(error.code, 'IMPORT_DIGEST_MISMATCH');
  assert.equal(error.expected, firstBad);
  // The document is checked before the store is opened, so no store was created.
  assert.equal(existsSync(other), false);
});

test('verify and gc have --help with examples; --wait takes seconds', (t) => {
  const { spec } = setup(t);
  for (const command of ['verify', 'gc']) {
    const help = runSpec([command, '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Examples:\n\s+\$ spec /);
    assert.match(help.stdout, /--wait <seconds>/);
  }
  assert.equal(spec('build', '--wait', 'soon').status, 2);
  assert.equal(spec('build', '--wait', '-1').status, 2);
  assert.equal(
    runSpec(['--wait', '1', 'verify', '--store', 'nope']).status,
    3,
    '--wait is accepted before the command too',
  );
});
