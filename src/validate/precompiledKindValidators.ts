// The built-in kinds' validators as compiled at build time (scripts/compile-kind-validators.mjs), when present and
// made from the schema the kind has now. From TypeScript sources (the tests) there are none, and ajv compiles them.
import type { ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import { sha256HexOfString } from '../core/digest.js';
import { canonicalJson } from '../core/canonicalJson.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';

type PrecompiledModule = Record<string, ValidateFunction | undefined> & { schemaDigests?: Record<string, string> };

let loaded: PrecompiledModule | null | undefined;

function precompiledModule(): PrecompiledModule | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('../kinds/kindValidators.cjs') as PrecompiledModule;
    } catch {
      loaded = null; // not built (running from sources): compile at run time
    }
  }
  return loaded;
}

/** The digest a kind's schema is recorded with: sha256 of its canonical JSON. */
export function kindSchemaDigest(schema: unknown): string {
  return sha256HexOfString(canonicalJson(schema));
}

/** The build-time validator for this kind, or undefined (none built, another kind, or a schema changed since). */
export function precompiledKindValidator(kind: KindDescriptor): ValidateFunction | undefined {
  const module = precompiledModule();
  const validate = module?.[kind.name];
  if (!module || typeof validate !== 'function' || module.schemaDigests?.[kind.name] !== kindSchemaDigest(kind.schema)) return undefined;
  return validate;
}
