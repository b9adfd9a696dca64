// The `spec plan` commands, run as a user runs them: the built binary in a temporary directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/openStore.js';
import { readPinRecord } from '../../src/store/publishedVersions.js';
import { mount, mountUnavailable, unmount } from '../faults/faultSupport.js';
import { copyBundledRegistry, dumpStore, json, repoRoot, runSpec, tempDir } from '../support/cli.js';

const examplePlan = join(repoRoot, 'examples/plans/trailer-render.yaml');

/** A project with the bundled registry built, and the example plan without its pin. */
function project(t: { after: (fn: () => void) => void }) {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const built = runSpec(['build'], { cwd: dir.path });
  assert.equal(built.status, 0, built.stderr);
  const plan = join(dir.path, 'plans/trailer-render.yaml');
  cpSync(examplePlan, plan);
  writeFileSync(plan, readFileSync(plan, 'utf8').replace(/^snapshot: .*\n/m, ''));
  return { dir: dir.path, registry, plan, snapshot: built.stdout.trim(), read: () => readFileSync(plan, 'utf8') };
}

const commentLines = (text: string) => text.split('\n').filter((line) => line.includes('#'));

test('plan pin writes the snapshot after `plan:`, keeps every comment and line, and records the pin in the store', async (t) => {
  const p = project(t);
  const before = p.read();
  const result = runSpec(['plan', 'pin', 'plans/trailer-render.yaml', '--json'], { cwd: p.dir });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(json(result), {
    snapshot: p.snapshot,
    plans: [{ file: 'plans/trailer-render.yaml', plan: 'trailer-render', previous: null, changed: true }],
  });
  const after = p.read();
  assert.deepEqual(
    after.split('\n').filter((line) => !line.startsWith('snapshot:')),
    before.split('\n'),
    'only one line was added',
  );
  assert.match(after, new RegExp(`^plan: trailer-render\\nsnapshot: ${p.snapshot}\\n`, 'm'));
  assert.ok(commentLines(before).length > 3);
  assert.deepEqual(commentLines(after), commentLines(before));

  const again = json(
    runSpec(['plan', 'pin', 'plans/trailer-render.yaml', '--snapshot', p.snapshot.slice(7, 19), '--json'], {
      cwd: p.dir,
    }),
  );
  assert.deepEqual(again.plans[0], {
    file: 'plans/trailer-render.yaml',
    plan: 'trailer-render',
    previous: p.snapshot,
    changed: false,
  });
  assert.equal(p.read(), after);

  const store = await openStore({ directory: join(p.dir, '.spec/store') });
  t.after(() => store.close());
  assert.deepEqual((await readPinRecord(store, p.snapshot as never))?.by, ['plan trailer-render']);
  assert.notEqual(await store.kv.get('pub:text.llm@1'), undefined, 'pinning published the snapshot');
});

test('plan pin refuses a missing file (exit 3), a broken plan (exit 1) and an unknown snapshot (exit 3), writing nothing', (t) => {
  const p = project(t);
  assert.equal(
    json(runSpec(['plan', 'pin', 'plans/nope.yaml', '--json'], { cwd: p.dir })).error.code,
    'FILE_NOT_FOUND',
  );
  writeFileSync(join(p.dir, 'plans/broken.yaml'), 'plan: x\nplan: y\nsteps: []\n');
  const before = p.read();
  const broken = runSpec(['plan', 'pin', 'plans/trailer-render.yaml', 'plans/broken.yaml', '--json'], { cwd: p.dir });
  assert.equal(broken.status, 1);
  assert.deepEqual(
    json(broken).error.diagnostics.map((d: { code: string; line: number }) => `${d.code}@${d.line}`),
    ['YAML_DUPLICATE_KEY@2'],
  );
  const unknown = runSpec(['plan', 'pin', 'plans/trailer-render.yaml', '--snapshot', 'nosuchtag'], { cwd: p.dir });
  assert.equal(unknown.status, 3);
  assert.equal(p.read(), before);
});

