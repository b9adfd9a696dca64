// A kind's validation rules as a stored object (docs/format.md "Kind definitions"): made from a descriptor, or read back into one.
import type { JsonObject, JsonValue } from '../core/json.js';
import { isJsonObject } from '../core/json.js';
import type { KindDescriptor, ReferenceField } from './kindDescriptor.js';
import { protectedField } from './commonSchemas.js';

export const kindDefinitionFormat = 'specstore/kind/v1';

/** A reference field as stored: snake_case members, the payload only when the descriptor has one. */
export type KindDefinitionReference = {
  path: string;
  kinds: string[];
  payload?: { sibling: string; schema_pointer: string; code?: string; optional?: boolean };
};

/**
 * What a snapshot records about a kind: everything that decides whether a spec of it is valid (data only). Code checks
 * are named in `checks`, not stored; diff rules are not validation and are not recorded.
 */
export type KindDefinition = {
  format: typeof kindDefinitionFormat;
  name: string;
  directory: string;
  summary: string;
  schema: JsonObject;
  references: KindDefinitionReference[];
  embedded_schemas: string[];
  capabilities?: string;
  referenceable_schema?: string;
  checks?: string[];
};

/** The definition a descriptor records; optional members appear only when set. */
export function kindDefinitionOf(kind: KindDescriptor): KindDefinition {
  const definition: KindDefinition = {
    format: kindDefinitionFormat,
    name: kind.name,
    directory: kind.directory,
    summary: kind.summary,
    schema: kind.schema,
    references: kind.references.map(referenceOf),
    embedded_schemas: [...kind.embeddedSchemas],
  };
  if (kind.capabilities !== undefined) definition.capabilities = kind.capabilities;
  if (kind.referenceableSchema !== undefined) definition.referenceable_schema = kind.referenceableSchema;
  // A check that names none is still recorded, so that a snapshot never looks checked by data alone when it was not.
  if (kind.checks !== undefined && kind.checks.length > 0) definition.checks = [...kind.checks];
  else if (kind.check !== undefined) definition.checks = [`${kind.name}.check`];
  return definition;
}

function referenceOf(field: ReferenceField): KindDefinitionReference {
  const reference: KindDefinitionReference = { path: field.path, kinds: [...field.kinds] };
  if (field.payload) {
    const { sibling, schemaPointer, code, optional } = field.payload;
    reference.payload = {
      sibling,
      schema_pointer: schemaPointer,
      ...(code === undefined ? {} : { code }),
      ...(optional === undefined ? {} : { optional }),
    };
  }
  return reference;
}

/**
 * The descriptor a definition describes (no code checks, no diff rules: its specs diff by the generic rules). The
 * definition must be one decodeKindDefinition accepted.
 */
export function descriptorFromDefinition(definition: KindDefinition): KindDescriptor {
  const descriptor: KindDescriptor = {
    name: definition.name,
    directory: definition.directory,
    summary: definition.summary,
    schema: withProtectedField(definition.schema),
    references: definition.references.map((reference) => ({
      path: reference.path,
      kinds: [...reference.kinds],
      ...(reference.payload
        ? {
            payload: {
              sibling: reference.payload.sibling,
              schemaPointer: reference.payload.schema_pointer,
              ...(reference.payload.code === undefined ? {} : { code: reference.payload.code }),
              ...(reference.payload.optional === undefined ? {} : { optional: reference.payload.optional }),
            },
          }
        : {}),
    })),
    embeddedSchemas: [...definition.embedded_schemas],
  };
  if (definition.capabilities !== undefined) descriptor.capabilities = definition.capabilities;
  if (definition.referenceable_schema !== undefined) descriptor.referenceableSchema = definition.referenceable_schema;
  return descriptor;
}

/**
 * Every kind admits `protected: true` (docs/specs.md, "Protected specs"): the built-ins list it among their fields, and
 * a kind defined by a file gets it here, so its specs can be protected without each kind file repeating the field.
 * Snapshots record the definition of the descriptor, so the field is part of the rules they say they were checked by.
 */
