// The predicate kind: a named check (budget available, artifact exists) with a JSON Schema for its arguments.
import type { KindDescriptor } from '../kindDescriptor.js';
import { extensionFields, idField, protectedField } from '../commonSchemas.js';

export const predicateKind: KindDescriptor = {
  name: 'predicate',
  directory: 'predicates',
  summary: 'A named check used by tools before (admission) or after (success) a run; `args` is its JSON Schema.',
  schema: {
    type: 'object',
    required: ['id', 'args'],
    properties: {
      id: idField,
      protected: protectedField,
      description: { type: 'string' },
      phases: { type: 'array', items: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' }, uniqueItems: true },
      args: { type: ['object', 'boolean'], description: 'JSON Schema of the arguments a tool passes.' },
    },
    patternProperties: extensionFields,
    additionalProperties: false,
  },
  references: [],
  embeddedSchemas: ['/args'],
  diff: {
    rules: [
      {
        id: 'predicate.phase-removed',
        purpose: 'A predicate can no longer be used in a phase.',
        backward: 'warning',
        forward: 'compatible',
        example: '`phases: ["admission", "success"]` → `["admission"]`',
      },
      {
        id: 'predicate.phase-added',
        purpose: 'A predicate can now be used in another phase.',
        backward: 'compatible',
        forward: 'warning',
        example: 'a phase added',
      },
    ],
    compare: [
      { compare: 'schema', pointer: '/args' },
      {
        compare: 'set',
        pointer: '/phases',
        label: 'phase',
        removed: 'predicate.phase-removed',
        added: 'predicate.phase-added',
      },
    ],
  },
};
