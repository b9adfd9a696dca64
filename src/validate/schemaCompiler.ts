// Compiles the JSON Schemas held in specs, resolving `$ref: "name@version"` to other schema specs; never fetches.
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import { isJsonObject, newJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { parseSpecId } from '../core/ref.js';
import { createUserAjv, detectDraft, type AjvInstance, type Draft } from './ajvInstances.js';
import { checkSchemaPatterns, checkSchemaRefs } from './checkSchemaRefs.js';
import { PatternUnsupportedError } from './linearRegExp.js';
import { precompiledMetaSchemaValidator } from './precompiledValidators.js';
import { SchemaRefGraph } from './schemaRefGraph.js';
import { findSchemaUrlRefs } from './schemaUrlRefs.js';

export interface SchemaProblem {
  code: string;
  /** Pointer inside the schema. */
  pointer: string;
  message: string;
}

/**
 * A `$ref` that names another schema spec, found at `pointer` (of the `$ref` member) inside a schema: `ref` is its
 * `name@version`, or the absolute URL (without fragment) that a schema spec's `$id` must answer to.
 */
export interface SchemaSpecRef {
  pointer: string;
  ref: string;
}

/** Finds the schema held by a schema spec, by `id@version`, and which schema spec declares a URL as its `$id`. */
export interface SchemaLookup {
  get(id: string): JsonValue | undefined;
  /** The `id@version` of the schema spec whose schema's root `$id` is this absolute URL (see declaredSchemaId). */
  idOf?(url: string): string | undefined;
}

/** The `id@version` a spec ref names: itself, or the schema spec that declares the URL. */
export function specIdOf(lookup: SchemaLookup, ref: string): string | undefined {
  return parseSpecId(ref) ? ref : lookup.idOf?.(ref);
}

export interface CompiledSchema {
  validate?: ValidateFunction;
  problems: SchemaProblem[];
}

const specScheme = 'spec:';

/**
 * Every `$ref` in a schema whose target (before `#`) is an `id@version`, then every one naming a document outside the
 * schema by absolute URL (findSchemaUrlRefs): both reach other schema specs.
 */
export function findSchemaSpecRefs(schema: JsonValue): SchemaSpecRef[] {
  const byId = findSchemaIdRefs(schema);
  const byUrl = findSchemaUrlRefs(schema);
  return byUrl.length === 0 ? byId : [...byId, ...byUrl];
}

function findSchemaIdRefs(schema: JsonValue): SchemaSpecRef[] {
  const refs: SchemaSpecRef[] = [];
  const stack: { value: JsonValue; pointer: string }[] = [{ value: schema, pointer: '' }];
  while (stack.length > 0) {
    const { value, pointer } = stack.pop()!;
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, pointer: `${pointer}/${i}` }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const childPointer = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (key === '$ref' && typeof child === 'string') {
          const target = child.split('#', 1)[0]!;
          if (parseSpecId(target)) refs.push({ pointer: childPointer, ref: target });
        } else {
          stack.push({ value: child, pointer: childPointer });
        }
      }
    }
  }
  return refs;
}

/**
 * A copy of the schema with its spec refs made absolute (`spec:name@version#…`). A root `$id` is kept, so that
 * relative `$ref`s resolve against it as the specification says; a root without one is given `spec:<key>`. Either way
 * ajv also knows the copy by `spec:<key>` (see register).
 */
