// The agent kind: a loop that runs on a model and may call the tools and agents it is allowed; an orchestrator is an
// agent whose `allowed_agents` lists the others.
import type { KindDescriptor } from '../kindDescriptor.js';
import { capabilityListSchema, extensionFields, idField, protectedField, refField } from '../commonSchemas.js';

const refListSchema = { type: 'array', items: refField, uniqueItems: true };

/**
 * An agent's input or output: always a JSON Schema held in the spec. A schema spec is used by reference with
 * `{$ref: "name@version"}`, checked and compiled like any embedded schema's `$ref`.
 */
const ioSchema = {
  type: ['object', 'boolean'],
  description: 'A JSON Schema; `{$ref: "name@version"}` uses a schema spec.',
};

export const agentKind: KindDescriptor = {
  name: 'agent',
  directory: 'agents',
  summary: 'An agent: a model, the tools and agents it may call, iteration limits, input and output schemas.',
  schema: {
    type: 'object',
    required: ['id', 'name', 'model'],
    properties: {
      id: idField,
      protected: protectedField,
      name: { type: 'string', minLength: 1 },
      description: { type: 'string' },
      capabilities: capabilityListSchema,
      allowed_tools: refListSchema,
      allowed_agents: refListSchema,
      model: refField,
      max_iterations: { type: 'integer', minimum: 1 },
      iteration_timeout_seconds: { type: 'number', exclusiveMinimum: 0 },
      input_schema: ioSchema,
      output_schema: ioSchema,
      context_requirements: {
        type: 'object',
        description: 'What the agent needs from its caller beyond its input.',
        properties: {
          min_context_tokens: { type: 'integer', minimum: 1 },
          memory: { enum: ['none', 'conversation', 'persistent'] },
          keys: {
            type: 'array',
            description: 'Names of context values the caller must supply.',
            items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$', maxLength: 128 },
            uniqueItems: true,
          },
        },
        patternProperties: extensionFields,
        additionalProperties: false,
      },
    },
    patternProperties: extensionFields,
    additionalProperties: false,
  },
  references: [
    { path: '/allowed_tools/*', kinds: ['tool'] },
    { path: '/allowed_agents/*', kinds: ['agent'] },
    { path: '/model', kinds: ['model'] },
  ],
  embeddedSchemas: ['/input_schema', '/output_schema'],
  capabilities: '/capabilities',
  diff: {
    rules: [
      {
        id: 'agent.capability-removed',
        purpose: 'An agent no longer declares a capability, so lookups and workflows that need it no longer find it.',
        backward: 'breaking',
        forward: 'compatible',
        example: '`capabilities: ["triage", "fraud.score"]` → `["triage"]`',
      },
      {
        id: 'agent.capability-added',
        purpose: 'An agent declares a new capability.',
        backward: 'compatible',
        forward: 'breaking',
        example: 'capability `fraud.explain` added',
      },
      {
        id: 'agent.tool-removed',
        purpose: 'An agent may no longer call a tool, so tasks that needed it fail.',
        backward: 'breaking',
        forward: 'compatible',
        example: '`allowed_tools: ["a@1", "b@1"]` → `["a@1"]`',
      },
      {
        id: 'agent.tool-added',
        purpose: 'An agent may call another tool (or another version of one): more it can reach and spend.',
        backward: 'warning',
        forward: 'breaking',
        example: '`allowed_tools: ["a@1"]` → `["a@1", "c@1"]`',
      },
      {
        id: 'agent.agent-removed',
        purpose: 'An agent may no longer hand work to an agent, so tasks routed there fail.',
        backward: 'breaking',
        forward: 'compatible',
        example: '`allowed_agents: ["intake@1", "fraud@1"]` → `["intake@1"]`',
      },
      {
        id: 'agent.agent-added',
        purpose: 'An agent may hand work to another agent.',
        backward: 'warning',
        forward: 'breaking',
        example: '`allowed_agents` gains `refunds@1`',
      },
      {
        id: 'agent.model-changed',
        purpose: 'An agent runs on another model (or model version), so its behaviour changes.',
        backward: 'warning',
        forward: 'warning',
        example: '`model: "t5-small@1"` → `"t5-base@1"`',
      },
      {
        id: 'agent.iterations-lowered',
        purpose: 'An agent has fewer iterations, so long tasks may now stop unfinished.',
        backward: 'warning',
        forward: 'compatible',
        example: '`max_iterations: 10` → `5`, or a limit added',
      },
      {
        id: 'agent.iterations-raised',
        purpose: 'An agent may iterate more (or without limit), so it may run and spend longer.',
        backward: 'compatible',
        forward: 'warning',
        example: '`max_iterations: 5` → `10`, or the limit removed',
      },
      {
        id: 'agent.iteration-timeout-lowered',
        purpose: 'Each iteration has less time, so slow steps may now time out.',
        backward: 'warning',
        forward: 'compatible',
        example: '`iteration_timeout_seconds: 60` → `30`',
      },
      {
        id: 'agent.iteration-timeout-raised',
        purpose: 'Each iteration has more time.',
        backward: 'compatible',
        forward: 'warning',
        example: '`iteration_timeout_seconds: 30` → `60`',
      },
      {
        id: 'agent.context-requirements-changed',
        purpose: 'An agent needs other context from its callers.',
        backward: 'warning',
        forward: 'warning',
        example: '`context_requirements.keys` gains `customer_id`',
      },
    ],
    compare: [
      // What callers send is checked by the input schema (narrowing breaks them); what they read, by the output schema.
      { compare: 'schema', pointer: '/input_schema' },
      { compare: 'schema', pointer: '/output_schema', role: 'output' },
      {
        compare: 'set',
        pointer: '/capabilities',
        label: 'capability',
        removed: 'agent.capability-removed',
        added: 'agent.capability-added',
      },
      {
        compare: 'set',
        pointer: '/allowed_tools',
        label: 'allowed tool',
        removed: 'agent.tool-removed',
        added: 'agent.tool-added',
      },
      {
        compare: 'set',
        pointer: '/allowed_agents',
        label: 'allowed agent',
        removed: 'agent.agent-removed',
        added: 'agent.agent-added',
      },
      { compare: 'value', pointer: '/model', label: 'model', rule: 'agent.model-changed', absent: '(none)' },
      {
        compare: 'limit',
        pointer: '/max_iterations',
        label: 'max iterations',
        absent: '(no limit)',
        lowered: 'agent.iterations-lowered',
        raised: 'agent.iterations-raised',
      },
      {
        compare: 'limit',
        pointer: '/iteration_timeout_seconds',
        label: 'iteration timeout',
        absent: '(none)',
        lowered: 'agent.iteration-timeout-lowered',
        raised: 'agent.iteration-timeout-raised',
      },
      {
        compare: 'value',
        pointer: '/context_requirements',
        label: 'context requirements',
        rule: 'agent.context-requirements-changed',
      },
    ],
  },
};
