// `--error-format`: the same problems as text, JSON, GitHub Actions annotations and one SARIF 2.1.0 log, on a copy of
// the bundled registry with a bad reference and a YAML error; and a breaking change placed on its line by `spec diff`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { copyBundledRegistry, runSpec, tempDir } from '../support/cli.js';
import { sharedPath, skipWithoutShared } from '../support/sharedCorpus.js';
import { githubCommand } from '../../src/cli/errorFormats.js';

const dir = tempDir('specstore-error-formats-');
after(() => dir.cleanup());
const registry = copyBundledRegistry(dir.path);
const caption = join(registry, 'tools/image.caption.yaml');
const original = readFileSync(caption, 'utf8');
const store = join(dir.path, 'store');

const sarifSchemaPath = 'corpus/schemastore/current/sarif-2.1.0.json';

/** The bundled registry with `budget.available@1` misspelled (line 21, col 7) and a YAML error in a new file. */
function breakRegistry(): void {
  assert.match(original.split('\n')[20]!, /^ {4}- id: "budget\.available@1"$/);
  writeFileSync(caption, original.replace('budget.available@1', 'budget.nope@1'));
  writeFileSync(join(registry, 'tools/broken.yaml'), 'id: "broken@1"\n  bad: [\n');
}

function spec(args: string[]) {
  return runSpec([...args, '--store', store], { cwd: dir.path });
}

test('build --error-format github-actions: one ::error line per problem, with file, line, col and code', () => {
  breakRegistry();
  const result = spec(['build', '--error-format', 'github-actions']);
  assert.equal(result.status, 1, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  assert.ok(
    lines.includes(
      '::error file=registry/tools/broken.yaml,line=2,col=1,title=YAML_SYNTAX::All mapping items must start at the same column',
    ),
    result.stdout,
  );
  assert.ok(
    lines.includes(
      '::error file=registry/tools/image.caption.yaml,line=21,col=7,title=REF_NOT_FOUND::budget.nope@1 is not defined in this registry',
    ),
    result.stdout,
  );
  assert.ok(
    lines.every((line) => line.startsWith('::error file=registry/tools/')),
    result.stdout,
  );
  assert.match(result.stderr, /errors in 2 files; the registry is invalid/);
});

test('build --error-format json: {version: 1, findings}, each with file, line, column, code, severity, message', () => {
  breakRegistry();
  const result = spec(['build', '--error-format', 'json']);
  assert.equal(result.status, 1, result.stderr);
  const document = JSON.parse(result.stdout) as { version: number; findings: Record<string, unknown>[] };
  assert.equal(document.version, 1);
  assert.deepEqual(
    document.findings.find((finding) => finding['code'] === 'REF_NOT_FOUND'),
    {
      file: 'registry/tools/image.caption.yaml',
      line: 21,
      column: 7,
      code: 'REF_NOT_FOUND',
      severity: 'error',
      message: 'budget.nope@1 is not defined in this registry',
      ...pick(
        document.findings.find((finding) => finding['code'] === 'REF_NOT_FOUND')!,
        ['ref', 'pointer'],
      ),
    },
  );
  assert.ok(document.findings.some((finding) => finding['code'] === 'YAML_SYNTAX' && finding['line'] === 2));
});

test(
  'build --error-format sarif: a SARIF 2.1.0 log the official schema accepts',
  { skip: skipWithoutShared(sarifSchemaPath) },
  () => {
    breakRegistry();
    const result = spec(['build', '--error-format', 'sarif']);
    assert.equal(result.status, 1, result.stderr);
    const log = JSON.parse(result.stdout);
    const schema = JSON.parse(readFileSync(sharedPath(sarifSchemaPath), 'utf8'));
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    const ajv = new Ajv.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const compiled = ajv.compile(schema);
    const valid = (data: unknown): boolean => compiled(data);
    assert.ok(valid(log), JSON.stringify(compiled.errors, null, 2));
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'specstore');
    const rule = run.tool.driver.rules.find((each: { id: string }) => each.id === 'REF_NOT_FOUND');
    assert.equal(rule.shortDescription.text, 'a reference that resolves to no spec');
    const result21 = run.results.find((each: { ruleId: string }) => each.ruleId === 'REF_NOT_FOUND');
    assert.equal(result21.level, 'error');
    assert.deepEqual(result21.locations[0].physicalLocation, {
      artifactLocation: { uri: 'registry/tools/image.caption.yaml' },
      region: { startLine: 21, startColumn: 7 },
    });
  },
);

test('--json and --error-format other than text are refused as a usage mistake', () => {
  const result = spec(['build', '--json', '--error-format', 'sarif']);
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stdout, /--json and --error-format sarif are exclusive/);
});

test('diff --error-format github-actions: a breaking change names the file and line of the changed spec', () => {
  // The store holds the bundled registry; the working one then adds a required input to image.caption (line 13).
  writeFileSync(caption, original);
  rmSync(join(registry, 'tools/broken.yaml'), { force: true });
  const built = spec(['build']);
  assert.equal(built.status, 0, built.stderr);
  // plan check: a plan with a YAML error is reported on its line.
  writeFileSync(join(dir.path, 'bad-plan.yaml'), 'plan: x\n  steps: [\n');
  const checked = spec(['plan', 'check', 'bad-plan.yaml', '--error-format', 'github-actions']);
  assert.equal(checked.status, 1, checked.stderr);
  assert.match(checked.stdout, /^::error file=bad-plan\.yaml,line=1,col=7,title=YAML_SYNTAX::Nested mappings/m);
  const edited = original.replace(
    '    required: true\n',
    '    required: true\n  - name: "extra"\n    type: "string"\n    required: true\n',
  );
  assert.equal(edited.split('\n')[12], '  - name: "extra"');
  writeFileSync(caption, edited);
  const result = spec([
    'diff',
    'latest',
    '--registry',
    'registry',
    '--fail-on',
    'breaking',
    '--error-format',
    'github-actions',
  ]);
  assert.equal(result.status, 4, result.stderr);
  assert.ok(
    result.stdout
      .split('\n')
      .includes(
        '::error file=registry/tools/image.caption.yaml,line=13,col=5,title=tool.input-added-required::image.caption@1.2.0: input "extra" added (required)',
      ),
    result.stdout,
  );
  const status = spec(['status', '--error-format', 'github-actions']);
  assert.equal(status.status, 6, status.stderr);
  assert.match(
    status.stdout,
    /^::warning file=registry\/tools\/image\.caption\.yaml,line=1,col=1,title=status\.modified::image\.caption@1\.2\.0 differs from sha256:/m,
  );
  writeFileSync(caption, original);
});

test('workflow-command escaping: % CR LF in the message, and also : and , in properties', () => {
  assert.equal(
    githubCommand({
      file: 'a,b:c%.yaml',
      line: 3,
      column: 4,
      code: 'X:Y',
      severity: 'warning',
      message: '50%\r\nnext: a, b',
    }),
    '::warning file=a%2Cb%3Ac%25.yaml,line=3,col=4,title=X%3AY::50%25%0D%0Anext: a, b',
  );
  assert.equal(githubCommand({ code: 'C', severity: 'notice', message: 'm' }), '::notice title=C::m');
});

function pick(object: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => key in object).map((key) => [key, object[key]]));
}