test('plan check: exit 0 when clean; exit 1 with every problem as file:line:col CODE, and a --json list', (t) => {
  const p = project(t);
  const unpinned = runSpec(['plan', 'check', 'plans/trailer-render.yaml'], { cwd: p.dir });
  assert.equal(unpinned.status, 1);
  assert.match(unpinned.stderr, /^plans\/trailer-render\.yaml:\d+:\d+ PLAN_NOT_PINNED /m);
  assert.equal(runSpec(['plan', 'pin', 'plans/trailer-render.yaml'], { cwd: p.dir }).status, 0);
  const clean = runSpec(['plan', 'check', 'plans/trailer-render.yaml'], { cwd: p.dir });
  assert.equal(clean.status, 0, clean.stderr);
  assert.equal(clean.stderr, '');

  writeFileSync(
    p.plan,
    p.read().replace('path: "media/source.mp4"', 'paths: 3').replace('after: [script]', 'after: [render]'),
  );
  const broken = runSpec(['plan', 'check', 'plans/trailer-render.yaml'], { cwd: p.dir });
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /^plans\/trailer-render\.yaml:\d+:\d+ PLAN_INPUT_MISSING /m);
  assert.match(broken.stderr, /^plans\/trailer-render\.yaml:\d+:\d+ PLAN_INPUT_UNKNOWN /m);
  assert.match(broken.stderr, /^plans\/trailer-render\.yaml:\d+:\d+ PLAN_CYCLE /m);
  const listed = json(runSpec(['plan', 'check', 'plans/trailer-render.yaml', '--json'], { cwd: p.dir }));
  assert.equal(listed[0].ok, false);
  assert.deepEqual(listed[0].diagnostics.map((d: { code: string }) => d.code).sort(), [
    'PLAN_CYCLE',
    'PLAN_INPUT_MISSING',
    'PLAN_INPUT_UNKNOWN',
  ]);
  const cycle = listed[0].diagnostics.find((d: { code: string }) => d.code === 'PLAN_CYCLE');
  // Steps are visited in file order: metadata → render → metadata closes at render's `after`.
  assert.equal(
    cycle.line,
    p
      .read()
      .split('\n')
      .findIndex((line) => line.includes('after: [script, metadata]')) + 1,
  );
});

test('plan lock rewrites floating refs to the exact version in the pinned snapshot, keeping comments; twice is a no-op', (t) => {
  const p = project(t);
  const unpinned = runSpec(['plan', 'lock', 'plans/trailer-render.yaml', '--json'], { cwd: p.dir });
  assert.equal(unpinned.status, 1);
  assert.equal(json(unpinned).error.diagnostics[0].code, 'PLAN_NOT_PINNED');
  runSpec(['plan', 'pin', 'plans/trailer-render.yaml'], { cwd: p.dir });
  const before = p.read();
  const locked = runSpec(['plan', 'lock', 'plans/trailer-render.yaml', '--json'], { cwd: p.dir });
  assert.equal(locked.status, 0, locked.stderr);
  assert.deepEqual(json(locked).plans[0].locked, [
    { pointer: '/steps/0/processor_ref', from: 'text.llm', to: 'text.llm@2' },
  ]);
  assert.equal(p.read(), before.replace('processor_ref: text.llm\n', 'processor_ref: text.llm@2\n'));
  assert.deepEqual(commentLines(p.read()), commentLines(before));
  const again = json(runSpec(['plan', 'lock', 'plans/trailer-render.yaml', '--json'], { cwd: p.dir }));
  assert.deepEqual(again.plans[0].locked, []);
  assert.equal(runSpec(['plan', 'check', 'plans/trailer-render.yaml'], { cwd: p.dir }).status, 0);
});

test('plan upgrade reports per ref; a breaking upgrade exits 4 and re-pins only with --allow-breaking', (t) => {
  const p = project(t);
  runSpec(['plan', 'pin', 'plans/trailer-render.yaml'], { cwd: p.dir });
  // The next registry: text.llm@3 requires a new input, and the plan's floating ref moves to it.
  const v2 = readFileSync(join(p.registry, 'tools/text.llm.v2.yaml'), 'utf8');
  writeFileSync(
    join(p.registry, 'tools/text.llm.v3.yaml'),
    v2
      .replace('"text.llm@2"', '"text.llm@3"')
      .replace('inputs:\n', 'inputs:\n  - name: "audience"\n    type: "string"\n    required: true\n'),
  );
  const next = runSpec(['build'], { cwd: p.dir }).stdout.trim();
  const pinned = p.read();

  const dry = runSpec(['plan', 'upgrade', 'plans/trailer-render.yaml', '--to', 'latest', '--dry-run', '--json'], {
    cwd: p.dir,
  });
  assert.equal(dry.status, 4);
  const report = json(dry);
  assert.equal(report.from, p.snapshot);
  assert.equal(report.to, next);
  assert.equal(report.breaking, true);
  assert.equal(report.written, false);
  const script = report.refs.find((ref: { step?: string }) => ref.step === 'script');
  assert.deepEqual(
    [script.before.id, script.after.id, script.status, script.breaking],
    ['text.llm@2', 'text.llm@3', 'changed', true],
  );
  assert.deepEqual(
    script.problems.map((d: { code: string; pointer: string }) => [d.code, d.pointer]),
    [['PLAN_INPUT_MISSING', '/steps/0/inputs/audience']],
  );
  const probe = report.refs.find((ref: { step?: string }) => ref.step === 'metadata');
  assert.deepEqual([probe.status, probe.breaking], ['unchanged', false]);
  assert.equal(p.read(), pinned, '--dry-run writes nothing');

  assert.equal(runSpec(['plan', 'upgrade', 'plans/trailer-render.yaml', '--to', 'latest'], { cwd: p.dir }).status, 4);
  assert.equal(p.read(), pinned, 'a breaking upgrade is not applied');
  const forced = runSpec(
    ['plan', 'upgrade', 'plans/trailer-render.yaml', '--to', 'latest', '--allow-breaking', '--json'],
    { cwd: p.dir },
  );
  assert.equal(forced.status, 0);
  assert.equal(json(forced).written, true);
  assert.equal(p.read(), pinned.replace(p.snapshot, next));
});

