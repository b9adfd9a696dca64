// spec schemas -o DIR: standalone JSON Schemas an editor can load, accepting every bundled spec and refusing what
// the kind schema refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import AjvModule from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonObject } from '../../src/core/json.js';
import { builtinKinds } from '../../src/kinds/builtinKinds.js';
import { parseYamlSpec } from '../../src/source/parseYamlSpec.js';
import { createKindAjv } from '../../src/validate/ajvInstances.js';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';

const Ajv07 = AjvModule.default;
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

/** ajv as an editor's language server would use it: the draft the file declares, formats, nothing of specstore's. */
function editorValidator(schema: JsonObject): (value: unknown) => boolean {
  const ajv =
    schema['$schema'] === 'http://json-schema.org/draft-07/schema#'
      ? new Ajv07({ allErrors: true, strict: false })
      : new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

const hazard = (name: string) => readFileSync(new URL(`../fixtures/hazards/${name}`, import.meta.url));

test('spec schemas writes one standalone schema per kind; each accepts every bundled spec of its kind', (t) => {
  const dir = tempDir('specstore-schemas-');
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const result = runSpec(['schemas', '-o', 'out', '--json'], { cwd: dir.path });
  assert.equal(result.status, 0, result.stderr);
  const body = json<{ output: string; schemas: { kind: string; directory: string; file: string }[] }>(result);
  assert.equal(body.output, 'out');
  assert.deepEqual(
    body.schemas.map((schema) => schema.kind),
    [...builtinKinds.map((kind) => kind.name), 'dataset'],
  );
  const validators = new Map<string, (value: unknown) => boolean>();
  for (const schema of body.schemas) {
    assert.equal(schema.file, `out/${schema.kind}.schema.json`);
    const written = JSON.parse(readFileSync(join(dir.path, schema.file), 'utf8')) as JsonObject;
    // Every built-in kind and the bundled dataset kind use only keywords that mean the same under draft-07.
    assert.equal(written['$schema'], 'http://json-schema.org/draft-07/schema#');
    assert.equal(typeof written['title'], 'string');
    validators.set(schema.directory, editorValidator(written));
  }
  let checked = 0;
  for (const name of readdirSync(registry, { recursive: true, encoding: 'utf8' })) {
    const path = join(registry, name);
    if (!/\.ya?ml$/.test(name) || !statSync(path).isFile() || name.startsWith('kinds/')) continue;
    const validate = validators.get(relative(registry, path).split('/')[0]!);
    assert.ok(validate, `a schema for ${name}`);
    const value = parseYamlSpec(readFileSync(path), name).value;
    assert.equal(validate(value), true, `${name} is accepted`);
    checked++;
  }
  assert.ok(checked >= 20);

  // What the kind schema refuses, the written schema refuses: the hostile __proto__ key (a YAML-valid file whose
  // failure is the schema's: no such property), and a user-defined kind's spec without a required field.
  const proto = parseYamlSpec(hazard('proto-key.yaml'), 'proto-key.yaml').value;
  assert.ok(proto !== undefined, 'proto-key.yaml is valid YAML');
  const tool = builtinKinds.find((kind) => kind.name === 'tool')!;
  assert.equal(createKindAjv().compile(tool.schema)(proto), false, 'the kind schema refuses it');
  assert.equal(validators.get('tools')!(proto), false, 'the written schema refuses it');
  assert.equal(validators.get('datasets')!({ id: 'rows@1' }), false);
  assert.equal(validators.get('tools')!({ id: 'x@1', name: 'X', typo_field: 1 }), false);
});

test('spec schemas refuses a registry whose kind files have errors, and writes nothing', (t) => {
  const dir = tempDir('specstore-schemas-');
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  const kindFile = join(registry, 'kinds/dataset.yaml');
  const text = readFileSync(kindFile, 'utf8');
  writeFileSync(kindFile, `${text}\nname: [unclosed\n`);
  const result = runSpec(['schemas', '-o', 'out', '--json'], { cwd: dir.path });
  assert.equal(result.status, 1);
  assert.equal(json<{ error: { code: string } }>(result).error.code, 'INVALID_INPUT');
  assert.throws(() => statSync(join(dir.path, 'out')));
});
