// The snapshot id covers content only: same content in any form gives the same id; any change gives another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { compileRegistry } from '../../src/build/buildSnapshot.js';
import { copyBundledRegistry, tempDir } from '../support/cli.js';

async function idOf(registry: string): Promise<string> {
  return (await compileRegistry({ registry })).snapshot;
}

function specFiles(registry: string): string[] {
  return readdirSync(registry, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.yaml') && !path.startsWith('kinds')) // kind files are not moved: kinds/ is flat
    .map((path) => join(registry, path));
}

function rewriteAll(registry: string, transform: (text: string, path: string) => string): void {
  for (const path of specFiles(registry)) writeFileSync(path, transform(readFileSync(path, 'utf8'), path));
}

/** Re-serialises a YAML document with its keys in reverse order, without comments. */
function reverseKeys(text: string): string {
  const reverse = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(reverse);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value)
          .reverse()
          .map(([k, v]) => [k, reverse(v)]),
      );
    return value;
  };
  return YAML.stringify(reverse(YAML.parse(text)));
}

test('CRLF, BOM, comments, key order, file names, directory nesting and location do not change the id', async (t) => {
  const base = tempDir();
  t.after(base.cleanup);
  const reference = await idOf(copyBundledRegistry(join(base.path, 'reference')));

  const variants: [string, (registry: string) => void][] = [
    ['CRLF line endings', (r) => rewriteAll(r, (text) => text.replace(/\n/g, '\r\n'))],
    ['a UTF-8 BOM', (r) => rewriteAll(r, (text) => `\uFEFF${text}`)],
    [
      'comments removed and added',
      (r) => rewriteAll(r, (text) => `# header\n${text.replace(/^#.*\n/gm, '')}# trailer\n`),
    ],
    ['keys in another order, other quoting and flow style', (r) => rewriteAll(r, reverseKeys)],
    [
      'files renamed and moved into subdirectories',
      (r) => {
        for (const [index, path] of specFiles(r).entries()) {
          const directory = join(path, '..', `nested-${index % 2}`);
          mkdirSync(directory, { recursive: true });
          renameSync(path, join(directory, `renamed-${index}.yml`));
        }
      },
    ],
  ];
  for (const [name, mutate] of variants) {
    const dir = join(base.path, name.replace(/\W+/g, '-'));
    const registry = copyBundledRegistry(dir);
    mutate(registry);
    assert.equal(await idOf(registry), reference, name);
  }
});

test('any change to any value of any spec changes the id (property)', async (t) => {
  const base = tempDir();
  t.after(base.cleanup);
  const registry = copyBundledRegistry(base.path);
  const reference = await idOf(registry);
  const files = specFiles(registry);
  const originals = new Map(files.map((path) => [path, readFileSync(path, 'utf8')]));
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: files.length - 1 }),
      fc.string({ minLength: 1, maxLength: 12 }),
      async (fileIndex, text) => {
        const path = files[fileIndex]!;
        const value = YAML.parse(originals.get(path)!);
        value['x-note'] = text;
        writeFileSync(path, YAML.stringify(value));
        try {
          assert.notEqual(await idOf(registry), reference);
        } finally {
          writeFileSync(path, originals.get(path)!);
        }
      },
    ),
    { numRuns: 25 },
  );
  assert.equal(await idOf(registry), reference, 'restoring the files restores the id');
});
