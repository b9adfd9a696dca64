// The validators compiled at build time (kinds, meta-schemas) must be the ones the built CLI uses, and must judge
// every document exactly as validators compiled at run time do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { ValidateFunction } from 'ajv';
import { builtinKinds } from '../../src/kinds/builtinKinds.js';
import { createKindAjv, createUserAjv, detectDraft, type Draft } from '../../src/validate/ajvInstances.js';
import { kindSchemaDigest, metaSchemaIds, precompiledKindValidator } from '../../src/validate/precompiledValidators.js';
import { parseYamlSpec } from '../../src/source/parseYamlSpec.js';
import { bundledRegistry, repoRoot } from '../support/cli.js';
import { sharedPath, skipWithoutShared } from '../support/sharedCorpus.js';

const require = createRequire(import.meta.url);
// npm test builds first; the generated module lives in dist/ only.
const generated = require(join(repoRoot, 'dist/kinds/kindValidators.cjs')) as Record<string, ValidateFunction> & {
  schemaDigests: Record<string, string>;
};

/** Documents close to each kind's: the bundled specs, and copies with fields removed, retyped or added. */
function documentsOf(kind: string): unknown[] {
  const directory = join(bundledRegistry, builtinKinds.find((k) => k.name === kind)!.directory);
  return readdirSync(directory).map((name) => parseYamlSpec(readFileSync(join(directory, name)), name).value);
}

const mutation = fc.tuple(
  fc.nat(),
  fc.constantFrom('delete', 'string', 'number', 'array', 'object', 'null', 'extra', 'x-extra', 'empty'),
);

function mutate(value: unknown, [at, how]: [number, string]): unknown {
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = Array.isArray(value) ? { ...value } : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const key = keys.length === 0 ? 'k' : keys[at % keys.length]!;
  const replacements: Record<string, unknown> = {
    string: 'text',
    number: 1.5,
    array: [1, 'a'],
    object: { a: 1 },
    null: null,
    empty: '',
  };
  if (how === 'delete') delete copy[key];
  else if (how === 'extra') copy['unexpected'] = 1;
  else if (how === 'x-extra') copy['x-note'] = { any: true };
  else if (at % 3 === 0 && typeof copy[key] === 'object') copy[key] = mutate(copy[key], [at >> 2, how]);
  else copy[key] = replacements[how];
  return Array.isArray(value) ? Object.values(copy) : copy;
}

test('every built-in kind has a build-time validator made from its schema as it is now, and it is the one used', () => {
  for (const kind of builtinKinds) {
    assert.equal(generated.schemaDigests[kind.name], kindSchemaDigest(kind.schema), `${kind.name}: run npm run build`);
    assert.equal(typeof generated[kind.name], 'function');
  }
  // From sources there is no generated module next to the code: ajv compiles (the fallback). A changed schema is
  // not matched by an old validator.
  const [firstKind] = builtinKinds;
  assert.ok(firstKind);
  assert.equal(precompiledKindValidator(firstKind), undefined);
});

test('the built library picks the build-time validators, and only for a kind whose schema is unchanged', async () => {
  const built = (await import(pathToFileURL(join(repoRoot, 'dist/validate/precompiledValidators.js')).href)) as {
    precompiledKindValidator: typeof precompiledKindValidator;
  };
  for (const kind of builtinKinds) assert.equal(built.precompiledKindValidator(kind), generated[kind.name], kind.name);
  const [firstKind] = builtinKinds;
  assert.ok(firstKind);
  const changed = { ...firstKind, schema: { ...firstKind.schema, description: 'changed' } };
  assert.equal(built.precompiledKindValidator(changed), undefined);
});

