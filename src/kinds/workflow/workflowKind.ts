// The workflow kind: a graph of named nodes, each running a tool or an agent, entered at `start`.
import type { KindDescriptor } from '../kindDescriptor.js';
import { capabilityListSchema, extensionFields, idField, protectedField, refField } from '../commonSchemas.js';
import { checkWorkflowGraph } from './workflowGraph.js';

const nodeName = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]*$', maxLength: 128 };

export const workflowKind: KindDescriptor = {
  name: 'workflow',
  directory: 'workflows',
  summary: 'A graph of named steps (tools or agents), entered at `start`; checked for unknown nodes and cycles.',
  schema: {
    type: 'object',
    required: ['id', 'name', 'start', 'graph'],
    properties: {
      id: idField,
      protected: protectedField,
      name: { type: 'string', minLength: 1 },
      description: { type: 'string' },
      tags: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
      required_capabilities: capabilityListSchema,
      start: { ...nodeName, description: 'The node the workflow runs first.' },
      graph: {
        type: 'object',
        minProperties: 1,
        propertyNames: nodeName,
        additionalProperties: {
          type: 'object',
          required: ['step'],
          properties: {
            description: { type: 'string' },
            step: { ...refField, description: 'The tool or agent this node runs: name@version.' },
            next: { type: 'array', items: nodeName, uniqueItems: true },
          },
          patternProperties: extensionFields,
          additionalProperties: false,
        },
      },
    },
    patternProperties: extensionFields,
    additionalProperties: false,
  },
  references: [{ path: '/graph/*/step', kinds: ['tool', 'agent'] }],
  embeddedSchemas: [],
  check: checkWorkflowGraph,
  linkedChecks: [
    {
      check: 'capabilities-provided',
      required: '/required_capabilities',
      providers: '/graph/*/step',
      code: 'WORKFLOW_CAPABILITY_MISSING',
    },
  ],
  diff: {
    rules: [
      {
        id: 'workflow.required-capability-added',
        purpose: 'A workflow needs a capability more, so deployments that lack it can no longer run it.',
        backward: 'breaking',
        forward: 'compatible',
        example: '`required_capabilities: ["search"]` → `["search", "web.fetch"]`',
      },
      {
        id: 'workflow.required-capability-removed',
        purpose: 'A workflow needs one capability fewer.',
        backward: 'compatible',
        forward: 'breaking',
        example: '`required_capabilities: ["search", "web.fetch"]` → `["search"]`',
      },
      {
        id: 'workflow.start-changed',
        purpose: 'A workflow begins at another node.',
        backward: 'warning',
        forward: 'warning',
        example: '`start: search` → `fetch`',
      },
      {
        id: 'workflow.node-removed',
        purpose: 'A workflow no longer runs a step.',
        backward: 'warning',
        forward: 'warning',
        example: 'node `fetch` removed from `graph`',
      },
      {
        id: 'workflow.node-added',
        purpose: 'A workflow runs another step.',
        backward: 'warning',
        forward: 'warning',
        example: 'node `rerank` added to `graph`',
      },
      {
        id: 'workflow.node-changed',
        purpose: 'A node runs another tool, agent or version, or goes on to other nodes.',
        backward: 'warning',
        forward: 'warning',
        example: '`graph.fetch.step: "web.fetch@1"` → `"web.fetch@2"`, or its `next` changed',
      },
    ],
    compare: [
      {
        compare: 'set',
        pointer: '/required_capabilities',
        label: 'required capability',
        removed: 'workflow.required-capability-removed',
        added: 'workflow.required-capability-added',
      },
      { compare: 'value', pointer: '/start', label: 'start', rule: 'workflow.start-changed', absent: '(none)' },
      {
        compare: 'entries',
        pointer: '/graph',
        label: 'node',
        removed: 'workflow.node-removed',
        added: 'workflow.node-added',
        changed: 'workflow.node-changed',
      },
    ],
  },
};
