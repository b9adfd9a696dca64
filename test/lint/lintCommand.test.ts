// `spec lint` run as users run it, on copies of the bundled registry: quiet on the bundled one, each rule firing on a
// small edit at the right file:line:col, specstore.yaml's `lint:` section changing severities, a bad one refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundledRegistry, json, runSpec, tempDir } from '../support/cli.js';
import { lintRulesDoc } from '../../src/lint/lintDocs.js';
import { lintRules } from '../../src/lint/lintRules.js';

interface Finding {
  rule: string;
  severity: string;
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/** A fresh copy of the bundled registry, edited by `edit`; `spec lint --json` on it (the store is `dir/store`). */
function lint(edit: (registry: string) => void, args: string[] = []) {
  const dir = tempDir('specstore-lint-');
  try {
    const registry = copyBundledRegistry(dir.path);
    edit(registry);
    const result = runSpec(['lint', '--store', join(dir.path, 'store'), ...args], { cwd: dir.path });
    return { result };
  } finally {
    dir.cleanup();
  }
}

function findings(result: ReturnType<typeof runSpec>): Finding[] {
  return json<{ findings: Finding[] }>(result).findings;
}

const caption = (registry: string) => join(registry, 'tools/image.caption.yaml');
const captionText = readFileSync(join(import.meta.dirname, '../../registry/tools/image.caption.yaml'), 'utf8');

test('the bundled registry lints clean (no store: version.major-bump and capability.declared say why they did not run)', () => {
  const { result } = lint(() => {});
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, 'registry: lint clean\n');
  assert.match(result.stderr, /note version\.major-bump did not run: no previous snapshot/);
  assert.match(result.stderr, /note capability\.declared did not run: specstore\.yaml declares no lint\.capabilities/);
});

test('name.lower-dotted: a name that starts with a digit, at its id', () => {
  const { result } = lint(
    (registry) =>
      writeFileSync(join(registry, 'schemas/x.yaml'), '# a schema\nid: "3d.shape@1"\nschema: {type: "object"}\n'),
    ['--json'],
  );
  assert.equal(result.status, 1, result.stderr);
  const found = findings(result).filter((finding) => finding.rule === 'name.lower-dotted');
  assert.deepEqual(
    found.map((f) => [f.file, f.line, f.column, f.severity]),
    [['registry/schemas/x.yaml', 2, 1, 'error']],
  );
});

test('description.required: a tool without one; lowered to a warning in specstore.yaml it no longer fails', () => {
  const removeDescription = (registry: string) =>
    writeFileSync(caption(registry), captionText.replace(/^description: .*\n/m, ''));
  const { result } = lint(removeDescription, ['--json']);
  assert.equal(result.status, 1, result.stderr);
  assert.deepEqual(
    findings(result).map((f) => [f.rule, f.file, f.line]),
    [['description.required', 'registry/tools/image.caption.yaml', 2]],
  );
  const lowered = lint(
    (registry) => {
      removeDescription(registry);
      writeFileSync(join(registry, 'specstore.yaml'), 'lint:\n  rules:\n    description.required: warning\n');
    },
    ['--error-format', 'github-actions'],
  ).result;
  assert.equal(lowered.status, 0, lowered.stderr);
  assert.equal(
    lowered.stdout,
    '::warning file=registry/tools/image.caption.yaml,line=2,col=1,title=description.required::tool image.caption@1.2.0 has no description\n',
  );
  const off = lint((registry) => {
    removeDescription(registry);
    writeFileSync(join(registry, 'specstore.yaml'), 'lint:\n  rules:\n    description.required: off\n');
  }).result;
  assert.equal(off.status, 0, off.stderr);
  assert.equal(off.stdout, 'registry: lint clean\n');
});

test('ports.documented: off by default, enabled in specstore.yaml it names every undocumented port', () => {
  const { result } = lint(
    (registry) => writeFileSync(join(registry, 'specstore.yaml'), 'lint:\n  rules:\n    ports.documented: error\n'),
    ['--json'],
  );
  assert.equal(result.status, 1, result.stderr);
  const found = findings(result).filter((f) => f.file === 'registry/tools/image.caption.yaml');
  assert.deepEqual(
    found.map((f) => [f.rule, f.line, f.column, f.message]),
    [
      ['ports.documented', 10, 5, 'input "image_path" of image.caption@1.2.0 has no description'],
      ['ports.documented', 13, 5, 'input "language" of image.caption@1.2.0 has no description'],
      ['ports.documented', 17, 5, 'output "caption" of image.caption@1.2.0 has no description'],
    ],
  );
  // An agent's output_schema properties count too.
  assert.ok(findings(result).some((f) => f.file === 'registry/agents/fraud.yaml' && /output "score"/.test(f.message)));
});

