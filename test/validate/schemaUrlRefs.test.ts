// Schema specs reached by URL: a schema's root $id is the URL it answers to, and a $ref by URL resolves against the
// schema specs of the same registry (never fetched), checked at build, followed by validation, refs and the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { declaredSchemaId, findSchemaUrlRefs } from '../../src/validate/schemaUrlRefs.js';
import { json, runSpec, tempDir } from '../support/cli.js';
import { tool, writeFiles } from '../plan/planFixtures.js';
import type { JsonValue } from '../../src/core/json.js';

test('the URL a schema answers to: its root $id ($id, or id in draft-04), absolute, without fragment', () => {
  assert.equal(declaredSchemaId({ $id: 'https://example.com/a.json' }), 'https://example.com/a.json');
  assert.equal(declaredSchemaId({ $id: 'https://example.com/a.json#' }), 'https://example.com/a.json');
  assert.equal(
    declaredSchemaId({ $schema: 'http://json-schema.org/draft-04/schema#', id: 'https://example.com/old.json' }),
    'https://example.com/old.json',
  );
  // In draft-04 `$id` is no keyword, and from draft-06 on `id` is none.
  assert.equal(
    declaredSchemaId({ $schema: 'http://json-schema.org/draft-04/schema#', $id: 'https://x.org/a' }),
    undefined,
  );
  assert.equal(declaredSchemaId({ id: 'https://example.com/a.json' }), undefined);
  assert.equal(declaredSchemaId({ $id: 'a.json' }), undefined, 'relative: no URL of its own');
  assert.equal(declaredSchemaId({ $id: 'https://example.com/a.json#part' }), undefined, 'an anchor, not a document');
  assert.equal(declaredSchemaId({ $id: 'http://json-schema.org/draft-07/schema' }), undefined, 'a meta-schema');
  assert.equal(declaredSchemaId(true), undefined);
});

test('$refs by URL: resolved against the $ids in scope, without self references, meta-schemas, ids or data', () => {
  const refs = (schema: JsonValue) => findSchemaUrlRefs(schema).map((ref) => `${ref.pointer} ${ref.ref}`);
  assert.deepEqual(
    refs({
      $id: 'https://example.com/schemas/root.json',
      properties: {
        a: { $ref: 'base.json#/definitions/x' },
        b: { $ref: 'https://other.org/b.json' },
        self: { $ref: 'root.json#/definitions/y' },
        local: { $ref: '#/definitions/y' },
        meta: { $ref: 'http://json-schema.org/draft-07/schema#' },
        spec: { $ref: 'media.metadata@1' },
        data: { const: { $ref: 'https://not.a/ref.json' } },
      },
    }),
    ['/properties/b/$ref https://other.org/b.json', '/properties/a/$ref https://example.com/schemas/base.json'],
  );
  // A nested $id is a new base, and a resource the schema declares itself is no outside reference.
  assert.deepEqual(
    refs({
      $id: 'https://example.com/root.json',
      $defs: { inner: { $id: 'https://example.com/nested/inner.json', properties: { c: { $ref: 'sibling.json' } } } },
      properties: { d: { $ref: 'nested/inner.json' } },
    }),
    ['/$defs/inner/properties/c/$ref https://example.com/nested/sibling.json'],
  );
  // Without an absolute $id, relative references stay inside the document: nothing names a URL.
  assert.deepEqual(refs({ properties: { a: { $ref: 'base.json' } } }), []);
  // Up to draft-07 a $ref's siblings are ignored, its $id too.
  assert.deepEqual(
    refs({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'https://example.com/root.json',
      properties: { a: { $id: 'https://elsewhere.org/x.json', $ref: 'b.json' } },
    }),
    ['/properties/a/$ref https://example.com/b.json'],
  );
});

const base = `id: "acme.base@1"
schema:
  $id: "https://schemas.acme.example/base.json"
  definitions:
    code:
      type: string
      pattern: "^[A-Z]{3}$"
`;
const order = `id: "acme.order@1"
schema:
  $id: "https://schemas.acme.example/order.json"
  type: object
  properties:
    currency:
      $ref: "base.json#/definitions/code"
  required: [currency]
`;

function registry(t: { after: (fn: () => unknown) => void }, files: Record<string, string>) {
  const dir = tempDir();
  t.after(dir.cleanup);
  writeFiles(join(dir.path, 'registry'), files);
  const args = ['--registry', join(dir.path, 'registry'), '--store', join(dir.path, 'store')];
  return {
    dir: dir.path,
    write: (more: Record<string, string>) => writeFiles(join(dir.path, 'registry'), more),
    build: () => runSpec(['build', ...args, '--json']),
    spec: (command: string[]) => runSpec([...command, '--store', join(dir.path, 'store')]),
  };
}

