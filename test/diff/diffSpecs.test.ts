// The spec diff rules, one fixture pair each (test/fixtures/diff/<name>/{old,new}): rule ids and severities only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultDiffConfig, diffConfigFromValue } from '../../src/diff/diffConfig.js';
import { summarizeDiff } from '../../src/diff/diffSpecs.js';
import { builtinKinds } from '../../src/kinds/builtinKinds.js';
import { engineSpecRules } from '../../src/diff/specRules.js';
import { diffFixture, ruleLines } from './diffFixtures.js';

const upgrade = ['spec.version-added  compatible', 'spec.version-removed  breaking'];

test('tool inputs: what callers send (backward)', () => {
  assert.deepEqual(ruleLines(diffFixture('tool-inputs').get('t')), [
    'schema.type-narrowed /inputs/3/type breaking',
    'schema.type-widened /inputs/4/type compatible',
    'spec.annotation-changed /inputs/0/description compatible',
    ...upgrade,
    'tool.input-added /inputs/7 compatible',
    'tool.input-added /inputs/8 compatible', // required, but with a default: callers need not send it
    'tool.input-added-required /inputs/6 breaking',
    'tool.input-became-optional /inputs/2 compatible',
    'tool.input-became-required /inputs/1 breaking',
    'tool.input-default-changed /inputs/5/default warning',
    'tool.input-removed /inputs/1 breaking',
  ]);
});

test('tool outputs: what callers receive (compared forward)', () => {
  assert.deepEqual(ruleLines(diffFixture('tool-outputs').get('t')), [
    'schema.type-narrowed /outputs/0/type compatible',
    'schema.type-widened /outputs/1/type breaking',
    ...upgrade,
    'tool.output-added /outputs/3 compatible',
    'tool.output-became-optional /outputs/2 breaking',
    'tool.output-removed /outputs/0 breaking',
  ]);
});

test('tool runtime, capabilities and predicates', () => {
  assert.deepEqual(ruleLines(diffFixture('tool-runtime').get('t')), [
    'spec.annotation-changed /name compatible',
    'spec.annotation-changed /x-owner compatible',
    ...upgrade,
    'tool.adapter-changed /adapter warning',
    'tool.capability-added /capabilities/1 compatible',
    'tool.capability-removed /capabilities/1 breaking',
    'tool.entry-point-changed /entry_point warning',
    'tool.predicate-added /predicates/success/0 warning',
    'tool.predicate-changed /predicates/admission/0 warning',
    'tool.timeout-lowered /timeout_s warning',
  ]);
});

test('ports referencing schema specs are compared through those schemas: inputs backward, outputs forward', () => {
  const diff = diffFixture('tool-port-schemas');
  assert.deepEqual(ruleLines(diff.get('t')), [
    'schema.property-added-open /inputs/0 compatible media.metadata@2#/properties/year',
    'schema.property-added-open /outputs/0 compatible media.metadata@2#/properties/year',
    'schema.required-added /inputs/0 breaking media.metadata@2#/required',
    'schema.required-added /outputs/0 compatible media.metadata@2#/required',
    'schema.type-narrowed /inputs/0 breaking media.metadata@2#/properties/year/type',
    'schema.type-narrowed /outputs/0 compatible media.metadata@2#/properties/year/type',
    ...upgrade,
  ]);
  // media.metadata@1 is still there: its name gained a version, and @1 → @2 is compared as a schema (backward).
  assert.deepEqual(ruleLines(diff.get('media.metadata')), [
    'schema.property-added-open /schema/properties/year compatible',
    'schema.required-added /schema/required breaking',
    'schema.type-narrowed /schema/properties/year/type breaking',
    'spec.version-added  compatible',
  ]);
});

test('schema specs follow the configured mode; full takes the worst of both directions', () => {
  const narrowed = (mode: string) =>
    ruleLines(diffFixture('schema-spec', diffConfigFromValue({ kinds: { schema: { mode } } })).get('s')).filter(
      (line) => line.startsWith('schema.'),
    );
  assert.deepEqual(narrowed('backward'), [
    'schema.pattern-changed /schema/properties/code/pattern unknown',
    'schema.type-narrowed /schema/properties/n/type breaking',
  ]);
  assert.deepEqual(narrowed('forward'), [
    'schema.pattern-changed /schema/properties/code/pattern unknown',
    'schema.type-narrowed /schema/properties/n/type compatible',
  ]);
  assert.deepEqual(narrowed('full'), [
    'schema.pattern-changed /schema/properties/code/pattern unknown',
    'schema.type-narrowed /schema/properties/n/type breaking',
  ]);
  const widened = (mode: string) =>
    ruleLines(diffFixture('schema-spec-widened', diffConfigFromValue({ mode })).get('s')).filter((line) =>
      line.startsWith('schema.'),
    );
  assert.deepEqual(widened('backward'), ['schema.type-widened /schema/properties/n/type compatible']);
  assert.deepEqual(widened('full'), ['schema.type-widened /schema/properties/n/type breaking']);
});

test('predicates: args schema backward, phases', () => {
  assert.deepEqual(ruleLines(diffFixture('predicate').get('budget.available')), [
    'predicate.phase-removed /phases/1 warning',
    'schema.required-added /args/required breaking',
    ...upgrade,
  ]);
});

