// The policy kind: the budget, retry and lease rules a plan runs under.
import type { KindDescriptor } from '../kindDescriptor.js';
import { extensionFields, idField } from '../commonSchemas.js';

const nonNegativeInteger = { type: 'integer', minimum: 0 };

export const policyKind: KindDescriptor = {
  name: 'policy',
  directory: 'policies',
  summary: 'Budget, retry and lease limits that plans run under.',
  schema: {
    type: 'object',
    required: ['id'],
    properties: {
      id: idField,
      description: { type: 'string' },
      budget: {
        type: 'object',
        properties: { max_usd_micro: nonNegativeInteger },
        patternProperties: extensionFields,
        additionalProperties: false,
      },
      retry: {
        type: 'object',
        properties: {
          max_attempts: { type: 'integer', minimum: 1 },
          backoff_ms: { type: 'array', items: nonNegativeInteger },
        },
        patternProperties: extensionFields,
        additionalProperties: false,
      },
      leases: {
        type: 'object',
        properties: {
          default_ttl_s: { type: 'integer', minimum: 1 },
          enable_path_leases: { type: 'boolean' },
        },
        patternProperties: extensionFields,
        additionalProperties: false,
      },
    },
    patternProperties: extensionFields,
    additionalProperties: false,
  },
  references: [],
  embeddedSchemas: [],
};
