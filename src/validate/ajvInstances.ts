// Ajv set-up, one class per JSON Schema draft (ajv's default class is draft-07 only).
import type Ajv2020Module from 'ajv/dist/2020.js';
import type Ajv2019Module from 'ajv/dist/2019.js';
import type AjvModule from 'ajv';
import type AjvDraft04Module from 'ajv-draft-04';
import type addFormatsModule from 'ajv-formats';
import type { Options } from 'ajv';
import { createRequire } from 'node:module';
import { useJsonEqualityInAjv } from './ajvEquality.js';
import { linearRegExpEngine } from './linearRegExp.js';

const require = createRequire(import.meta.url);
// ajv is loaded by the first schema that needs it, one draft's class at a time, and the formats with the first user
// schema: a build whose kinds are validated by the precompiled validators and that compiles no user schema never
// loads it (ajv's modules are a large part of start-up).
// Each loader first makes ajv's enum/const/uniqueItems equality JSON equality (see ajvEquality.ts).
const loadAjv2020 = () => (useJsonEqualityInAjv(), require('ajv/dist/2020.js') as typeof Ajv2020Module).default;
const loadAjv2019 = () => (useJsonEqualityInAjv(), require('ajv/dist/2019.js') as typeof Ajv2019Module).default;
const loadAjv07 = () => (useJsonEqualityInAjv(), require('ajv') as typeof AjvModule).default;
const loadAjvDraft04 = () => (useJsonEqualityInAjv(), require('ajv-draft-04') as typeof AjvDraft04Module).default;
const loadAddFormats = () => (require('ajv-formats') as typeof addFormatsModule).default;

export type Draft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';
export type AjvInstance =
  | InstanceType<ReturnType<typeof loadAjv2020>>
  | InstanceType<ReturnType<typeof loadAjv07>>
  | InstanceType<ReturnType<typeof loadAjvDraft04>>;

/** The draft a schema declares with `$schema`; absent means 2020-12. Undefined for an unknown `$schema`. */
export function detectDraft(schema: unknown): Draft | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return '2020-12';
  const declared = (schema as Record<string, unknown>)['$schema'];
  if (declared === undefined) return '2020-12';
  if (typeof declared !== 'string') return undefined;
  if (/json-schema\.org\/draft-04\/schema#?$/.test(declared)) return 'draft-04';
  if (/json-schema\.org\/draft-06\/schema#?$/.test(declared)) return 'draft-06';
  if (/json-schema\.org\/draft-07\/schema#?$/.test(declared)) return 'draft-07';
  if (/json-schema\.org\/draft\/2019-09\/schema#?$/.test(declared)) return '2019-09';
  if (/json-schema\.org\/draft\/2020-12\/schema#?$/.test(declared)) return '2020-12';
  return undefined;
}

/**
 * Options for users' schemas: permissive about unknown keywords (real schemas carry editor annotations such as
 * `markdownDescription`), never fetching (no loadSchema), never mutating data (no defaults, coercion or removal).
 */
const userSchemaOptions: Options = {
  strict: false,
  allErrors: true,
  logger: false,
  validateFormats: true,
  useDefaults: false,
  coerceTypes: false,
  removeAdditional: false,
  inlineRefs: true,
  // `required` and the like look at the data's own properties only: {} has no "toString" (JSON Schema Test Suite).
  ownProperties: true,
  // SchemaCompiler validates against the meta-schema itself, where it can report the problems with pointers.
  validateSchema: false,
};

/**
 * `extra` is for the build-time compilation of meta-schemas (code generation options); the checks are the same. Users'
 * patterns run on the linear-time engine (docs/specs.md "Regular expressions"); `extra.code.regExp` may replace it
 * only for schemas whose patterns are trusted (the meta-schemas).
 */
export function createUserAjv(draft: Draft, extra: Options = {}): AjvInstance {
  const options = { ...userSchemaOptions, ...extra, code: { regExp: linearRegExpEngine, ...extra.code } };
  let ajv: AjvInstance;
  switch (draft) {
    case 'draft-04':
      ajv = new (loadAjvDraft04())(options);
      break;
    case 'draft-06': {
      const instance = new (loadAjv07())(options);
      instance.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
      ajv = instance;
      break;
    }
    case 'draft-07':
      ajv = new (loadAjv07())(options);
      break;
    case '2019-09':
      ajv = new (loadAjv2019())(options);
      break;
    case '2020-12':
      ajv = new (loadAjv2020())(options);
      break;
  }
  loadAddFormats()(ajv);
  return ajv;
}

/** Options for the schemas this project writes (kinds, plans, the diff config): strict, so typos in them surface. */
export const kindAjvOptions: Options = {
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  allErrors: true,
  logger: false,
};

/**
 * Strict ajv for the project's own schemas. It does not validate them against the meta-schema on every compile (that
 * compiles the 2020-12 meta-schema in every process that analyses a file): a test does it once for all.
 */
export function createKindAjv(extra: Options = {}): InstanceType<ReturnType<typeof loadAjv2020>> {
  return new (loadAjv2020())({ ...kindAjvOptions, validateSchema: false, ...extra });
}
