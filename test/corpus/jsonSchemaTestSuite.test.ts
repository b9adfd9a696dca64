// The official JSON Schema Test Suite, end to end (schema spec, tool input, plan step, plan check): no draft may call
// invalid data valid. Refusing a schema at build (with a code) is allowed; a false accept or a crash is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { json, runSpec, tempDir } from '../support/cli.js';
import {
  readSuiteGroups,
  runSuiteDraft,
  suiteDir,
  suitePlan,
  suitePresent,
  suiteDrafts,
  summarize,
  toolIdOf,
  writeSuiteRegistry,
  type SuiteDraft,
} from '../support/jsonSchemaTestSuite.js';
import { writeFiles } from '../plan/planFixtures.js';

const missing = !suitePresent();
if (missing && process.env['CI'] === 'true')
  throw new Error(
    `the JSON Schema Test Suite is missing at ${suiteDir} (CI needs ../shared/corpus/json-schema-test-suite)`,
  );
const skip = missing && `no JSON Schema Test Suite at ${suiteDir}`;

for (const draft of Object.keys(suiteDrafts) as SuiteDraft[]) {
  test(`JSON Schema Test Suite ${draft}: no false accept, no crash`, { skip }, async (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const results = await runSuiteDraft(draft, dir.path);
    const summary = summarize(draft, results);
    t.diagnostic(JSON.stringify(summary));
    assert.deepEqual(
      results
        .filter((r) => r.outcome === 'falseAccept' || r.outcome === 'crash')
        .map((r) => `${r.file}: ${r.group}: ${r.test}`),
      [],
    );
    assert.ok(summary.agree / summary.total > 0.85, 'most cases agree');
  });
}

test(
  'JSON Schema Test Suite sample through the real CLI (spec build, spec plan check) agrees with the in-process run',
  { skip },
  async (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const draft: SuiteDraft = 'draft2020-12';
    // The first group of each keyword file whose schema builds.
    const groups = readSuiteGroups(draft).filter(
      (group) =>
        group.index === 0 && !/^(refRemote|dynamicRef|vocabulary|enum|const|unevaluated|properties)/.test(group.file),
    );
    const registry = join(dir.path, 'registry');
    writeSuiteRegistry(registry, groups, draft);
    const store = join(dir.path, 'store');
    const built = runSpec(['build', '--registry', registry, '--store', store, '--json']);
    assert.equal(built.status, 0, built.stdout + built.stderr);
    const snapshot = json(built).snapshot as string;
    const cases = groups.flatMap((group) =>
      group.tests.map((test) => ({
        tool: toolIdOf(group),
        data: test.data,
        valid: test.valid,
        name: `${group.file}: ${test.description}`,
      })),
    );
    writeFiles(dir.path, { 'plan.yaml': suitePlan(snapshot, cases) });
    const checked = runSpec(['plan', 'check', join(dir.path, 'plan.yaml'), '--store', store, '--json']);
    assert.ok(checked.status === 0 || checked.status === 1, checked.stderr);
    const diagnostics = (json(checked) as { diagnostics: { pointer?: string; severity: string }[] }[])[0]!.diagnostics;
    const wrong = cases
      .filter(
        (c, i) => diagnostics.some((d) => d.severity === 'error' && d.pointer?.startsWith(`/steps/${i}/`)) === c.valid,
      )
      .map((c) => c.name);
    t.diagnostic(`${cases.length} cases through the CLI`);
    assert.deepEqual(wrong, []);
  },
);