function addressedCopy(schema: JsonValue, key: string, draft: Draft): JsonValue {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const idKeyword = draft === 'draft-04' ? 'id' : '$id';
  // Up to draft-07 the siblings of `$ref` are ignored; ajv would still let a sibling `$id` change the base URI.
  const refHidesId = draft === 'draft-04' || draft === 'draft-06' || draft === 'draft-07';
  // Where a value stands: a schema, a map of schemas (properties, $defs…), or data (const, enum…), never rewritten.
  const rewrite = (value: JsonValue, position: 'schema' | 'map' | 'data', isRoot = false): JsonValue => {
    if (Array.isArray(value)) return value.map((item) => rewrite(item, position));
    if (value === null || typeof value !== 'object') return value;
    const copy = newJsonObject(); // a `__proto__` member is copied as data, like any other
    for (const [member, child] of Object.entries(value)) {
      if (position === 'schema' && member === '$ref' && typeof child === 'string') {
        const hash = child.indexOf('#');
        const target = hash === -1 ? child : child.slice(0, hash);
        copy[member] = parseSpecId(target) ? `${specScheme}${child}` : child;
      } else if (
        position === 'schema' &&
        member === idKeyword &&
        refHidesId &&
        !isRoot &&
        typeof value['$ref'] === 'string'
      ) {
        continue;
      } else {
        copy[member] = rewrite(child, childPositionOf(position, member));
      }
    }
    if (position === 'schema') declareProtoProperty(copy);
    return copy;
  };
  const copy = rewrite(schema, 'schema', true) as JsonObject;
  if (typeof copy[idKeyword] !== 'string') copy[idKeyword] = `${specScheme}${key}`;
  return copy;
}

const dataKeywords = new Set(['const', 'enum', 'default', 'examples']);
const schemaMapKeywords = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** Where a member of a value at `position` stands: a schema, a map of schemas (`properties`…), or plain data. */
function childPositionOf(position: 'schema' | 'map' | 'data', member: string): 'schema' | 'map' | 'data' {
  if (position === 'map') return 'schema';
  if (position === 'data' || dataKeywords.has(member)) return 'data';
  return schemaMapKeywords.has(member) ? 'map' : 'schema';
}

/**
 * ajv ignores a property named `__proto__` in `properties` (a guard against prototype pollution), so its schema
 * would never apply, and `additionalProperties: false` would refuse the key. The same schema, as the pattern
 * `^__proto__$`, is applied (our objects have no prototype: the key is plain data).
 */
function declareProtoProperty(schema: JsonObject): void {
  const properties = schema['properties'];
  if (!isJsonObject(properties) || !Object.hasOwn(properties, '__proto__')) return;
  const rest = newJsonObject();
  for (const [name, child] of Object.entries(properties)) if (name !== '__proto__') rest[name] = child;
  const patterns = newJsonObject();
  if (isJsonObject(schema['patternProperties'])) Object.assign(patterns, schema['patternProperties']);
  const pattern = '^__proto__$';
  patterns[pattern] = Object.hasOwn(patterns, pattern)
    ? { allOf: [patterns[pattern]!, properties['__proto__']!] }
    : properties['__proto__']!;
  schema['properties'] = rest;
  schema['patternProperties'] = patterns;
}

/** Adds a schema spec's copy to `ajv` under `spec:<key>` (and, by ajv, under its own `$id`). */
function register(ajv: AjvInstance, schema: JsonValue, key: string, draft: Draft): void {
  const copy = addressedCopy(schema, key, draft);
  const ownId = (copy as JsonObject)[draft === 'draft-04' ? 'id' : '$id'];
  ajv.addSchema(copy as object, ownId === `${specScheme}${key}` ? undefined : `${specScheme}${key}`, undefined, false);
}

function problemsFromAjvErrors(errors: ErrorObject[] | null | undefined, code: string): SchemaProblem[] {
  return (errors ?? []).map((error) => ({
    code,
    pointer: error.instancePath,
    message: `${error.message ?? 'is invalid'}${error.params && 'allowedValues' in error.params ? ` (${(error.params['allowedValues'] as unknown[]).join(', ')})` : ''}`,
  }));
}

/** Meta-schema validation only, so one per draft and process (each compiles its meta-schema once). */
const metaSchemaInstances = new Map<Draft, AjvInstance>();

/** The key a spec's embedded schema compiles under: a schema spec's own id (others reach it so), else id and pointer. */
export function embeddedSchemaKey(referenceableSchema: string | undefined, id: string, pointer: string): string {
  return referenceableSchema === pointer ? id : `${id}/embedded${pointer}`;
}

const noSchemaSpecs: SchemaLookup = { get: () => undefined };