test('plan upgrade: a tightened policy breaks; an unchanged snapshot or a compatible change does not', (t) => {
  const p = project(t);
  writeFileSync(p.plan, p.read().replace('policy: default@1', 'policy: default'));
  runSpec(['plan', 'pin', 'plans/trailer-render.yaml'], { cwd: p.dir });
  const same = runSpec(['plan', 'upgrade', 'plans/trailer-render.yaml', '--to', 'latest', '--json'], { cwd: p.dir });
  assert.equal(same.status, 0);
  assert.ok(json(same).refs.every((ref: { status: string }) => ref.status === 'unchanged'));

  const policy = readFileSync(join(p.registry, 'policies/default.yaml'), 'utf8');
  writeFileSync(
    join(p.registry, 'policies/default2.yaml'),
    policy.replace('"default@1"', '"default@2"').replace('max_usd_micro: 1000000', 'max_usd_micro: 5000'),
  );
  runSpec(['build', '--tag', 'tight'], { cwd: p.dir });
  const tight = json(
    runSpec(['plan', 'upgrade', 'plans/trailer-render.yaml', '--to', 'tight', '--dry-run', '--json'], { cwd: p.dir }),
  );
  const ref = tight.refs.find((each: { kind: string }) => each.kind === 'policy');
  assert.deepEqual([ref.before.id, ref.after.id, ref.breaking], ['default@1', 'default@2', true]);
  assert.deepEqual(
    ref.changes.map((c: { rule: string; pointer: string; old: number; new: number }) => [
      c.rule,
      c.pointer,
      c.old,
      c.new,
    ]),
    [['policy.tightened', '/budget/max_usd_micro', 1000000, 5000]],
  );

  writeFileSync(
    join(p.registry, 'policies/default2.yaml'),
    policy.replace('"default@1"', '"default@3"').replace('max_usd_micro: 1000000', 'max_usd_micro: 9000000'),
  );
  runSpec(['build', '--tag', 'loose'], { cwd: p.dir });
  const loose = runSpec(['plan', 'upgrade', 'plans/trailer-render.yaml', '--to', 'loose', '--json'], { cwd: p.dir });
  assert.equal(loose.status, 0);
  assert.equal(json(loose).written, true);
  assert.equal(
    json(loose).refs.find((each: { kind: string }) => each.kind === 'policy').changes[0].rule,
    'policy.loosened',
  );
});

test('every plan command has --help with an example', () => {
  for (const command of [
    ['plan'],
    ['plan', 'pin'],
    ['plan', 'check'],
    ['plan', 'lock'],
    ['plan', 'upgrade'],
    ['refs'],
    ['status'],
  ]) {
    const help = runSpec([...command, '--help']);
    assert.equal(help.status, 0, command.join(' '));
    assert.match(help.stdout, /Examples:\n\s+\$ spec /, `${command.join(' ')} --help has an example`);
  }
});

/**
 * Makes `directory` unwritable: a read-only bind mount as root (permissions do not bind root), chmod otherwise.
 * Returns the function that undoes it (it also runs after the test), or undefined when the test was skipped.
 */