interface Diag {
  code: string;
  file: string;
  line: number;
  column: number;
  message: string;
  related?: { file: string; line: number }[];
}
const diagnosticsOf = (result: Parameters<typeof json>[0]): Diag[] =>
  (json(result) as { error: { diagnostics: Diag[] } }).error.diagnostics;

test('a $ref by URL to a schema spec of the registry builds, validates through it, and is listed by refs', (t) => {
  const r = registry(t, {
    'schemas/base.yaml': base,
    'schemas/order.yaml': order,
    'tools/pay.yaml': tool('acme.pay@1', ['{name: "order", schema: "acme.order@1"}']),
  });
  const built = r.build();
  assert.equal(built.status, 0, built.stdout + built.stderr);
  const snapshot = (json(built) as { snapshot: string }).snapshot;
  // A plan step's input is checked through acme.order@1 into acme.base@1: the pattern reached by URL applies.
  const check = (currency: string) => {
    writeFiles(r.dir, {
      'plan.yaml': `plan: p\nsteps:\n  - id: s\n    processor_ref: "acme.pay@1"\n    inputs: {order: {currency: "${currency}"}}\n`,
    });
    const pinned = r.spec(['plan', 'pin', join(r.dir, 'plan.yaml')]);
    assert.equal(pinned.status, 0, pinned.stdout + pinned.stderr);
    return r.spec(['plan', 'check', join(r.dir, 'plan.yaml'), '--json']);
  };
  const good = check('EUR');
  assert.equal(good.status, 0, good.stdout + good.stderr);
  const bad = check('euro');
  assert.notEqual(bad.status, 0, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /currency/);
  assert.match(bad.stdout, /pattern/);
  const refs = r.spec(['refs', snapshot, 'acme.base@1', '--json']);
  assert.equal(refs.status, 0, refs.stdout + refs.stderr);
  const referrers = (json(refs) as { referrers: { id: string; pointer: string; via: string }[] }).referrers;
  assert.deepEqual(
    referrers.map((each) => `${each.id} ${each.pointer} ${each.via}`),
    ['acme.order@1 /schema/properties/currency/$ref schema'],
  );
});

test('a $ref to a URL no schema spec declares is refused at the $ref, with its position; nothing is stored', (t) => {
  const r = registry(t, { 'schemas/order.yaml': order });
  const built = r.build();
  assert.equal(built.status, 1, built.stdout + built.stderr);
  const [diagnostic, ...rest] = diagnosticsOf(built);
  assert.deepEqual(rest, []);
  assert.equal(diagnostic!.code, 'SCHEMA_REF_UNRESOLVED');
  assert.match(diagnostic!.file, /order\.yaml$/);
  assert.deepEqual([diagnostic!.line, diagnostic!.column], [7, 7]);
  assert.match(diagnostic!.message, /https:\/\/schemas\.acme\.example\/base\.json/);
  assert.match(diagnostic!.message, /never fetched/);
  const log = r.spec(['log', '--json']);
  assert.equal((json(log) as { error?: { code: string } }).error?.code, 'STORE_NOT_FOUND', 'nothing was stored');
});

test('two schema specs may declare one $id until something $refs it: then SCHEMA_REF_AMBIGUOUS names both', (t) => {
  const base2 = base.replace('acme.base@1', 'acme.base@2');
  const r = registry(t, { 'schemas/base.yaml': base, 'schemas/base2.yaml': base2 });
  const alone = r.build();
  assert.equal(alone.status, 0, alone.stdout + alone.stderr);
  r.write({ 'schemas/order.yaml': order });
  const built = r.build();
  assert.equal(built.status, 1, built.stdout + built.stderr);
  const [diagnostic, ...rest] = diagnosticsOf(built);
  assert.deepEqual(rest, []);
  assert.equal(diagnostic!.code, 'SCHEMA_REF_AMBIGUOUS');
  assert.match(diagnostic!.file, /order\.yaml$/);
  assert.equal(diagnostic!.line, 7);
  assert.match(diagnostic!.message, /acme\.base@1, acme\.base@2 each declare it/);
  assert.deepEqual(
    diagnostic!.related!.map((each) => `${each.file.replace(/.*\//, '')}:${each.line}`),
    ['base.yaml:3', 'base2.yaml:3'],
  );
  // Giving the new version its own URL resolves it.
  r.write({ 'schemas/base2.yaml': base2.replace('base.json', 'base/2.json') });
  const fixed = r.build();
  assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
});