/**
 * What linkSpecs finds for an embedded schema that `$ref`s no schema spec (`check`, then `compile` if that passed):
 * they depend on the schema and its key alone, so the file's analysis finds them (in a worker thread, and cached with
 * it). Undefined for a schema that reaches a schema spec: the link checks it with the whole registry at hand.
 */
export function selfContainedSchemaProblems(schema: JsonValue, key: string): SchemaProblem[] | undefined {
  if (findSchemaSpecRefs(schema).length > 0) return undefined;
  const compiler = new SchemaCompiler(noSchemaSpecs);
  const problems = compiler.check(schema, key);
  return problems.length > 0 ? problems : compiler.compile(key, schema, { checked: true, verdictOnly: true }).problems;
}

/**
 * One compiler per build: schema specs are registered by id, compiled on demand, each once. A `$ref` across drafts is
 * reported, not guessed at. A compilation that reaches other schemas or declares ids has an ajv instance of its own
 * (holding the schema and the schema specs it reaches), so that two schema specs may declare the same `$id` (two
 * versions of one schema do); a self-contained schema compiles in a shared one (see isSelfContained).
 */
export class SchemaCompiler {
  private readonly compiled = new Map<string, CompiledSchema>();
  /** The schema each key last passed `check` with: its bounds (SchemaRefGraph) need no second pass to compile it. */
  private readonly passedCheck = new Map<string, JsonValue>();

  /** @param schemaSpecs the schema held by each schema spec, by `id@version` */
  constructor(private readonly schemaSpecs: SchemaLookup) {}

  /** The instance of a draft for validating schemas against the meta-schema (it holds no user schema). */
  private ajvFor(draft: Draft): AjvInstance {
    let ajv = metaSchemaInstances.get(draft);
    if (!ajv) metaSchemaInstances.set(draft, (ajv = createUserAjv(draft)));
    return ajv;
  }

  /** Registers a schema spec (and what it references) with `ajv`, without compiling it. */
  private ensureRegistered(
    ajv: AjvInstance,
    specId: string,
    draft: Draft,
    problems: SchemaProblem[],
    via: string,
    seen: Set<string>,
  ): void {
    const pending = [specId];
    while (pending.length > 0) {
      const next = specIdOf(this.schemaSpecs, pending.pop()!);
      if (next === undefined || seen.has(next)) continue; // an unknown URL: reported by the reference check
      seen.add(next);
      const schema = this.schemaSpecs.get(next);
      if (schema === undefined) continue; // reported by the reference check
      const ownDraft = detectDraft(schema);
      if (ownDraft !== draft) {
        problems.push({
          code: 'SCHEMA_REF_DRAFT_MISMATCH',
          pointer: via,
          message: `references ${next}, a ${ownDraft ?? 'unknown-draft'} schema, from a ${draft} schema: both must use the same draft`,
        });
        continue;
      }
      try {
        register(ajv, schema, next, draft);
      } catch (cause) {
        problems.push({
          code: 'SCHEMA_INVALID',
          pointer: via,
          message: `referenced schema ${next} cannot be loaded: ${(cause as Error).message.replace(/spec:/g, '')}`,
        });
        continue;
      }
      for (const ref of findSchemaSpecRefs(schema)) pending.push(ref.ref);
    }
  }