function makeUnwritable(
  t: { after: (fn: () => void) => void; skip: (why: string) => void },
  directory: string,
  probe: string,
): (() => void) | undefined {
  let restore: () => void;
  if (process.getuid?.() === 0) {
    const why = mountUnavailable(probe);
    if (why !== undefined) {
      t.skip(why);
      return undefined;
    }
    mount(['--bind', directory, directory]);
    mount(['-o', 'remount,bind,ro', directory]);
    restore = () => unmount(directory);
  } else {
    chmodSync(directory, 0o555);
    restore = () => chmodSync(directory, 0o755);
  }
  let restored = false;
  const once = () => {
    if (!restored) restore();
    restored = true;
  };
  t.after(once);
  return once;
}

test('plan pin and plan upgrade check that every plan can be written before publishing: PLAN_UNWRITABLE, no plan changed, the store unchanged', async (t) => {
  const p = project(t);
  // Its own directory, removed after it is unmounted (after-hooks run in the order they were added).
  const locked = tempDir();
  const lockedPlan = join(locked.path, 'other.yaml');
  writeFileSync(lockedPlan, 'plan: other\nsnapshot: ~\nsteps: []\n');
  const restore = makeUnwritable(t, locked.path, join(p.dir, 'probe'));
  t.after(locked.cleanup);
  if (!restore) return;
  const store = join(p.dir, '.spec/store');
  const before = await dumpStore(store);
  const planBefore = p.read();

  const pinned = runSpec(['plan', 'pin', 'plans/trailer-render.yaml', lockedPlan, '--json'], { cwd: p.dir });
  assert.equal(pinned.status, 1, pinned.stderr);
  assert.equal(json(pinned).error.code, 'PLAN_UNWRITABLE');
  assert.equal(json(pinned).error.file, lockedPlan);
  assert.equal(p.read(), planBefore, 'the writable plan was not pinned either');
  assert.equal(readFileSync(lockedPlan, 'utf8'), 'plan: other\nsnapshot: ~\nsteps: []\n');
  assert.deepEqual(await dumpStore(store), before, 'nothing was published');
  assert.equal(runSpec(['plan', 'pin', lockedPlan], { cwd: p.dir }).status, 1, 'text output exits 1 too');

  // upgrade re-pins, which publishes: the same order.
  restore();
  const moved = join(locked.path, 'moved.yaml');
  runSpec(['plan', 'pin', 'plans/trailer-render.yaml'], { cwd: p.dir });
  cpSync(p.plan, moved);
  writeFileSync(join(p.registry, 'policies/extra.yaml'), 'id: "extra@1"\nbudget: {max_usd_micro: 5}\n');
  assert.equal(runSpec(['build'], { cwd: p.dir }).status, 0);
  const restoreAgain = makeUnwritable(t, locked.path, join(p.dir, 'probe2'));
  if (!restoreAgain) return;
  const beforeUpgrade = await dumpStore(store);
  const movedBefore = readFileSync(moved, 'utf8');
  const upgraded = runSpec(['plan', 'upgrade', moved, '--to', 'latest', '--json'], { cwd: p.dir });
  assert.equal(upgraded.status, 1, upgraded.stdout);
  assert.equal(json(upgraded).error.code, 'PLAN_UNWRITABLE');
  assert.equal(readFileSync(moved, 'utf8'), movedBefore);
  assert.deepEqual(await dumpStore(store), beforeUpgrade, 'the new snapshot was not published');
  restoreAgain();
});

test('plan pin refusing a broken plan says exactly what did not happen; gc refusing one says it deleted nothing', (t) => {
  const p = project(t);
  writeFileSync(join(p.dir, 'plans/broken.yaml'), 'plan: x\nplan: y\nsteps: []\n');
  const pin = runSpec(['plan', 'pin', 'plans/broken.yaml', '--json'], { cwd: p.dir });
  assert.equal(pin.status, 1);
  assert.equal(json(pin).error.outcome, 'no plan was written and nothing was pinned or published');
  assert.equal(
    json(runSpec(['plan', 'lock', 'plans/broken.yaml', '--json'], { cwd: p.dir })).error.outcome,
    'no plan was written',
  );
  assert.equal(
    json(runSpec(['plan', 'upgrade', 'plans/broken.yaml', '--to', 'latest', '--json'], { cwd: p.dir })).error.outcome,
    'the plan was not re-pinned and nothing was published',
  );
  assert.equal(json(runSpec(['gc', '--plans', 'plans', '--json'], { cwd: p.dir })).error.outcome, 'gc deleted nothing');
  assert.equal(
    json(runSpec(['build', '--plans', 'plans', '--json'], { cwd: p.dir })).error.outcome,
    'a plan is invalid: no plan and nothing in the store was changed',
  );
});