test('an incremental build relinks URL referrers when the $id they name moves, appears or is declared twice', (t) => {
  const r = registry(t, { 'schemas/base.yaml': base, 'schemas/order.yaml': order });
  assert.equal(r.build().status, 0);
  // The target stops declaring the URL: only the (unchanged, cached) referrer can report it.
  r.write({ 'schemas/base.yaml': base.replace('base.json', 'common.json') });
  const moved = r.build();
  assert.equal(moved.status, 1, moved.stdout);
  assert.deepEqual(
    diagnosticsOf(moved).map((d) => `${d.code} ${d.file.replace(/.*\//, '')}:${d.line}`),
    ['SCHEMA_REF_UNRESOLVED order.yaml:7'],
  );
  // A new spec declares it: the referrer resolves again.
  r.write({ 'schemas/base3.yaml': base.replace('acme.base@1', 'acme.base@3') });
  const back = r.build();
  assert.equal(back.status, 0, back.stdout);
  // A second declaration of the same URL makes the unchanged referrer ambiguous.
  r.write({ 'schemas/base.yaml': base });
  const twice = r.build();
  assert.equal(twice.status, 1, twice.stdout);
  assert.deepEqual(
    diagnosticsOf(twice).map((d) => d.code),
    ['SCHEMA_REF_AMBIGUOUS'],
  );
});

test('spec diff follows a $ref by URL into the schema spec each snapshot holds for it', (t) => {
  const code = (version: number, maxLength: number) =>
    `id: "acme.code@${version}"\nschema:\n  $id: "https://schemas.acme.example/code/${version}.json"\n  type: string\n  maxLength: ${maxLength}\n`;
  const record = (version: number) =>
    `id: "acme.record@${version}"\nschema:\n  type: object\n  properties:\n    code:\n      $ref: "https://schemas.acme.example/code/${version}.json"\n`;
  const r = registry(t, { 'schemas/code1.yaml': code(1, 3), 'schemas/record1.yaml': record(1) });
  const first = r.build();
  assert.equal(first.status, 0, first.stdout);
  r.write({ 'schemas/code2.yaml': code(2, 2), 'schemas/record2.yaml': record(2) });
  const second = r.build();
  assert.equal(second.status, 0, second.stdout);
  const [a, b] = [first, second].map((each) => (json(each) as { snapshot: string }).snapshot);
  const diff = r.spec(['diff', a!, b!, '--json']);
  assert.equal(diff.status, 0, diff.stdout + diff.stderr);
  const record2 = (
    json(diff) as { specs: { name: string; changes: { rule: string; severity: string; pointer: string }[] }[] }
  ).specs.find((each) => each.name === 'acme.record');
  assert.ok(record2, diff.stdout);
  // Followed on both sides: the tightened maxLength of acme.code, not an unresolvable or changed reference.
  assert.deepEqual(
    record2.changes.map((change) => `${change.rule} ${change.severity}`),
    ['spec.version-added compatible', 'schema.max-length-tightened breaking'],
  );
});

test('spec diff compares an unchanged spec whose $ref by URL names another schema spec in the new snapshot', (t) => {
  const code = (version: number, maxLength: number) =>
    `id: "acme.code@${version}"\nschema:\n  $id: "https://schemas.acme.example/code.json"\n  type: string\n  maxLength: ${maxLength}\n`;
  const record = `id: "acme.record@1"\nschema:\n  type: object\n  properties:\n    code:\n      $ref: "https://schemas.acme.example/code.json"\n`;
  const unrelated = `id: "acme.other@1"\nschema:\n  type: string\n`;
  const r = registry(t, {
    'schemas/code.yaml': code(1, 3),
    'schemas/record.yaml': record,
    'schemas/other.yaml': unrelated,
  });
  const first = r.build();
  assert.equal(first.status, 0, first.stdout);
  // acme.code@1 is replaced by acme.code@2 under the same URL: acme.record@1 keeps its digest, not its meaning.
  rmSync(join(r.dir, 'registry/schemas/code.yaml'));
  r.write({ 'schemas/code2.yaml': code(2, 2) });
  const second = r.build();
  assert.equal(second.status, 0, second.stdout);
  const [a, b] = [first, second].map((each) => (json(each) as { snapshot: string }).snapshot);
  const diff = r.spec(['diff', a!, b!, '--json']);
  assert.equal(diff.status, 0, diff.stdout + diff.stderr);
  const specs = (json(diff) as { specs: { name: string; changes: { rule: string; severity: string }[] }[] }).specs;
  assert.deepEqual(specs.map((each) => each.name).sort(), ['acme.code', 'acme.record'], 'acme.other is not compared');
  const record1 = specs.find((each) => each.name === 'acme.record')!;
  assert.deepEqual(
    record1.changes.map((change) => `${change.rule} ${change.severity}`),
    ['spec.url-retargeted warning', 'schema.max-length-tightened breaking'],
  );
});
