// Every error code the source can throw is in docs/cli.md's exit-code table, in the row of the exit status it has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitCategoryOf, exitCodes } from '../../src/errors.js';
import { copyBundledRegistry, json, repoRoot, runSpec, tempDir } from '../support/cli.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The codes thrown as `new SpecError('CODE'`, and those a helper picks as `code = 'CODE'` (storeIoError). */
function thrownCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of sourceFiles(join(repoRoot, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/new SpecError\(\s*'([A-Z][A-Z0-9_]*)'/g)) codes.add(match[1]);
    for (const match of text.matchAll(/\bcode = '([A-Z][A-Z0-9_]*)'/g)) codes.add(match[1]);
  }
  codes.add('INVALID_INPUT'); // invalidInput() in src/errors.ts
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
      assert.equal(documented.get(match[1]) ?? status, status, `${match[1]} is in two rows of the exit-code table`);
      documented.set(match[1], status);
    }
  }
  return documented;
}

test('every error code in src/ is in the exit-code table of docs/cli.md, in the row of its exit status', () => {
  const codes = thrownCodes();
  assert.ok(codes.size > 25, `found only ${codes.size} codes: the pattern no longer matches the source`);
  const documented = documentedExitStatus();
  const missing = [...codes].filter((code) => !documented.has(code));
  assert.deepEqual(missing, [], 'codes missing from the exit-code table of docs/cli.md');
  for (const code of codes) assert.equal(documented.get(code), exitCodes[exitCategoryOf(code)], `${code}: the table and categoryOfCode disagree`);
  for (const [code, status] of documented) assert.equal(status, exitCodes[exitCategoryOf(code)], `${code} is documented with exit ${status}`);
});

test('every STORE_ code but STORE_NOT_FOUND is a store error (exit 5)', () => {
  for (const code of thrownCodes()) if (code.startsWith('STORE_') && code !== 'STORE_NOT_FOUND') assert.equal(exitCategoryOf(code), 'store', code);
});

test('a directory that is not a store is STORE_NOT_A_STORE, exit 5', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  mkdirSync(join(dir.path, 'not-a-store'));
  writeFileSync(join(dir.path, 'not-a-store/notes.txt'), 'hello');
  const result = runSpec(['ls', '--store', 'not-a-store', '--json'], { cwd: dir.path });
  assert.equal(json(result).error.code, 'STORE_NOT_A_STORE');
  assert.equal(result.status, 5);
});

test('a bad tag name is TAG_INVALID, a usage mistake: exit 2, and the tag is not written', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  copyBundledRegistry(dir.path);
  assert.equal(runSpec(['build'], { cwd: dir.path }).status, 0);
  for (const name of ['latest', 'no/slash', 'deadbeef']) {
    const result = runSpec(['tag', name, 'latest', '--json'], { cwd: dir.path });
    assert.equal(json(result).error.code, 'TAG_INVALID', name);
    assert.equal(result.status, 2, name);
  }
  assert.deepEqual(json(runSpec(['tags', '--json'], { cwd: dir.path })), []);
});
