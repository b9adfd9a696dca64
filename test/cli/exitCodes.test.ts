// The error catalogue is the one list of codes: every code the source throws is in it, every code in it is thrown
// somewhere and documented in docs/cli.md's exit-code table, in the row of the exit status its category maps to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCatalogue, errorCategoryOf, type ErrorCode } from '../../src/errors.js';
import { exitCodeOf, exitCodeOfCategory } from '../../src/cli/exitCodes.js';
import { copyBundledRegistry, json, repoRoot, runSpec, tempDir } from '../support/cli.js';

const catalogued = Object.keys(errorCatalogue) as ErrorCode[];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The text of src/, without the catalogue itself (a code listed there is not thereby used). */
function sourceText(): string {
  return sourceFiles(join(repoRoot, 'src'))
    .map((file) => {
      const text = readFileSync(file, 'utf8');
      if (!file.endsWith(join('src', 'errors.ts'))) return text;
      const start = text.indexOf('export const errorCatalogue');
      return text.slice(0, start) + text.slice(text.indexOf('} as const', start));
    })
    .join('\n');
}

/** The codes thrown as `new SpecError('CODE'`, and those a helper picks as `code = 'CODE'` (storeIoError). */
function thrownCodes(text: string): Set<string> {
  const codes = new Set<string>();
  for (const match of text.matchAll(/new SpecError\(\s*'([A-Z][A-Z0-9_]*)'/g)) codes.add(match[1]!);
  for (const match of text.matchAll(/\bcode(?:: ErrorCode)? = '([A-Z][A-Z0-9_]*)'/g)) codes.add(match[1]!);
  return codes;
}

/** The exit-code table of docs/cli.md: each backquoted code, with the exit status of its row. */
function documentedExitStatus(): Map<string, number> {
  const text = readFileSync(join(repoRoot, 'docs/cli.md'), 'utf8');
  const table = text.slice(text.indexOf('## Exit codes'), text.indexOf('\n## ', text.indexOf('## Exit codes') + 1));
  const documented = new Map<string, number>();
  for (const row of table.split('\n').filter((line) => /^\| [0-9]+ \|/.test(line))) {
    const status = Number(row.split('|')[1]);
    for (const match of row.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) {
      assert.equal(documented.get(match[1]!) ?? status, status, `${match[1]} is in two rows of the exit-code table`);
      documented.set(match[1]!, status);
    }
  }
  return documented;
}

test('every error code thrown in src/ is in the catalogue', () => {
  const codes = thrownCodes(sourceText());
  assert.ok(codes.size > 25, `found only ${codes.size} codes: the pattern no longer matches the source`);
  assert.deepEqual(
    [...codes].filter((code) => !Object.hasOwn(errorCatalogue, code)),
    [],
    'codes thrown but not in errorCatalogue',
  );
});

test('every code of the catalogue is used in src/ (no code kept for nothing)', () => {
  const text = sourceText();
  assert.deepEqual(
    catalogued.filter((code) => !text.includes(`'${code}'`)),
    [],
  );
});

test("every code of the catalogue is in the exit-code table of docs/cli.md, in the row of its category's exit status", () => {
  const documented = documentedExitStatus();
  assert.deepEqual(
    catalogued.filter((code) => !documented.has(code)),
    [],
    'codes missing from the exit-code table of docs/cli.md',
  );
  for (const code of catalogued)
    assert.equal(
      documented.get(code),
      exitCodeOf(code),
      `${code} (${errorCategoryOf(code)}): the table and the catalogue disagree`,
    );
  assert.deepEqual(
    [...documented.keys()].filter((code) => !Object.hasOwn(errorCatalogue, code)),
    [],
    'codes in the table but not in the catalogue',
  );
});

test('every category has an exit status, and every category is used by some code', () => {
  const used = new Set(catalogued.map((code) => errorCategoryOf(code)));
  assert.deepEqual([...used].sort(), Object.keys(exitCodeOfCategory).sort());
});

test('every STORE_ code but STORE_NOT_FOUND is a store error (exit 5)', () => {
  for (const code of catalogued)
    if (code.startsWith('STORE_') && code !== 'STORE_NOT_FOUND') assert.equal(errorCategoryOf(code), 'store', code);
});

test('a directory that is not a store is STORE_NOT_A_STORE, exit 5, for reading and building alike', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  mkdirSync(join(dir.path, 'not-a-store'));
  writeFileSync(join(dir.path, 'not-a-store/notes.txt'), 'hello');
  const result = runSpec(['ls', '--store', 'not-a-store', '--json'], { cwd: dir.path });
  assert.equal(json(result).error.code, 'STORE_NOT_A_STORE');
  assert.equal(result.status, 5);
  const build = runSpec(['build', '--store', 'not-a-store'], { cwd: dir.path });
  assert.match(build.stderr, /^STORE_NOT_A_STORE /m);
  assert.equal(build.status, 5);
  assert.deepEqual(readdirSync(join(dir.path, 'not-a-store')), ['notes.txt']);
});

test('a bad tag name is TAG_INVALID, a usage mistake: exit 2, and the tag is not written', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  assert.equal(runSpec(['build'], { cwd: dir.path }).status, 0);
  for (const name of ['bad name!', 'latest', 'no/slash', 'deadbeef']) {
    const result = runSpec(['tag', name, 'latest', '--json'], { cwd: dir.path });
    assert.equal(json(result).error.code, 'TAG_INVALID', name);
    assert.equal(result.status, 2, name);
  }
  const text = runSpec(['tag', 'bad name!', 'latest'], { cwd: dir.path });
  assert.match(text.stderr, /^TAG_INVALID /m);
  assert.equal(text.status, 2);
  assert.deepEqual(json(runSpec(['tags', '--json'], { cwd: dir.path })), []);
});
