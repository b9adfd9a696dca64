// Hostile plan files and documents through the CLI: encodings gc must not misread, keys named like JavaScript's
// object properties. Each run is held to the hang bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumpStore, json, runSpecWithinBound, tempDir } from '../support/cli.js';

const tool =
  'id: "keys@1"\nname: "keys"\nadapter: "local"\nentry_point: "x"\ninputs:\n  - {name: "req", schema: "keyed@1", required: true}\n';
const keyedSchema =
  'id: "keyed@1"\nschema:\n  type: object\n  properties:\n    __proto__: {type: number}\n    constructor: {type: number}\n    toString: {type: number}\n  required: [__proto__, constructor, toString]\n  additionalProperties: false\n';

/** A registry with a schema whose properties are named __proto__, constructor and toString, built into a store. */
function project(t: { after: (fn: () => void) => void }) {
  const dir = tempDir();
  t.after(dir.cleanup);
  mkdirSync(join(dir.path, 'registry/tools'), { recursive: true });
  mkdirSync(join(dir.path, 'registry/schemas'), { recursive: true });
  mkdirSync(join(dir.path, 'plans'));
  writeFileSync(join(dir.path, 'registry/tools/keys.yaml'), tool);
  writeFileSync(join(dir.path, 'registry/schemas/keyed.yaml'), keyedSchema);
  const built = runSpecWithinBound(['build'], { cwd: dir.path });
  assert.equal(built.status, 0, built.stderr);
  return { dir: dir.path, snapshot: built.stdout.trim(), store: join(dir.path, '.spec/store') };
}

const pinnedPlan = (snapshot: string, inputs = '{req: {__proto__: 1, constructor: 2, toString: 3}}') =>
  `plan: keys\nsnapshot: ${snapshot}\nsteps:\n  - id: a\n    processor_ref: keys@1\n    inputs: ${inputs}\n`;

test('gc --plans stops on a UTF-16 or invalid UTF-8 plan (GC_PLAN_UNREADABLE, exit 1) and deletes nothing, not even the snapshot it pins', async (t) => {
  const p = project(t);
  // A second build, so that gc would drop the first snapshot unless a plan keeps it.
  writeFileSync(join(p.dir, 'registry/schemas/other.yaml'), 'id: "other@1"\nschema: {type: string}\n');
  assert.equal(runSpecWithinBound(['build'], { cwd: p.dir }).status, 0);
  const text = pinnedPlan(p.snapshot);
  const variants: [string, Buffer][] = [
    ['UTF-16LE with a byte order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['UTF-16LE without one', Buffer.from(text, 'utf16le')],
    [
      'UTF-16BE with a byte order mark',
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]),
    ],
    ['invalid UTF-8', Buffer.concat([Buffer.from(text), Buffer.from('# \xff\xfe\n', 'latin1')])],
  ];
  for (const [name, bytes] of variants) {
    writeFileSync(join(p.dir, 'plans/keys.yaml'), bytes);
    const before = await dumpStore(p.store);
    const gc = runSpecWithinBound(['gc', '--plans', 'plans', '--json'], { cwd: p.dir });
    assert.equal(gc.status, 1, `${name}: ${gc.stdout}`);
    assert.equal(json(gc).error.code, 'GC_PLAN_UNREADABLE', name);
    assert.deepEqual(
      json(gc).error.diagnostics.map((d: { code: string }) => d.code),
      ['YAML_ENCODING'],
      name,
    );
    assert.deepEqual(await dumpStore(p.store), before, `${name}: the store is unchanged`);
    const check = runSpecWithinBound(['plan', 'check', 'plans/keys.yaml', '--json'], { cwd: p.dir });
    assert.equal(check.status, 1, name);
    assert.deepEqual(
      json(check)[0].diagnostics.map((d: { code: string }) => d.code),
      ['YAML_ENCODING'],
      `${name}: plan check reads it the same way`,
    );
  }
  writeFileSync(join(p.dir, 'plans/keys.yaml'), text);
  const gc = runSpecWithinBound(['gc', '--plans', 'plans', '--json'], { cwd: p.dir });
  assert.equal(gc.status, 0, gc.stdout);
  assert.deepEqual(json(gc).removed.snapshots, [], 'the plan, readable now, keeps its snapshot');
  assert.equal(runSpecWithinBound(['show', p.snapshot, 'keys@1'], { cwd: p.dir }).status, 0);
});