  /**
   * Checks a schema without generating code (compiling every schema of a large registry dominated build time): the
   * draft is supported, the schema is valid against its meta-schema, every `$ref` resolves (to the same draft when it
   * names another schema spec) and every pattern is a valid regular expression that the linear-time engine runs. `compile` does the full job when a
   * schema is used to validate data.
   */
  check(schema: JsonValue, key = ''): SchemaProblem[] {
    const draft = detectDraft(schema);
    if (draft === undefined) {
      return [
        {
          code: 'SCHEMA_DRAFT_UNSUPPORTED',
          pointer: '/$schema',
          message: 'unsupported $schema: use draft-04, -06, -07, 2019-09 or 2020-12 (or omit it for 2020-12)',
        },
      ];
    }
    // The meta-schema's validator compiled at build time, when there is one, is what ajv's validateSchema would run.
    const validateMeta = precompiledMetaSchemaValidator(draft);
    if (validateMeta) {
      if (!validateMeta(schema)) return problemsFromAjvErrors(validateMeta.errors, 'SCHEMA_INVALID');
    } else {
      const ajv = this.ajvFor(draft);
      if (!ajv.validateSchema(schema as object)) return problemsFromAjvErrors(ajv.errors, 'SCHEMA_INVALID');
    }
    const problems: SchemaProblem[] = [];
    for (const ref of findSchemaSpecRefs(schema)) {
      const targetId = specIdOf(this.schemaSpecs, ref.ref);
      const target = targetId === undefined ? undefined : this.schemaSpecs.get(targetId);
      if (target === undefined) continue;
      const targetDraft = detectDraft(target);
      if (targetDraft !== draft) {
        problems.push({
          code: 'SCHEMA_REF_DRAFT_MISMATCH',
          pointer: ref.pointer,
          message: `references ${targetId === ref.ref ? ref.ref : `${targetId} (${ref.ref})`}, a ${targetDraft ?? 'unknown-draft'} schema, from a ${draft} schema: both must use the same draft`,
        });
      }
    }
    problems.push(...checkSchemaRefs(schema, draft, this.schemaSpecs, detectDraft), ...checkSchemaPatterns(schema));
    problems.push(...new SchemaRefGraph(schema, key, draft, this.schemaSpecs).check());
    if (problems.length === 0) this.passedCheck.set(key, schema);
    return problems;
  }

  /**
   * Compiles a schema owned by `key` (a schema spec's `id@version`, or `id@version#/pointer` for one embedded in
   * another spec). Schema specs must be compiled under their own id so that others can reference them. `checked`
   * skips the meta-schema pass (compiling a draft's meta-schema is a cost per process) for a schema that `check`
   * passed; if it did not after all, ajv's own errors are still caught and returned as problems.
   */
  compile(key: string, schema: JsonValue, options: { checked?: boolean; verdictOnly?: boolean } = {}): CompiledSchema {
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const result = this.compileUncached(key, schema, options.checked === true, options.verdictOnly === true);
    this.compiled.set(key, result);
    return result;
  }

  /**
   * @param checked the schema passed `check` (in this build or the one that stored it): skip the meta-schema pass
   * @param verdictOnly only the problems are wanted: the validator's code is not optimised (the same code, unpruned)
   */
  private compileUncached(key: string, schema: JsonValue, checked: boolean, verdictOnly: boolean): CompiledSchema {
    const draft = detectDraft(schema);
    if (draft === undefined) {
      return {
        problems: [
          {
            code: 'SCHEMA_DRAFT_UNSUPPORTED',
            pointer: '/$schema',
            message: 'unsupported $schema: use draft-04, -06, -07, 2019-09 or 2020-12 (or omit it for 2020-12)',
          },
        ],
      };
    }
    const problems: SchemaProblem[] = [];
    if (!checked && !this.ajvFor(draft).validateSchema(addressedCopy(schema, key, draft) as object)) {
      return { problems: problemsFromAjvErrors(this.ajvFor(draft).errors, 'SCHEMA_INVALID') };
    }
    // Bounded work first: what ajv would recurse on without end, or too deep for its stack, is refused here.
    const bounded =
      this.passedCheck.get(key) === schema ? [] : new SchemaRefGraph(schema, key, draft, this.schemaSpecs).check();
    if (bounded.length > 0) return { problems: bounded };
    const specRefs = findSchemaSpecRefs(schema);
    const options = verdictOnly ? verdictOnlyOptions : {};
    const pool = verdictOnly ? sharedVerdictInstances : sharedInstances;
    const shared =
      specRefs.length === 0 && isSelfContained(schema, draft) ? sharedAjv(pool, draft, key, options) : undefined;
    const ajv = shared ?? createUserAjv(draft, options);
    const seen = new Set<string>([key]);
    for (const ref of specRefs) this.ensureRegistered(ajv, ref.ref, draft, problems, ref.pointer, seen);
    if (problems.length > 0) return { problems };
    try {
      register(ajv, schema, key, draft);
      const validate = ajv.getSchema(`${specScheme}${key}`);
      if (!validate) throw new Error(`schema ${key} did not compile`);
      return { validate, problems };
    } catch (cause) {
      if (shared) pool.delete(draft); // what a failed compilation left behind meets no later schema
      const error = cause as Error & { missingRef?: string };
      if (error instanceof PatternUnsupportedError)
        return { problems: [{ code: error.code, pointer: '', message: error.message }] };
      const message = error.missingRef
        ? `$ref "${error.missingRef.replace(specScheme, '')}" cannot be resolved (references are never fetched; use a local #/… pointer, a schema spec's name@version, or the $id of a schema spec of this registry)`
        : error.message.replace(/spec:/g, '');
      return {
        problems: [{ code: error.missingRef ? 'SCHEMA_REF_UNRESOLVED' : 'SCHEMA_INVALID', pointer: '', message }],
      };
    }
  }
}

