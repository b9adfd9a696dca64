// The schema kind: a JSON Schema of any common draft, addressable as name@version and $ref-able by other schemas.
import type { KindDescriptor } from '../kindDescriptor.js';
import { extensionFields, idField, protectedField } from '../commonSchemas.js';

export const schemaKind: KindDescriptor = {
  name: 'schema',
  directory: 'schemas',
  summary: 'A JSON Schema (draft-04, -06, -07, 2019-09 or 2020-12; 2020-12 when $schema is absent).',
  schema: {
    type: 'object',
    required: ['id', 'schema'],
    properties: {
      id: idField,
      protected: protectedField,
      description: { type: 'string' },
      schema: { type: ['object', 'boolean'] },
    },
    patternProperties: extensionFields,
    additionalProperties: false,
  },
  references: [],
  embeddedSchemas: ['/schema'],
  referenceableSchema: '/schema',
  diff: { rules: [], compare: [{ compare: 'schema', pointer: '/schema' }] },
};
