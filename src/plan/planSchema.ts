// The JSON Schema of a plan file: its shape only; references, inputs and the step graph are checked in checkPlan.
import type { JsonObject } from '../core/json.js';

const extensionFields: JsonObject = { '^x-': true };

/** Step ids appear inside `${steps.<id>.outputs.<name>}` bindings, so they cannot hold dots. */
export const stepIdPattern = '^[A-Za-z_][A-Za-z0-9_-]*$';

export const planSchema: JsonObject = {
  type: 'object',
  required: ['plan', 'steps'],
  properties: {
    plan: { type: 'string', pattern: '^[a-z0-9]+(?:[._-][a-z0-9]+)*$', maxLength: 128 },
    description: { type: 'string' },
    // null (`snapshot:`, `snapshot: ~`) is a plan not pinned yet, as a missing field is.
    snapshot: { type: ['string', 'null'], pattern: '^sha256:[0-9a-f]{64}$' },
    policy: { type: 'string' },
    steps: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'processor_ref'],
        properties: {
          id: { type: 'string', pattern: stepIdPattern, maxLength: 128 },
          description: { type: 'string' },
          processor_ref: { type: 'string' },
          inputs: { type: 'object' },
          after: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        },
        patternProperties: extensionFields,
        additionalProperties: false,
      },
    },
  },
  patternProperties: extensionFields,
  additionalProperties: false,
};
