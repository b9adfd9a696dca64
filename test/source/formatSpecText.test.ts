// formatSpecText and formatSpecFiles: the value (its digest) never changes, formatting is idempotent, comments stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { digestValue } from '../../src/core/digest.js';
import type { JsonValue } from '../../src/core/json.js';
import { unifiedDiff } from '../../src/core/unifiedDiff.js';
import { formatSpecFiles } from '../../src/build/formatSpecFiles.js';
import { builtinKinds } from '../../src/kinds/builtinKinds.js';
import { formatSpecText } from '../../src/source/formatSpecText.js';
import { parseYamlSpec } from '../../src/source/parseYamlSpec.js';
import { bundledRegistry, tempDir } from '../support/cli.js';
import { sharedPath, skipWithoutShared } from '../support/sharedCorpus.js';

const encode = (text: string) => new TextEncoder().encode(text);
const valueOf = (text: string) => parseYamlSpec(encode(text), 'x.yaml').value as JsonValue;
const toolSchema = builtinKinds.find((kind) => kind.name === 'tool')!.schema;

function format(text: string): string {
  const result = formatSpecText(encode(text), 'x.yaml', toolSchema);
  assert.deepEqual(result.diagnostics, []);
  return result.text!;
}

function yamlFilesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(directory, name))
    .filter((path) => statSync(path).isFile());
}

/** Every spec of a registry: formatting keeps its digest, and formatting the result again changes nothing. */
async function checkRegistry(registry: string): Promise<number> {
  const { files } = await formatSpecFiles({ registry, cwd: registry });
  assert.ok(files.length > 0);
  for (const file of files) {
    assert.equal(digestValue(valueOf(file.formatted)).digest, digestValue(valueOf(file.original)).digest, file.file);
    const again = formatSpecText(
      encode(file.formatted),
      file.file,
      builtinKinds.find((k) => k.name === file.kind)?.schema,
    );
    assert.equal(again.text, file.formatted, `${file.file}: formatting twice differs from once`);
  }
  return files.length;
}

test('every bundled spec keeps its digest and formats idempotently', async () => {
  const count = await checkRegistry(bundledRegistry);
  assert.equal(count, yamlFilesUnder(bundledRegistry).filter((path) => !path.includes('/kinds/')).length);
});

const generator = 'bench/gen-registry.mjs';
test('a generated registry of 300 specs keeps every digest', { skip: skipWithoutShared(generator) }, async () => {
  const dir = tempDir('specstore-fmt-gen-');
  try {
    execFileSync(process.execPath, [sharedPath(generator), dir.path, '300'], { stdio: 'ignore' });
    assert.ok((await checkRegistry(dir.path)) >= 300);
  } finally {
    dir.cleanup();
  }
});

const messy = `# The file's header.

# The name's own comment.
name: 'Odd'   # trailing
inputs:
    -   {name: 'x', type: string, required: true}
    - type: string
      name: y
# Above the id.
id: 'odd@1'
flags: {a: 1, a_long_key_name_aaaaaaaaaaaaaaaaaaaaaaa: 2, another_long_key_name_bbbbbbbbbbbbbbbbb: 3}
kept_flow: [a, b]
quoted: "true"
text: |
  line1
  line2
hex: 0x10
# The end.
`;

test('keys in schema order (id first, unknown keys after in their order), comments kept', () => {
  const formatted = format(messy);
  assert.equal(digestValue(valueOf(formatted)).digest, digestValue(valueOf(messy)).digest);
  assert.equal(
    formatted,
    `# The file's header.

# Above the id.
id: "odd@1"
# The name's own comment.
name: "Odd" # trailing
inputs:
  - {name: "x", type: string, required: true}
  - name: y
    type: string
flags:
  a: 1
  a_long_key_name_aaaaaaaaaaaaaaaaaaaaaaa: 2
  another_long_key_name_bbbbbbbbbbbbbbbbb: 3
kept_flow: [a, b]
quoted: "true"
text: |
  line1
  line2
hex: 0x10
# The end.
`,
  );
  assert.equal(format(formatted), formatted);
});

test('CRLF and a missing final newline become LF with one', () => {
  assert.equal(format('id: "a@1"\r\nname: "A"'), 'id: "a@1"\nname: "A"\n');
});

test('a file that does not parse gives positioned diagnostics and no text', () => {
  const result = formatSpecText(encode('id: "a@1"\nname: [unclosed\n'), 'bad.yaml', toolSchema);
  assert.equal(result.text, undefined);
  assert.ok(result.diagnostics.length > 0);
  assert.equal(result.diagnostics[0]!.file, 'bad.yaml');
  assert.equal(typeof result.diagnostics[0]!.line, 'number');
});

test('unifiedDiff: hunks with context, nothing for equal texts', () => {
  assert.equal(unifiedDiff('a\n', 'a\n', { from: 'x', to: 'x' }), '');
  const before = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n';
  const after = 'one\ntwo\nthree\nfour\nFIVE\nsix\nseven\neight\n';
  assert.equal(
    unifiedDiff(before, after, { from: 'a', to: 'b' }),
    '--- a\n+++ b\n@@ -2,7 +2,7 @@\n two\n three\n four\n-five\n+FIVE\n six\n seven\n eight\n',
  );
  assert.equal(
    unifiedDiff('a', 'a\n', { from: 'a', to: 'b' }),
    '--- a\n+++ b\n@@ -1,1 +1,1 @@\n-a\n\\ No newline at end of file\n+a\n',
  );
});
