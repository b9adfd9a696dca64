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
  diff: {
    rules: [
    { id: 'tool.input-added-required', purpose: 'A tool needs an input its callers do not send.', backward: 'breaking', forward: 'compatible', example: 'input `audience` added with `required: true` and no default' },
    { id: 'tool.input-added', purpose: 'A tool accepts a new optional input.', backward: 'compatible', forward: 'breaking', example: 'optional input `seed` added' },
    { id: 'tool.input-removed', purpose: 'A tool no longer accepts an input its callers send.', backward: 'breaking', forward: 'compatible', example: 'input `model` removed (callers still send it)' },
    { id: 'tool.input-became-required', purpose: 'An input callers could leave out must now be sent.', backward: 'breaking', forward: 'compatible', example: '`required: true` added to `model` (no default)' },
    { id: 'tool.input-became-optional', purpose: 'An input callers had to send may now be left out.', backward: 'compatible', forward: 'breaking', example: '`required: true` removed, or a default added' },
    { id: 'tool.input-default-changed', purpose: 'An input\'s default changed, so callers that leave it out get other behaviour.', backward: 'warning', forward: 'warning', example: '`default: "gpt-4"` → `"gpt-4o"`' },
    { id: 'tool.output-added', purpose: 'A tool produces a new output.', backward: 'compatible', forward: 'breaking', example: 'output `usage` added' },
    { id: 'tool.output-removed', purpose: 'A tool no longer produces an output its callers read.', backward: 'breaking', forward: 'compatible', example: 'output `text` removed (callers read it)' },
    { id: 'tool.output-became-optional', purpose: 'An output callers could rely on may now be missing.', backward: 'breaking', forward: 'compatible', example: '`required: true` removed from an output' },
    { id: 'tool.output-became-required', purpose: 'An output that could be missing is now always produced.', backward: 'compatible', forward: 'breaking', example: '`required: true` added to an output' },
    { id: 'tool.output-default-changed', purpose: 'An output\'s default changed.', backward: 'warning', forward: 'warning', example: 'an output\'s `default` changed' },
    { id: 'tool.adapter-changed', purpose: 'A tool runs on another runtime adapter.', backward: 'warning', forward: 'warning', example: '`adapter: "modal"` → `"http"`' },
    { id: 'tool.entry-point-changed', purpose: 'A tool runs another entry point.', backward: 'warning', forward: 'warning', example: '`entry_point: "f"` → `"g"`' },
    { id: 'tool.timeout-lowered', purpose: 'A tool has less time to run, so slow runs may now time out.', backward: 'warning', forward: 'compatible', example: '`timeout_s: 120` → `60`, or a timeout added' },
    { id: 'tool.timeout-raised', purpose: 'A tool has more time to run.', backward: 'compatible', forward: 'warning', example: '`timeout_s: 60` → `120`, or removed' },
    { id: 'tool.capability-removed', purpose: 'A tool no longer declares a capability, so lookups by it no longer find the tool.', backward: 'breaking', forward: 'compatible', example: '`capabilities: ["a", "b"]` → `["a"]` (lookups by `b` no longer find it)' },
    { id: 'tool.capability-added', purpose: 'A tool declares a new capability.', backward: 'compatible', forward: 'breaking', example: '`capabilities: ["a"]` → `["a", "c"]`' },
    { id: 'tool.predicate-added', purpose: 'A tool checks a new predicate, so runs may now be refused.', backward: 'warning', forward: 'compatible', example: 'a `success` predicate added: runs may now be refused' },
    { id: 'tool.predicate-removed', purpose: 'A tool no longer checks a predicate.', backward: 'compatible', forward: 'warning', example: 'an `admission` predicate removed' },
    { id: 'tool.predicate-changed', purpose: 'A predicate a tool checks is another version or gets other arguments.', backward: 'warning', forward: 'warning', example: '`budget.available@1` → `@2`, or its `args` changed' },
    ],
    compare: [
      { compare: 'ports', pointer: '/inputs', role: 'input', rules: { added: 'tool.input-added', addedRequired: 'tool.input-added-required', removed: 'tool.input-removed', becameRequired: 'tool.input-became-required', becameOptional: 'tool.input-became-optional', defaultChanged: 'tool.input-default-changed' } },
      // An added output is never "required" for callers: it is compatible whether or not it is always produced.
      { compare: 'ports', pointer: '/outputs', role: 'output', rules: { added: 'tool.output-added', addedRequired: 'tool.output-added', removed: 'tool.output-removed', becameRequired: 'tool.output-became-required', becameOptional: 'tool.output-became-optional', defaultChanged: 'tool.output-default-changed' } },
      { compare: 'value', pointer: '/adapter', label: 'adapter', rule: 'tool.adapter-changed' },
      { compare: 'value', pointer: '/entry_point', label: 'entry point', rule: 'tool.entry-point-changed' },
      // An absent timeout is no timeout: adding one lowers it.
      { compare: 'limit', pointer: '/timeout_s', label: 'timeout', absent: '(none)', lowered: 'tool.timeout-lowered', raised: 'tool.timeout-raised' },
      { compare: 'set', pointer: '/capabilities', label: 'capability', removed: 'tool.capability-removed', added: 'tool.capability-added' },
      { compare: 'predicates', pointer: '/predicates', added: 'tool.predicate-added', removed: 'tool.predicate-removed', changed: 'tool.predicate-changed' },
    ],
  },
};
