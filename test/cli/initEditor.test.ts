// spec init --editor vscode: the kind schemas written and mapped in .vscode/settings.json's yaml.schemas, merged into
// what the file holds, idempotent, and a file that cannot be merged without loss refused with nothing written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import AjvModule from 'ajv';
import type { JsonObject } from '../../src/core/json.js';
import { parseYamlSpec } from '../../src/source/parseYamlSpec.js';
import { json, runSpec, tempDir } from '../support/cli.js';

const Ajv = AjvModule.default;

/** The files under `root` a VS Code glob matches (`**\/` any folders, `*` within one name), as the editor reads it. */
function globFiles(root: string, glob: string): string[] {
  const pattern = new RegExp(
    `^${glob
      .split(/(\*\*\/|\*)/)
      .map((part) =>
        part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('')}$`,
  );
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => pattern.test(file) && statSync(join(root, file)).isFile())
    .sort();
}

interface InitJson {
  files: number;
  editor: { settings: string; mappings: { kind: string; schema: string; files: string[] }[]; changed: boolean };
}

test('spec init --editor vscode maps every kind schema onto its folder; the mapped schemas accept the specs', (t) => {
  const dir = tempDir('specstore-init-editor-');
  t.after(dir.cleanup);
  const result = runSpec(['init', '--editor', 'vscode', '--json'], { cwd: dir.path });
  assert.equal(result.status, 0, result.stderr);
  const body = json<InitJson>(result);
  assert.ok(body.files >= 20, 'the registry was scaffolded');
  assert.equal(body.editor.settings, '.vscode/settings.json');
  assert.equal(body.editor.changed, true);
  const settings = JSON.parse(readFileSync(join(dir.path, '.vscode/settings.json'), 'utf8')) as JsonObject;
  const mapping = settings['yaml.schemas'] as Record<string, string[]>;
  assert.deepEqual(
    Object.keys(mapping),
    body.editor.mappings.map((entry) => entry.schema),
  );
  assert.deepEqual(mapping['./.spec/schemas/tool.schema.json'], [
    'registry/tools/**/*.yaml',
    'registry/tools/**/*.yml',
  ]);
  let checked = 0;
  for (const [schemaPath, globs] of Object.entries(mapping)) {
    const schema = JSON.parse(readFileSync(join(dir.path, schemaPath), 'utf8')) as JsonObject;
    const validate = new Ajv({ strict: false }).compile(schema);
    for (const file of globs.flatMap((glob) => globFiles(dir.path, glob))) {
      const value = parseYamlSpec(readFileSync(join(dir.path, file)), file).value;
      assert.equal(validate(value), true, `${file} is valid under ${schemaPath}`);
      checked++;
    }
  }
  assert.ok(checked >= 20, `every bundled spec is matched by a glob (${checked})`);
  // The globs match nothing they should not: a tool file is not under the schema folder's globs.
  assert.equal(
    mapping['./.spec/schemas/schema.schema.json']!.flatMap((glob) => globFiles(dir.path, glob)).some((file) =>
      file.startsWith('registry/tools/'),
    ),
    false,
  );

  // Again: nothing changes, and the registry is kept (not refused as REGISTRY_EXISTS).
  const before = readFileSync(join(dir.path, '.vscode/settings.json'), 'utf8');
  const again = runSpec(['init', '--editor', 'vscode', '--json'], { cwd: dir.path });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(json<InitJson>(again).editor.changed, false);
  assert.equal(json<InitJson>(again).files, 0);
  assert.equal(readFileSync(join(dir.path, '.vscode/settings.json'), 'utf8'), before);
  // Without --editor an existing registry is still refused.
  assert.equal(runSpec(['init'], { cwd: dir.path }).status, 1);
});

test('spec init --editor vscode keeps the other settings and yaml.schemas entries, and replaces its own', (t) => {
  const dir = tempDir('specstore-init-editor-');
  t.after(dir.cleanup);
  mkdirSync(join(dir.path, '.vscode'));
  const settingsFile = join(dir.path, '.vscode/settings.json');
  writeFileSync(
    settingsFile,
    JSON.stringify({
      'editor.tabSize': 2,
      'yaml.schemas': { 'https://example.com/ci.json': ['.ci/*.yml'], './.spec/schemas/tool.schema.json': ['old/*'] },
    }),
  );
  const result = runSpec(['init', '--editor', 'vscode'], { cwd: dir.path });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /mapped 9 kind schemas \(\.spec\/schemas\/\) in \.vscode\/settings\.json/);
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as JsonObject;
  assert.equal(settings['editor.tabSize'], 2);
  const mapping = settings['yaml.schemas'] as Record<string, string[]>;
  assert.deepEqual(mapping['https://example.com/ci.json'], ['.ci/*.yml']);
  assert.deepEqual(mapping['./.spec/schemas/tool.schema.json'], [
    'registry/tools/**/*.yaml',
    'registry/tools/**/*.yml',
  ]);
});

test('spec init --editor vscode refuses settings it cannot merge without loss, and writes nothing', (t) => {
  const cases: { text: string; line: number; column: number; why: RegExp }[] = [
    { text: '{\n  // mine\n  "a": 1\n}\n', line: 2, column: 3, why: /comments \(JSONC\)/ },
    { text: '{\n  "a": 1,\n}\n', line: 2, column: 9, why: /trailing commas/ },
    { text: '[1, 2]\n', line: 1, column: 1, why: /not a JSON object/ },
    { text: '{\n  "yaml.schemas": ["x"]\n}\n', line: 2, column: 3, why: /"yaml\.schemas" that is not an object/ },
  ];
  for (const { text, line, column, why } of cases) {
    const dir = tempDir('specstore-init-editor-');
    t.after(dir.cleanup);
    const settingsFile = join(dir.path, '.vscode/settings.json');
    mkdirSync(dirname(settingsFile));
    writeFileSync(settingsFile, text);
    const result = runSpec(['init', '--editor', 'vscode', '--json'], { cwd: dir.path });
    assert.equal(result.status, 1, text);
    const error = json<{ error: { code: string; message: string; file: string; line: number; column: number } }>(
      result,
    ).error;
    assert.equal(error.code, 'EDITOR_SETTINGS_UNMERGEABLE');
    assert.match(error.message, why);
    assert.deepEqual([error.file, error.line, error.column], ['.vscode/settings.json', line, column], text);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(readFileSync(settingsFile, 'utf8'), text, 'the settings are unchanged');
    assert.equal(existsSync(join(dir.path, 'registry')), false, 'no registry was scaffolded');
    assert.equal(existsSync(join(dir.path, '.spec')), false, 'no schema was written');
  }
});
