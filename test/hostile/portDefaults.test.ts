// A port's default is what runs when a plan omits the input: it must have the port's type, or satisfy its schema spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundledRegistry, json, runSpecWithinBound, tempDir } from '../support/cli.js';

function registryWith(t: { after: (fn: () => void) => void }, edit: (registry: string) => void): string {
  const dir = tempDir();
  t.after(dir.cleanup);
  const registry = copyBundledRegistry(dir.path);
  edit(registry);
  return dir.path;
}

function replaceIn(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} holds ${from}`);
  writeFileSync(file, text.replace(from, to));
}

test('a typed port whose default has another type is refused at build, at the default, and nothing is stored', (t) => {
  const cwd = registryWith(t, (registry) =>
    replaceIn(join(registry, 'tools/image.caption.yaml'), 'default: "en"', 'default: 5'),
  );
  const result = runSpecWithinBound(['build', '--store', 'store', '--json'], { cwd });
  assert.equal(result.status, 1, result.stdout);
  const diagnostics = json(result).error.diagnostics as { code: string; pointer: string; line: number }[];
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.pointer, d.line]),
    [['SPEC_INVALID', '/inputs/1/default', 15]],
  );
});

test('every JSON type is held to: an integer port refuses 1.5 and takes 2; a null port takes only null', (t) => {
  for (const [type, bad, good] of [
    ['integer', '1.5', '2'],
    ['null', '0', 'null'],
    ['array', '{}', '[]'],
    ['object', '[]', '{}'],
    ['boolean', '"yes"', 'false'],
    ['number', '"1"', '1.5'],
  ] as const) {
    const edit = (value: string) => (registry: string) =>
      replaceIn(
        join(registry, 'tools/image.caption.yaml'),
        '    type: "string"\n    default: "en"',
        `    type: "${type}"\n    default: ${value}`,
      );
    const refused = runSpecWithinBound(['build', '--store', 'store', '--json'], { cwd: registryWith(t, edit(bad)) });
    assert.equal(refused.status, 1, `${type} default ${bad}: ${refused.stdout}`);
    assert.equal(json(refused).error.diagnostics[0].pointer, '/inputs/1/default');
    const built = runSpecWithinBound(['build', '--store', 'store', '--json'], { cwd: registryWith(t, edit(good)) });
    assert.equal(built.status, 0, `${type} default ${good}: ${built.stdout}`);
  }
});

test('a schema port whose default does not satisfy the schema spec is PORT_DEFAULT_INVALID, positioned inside the default', (t) => {
  const port = '  - name: "metadata"\n    schema: "media.metadata@1"\n';
  const cwd = registryWith(t, (registry) =>
    replaceIn(join(registry, 'tools/media.probe.yaml'), port, `${port}    default: {title: "x", duration_ms: -1}\n`),
  );
  const result = runSpecWithinBound(['build', '--store', 'store', '--json'], { cwd });
  assert.equal(result.status, 1, result.stdout);
  const diagnostics = json(result).error.diagnostics as { code: string; pointer: string; ref: string }[];
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.pointer, d.ref]),
    [['PORT_DEFAULT_INVALID', '/outputs/0/default/duration_ms', 'media.metadata@1']],
  );

  const fine = registryWith(t, (registry) =>
    replaceIn(join(registry, 'tools/media.probe.yaml'), port, `${port}    default: {title: "x", duration_ms: 0}\n`),
  );
  assert.equal(runSpecWithinBound(['build', '--store', 'store'], { cwd: fine }).status, 0);
});
