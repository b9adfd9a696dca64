import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDiffConfig } from '../../src/diff/readDiffConfig.js';
import { SpecError } from '../../src/errors.js';

const bytes = (text: string) => new TextEncoder().encode(text);

test('a diff configuration: modes per kind, ignore lists, fail_on', () => {
  const config = readDiffConfig(bytes('mode: forward\nignore: ["spec.annotation-changed"]\nfail_on: warning\nkinds:\n  schema: {mode: full, ignore: ["schema.default-changed"]}\n'), 'specstore.diff.yaml');
  assert.deepEqual(config, {
    defaults: { mode: 'forward', ignore: ['spec.annotation-changed'] },
    kinds: { schema: { mode: 'full', ignore: ['spec.annotation-changed', 'schema.default-changed'] } },
    failOn: 'warning',
  });
});

test('an invalid configuration reports every problem with a stable code and a position', () => {
  assert.throws(
    () => readDiffConfig(bytes('mode: sideways\nkinds:\n  widget: {mode: full}\nfail_on: compatible\n'), 'specstore.diff.yaml'),
    (error: unknown) => {
      assert.ok(error instanceof SpecError);
      assert.equal(error.code, 'INVALID_INPUT');
      assert.ok(error.diagnostics.length >= 3);
      assert.ok(error.diagnostics.every((d) => d.code === 'DIFF_CONFIG_INVALID' && d.file === 'specstore.diff.yaml'));
      assert.ok(error.diagnostics.some((d) => d.pointer === '/mode' && d.line === 1));
      return true;
    },
  );
});

test('the configuration is read with the safe YAML rules', () => {
  assert.throws(
    () => readDiffConfig(bytes('ignore: &a ["x"]\nkinds: {tool: {ignore: *a}}\n'), 'c.yaml'),
    (error: unknown) => error instanceof SpecError && error.diagnostics.some((d) => d.code === 'YAML_ALIAS'),
  );
});