test('build-time and run-time validators agree on validity and on every error, over mutated documents', () => {
  for (const kind of builtinKinds) {
    const precompiled = generated[kind.name];
    assert.ok(precompiled, `${kind.name}: run npm run build`);
    const compiled = createKindAjv().compile(kind.schema);
    const documents = documentsOf(kind.name);
    assert.ok(documents.length > 0, kind.name);
    let invalid = 0;
    fc.assert(
      fc.property(fc.nat(documents.length - 1), fc.array(mutation, { maxLength: 4 }), (which, mutations) => {
        const document = mutations.reduce(mutate, documents[which]);
        const a = precompiled(document);
        const b = compiled(document);
        assert.equal(a, b);
        assert.deepEqual(precompiled.errors ?? null, compiled.errors ?? null);
        if (!a) invalid++;
      }),
      { numRuns: 300 },
    );
    assert.ok(invalid > 30, `${kind.name}: the mutations should make invalid documents (${invalid})`);
  }
});

const metaGenerated = require(join(repoRoot, 'dist/validate/metaSchemaValidators.cjs')) as Record<
  Draft,
  ValidateFunction
>;
const corpus = sharedPath('corpus/schemastore/current');
const corpusMissing = skipWithoutShared('corpus/schemastore/current');

function bundledSchemas(): unknown[] {
  return readdirSync(join(bundledRegistry, 'schemas')).map(
    (name) =>
      (parseYamlSpec(readFileSync(join(bundledRegistry, 'schemas', name)), name).value as { schema: unknown }).schema,
  );
}

function corpusSchemas(): unknown[] {
  return readdirSync(corpus)
    .filter((file) => file.endsWith('.json'))
    .slice(0, 400)
    .map((name) => JSON.parse(readFileSync(join(corpus, name), 'utf8')) as unknown);
}

/** Real schemas under their declared drafts, the broken schemas and copies of the first samples declared as each draft. */
function compareWithAjv(
  samples: readonly unknown[],
  broken: readonly unknown[],
): { compared: number; invalid: number } {
  let compared = 0;
  let invalid = 0;
  for (const draft of Object.keys(metaSchemaIds) as Draft[]) {
    const ajv = createUserAjv(draft);
    const declared = (schema: unknown) =>
      schema !== null && typeof schema === 'object' && !Array.isArray(schema)
        ? { ...schema, $schema: `${metaSchemaIds[draft]}#` }
        : schema;
    for (const schema of [
      ...samples.filter((sample) => detectDraft(sample) === draft),
      ...broken.map(declared),
      ...samples.slice(0, 40).map(declared),
    ]) {
      const precompiled = metaGenerated[draft](schema);
      const viaAjv = ajv.validateSchema(schema as object);
      assert.equal(precompiled, viaAjv, `${draft}: ${JSON.stringify(schema).slice(0, 200)}`);
      assert.deepEqual(metaGenerated[draft].errors ?? null, ajv.errors ?? null);
      compared++;
      if (!viaAjv) invalid++;
    }
  }
  return { compared, invalid };
}

const brokenSchemas = [
  { type: 'objec' },
  { properties: { a: { type: 1 } } },
  { minimum: 'x', required: [1, 1] },
  { items: [{}], additionalItems: 3 },
  { $defs: 1 },
  { enum: [] },
  { allOf: [] },
  { $ref: 5 },
];

test('build-time meta-schema validators give exactly what ajv validateSchema gives, for every draft: the bundled schemas', () => {
  const { compared, invalid } = compareWithAjv(bundledSchemas(), brokenSchemas);
  assert.ok(compared >= 40 && invalid >= 30, `compared ${compared}, invalid ${invalid}`);
});

test(
  'build-time meta-schema validators give exactly what ajv validateSchema gives, for every draft: the SchemaStore corpus',
  { skip: corpusMissing },
  () => {
    const { compared, invalid } = compareWithAjv([...corpusSchemas(), ...bundledSchemas()], brokenSchemas);
    assert.ok(compared > 100 && invalid >= 40, `compared ${compared}, invalid ${invalid}`);
  },
);

test('the built schema compiler checks against the build-time meta-schema validators', async () => {
  const built = (await import(pathToFileURL(join(repoRoot, 'dist/validate/precompiledValidators.js')).href)) as {
    precompiledMetaSchemaValidator: (draft: Draft) => ValidateFunction | undefined;
  };
  for (const draft of Object.keys(metaSchemaIds) as Draft[])
    assert.equal(built.precompiledMetaSchemaValidator(draft), metaGenerated[draft]);
});
