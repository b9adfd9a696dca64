// The rule tables of docs/compatibility.md, rendered from the rule records (scripts/generate-rule-docs.mjs writes them).
import type { CompatibilityRule } from '../core/compatibilityRule.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { schemaRuleList } from './schemaRules.js';
import { kindRules } from './kindRules.js';
import { engineSpecRules } from './specRules.js';

/** A markdown table of rules, one row each, in record order. */
export function ruleTable(rules: readonly CompatibilityRule[]): string {
  const rows = rules.map(
    (rule) => `| \`${rule.id}\` | ${rule.backward} | ${rule.forward} | ${rule.purpose} | ${rule.example} |`,
  );
  return [
    '| rule | backward | forward | purpose | example (old → new) |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** Each generated table by its marker name: the schema rules, and the spec rules (the engine's, then each kind's). */
export function ruleTables(kinds: readonly KindDescriptor[] = builtinKinds): Record<string, string> {
  return {
    'schema-rules': ruleTable(schemaRuleList),
    'spec-rules': ruleTable([...engineSpecRules, ...kindRules, ...kinds.flatMap((kind) => kind.diff?.rules ?? [])]),
  };
}

/** `doc` with the text between each `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` replaced; a missing marker is an error. */
export function withGeneratedSections(doc: string, sections: Record<string, string>): string {
  let out = doc;
  for (const [name, content] of Object.entries(sections)) {
    const open = `<!-- generated:${name} (npm run docs) -->`;
    const close = `<!-- /generated:${name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`no ${open} … ${close} section`);
    out = `${out.slice(0, start + open.length)}\n${content}\n${out.slice(end)}`;
  }
  return out;
}