function withProtectedField(schema: JsonObject): JsonObject {
  const properties = schema['properties'];
  if (properties !== undefined && !isJsonObject(properties)) return schema;
  if (properties !== undefined && Object.hasOwn(properties, 'protected')) return schema;
  return { ...schema, properties: { ...properties, protected: protectedField } };
}

const namePattern = '^[a-z][a-z0-9_-]{0,63}$';
const pointerPattern = '^(/[^/]*)*$';

/** The JSON Schema (2020-12) of a kind file (`kinds/*.yaml`): a definition without `format` and `checks`. */
export const kindFileSchema: JsonObject = {
  type: 'object',
  required: ['name', 'directory', 'summary', 'schema'],
  properties: {
    name: { type: 'string', pattern: namePattern },
    directory: { type: 'string', pattern: namePattern },
    summary: { type: 'string', minLength: 1, maxLength: 500 },
    schema: { type: 'object' },
    references: {
      type: 'array',
      maxItems: 256,
      items: {
        type: 'object',
        required: ['path', 'kinds'],
        properties: {
          path: { type: 'string', pattern: pointerPattern, minLength: 1 },
          kinds: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: namePattern } },
          payload: {
            type: 'object',
            required: ['sibling', 'schema_pointer'],
            properties: {
              sibling: { type: 'string', minLength: 1 },
              schema_pointer: { type: 'string', pattern: pointerPattern },
              code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$' },
              optional: { type: 'boolean' },
            },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
    },
    embedded_schemas: {
      type: 'array',
      maxItems: 256,
      items: { type: 'string', pattern: pointerPattern, minLength: 1 },
    },
    capabilities: { type: 'string', pattern: pointerPattern, minLength: 1 },
  },
  patternProperties: { '^x-': true },
  additionalProperties: false,
};

/** A kind file's value (one that kindFileSchema accepted) as a definition: `x-` annotations are not rules. */
export function definitionFromKindFile(value: JsonObject): KindDefinition {
  const definition: KindDefinition = {
    format: kindDefinitionFormat,
    name: value['name'] as string,
    directory: value['directory'] as string,
    summary: value['summary'] as string,
    schema: value['schema'] as JsonObject,
    references: (value['references'] ?? []) as KindDefinitionReference[],
    embedded_schemas: (value['embedded_schemas'] ?? []) as string[],
  };
  if (typeof value['capabilities'] === 'string') definition.capabilities = value['capabilities'];
  return definition;
}

/** Whether a value is a kind definition (its format, and members of the right types); no deeper check. */
export function isKindDefinition(value: JsonValue | undefined): value is KindDefinition {
  if (!isJsonObject(value) || value['format'] !== kindDefinitionFormat) return false;
  const { name, directory, summary, schema, references, embedded_schemas: embedded } = value;
  if (typeof name !== 'string' || typeof directory !== 'string' || typeof summary !== 'string') return false;
  if (!isJsonObject(schema) || !Array.isArray(references) || !Array.isArray(embedded)) return false;
  if (!embedded.every((pointer) => typeof pointer === 'string')) return false;
  for (const reference of references) {
    if (!isJsonObject(reference) || typeof reference['path'] !== 'string' || !Array.isArray(reference['kinds']))
      return false;
    if (!reference['kinds'].every((kind) => typeof kind === 'string')) return false;
    const payload = reference['payload'];
    if (
      payload !== undefined &&
      (!isJsonObject(payload) ||
        typeof payload['sibling'] !== 'string' ||
        typeof payload['schema_pointer'] !== 'string')
    )
      return false;
  }
  for (const member of ['capabilities', 'referenceable_schema'] as const)
    if (value[member] !== undefined && typeof value[member] !== 'string') return false;
  const checks = value['checks'];
  if (checks !== undefined && (!Array.isArray(checks) || !checks.every((check) => typeof check === 'string')))
    return false;
  const known = new Set([
    'format',
    'name',
    'directory',
    'summary',
    'schema',
    'references',
    'embedded_schemas',
    'capabilities',
    'referenceable_schema',
    'checks',
  ]);
  return Object.keys(value).every((key) => known.has(key));
}
