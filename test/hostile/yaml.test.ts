// Hostile YAML through `spec build`: each file is refused with its documented limit or rule, within the hang bound,
// with a position, exit 1 and no store written.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, runSpecWithinBound, tempDir } from '../support/cli.js';

interface BuildError {
  error: { code: string; diagnostics: { code: string; file: string; line?: number; column?: number }[] };
}

/** Builds a registry holding one policy file with `text`; returns the codes of the problems reported. */
function refusal(text: string): string[] {
  const dir = tempDir();
  try {
    const registry = join(dir.path, 'registry');
    mkdirSync(join(registry, 'policies'), { recursive: true });
    writeFileSync(join(registry, 'policies', 'hostile.yaml'), text);
    const store = join(dir.path, 'store');
    const result = runSpecWithinBound(['build', '--registry', registry, '--store', store, '--json']);
    assert.equal(result.status, 1, result.stderr);
    assert.ok(!result.stderr.includes('    at '), 'no stack trace');
    const { error } = json<BuildError>(result);
    assert.equal(error.code, 'INVALID_INPUT');
    // A file too large is refused as a whole; every other problem has a position.
    const positioned = error.diagnostics.filter((diagnostic) => diagnostic.code !== 'YAML_TOO_LARGE');
    assert.ok(
      positioned.every((diagnostic) => diagnostic.line !== undefined && diagnostic.column !== undefined),
      'every problem has a position',
    );
    assert.equal(existsSync(store), false, 'no store is created');
    return [...new Set(error.diagnostics.map((diagnostic) => diagnostic.code))].sort();
  } finally {
    dir.cleanup();
  }
}

const lines = (count: number, line: (i: number) => string): string =>
  Array.from({ length: count }, (_, i) => line(i)).join('');

describe('hostile YAML through spec build', () => {
  it('deep flow nesting: 100,000 brackets stop at the depth limit', () => {
    assert.deepEqual(refusal(`id: "x@1"\nx-deep: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`), ['YAML_TOO_DEEP']);
  });

  it('deep block nesting: 2,000 levels of mappings, 50,000 of compact sequences', () => {
    assert.deepEqual(refusal(`id: "x@1"\n${lines(2000, (i) => `${' '.repeat(i + 1)}k:\n`).replace(/^ /, 'x-')}`), [
      'YAML_TOO_DEEP',
    ]);
    assert.deepEqual(refusal(`id: "x@1"\nx-deep:\n  ${'- '.repeat(50_000)}x\n`), ['YAML_TOO_DEEP']);
  });

  it('billion laughs: anchors and aliases are refused, nothing is expanded', () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 10; i++) {
      const previous = String.fromCharCode(96 + i);
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${previous}`).join(', ')}]`,
      );
    }
    assert.deepEqual(refusal(`id: "x@1"\nx-laughs:\n${levels.map((level) => `  ${level}\n`).join('')}`), [
      'YAML_ALIAS',
    ]);
  });

  it('huge lists past the node limit are refused the same way in flow and block style', () => {
    const values = 300_000;
    assert.deepEqual(refusal(`id: "x@1"\nx-enum: [${lines(values, (i) => `${i ? ', ' : ''}v${i}`)}]\n`), [
      'YAML_TOO_MANY_NODES',
    ]);
    assert.deepEqual(refusal(`id: "x@1"\nx-enum:\n${lines(values, (i) => `  - v${i}\n`)}`), ['YAML_TOO_MANY_NODES']);
  });

  it('a file of blank lines and comments stops at the token limit', () => {
    assert.deepEqual(refusal(`id: "x@1"\n${'#\n'.repeat(1_500_000)}`), ['YAML_TOO_MANY_TOKENS']);
  });

  it('a file over 8 MiB is refused before it is parsed', () => {
    assert.deepEqual(refusal(`id: "x@1"\nx-big: "${'a'.repeat(8 * 1024 * 1024)}"\n`), ['YAML_TOO_LARGE']);
  });
});
