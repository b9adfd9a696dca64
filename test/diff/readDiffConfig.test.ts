import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDiffConfig } from '../../src/diff/readDiffConfig.js';
import { SpecError } from '../../src/errors.js';

const bytes = (text: string) => new TextEncoder().encode(text);

test('a diff configuration: modes per kind, ignore lists, fail_on', () => {
  const config = readDiffConfig(
    bytes(
      'mode: forward\nignore: ["spec.annotation-changed"]\nfail_on: warning\nkinds:\n  schema: {mode: full, ignore: ["schema.default-changed"]}\n',
    ),
    'specstore.diff.yaml',
  );
  assert.deepEqual(config, {
    defaults: { mode: 'forward', ignore: ['spec.annotation-changed'] },
    kinds: { schema: { mode: 'full', ignore: ['spec.annotation-changed', 'schema.default-changed'] } },
    failOn: 'warning',
  });
});

test('an invalid configuration reports every problem with a stable code and a position', () => {
  assert.throws(
    () =>
      readDiffConfig(
        bytes('mode: sideways\nkinds:\n  widget: {mode: full}\nfail_on: compatible\n'),
        'specstore.diff.yaml',
      ),
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

test('DIFF_CONFIG_INVALID points at the key that is wrong: an unknown key, an unknown kind, a wrong value', () => {
  assert.throws(
    () =>
      readDiffConfig(
        bytes('mode: full\ncolour: blue\nkinds:\n  widget: {mode: full}\n  tool: {mode: full, strict: true}\n'),
        'specstore.diff.yaml',
      ),
    (error: unknown) => {
      assert.ok(error instanceof SpecError);
      assert.equal(error.code, 'INVALID_INPUT');
      assert.equal(error.data['file'], 'specstore.diff.yaml');
      const at = (pointer: string) =>
        error.diagnostics.find((d) => d.code === 'DIFF_CONFIG_INVALID' && d.pointer === pointer);
      assert.equal(at('/colour')?.line, 2, 'the unknown key itself, on its line');
      assert.equal(at('/kinds/widget')?.line, 4, 'the unknown kind');
      assert.equal(at('/kinds/tool/strict')?.line, 5, 'the unknown key of a kind');
      for (const d of error.diagnostics) assert.notEqual(d.pointer, '', `a diagnostic names no key: ${d.message}`);
      return true;
    },
  );
});
