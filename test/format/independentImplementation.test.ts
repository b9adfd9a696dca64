// docs/format.md is precise enough to recompute snapshot ids elsewhere: a Python program written from it alone agrees
// with the built CLI.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { digestValue } from '../../src/core/digest.js';

const repository = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(repository, 'bin', 'spec.js');
const recompute = join(repository, 'test', 'format', 'recompute.py');
const digestPattern = /^sha256:[0-9a-f]{64}$/;

function run(command: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: repository, encoding: 'utf8', timeout: 120_000 });
}

function spec(args: string[]): string {
  const result = run(process.execPath, [cli, ...args]);
  assert.equal(result.status, 0, `spec ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

function python(exportFile: string): SpawnSyncReturns<string> {
  const result = run('python3', [recompute, exportFile]);
  if (result.error) assert.fail(`python3 is needed to run ${recompute} (CI installs it): ${result.error.message}`);
  return result;
}

interface ExportDocument {
  format: string;
  snapshot: string;
  objects: Record<string, unknown>;
}

/** Builds `registry` into a fresh store with the CLI, exports it, and returns the printed id and the export file. */
function buildAndExport(work: string, registry: string): { id: string; exportFile: string; document: ExportDocument } {
  const store = join(work, 'store');
  const id = spec(['build', '--registry', registry, '--store', store]).trim();
  assert.match(id, digestPattern);
  const exportFile = join(work, 'snap.json');
  spec(['export', 'latest', '-o', exportFile, '--store', store]);
  const document = JSON.parse(readFileSync(exportFile, 'utf8')) as ExportDocument;
  assert.equal(document.snapshot, id);
  return { id, exportFile, document };
}

function recomputeAgrees(exportFile: string, id: string): void {
  const result = python(exportFile);
  assert.equal(result.stderr, '');
  assert.equal(result.status, 0);
  assert.equal(result.stdout, `${id}\n`);
}

describe('an independent implementation of docs/format.md recomputes the snapshot id', () => {
  let work: string;

  before(() => {
    assert.ok(existsSync(join(repository, 'dist', 'cli', 'run.js')), 'dist/ is missing: run `npm run build` first');
    if (run('python3', ['--version']).error)
      assert.fail('python3 is needed for test/format/recompute.py (CI installs it)');
    work = mkdtempSync(join(tmpdir(), 'specstore-format-'));
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  test('the bundled registry', () => {
    const dir = join(work, 'bundled');
    mkdirSync(dir);
    const { id, exportFile, document } = buildAndExport(dir, join(repository, 'registry'));
    assert.ok(Object.keys(document.objects).length > 3);
    recomputeAgrees(exportFile, id);
  });

  test('a generated registry of 200 policies, whose tree has branches', () => {
    const dir = join(work, 'generated');
    const registry = join(dir, 'registry');
    mkdirSync(join(registry, 'policies'), { recursive: true });
    // Extension fields carry numbers and strings that exercise ECMAScript number formatting, escaping and key order.
    const numbers = ['0.5', '1.0', '-2.25', '1e-7', '123456789.125', '0.000001', '3.0e2', '9007199254740991', '-0.0'];
    const strings = [
      '"na\\u00efve \\"quoted\\" tab\\t"',
      '"\\u0001\\u001f\\u007f\\u0080"',
      '"\\U0001F602 \\uFB33 \\u20AC"',
      "'back\\slash'",
    ];
    for (let n = 0; n < 200; n++) {
      const lines = [`id: "p${n}@1"`, 'budget:', `  max_usd_micro: ${n}`];
      if (n % 3 === 0) lines.push(`x-number: ${numbers[n % numbers.length]}`);
      if (n % 5 === 0) lines.push(`description: ${strings[n % strings.length]}`);
      if (n % 7 === 0) lines.push('x-keys: {"\\uFB33": 1, "\\U0001F602": 2, "b": 3, "B": 4, "": 5, "10": 6, "9": 7}');
      writeFileSync(join(registry, 'policies', `p${n}.yaml`), `${lines.join('\n')}\n`);
    }
    // A second version of some names: all versions of a name must land in one leaf entry.
    for (let n = 0; n < 200; n += 40)
      writeFileSync(join(registry, 'policies', `p${n}-v2.yaml`), `id: "p${n}@2.0.0-rc.1"\n`);

    const { id, exportFile, document } = buildAndExport(dir, registry);
    const objects = Object.values(document.objects) as Record<string, unknown>[];
    assert.ok(
      objects.some((object) => Object.hasOwn(object, 'branch')),
      'the tree has branches',
    );
    assert.equal(objects.filter((object) => typeof object['id'] === 'string').length, 205);
    assert.ok(
      objects.some((object) => object['x-number'] === 1e-7),
      'the exported specs hold non-integer numbers',
    );
    recomputeAgrees(exportFile, id);
  });

  test('a document whose snapshot does not match its specs is refused', () => {
    const dir = join(work, 'tampered');
    mkdirSync(dir);
    const { id, document } = buildAndExport(dir, join(repository, 'registry'));
    const specKey = Object.keys(document.objects).find(
      (key) => typeof (document.objects[key] as Record<string, unknown>)['id'] === 'string',
    )!;
    const write = (name: string, value: ExportDocument): string => {
      const file = join(dir, name);
      writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
      return file;
    };

    // A spec changed in place: it no longer hashes to its key.
    const altered = structuredClone(document);
    (altered.objects[specKey] as Record<string, unknown>)['x-tampered'] = true;
    const alteredResult = python(write('altered.json', altered));
    assert.equal(alteredResult.status, 1);

    // A spec changed and re-keyed consistently, the leaf left as it was: every object hashes to its key, but the tree
    // rebuilt from the specs differs from the one the document claims.
    const rekeyed = structuredClone(document);
    const spec = { ...(rekeyed.objects[specKey] as Record<string, unknown>), 'x-tampered': true };
    delete rekeyed.objects[specKey];
    rekeyed.objects[digestValue(spec).digest] = spec;
    const rekeyedResult = python(write('rekeyed.json', rekeyed));
    assert.equal(rekeyedResult.status, 1);
    assert.match(rekeyedResult.stdout.trim(), digestPattern);
    assert.notEqual(rekeyedResult.stdout.trim(), id);

    // A claimed snapshot id that is not the one the specs give.
    const wrongId = structuredClone(document);
    wrongId.snapshot = `sha256:${'0'.repeat(64)}`;
    const wrongIdResult = python(write('wrong-id.json', wrongId));
    assert.equal(wrongIdResult.status, 1);
    assert.equal(wrongIdResult.stdout, `${id}\n`);
  });
});