test('plan check validates inputs keyed __proto__, constructor and toString against the schema, in every way of writing them', (t) => {
  const p = project(t);
  const check = (inputs: string) => {
    writeFileSync(join(p.dir, 'plans/keys.yaml'), pinnedPlan(p.snapshot, inputs));
    const result = runSpecWithinBound(['plan', 'check', 'plans/keys.yaml', '--json'], { cwd: p.dir });
    return {
      status: result.status,
      found: json(result)[0]
        .diagnostics.map((d: { code: string; pointer: string }) => `${d.code} ${d.pointer}`)
        .sort(),
    };
  };
  const wrong = {
    status: 1,
    found: [
      'PLAN_INPUT_INVALID /steps/0/inputs/req/__proto__',
      'PLAN_INPUT_INVALID /steps/0/inputs/req/constructor',
      'PLAN_INPUT_INVALID /steps/0/inputs/req/toString',
    ],
  };
  assert.deepEqual(check('{req: {__proto__: "not a number", constructor: "no", toString: "no"}}'), wrong);
  assert.deepEqual(check('{req: {"__proto__": "not a number", "constructor": "no", "toString": "no"}}'), wrong);
  assert.deepEqual(
    check('\n      req:\n        __proto__: "not a number"\n        constructor: "no"\n        toString: "no"'),
    wrong,
  );
  assert.equal(check('{req: {}}').status, 1, 'inherited members do not satisfy required');
  assert.deepEqual(check('{req: {__proto__: 1, constructor: 2, toString: 3}}'), { status: 0, found: [] });
});

test('an import document whose specs have keys named __proto__, constructor and toString imports to the same id, keys intact', (t) => {
  const p = project(t);
  const exported = join(p.dir, 'snapshot.json');
  assert.equal(runSpecWithinBound(['export', p.snapshot, '-o', exported], { cwd: p.dir }).status, 0);
  const other = join(p.dir, 'other-store');
  const imported = runSpecWithinBound(['import', exported, '--store', other, '--json'], { cwd: p.dir });
  assert.equal(imported.status, 0, imported.stdout);
  assert.equal(json(imported).snapshot, p.snapshot);
  const shown = runSpecWithinBound(['show', p.snapshot, 'keyed@1', '--store', other, '--json'], { cwd: p.dir });
  assert.equal(shown.status, 0);
  assert.deepEqual(Object.keys(json(shown).schema.properties), ['__proto__', 'constructor', 'toString']);
  // A document whose top level or objects map is keyed __proto__ is refused as such, never merged into a prototype.
  const forged = (text: string) => {
    writeFileSync(join(p.dir, 'forged.json'), text);
    const result = runSpecWithinBound(['import', 'forged.json', '--store', other, '--json'], { cwd: p.dir });
    return [result.status, json(result).error?.code];
  };
  assert.deepEqual(
    forged(`{"__proto__": {"format": "specstore/export/v1"}, "snapshot": "${p.snapshot}", "objects": {}}`),
    [1, 'IMPORT_INVALID'],
  );
  assert.deepEqual(
    forged(`{"format": "specstore/export/v1", "snapshot": "${p.snapshot}", "objects": {"__proto__": {}}}`),
    [1, 'IMPORT_INVALID'],
  );
  // A spec named like an Object.prototype member is looked up as data too.
  assert.equal(runSpecWithinBound(['resolve', p.snapshot, 'constructor', '--json'], { cwd: p.dir }).status, 3);
});
