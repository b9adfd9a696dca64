// The project's own schemas (kinds, plans, diff config) are compiled without meta-schema validation at run time:
// here each is checked against the 2020-12 meta-schema, with the same strict options, once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Ajv2020Module from 'ajv/dist/2020.js';
import { builtinKinds } from '../../src/kinds/builtinKinds.js';
import { planSchema } from '../../src/plan/planSchema.js';
import { diffConfigSchema } from '../../src/diff/diffConfig.js';
import { createKindAjv, kindAjvOptions } from '../../src/validate/ajvInstances.js';

const Ajv2020 = Ajv2020Module.default;

const ownSchemas: [string, object][] = [
  ...builtinKinds.map((kind): [string, object] => [`kind ${kind.name}`, kind.schema]),
  ['plan', planSchema],
  ['diff config', diffConfigSchema],
];

for (const [name, schema] of ownSchemas) {
  test(`${name}: valid against the 2020-12 meta-schema, and compiles strictly`, () => {
    const checking = new Ajv2020({ ...kindAjvOptions, validateSchema: true });
    assert.equal(checking.validateSchema(schema), true, JSON.stringify(checking.errors));
    assert.doesNotThrow(() => checking.compile(schema));
  });
}

test('the meta-schema check is real (a wrong type name fails it); without it, compiling still refuses a malformed keyword', () => {
  const broken = { type: 'object', properties: { a: { type: 'strin' } } };
  const checking = new Ajv2020({ ...kindAjvOptions, validateSchema: true });
  assert.equal(checking.validateSchema(broken), false);
  assert.throws(() => createKindAjv().compile({ type: 'object', minProperties: 'x' }));
});
