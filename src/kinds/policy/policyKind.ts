// The policy kind: the budget, retry and lease rules a plan runs under.
import type { KindDescriptor } from '../kindDescriptor.js';
import { extensionFields, idField, protectedField } from '../commonSchemas.js';

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
      protected: protectedField,
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
      // The variables of the runner's environment a local tool may see (docs/adapters.md): none are inherited otherwise.
      env: {
        type: 'array',
        items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
        uniqueItems: true,
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
  // A tighter limit may refuse plans that ran under the old one (a warning, not a break: nothing about the plans'
  // data changed); a looser one cannot. Anything else in the sections (x- fields) is left to a person.
  diff: {
    rules: [
      {
        id: 'policy.budget-lowered',
        purpose: "A plan's budget is smaller, so runs may now be refused.",
        backward: 'warning',
        forward: 'compatible',
        example: '`budget.max_usd_micro: 1000` → `500`, or a budget added',
      },
      {
        id: 'policy.budget-raised',
        purpose: "A plan's budget is larger or no longer limited.",
        backward: 'compatible',
        forward: 'warning',
        example: '`500` → `1000`, or the budget removed (no limit)',
      },
      {
        id: 'policy.retries-lowered',
        purpose: 'Fewer attempts are allowed, so flaky steps may now fail.',
        backward: 'warning',
        forward: 'compatible',
        example: '`retry.max_attempts: 3` → `2`',
      },
      {
        id: 'policy.retries-raised',
        purpose: 'More attempts are allowed.',
        backward: 'compatible',
        forward: 'warning',
        example: '`retry.max_attempts: 2` → `3`',
      },
      {
        id: 'policy.lease-ttl-lowered',
        purpose: 'Leases expire sooner.',
        backward: 'warning',
        forward: 'compatible',
        example: '`leases.default_ttl_s: 3600` → `60`',
      },
      {
        id: 'policy.lease-ttl-raised',
        purpose: 'Leases last longer.',
        backward: 'compatible',
        forward: 'warning',
        example: '`leases.default_ttl_s: 60` → `3600`',
      },
      {
        id: 'policy.path-leases-disabled',
        purpose: 'Path leases are turned off.',
        backward: 'warning',
        forward: 'compatible',
        example: '`leases.enable_path_leases: true` → `false`',
      },
      {
        id: 'policy.path-leases-enabled',
        purpose: 'Path leases are turned on.',
        backward: 'compatible',
        forward: 'warning',
        example: '`false` → `true`',
      },
      {
        id: 'policy.backoff-changed',
        purpose: 'The waits between retries changed.',
        backward: 'warning',
        forward: 'warning',
        example: '`retry.backoff_ms: [100]` → `[100, 200]`',
      },
    ],
    compare: [
      {
        compare: 'limit',
        pointer: '/budget/max_usd_micro',
        label: 'budget.max_usd_micro',
        absent: '(no limit)',
        lowered: 'policy.budget-lowered',
        raised: 'policy.budget-raised',
      },
      {
        compare: 'limit',
        pointer: '/retry/max_attempts',
        label: 'retry.max_attempts',
        absent: '(no limit)',
        lowered: 'policy.retries-lowered',
        raised: 'policy.retries-raised',
      },
      {
        compare: 'limit',
        pointer: '/leases/default_ttl_s',
        label: 'leases.default_ttl_s',
        absent: '(no limit)',
        lowered: 'policy.lease-ttl-lowered',
        raised: 'policy.lease-ttl-raised',
      },
      {
        compare: 'switch',
        pointer: '/leases/enable_path_leases',
        label: 'leases.enable_path_leases',
        absent: '(no limit)',
        disabled: 'policy.path-leases-disabled',
        enabled: 'policy.path-leases-enabled',
      },
      {
        compare: 'value',
        pointer: '/retry/backoff_ms',
        label: 'retry.backoff_ms',
        absent: '(no limit)',
        rule: 'policy.backoff-changed',
      },
      { compare: 'members', pointer: '/budget' },
      { compare: 'members', pointer: '/retry' },
      { compare: 'members', pointer: '/leases' },
    ],
  },
};
