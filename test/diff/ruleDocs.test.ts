// docs/compatibility.md's rule tables are generated from the rule records: a record changed without `npm run docs` fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ruleTables, withGeneratedSections } from '../../src/diff/ruleTables.js';
import { schemaRuleList } from '../../src/diff/schemaRules.js';
import { engineSpecRules } from '../../src/diff/specRules.js';
import { builtinKinds } from '../../src/kinds/builtinKinds.js';

const docPath = new URL('../../docs/compatibility.md', import.meta.url);

test('the rule tables of docs/compatibility.md are the records as rendered now (run npm run docs when this fails)', () => {
  const doc = readFileSync(docPath, 'utf8');
  assert.equal(withGeneratedSections(doc, ruleTables()), doc);
});

test('every rule id is in the page exactly once, with its purpose', () => {
  const doc = readFileSync(docPath, 'utf8');
  const rules = [...schemaRuleList, ...engineSpecRules, ...builtinKinds.flatMap((kind) => kind.diff?.rules ?? [])];
  assert.equal(new Set(rules.map((rule) => rule.id)).size, rules.length);
  for (const rule of rules) {
    const rows = doc.split('\n').filter((line) => line.startsWith(`| \`${rule.id}\` |`));
    assert.equal(rows.length, 1, rule.id);
    assert.ok(rows[0]!.includes(rule.purpose), rule.id);
  }
});

test('a missing marker is an error, not a silently unchanged page', () => {
  assert.throws(() => withGeneratedSections('no markers here', ruleTables()), /no <!-- generated:schema-rules/);
});
