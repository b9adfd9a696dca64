// JSON Schema fragments shared by the built-in kinds (ids, refs, ports, extension fields).
import type { JsonObject } from '../core/json.js';

/** Ids are checked by the ref grammar in core/ref.ts (with a precise error); here only their type. */
export const idField: JsonObject = { type: 'string', description: 'The spec id: name@version.' };
export const refField: JsonObject = { type: 'string', description: 'A reference to another spec: name@version.' };

/**
 * `protected: true` marks a spec others depend on (an orchestrator agent): a build that drops it fails with
 * PROTECTED_SPEC_REMOVED unless the removal is allowed by name. Every kind's schema admits it.
 */
export const protectedField: JsonObject = {
  type: 'boolean',
  description: 'A build that no longer has this spec fails unless the removal is allowed (--allow-removal).',
};

/** A capability name, as tools, models and agents declare them and workflows require them. */
export const capabilityListSchema: JsonObject = {
  type: 'array',
  items: { type: 'string', pattern: '^[a-z0-9]+(?:[._-][a-z0-9]+)*$' },
  uniqueItems: true,
};

/** `x-…` fields are free-form extensions; anything else unknown is a typo and an error. */
export const extensionFields: JsonObject = { '^x-': true };

export const jsonTypeNames = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

/** An input, output or variable: a JSON `type` or a `schema` reference to a schema spec, never both. */
export const portSchema: JsonObject = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 128 },
    description: { type: 'string' },
    type: { enum: jsonTypeNames },
    schema: refField,
    required: { type: 'boolean' },
    default: true,
  },
  patternProperties: extensionFields,
  additionalProperties: false,
  oneOf: [{ required: ['type'] }, { required: ['schema'] }],
  // A default is what runs when the input is not sent: it must have the port's own type (a `schema` port's default
  // is checked against that schema spec at link time, see the tool kind's references).
  allOf: jsonTypeNames.map((name) => ({
    if: { required: ['type', 'default'], properties: { type: { const: name } } },
    then: { properties: { default: { type: name } } },
  })),
};

export const portListSchema: JsonObject = { type: 'array', items: portSchema };