test('unused.schema-or-predicate: a schema nothing references is a warning (exit 0)', () => {
  const { result } = lint(
    (registry) => writeFileSync(join(registry, 'schemas/orphan.yaml'), 'id: "orphan@1"\nschema: {type: "string"}\n'),
    ['--json'],
  );
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(
    findings(result).map((f) => [f.rule, f.severity, f.file, f.line]),
    [['unused.schema-or-predicate', 'warning', 'registry/schemas/orphan.yaml', 1]],
  );
  // Referenced from an agent, it is used.
  const used = lint((registry) => {
    writeFileSync(join(registry, 'schemas/orphan.yaml'), 'id: "orphan@1"\nschema: {type: "string"}\n');
    const fraud = join(registry, 'agents/fraud.yaml');
    writeFileSync(fraud, readFileSync(fraud, 'utf8').replace('{$ref: "claim@1"}', '{$ref: "orphan@1"}'));
  }).result;
  assert.equal(used.stdout, 'registry: lint clean\n', used.stderr);
});

test('capability.declared: with lint.capabilities, an undeclared capability is an error at its item', () => {
  const { result } = lint(
    (registry) =>
      writeFileSync(
        join(registry, 'specstore.yaml'),
        'lint:\n  capabilities: [image.describe, text.summarize, web.search, web.fetch, media.probe]\n',
      ),
    ['--json'],
  );
  assert.equal(result.status, 1, result.stderr);
  const line7 = captionText.split('\n')[6]!;
  const found = findings(result).find((f) => f.file === 'registry/tools/image.caption.yaml');
  assert.deepEqual(found && [found.rule, found.line, found.column], [
    'capability.declared',
    7,
    line7.indexOf('"text.generate"') + 1,
  ]);
});

test('version.major-bump: a breaking change against the store latest needs a new major version', () => {
  const dir = tempDir('specstore-lint-bump-');
  try {
    const registry = copyBundledRegistry(dir.path);
    const store = join(dir.path, 'store');
    assert.equal(runSpec(['build', '--store', store], { cwd: dir.path }).status, 0);
    const breaking = captionText.replace(
      '    required: true\n',
      '    required: true\n  - name: "extra"\n    type: "string"\n    required: true\n',
    );
    writeFileSync(caption(registry), breaking.replace('image.caption@1.2.0', 'image.caption@1.3.0'));
    const result = runSpec(['lint', '--store', store, '--json'], { cwd: dir.path });
    assert.equal(result.status, 1, result.stderr);
    assert.deepEqual(
      findings(result).map((f) => [f.rule, f.file, f.line]),
      [['version.major-bump', 'registry/tools/image.caption.yaml', 2]],
    );
    assert.match(
      findings(result)[0]!.message,
      /image\.caption@1\.3\.0 breaks image\.caption@1\.2\.0 \(.*tool\.input-added-required.*\) but keeps its major version/,
    );
    writeFileSync(caption(registry), breaking.replace('image.caption@1.2.0', 'image.caption@2.0.0'));
    const bumped = runSpec(['lint', '--store', store], { cwd: dir.path });
    assert.equal(bumped.status, 0, bumped.stderr);
    assert.equal(bumped.stdout, 'registry: lint clean\n');
  } finally {
    dir.cleanup();
  }
});

test('a bad lint section is refused with its file:line:col: an unknown rule id, an unknown severity', () => {
  const { result } = lint((registry) =>
    writeFileSync(join(registry, 'specstore.yaml'), 'lint:\n  rules:\n    no.such-rule: error\n'),
  );
  assert.equal(result.status, 1);
  assert.match(
    result.stderr,
    /registry\/specstore\.yaml:3:5 REGISTRY_CONFIG_INVALID lint\.rules names no rule "no\.such-rule"/,
  );
  const severity = lint((registry) =>
    writeFileSync(join(registry, 'specstore.yaml'), 'lint:\n  rules:\n    name.lower-dotted: fatal\n'),
  ).result;
  assert.equal(severity.status, 1);
  assert.match(severity.stderr, /registry\/specstore\.yaml:3:\d+ REGISTRY_CONFIG_INVALID .*not a lint severity/);
});

test('docs/lint.md is the rule records as rendered now (run npm run docs when this fails), every rule in it', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/lint.md'), 'utf8');
  assert.equal(doc, lintRulesDoc());
  for (const rule of lintRules) assert.ok(doc.includes(`| \`${rule.id}\` | ${rule.severity} |`), rule.id);
});