test('prompts: variables like inputs, template', () => {
  assert.deepEqual(ruleLines(diffFixture('prompt').get('script')), [
    'prompt.template-changed /template warning',
    'prompt.variable-added-required /variables/1 breaking',
    'prompt.variable-removed /variables/1 breaking',
    ...upgrade,
  ]);
});

test('policies: tightened limits warn, loosened ones are compatible', () => {
  assert.deepEqual(ruleLines(diffFixture('policy').get('default')), [
    'policy.backoff-changed /retry/backoff_ms warning',
    'policy.budget-lowered /budget/max_usd_micro warning',
    'policy.lease-ttl-lowered /leases/default_ttl_s warning',
    'policy.path-leases-disabled /leases/enable_path_leases warning',
    'policy.retries-raised /retry/max_attempts compatible',
    ...upgrade,
  ]);
  assert.deepEqual(ruleLines(diffFixture('policy-loosened').get('default')), [
    'policy.budget-raised /budget/max_usd_micro compatible', // an absent budget is no limit
    'policy.lease-ttl-raised /leases/default_ttl_s compatible',
    'policy.path-leases-enabled /leases/enable_path_leases compatible',
    ...upgrade,
  ]);
});

test('names and versions: added, removed, mutated, kind changed; the highest versions are compared', () => {
  const diff = diffFixture('versions');
  assert.deepEqual(ruleLines(diff.get('a')), [
    'policy.budget-raised /budget/max_usd_micro compatible',
    'spec.version-added  compatible',
    'spec.version-mutated  breaking',
    'spec.version-removed  breaking',
  ]);
  assert.deepEqual([diff.get('a')!.from, diff.get('a')!.to], ['a@2', 'a@3']);
  assert.deepEqual(ruleLines(diff.get('fresh')), ['spec.added  compatible']);
  assert.equal(diff.get('fresh')!.status, 'added');
  assert.deepEqual(ruleLines(diff.get('gone')), ['spec.removed  breaking']);
  assert.equal(diff.get('gone')!.status, 'removed');
  assert.deepEqual(ruleLines(diff.get('k')), ['spec.kind-changed  breaking']);
});

test('semver: a breaking upgrade within one major is reported; a major bump, 0.x and integers are not', () => {
  const diff = diffFixture('semver');
  const semver = (name: string) => ruleLines(diff.get(name)).filter((line) => line.startsWith('semver.'));
  assert.deepEqual(semver('minor'), ['semver.breaking-without-major  breaking']);
  assert.deepEqual(semver('major'), []);
  assert.deepEqual(semver('zero'), []);
  assert.deepEqual(semver('int'), []);
});

test('ignore drops rules by id or prefix, per kind or everywhere, and counts them', () => {
  const config = diffConfigFromValue({
    ignore: ['spec.version-*'],
    kinds: { tool: { ignore: ['tool.input-added-required', 'schema.*'] } },
  });
  const t = diffFixture('tool-inputs', config).get('t')!;
  assert.ok(
    !t.changes.some(
      (change) =>
        change.rule.startsWith('spec.version-') ||
        change.rule.startsWith('schema.') ||
        change.rule === 'tool.input-added-required',
    ),
  );
  assert.equal(t.ignored, 5);
  const minor = diffFixture('semver', diffConfigFromValue({ ignore: ['semver.breaking-without-major'] })).get('minor')!;
  assert.ok(!minor.changes.some((change) => change.rule === 'semver.breaking-without-major'));
});

test('unknown is never compatible, and fail-on is a threshold (breaking > unknown > warning)', () => {
  const config = diffConfigFromValue({ ignore: ['spec.version-*', 'schema.type-*'] });
  const specs = [...diffFixture('schema-spec', config).values()];
  const summary = summarizeDiff(specs, 'breaking');
  assert.equal(summary.severity, 'unknown');
  assert.equal(summary.failed, false);
  assert.equal(summarizeDiff(specs, 'unknown').failed, true);
  assert.equal(summarizeDiff(specs, 'warning').failed, true);
  assert.equal(summarizeDiff(specs, undefined).failed, false);
  assert.deepEqual(summary.counts, { breaking: 0, unknown: 1, warning: 0, compatible: 0 });
});

test('every spec rule is a record with a severity per direction, the rules of a kind start with its name, and the default config is backward everywhere', () => {
  const severities = ['breaking', 'unknown', 'warning', 'compatible'];
  const rules = [
    ...engineSpecRules.map((rule) => ({ rule, prefix: /^(spec|semver)\./ })),
    ...builtinKinds.flatMap((kind) =>
      (kind.diff?.rules ?? []).map((rule) => ({ rule, prefix: new RegExp(`^${kind.name}\\.`) })),
    ),
  ];
  for (const { rule, prefix } of rules) {
    assert.match(rule.id, /^[a-z]+\.[a-z-]+$/);
    assert.match(rule.id, prefix);
    assert.ok(severities.includes(rule.backward) && severities.includes(rule.forward), rule.id);
    assert.match(rule.purpose, /^[A-Z].*\.$/, rule.id);
  }
  assert.equal(defaultDiffConfig.defaults.mode, 'backward');
});
