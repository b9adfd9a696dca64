// updateYamlText: the new value exactly, the old text's comments and layout wherever the value did not change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../src/core/canonicalJson.js';
import type { JsonObject } from '../../src/core/json.js';
import { parseYamlSpec } from '../../src/source/parseYamlSpec.js';
import { updateYamlText } from '../../src/source/updateYamlText.js';
import { bundledRegistry } from '../support/cli.js';

const read = (text: string) => parseYamlSpec(new TextEncoder().encode(text), 'x.yaml').value as JsonObject;

const bundledFiles = readdirSync(bundledRegistry, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'))
  .map((entry) => join(entry.parentPath, entry.name));

test('the same value leaves every bundled file byte for byte as it was', () => {
  assert.ok(bundledFiles.length > 20);
  for (const file of bundledFiles) {
    const text = readFileSync(file, 'utf8');
    assert.equal(updateYamlText(text, read(text)), text, file);
  }
});

test('a changed value reads back exactly, and untouched lines keep their bytes', () => {
  for (const file of bundledFiles) {
    const text = readFileSync(file, 'utf8');
    const value = read(text);
    const changed: JsonObject = {
      ...value,
      description: 'a "quoted" # not a comment: true',
      extra_field: [1, { a: null }],
    };
    delete changed['name'];
    const updated = updateYamlText(text, changed);
    assert.equal(canonicalJson(read(updated)), canonicalJson(changed), file);
    const firstLine = text.split('\n')[0]!;
    if (firstLine.startsWith('#')) assert.ok(updated.startsWith(`${firstLine}\n`), `${file} keeps its comment`);
  }
});

test('a type change of a scalar, a string that looks like another type, nested edits and removals', () => {
  const text = '# top\nid: "a@1"   # the id\ncount: 1\nflags: {x: true}\nlist:\n  - one # first\n  - two\n';
  const value = { id: 'a@1', count: '1', flags: { x: 'true', y: 2 }, list: ['one'] };
  const updated = updateYamlText(text, value);
  assert.equal(canonicalJson(read(updated)), canonicalJson(value));
  assert.match(updated, /^# top$/m);
  assert.match(updated, /# the id/);
  assert.match(updated, /# first/);
});

test('aliases and merge keys are written afresh rather than changed in two places', () => {
  const text = 'id: "a@1"\nbase: &b {x: 1}\nother: *b\n';
  const value = { id: 'a@1', base: { x: 2 }, other: { x: 1 } };
  assert.equal(canonicalJson(read(updateYamlText(text, value))), canonicalJson(value));
});
