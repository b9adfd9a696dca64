// Validators compiled at build time (scripts/precompile-validators.mjs): the built-in kinds' schemas and each draft's
// meta-schema. Any other kind, and everything when running from TypeScript sources (the tests), is compiled by ajv
// at run time instead.
import type { ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import { sha256HexOfString } from '../core/digest.js';
import { canonicalJson } from '../core/canonicalJson.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import type { Draft } from './ajvInstances.js';
import { useJsonEqualityInAjv } from './ajvEquality.js';

type ValidatorModule = Record<string, ValidateFunction | undefined> & { schemaDigests?: Record<string, string> };

const require = createRequire(import.meta.url);
const modules = new Map<string, ValidatorModule | null>();

function generated(path: string): ValidatorModule | null {
  let module = modules.get(path);
  if (module === undefined) {
    try {
      // Generated validators read ajv's equality when they load: make it JSON equality first.
      useJsonEqualityInAjv();
      module = require(path) as ValidatorModule;
    } catch {
      module = null; // not built (running from sources): compile at run time
    }
    modules.set(path, module);
  }
  return module;
}

/** The digest a kind's schema is recorded with: sha256 of its canonical JSON. */
export function kindSchemaDigest(schema: unknown): string {
  return sha256HexOfString(canonicalJson(schema));
}

/** The build-time validator for this kind, or undefined (none built, another kind, or a schema changed since). */
export function precompiledKindValidator(kind: KindDescriptor): ValidateFunction | undefined {
  const module = generated('../kinds/kindValidators.cjs');
  const validate = module?.[kind.name];
  if (!module || typeof validate !== 'function' || module.schemaDigests?.[kind.name] !== kindSchemaDigest(kind.schema))
    return undefined;
  return validate;
}

/** The meta-schema each draft's schemas are checked against (what ajv's validateSchema uses for them). */
export const metaSchemaIds: Readonly<Record<Draft, string>> = {
  'draft-04': 'http://json-schema.org/draft-04/schema',
  'draft-06': 'http://json-schema.org/draft-06/schema',
  'draft-07': 'http://json-schema.org/draft-07/schema',
  '2019-09': 'https://json-schema.org/draft/2019-09/schema',
  '2020-12': 'https://json-schema.org/draft/2020-12/schema',
};

/** The build-time validator of a draft's meta-schema, or undefined when none was built. */
export function precompiledMetaSchemaValidator(draft: Draft): ValidateFunction | undefined {
  const validate = generated('./metaSchemaValidators.cjs')?.[draft];
  return typeof validate === 'function' ? validate : undefined;
}
