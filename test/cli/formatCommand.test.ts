// spec fmt from the built binary: --check (diff, exit 1), --write (atomic, untouched files kept), bad YAML refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';

const unformatted = `# A tool whose file is not formatted.
name: 'Scruffy'
id: 'scruffy@1'
adapter: "http"
entry_point: "https://example.com/x"
inputs:
    - {name: 'a', type: "string"}
outputs: []
`;

function registryWithScruffy() {
  const dir = tempDir('specstore-fmt-');
  const registry = copyBundledRegistry(dir.path);
  // The bundled registry is formatted (spec fmt --write was run on it), so only this file is not.
  writeFileSync(join(registry, 'tools/scruffy.yaml'), unformatted);
  return { dir, registry };
}

test('spec fmt --check: exit 1 with a unified diff of the unformatted file only; exit 0 once written', () => {
  const { dir, registry } = registryWithScruffy();
  try {
    const checked = runSpec(['fmt', '--check', '--registry', registry], { cwd: dir.path });
    assert.equal(checked.status, 1, checked.stderr);
    assert.match(checked.stdout, /^--- registry\/tools\/scruffy\.yaml\n\+\+\+ registry\/tools\/scruffy\.yaml\n@@ /);
    assert.match(checked.stdout, /^-name: 'Scruffy'$/m);
    assert.match(checked.stdout, /^\+id: "scruffy@1"$/m);
    assert.equal((checked.stdout.match(/^--- /gm) ?? []).length, 1);
    assert.equal(readFileSync(join(registry, 'tools/scruffy.yaml'), 'utf8'), unformatted);

    const report = runSpec(['fmt', '--check', '--json', '--registry', registry], { cwd: dir.path });
    assert.equal(report.status, 1);
    const body = json<{ files: { file: string; changed: boolean }[]; changed: string[] }>(report);
    assert.deepEqual(body.changed, ['registry/tools/scruffy.yaml']);
    assert.ok(body.files.length > 20);

    const written = runSpec(['fmt', '--write', '--registry', registry], { cwd: dir.path });
    assert.equal(written.status, 0, written.stderr);
    assert.equal(runSpec(['fmt', '--check', '--registry', registry], { cwd: dir.path }).status, 0);
  } finally {
    dir.cleanup();
  }
});

test('spec fmt --write: rewrites only changed files, keeps their mode, leaves no temporary file', () => {
  const { dir, registry } = registryWithScruffy();
  try {
    const scruffy = join(registry, 'tools/scruffy.yaml');
    chmodSync(scruffy, 0o640);
    const other = join(registry, 'tools/ledger.lookup.yaml');
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(other, old, old);
    const result = runSpec(['fmt', '-w', '--registry', registry], { cwd: dir.path });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'formatted registry/tools/scruffy.yaml\n');
    assert.equal(statSync(other).mtimeMs, old.getTime());
    assert.equal(statSync(scruffy).mode & 0o777, 0o640);
    assert.match(
      readFileSync(scruffy, 'utf8'),
      /^# A tool whose file is not formatted\.\nid: "scruffy@1"\nname: "Scruffy"\n/,
    );
    assert.deepEqual(
      readdirSync(join(registry, 'tools')).filter((name) => name.startsWith('.')),
      [],
    );
  } finally {
    dir.cleanup();
  }
});

test('spec fmt FILE prints the formatted text; the value is the same as the file', () => {
  const { dir } = registryWithScruffy();
  try {
    const result = runSpec(['fmt', 'registry/tools/scruffy.yaml'], { cwd: dir.path });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^# A tool whose file is not formatted\.\nid: "scruffy@1"\n/);
    assert.match(result.stdout, /^inputs:\n {2}- {name: "a", type: "string"}$/m);
  } finally {
    dir.cleanup();
  }
});

test('spec fmt --write refuses a file that does not parse, with its position, and writes nothing', () => {
  const { dir, registry } = registryWithScruffy();
  try {
    writeFileSync(join(registry, 'tools/broken.yaml'), 'id: "broken@1"\nname: [unclosed\n');
    const result = runSpec(['fmt', '--write', '--json', '--registry', registry], { cwd: dir.path });
    assert.equal(result.status, 1);
    const body = json<{ error: { code: string; diagnostics: { file: string; line: number; column: number }[] } }>(
      result,
    );
    assert.equal(body.error.code, 'INVALID_INPUT');
    assert.equal(body.error.diagnostics[0]!.file, 'registry/tools/broken.yaml');
    assert.equal(typeof body.error.diagnostics[0]!.line, 'number');
    assert.equal(readFileSync(join(registry, 'tools/scruffy.yaml'), 'utf8'), unformatted);
    const text = runSpec(['fmt', '--check', '--registry', registry], { cwd: dir.path });
    assert.equal(text.status, 1);
    assert.match(text.stderr, /registry\/tools\/broken\.yaml:\d+:\d+/);
  } finally {
    dir.cleanup();
  }
});

test('spec fmt --check --write is a usage mistake', () => {
  const result = runSpec(['fmt', '--check', '--write', '--json']);
  assert.equal(result.status, 2);
  assert.equal(json<{ error: { code: string } }>(result).error.code, 'USAGE');
});
