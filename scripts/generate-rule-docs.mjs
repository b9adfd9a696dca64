#!/usr/bin/env node
// `npm run docs`: writes the rule tables of docs/compatibility.md from the rule records (src/diff/ruleTables.ts);
// with --check, only says whether the page is current (test/diff/ruleDocs.test.ts checks the same from sources).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const { ruleTables, withGeneratedSections } = await import(new URL('../dist/diff/ruleTables.js', import.meta.url).href);
const path = fileURLToPath(new URL('../docs/compatibility.md', import.meta.url));
const doc = readFileSync(path, 'utf8');
const generated = withGeneratedSections(doc, ruleTables());
if (process.argv.includes('--check')) {
  if (generated !== doc) {
    console.error('docs/compatibility.md is stale: run npm run docs');
    process.exit(1);
  }
} else if (generated !== doc) {
  writeFileSync(path, generated);
  console.log('docs/compatibility.md: rule tables rewritten');
}
