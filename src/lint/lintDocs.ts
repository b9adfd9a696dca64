// docs/lint.md, rendered from the rule records (npm run docs writes it; test/lint/lintDocs.test.ts checks it is current).
import { lintRules } from './lintRules.js';

/** The whole of docs/lint.md. */
export function lintRulesDoc(): string {
  const rows = lintRules.map(
    (rule) => `| \`${rule.id}\` | ${rule.severity} | ${rule.purpose.replaceAll('|', '\\|')} |`,
  );
  return `<!-- Generated from src/lint/lintRules.ts by \`npm run docs\`: edit the records, not this page. -->

# \`spec lint\` rules

\`spec lint [--registry DIR] [--against SNAPSHOT] [--error-format F]\` compiles the working registry in memory (nothing
is stored) and runs every rule below that is not \`off\`. Each finding names the rule, the spec and the file:line:col of
the value concerned; \`--error-format\` prints them as text, JSON, GitHub annotations or SARIF ([cli.md](cli.md)). The
exit code is 1 (\`LINT_FAILED\`) when some finding has severity \`error\`, 0 otherwise (warnings included).

## Configuration

In the registry's \`specstore.yaml\`:

\`\`\`yaml
lint:
  rules:
    ports.documented: warning   # enable a rule that is off by default
    unused.schema-or-predicate: off
    name.lower-dotted: error
  capabilities: [text.generate, image.describe]   # the names capability.declared accepts
\`\`\`

A severity is \`off\`, \`warning\` or \`error\`. An unknown rule id or severity is \`REGISTRY_CONFIG_INVALID\` at its
file:line:col, and nothing is linted.

\`version.major-bump\` compares the registry with the previous snapshot: \`--against\`, else the store's \`latest\`; with
no store or no snapshot it does not run (a note on stderr says so). \`capability.declared\` does not run without
\`lint.capabilities\`.

## Rules

| Rule | Default | What it asks |
| --- | --- | --- |
${rows.join('\n')}
`;
}
