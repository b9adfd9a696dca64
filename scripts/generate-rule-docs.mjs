#!/usr/bin/env node
// `npm run docs`: writes the rule tables of docs/compatibility.md from the rule records (src/diff/ruleTables.ts)
// and docs/lint.md from the lint rule records (src/lint/lintDocs.ts);
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

const { lintRulesDoc } = await import(new URL('../dist/lint/lintDocs.js', import.meta.url).href);
const lintPath = fileURLToPath(new URL('../docs/lint.md', import.meta.url));
const lintDoc = (() => {
  try {
    return readFileSync(lintPath, 'utf8');
  } catch {
    return '';
  }
})();
const lintGenerated = lintRulesDoc();
if (process.argv.includes('--check')) {
  if (lintGenerated !== lintDoc) {
    console.error('docs/lint.md is stale: run npm run docs');
    process.exit(1);
  }
} else if (lintGenerated !== lintDoc) {
  writeFileSync(lintPath, lintGenerated);
  console.log('docs/lint.md: rewritten from the lint rules');
}