/**
 * Whether compiling a schema in an ajv instance shared with other schemas gives what an instance of its own gives: it
 * declares no `$id` (ids are global to an instance, and two schemas may declare the same one), no nested `$schema`,
 * no dynamic or recursive anchors and references, and every `$ref` is a local `#…` pointer (so nothing it reaches can
 * be another schema of the instance). Anything else compiles in an instance of its own.
 */
export function isSelfContained(schema: JsonValue, draft: Draft): boolean {
  const idKeyword = draft === 'draft-04' ? 'id' : '$id';
  const visit = (value: JsonValue, position: 'schema' | 'map' | 'data', isRoot: boolean): boolean => {
    if (Array.isArray(value)) return value.every((item) => visit(item, position, false));
    if (value === null || typeof value !== 'object') return true;
    for (const [member, child] of Object.entries(value)) {
      if (position === 'schema') {
        if (member === idKeyword || (member === '$schema' && !isRoot) || unsharedKeywords.has(member)) return false;
        if (member === '$ref' && (typeof child !== 'string' || !child.startsWith('#'))) return false;
      }
      if (!visit(child, childPositionOf(position, member), false)) return false;
    }
    return true;
  };
  return visit(schema, 'schema', true);
}

const unsharedKeywords = new Set(['$dynamicRef', '$dynamicAnchor', '$recursiveRef', '$recursiveAnchor']);

/**
 * One ajv instance per draft for self-contained schemas: making an instance (meta-schemas, formats) cost more than
 * compiling a small schema. It is replaced after a bounded number of schemas (an instance keeps all it compiled) and
 * when it already holds the key (a second build in the same process compiles the same keys again).
 */
type SharedInstances = Map<Draft, { ajv: AjvInstance; keys: Set<string> }>;
const sharedInstances: SharedInstances = new Map();
const sharedVerdictInstances: SharedInstances = new Map();
const schemasPerSharedInstance = 64;
/** Optimising generated code only prunes it (compile errors arise before): a validator that is not kept skips it. */
const verdictOnlyOptions: Options = { code: { optimize: false } };

function sharedAjv(pool: SharedInstances, draft: Draft, key: string, options: Options): AjvInstance {
  let shared = pool.get(draft);
  if (!shared || shared.keys.has(key) || shared.keys.size >= schemasPerSharedInstance)
    pool.set(draft, (shared = { ajv: createUserAjv(draft, options), keys: new Set() }));
  shared.keys.add(key);
  return shared.ajv;
}

/**
 * Runs a validator; undefined when it ran out of stack (recursion the bounds of SchemaRefGraph did not foresee): the
 * value is then unchecked, which callers report as an error, never as valid.
 */
export function validateBounded(validate: ValidateFunction, value: unknown): boolean | undefined {
  try {
    return validate(value) === true;
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

export { problemsFromAjvErrors };
