#!/usr/bin/env node
// `npm run docs`: writes the rule tables of docs/compatibility.md from the rule records (src/diff/ruleTables.ts)
// and docs/lint.md from the lint rule records (src/lint/lintDocs.ts); with --check, only says whether each page is
// current (test/diff/ruleDocs.test.ts and test/lint/lintCommand.test.ts check the same from sources).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const check = process.argv.includes('--check');

/** Rewrites one page from what `render` makes of its current text (or, with --check, fails when it would). */
function regenerate(page, render, done) {
  const path = fileURLToPath(new URL(`../${page}`, import.meta.url));
  let doc = '';
  try {
    doc = readFileSync(path, 'utf8');
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  const generated = render(doc);
  if (generated === doc) return;
  if (check) {
    console.error(`${page} is stale: run npm run docs`);
    process.exit(1);
  }
  writeFileSync(path, generated);
  console.log(`${page}: ${done}`);
}

const dist = (module) => import(new URL(`../dist/${module}`, import.meta.url).href);
const { ruleTables, withGeneratedSections } = await dist('diff/ruleTables.js');
regenerate('docs/compatibility.md', (doc) => withGeneratedSections(doc, ruleTables()), 'rule tables rewritten');
const { lintRulesDoc } = await dist('lint/lintDocs.js');
regenerate('docs/lint.md', () => lintRulesDoc(), 'rewritten from the lint rules');
