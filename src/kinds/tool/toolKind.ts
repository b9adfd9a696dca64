// The tool kind: something a plan step runs, with typed inputs and outputs and admission/success predicates.
import type { KindDescriptor } from '../kindDescriptor.js';
import { extensionFields, idField, portListSchema, refField } from '../commonSchemas.js';

export const toolKind: KindDescriptor = {
  name: 'tool',
  directory: 'tools',
  summary: 'A runnable processor: adapter, entry point, typed inputs and outputs, predicates.',
  schema: {
    type: 'object',
    required: ['id', 'name', 'adapter', 'entry_point'],
    properties: {
      id: idField,
      name: { type: 'string', minLength: 1 },
      description: { type: 'string' },
      adapter: { type: 'string', minLength: 1, description: 'Which runtime adapter runs it (modal, http, local…).' },
      entry_point: { type: 'string', minLength: 1 },
      capabilities: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9]+(?:[._-][a-z0-9]+)*$' }, uniqueItems: true },
      timeout_s: { type: 'number', exclusiveMinimum: 0 },
      inputs: portListSchema,
      outputs: portListSchema,
      predicates: {
        type: 'object',
        description: 'Predicates by phase (admission: before running; success: after).',
        propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
        additionalProperties: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id'],
            properties: { id: refField, args: { type: 'object' } },
            additionalProperties: false,
          },
        },
      },
    },
    patternProperties: extensionFields,
    additionalProperties: false,
  },
  references: [
    { path: '/inputs/*/schema', kinds: ['schema'], payload: { sibling: 'default', schemaPointer: '/schema', code: 'PORT_DEFAULT_INVALID', optional: true } },
    { path: '/outputs/*/schema', kinds: ['schema'], payload: { sibling: 'default', schemaPointer: '/schema', code: 'PORT_DEFAULT_INVALID', optional: true } },
    { path: '/predicates/*/*/id', kinds: ['predicate'], payload: { sibling: 'args', schemaPointer: '/args' } },
  ],
  embeddedSchemas: [],
  capabilities: '/capabilities',
};
