// The OpenAPI 3.1 document of `spec serve`'s API (served at /v1/openapi.json; a test checks it against the routes).
import { toolVersion } from '../version.js';

type Method = 'get' | 'post' | 'put' | 'delete';

interface Operation {
  summary: string;
  /** Statuses besides 200 and the problem statuses every operation may answer. */
  statuses?: Record<string, string>;
  query?: Record<string, string>;
  /** A body: a spec document, or the build request. */
  body?: 'spec' | 'build';
  write?: boolean;
  ifMatch?: boolean;
}

const selector = 'a snapshot: full id, unique hex prefix (8+), tag, or latest';
const ref = 'name@version, or a bare name for its highest version';
const specId = 'a spec id, name@version';
const directory = "a kind's directory: tools, agents, models, … or a user kind's";

/** Every route: path (OpenAPI style) → method → what it does. */
export const apiRoutes: Record<string, Partial<Record<Method, Operation>>> = {
  '/v1/openapi.json': { get: { summary: 'This document' } },
  '/v1/info': { get: { summary: 'The server: version, read-only or not' } },
  '/v1/snapshots': { get: { summary: 'Every snapshot of the store, newest first, with its tags' } },
  '/v1/tags': { get: { summary: 'Every tag and the snapshot it names' } },
  '/v1/snapshots/{selector}': {
    get: { summary: 'One snapshot: id, creation time, tags, spec count per kind', statuses: { '304': 'not modified' } },
  },
  '/v1/snapshots/{selector}/specs': {
    get: {
      summary: 'The specs of a snapshot',
      query: { kind: 'only this kind', capability: 'only specs with this capability', q: 'text the id contains' },
    },
  },
  '/v1/snapshots/{selector}/specs/{ref}': {
    get: { summary: 'One spec of a snapshot, with its document', statuses: { '304': 'not modified' } },
  },
  '/v1/snapshots/{selector}/resolve/{ref}': {
    get: {
      summary: 'How a ref resolves in a snapshot, and the spec it resolves to',
      statuses: { '304': 'not modified' },
    },
  },
  '/v1/snapshots/{selector}/refs/{ref}': { get: { summary: 'What a spec references' } },
  '/v1/snapshots/{selector}/referrers/{ref}': { get: { summary: 'The specs and plans that reference a spec' } },
  '/v1/snapshots/{selector}/export': {
    get: { summary: 'The snapshot document (as spec export)', statuses: { '304': 'not modified' } },
  },
  '/v1/diff': {
    get: {
      summary: 'What changed between two snapshots (as spec diff --json)',
      query: {
        from: `the old side: ${selector}`,
        to: 'the new side (default latest)',
        mode: 'backward, forward or full for every kind (as spec diff --mode)',
      },
    },
  },
  '/v1/registry': {
    get: { summary: 'The drafts: their last good build, the kinds with their JSON Schemas and counts' },
  },
  '/v1/registry/{directory}': {
    get: {
      summary: 'The drafts of one kind',
      query: { capability: 'only specs with this capability', q: 'text in the id or description' },
    },
    post: {
      summary: 'Create a spec (validated as spec build would)',
      body: 'spec',
      write: true,
      query: { dryRun: 'validate only' },
      statuses: { '201': 'created' },
    },
  },
  '/v1/registry/{directory}/{id}': {
    get: { summary: 'One draft with its file, text, references, referrers and versions; ETag is its digest' },
    put: {
      summary: 'Replace a draft (validated; If-Match required)',
      body: 'spec',
      write: true,
      ifMatch: true,
      query: { dryRun: 'validate only' },
    },
    delete: {
      summary: 'Delete a draft (refused while in use; If-Match required)',
      write: true,
      ifMatch: true,
      query: { dryRun: 'check only' },
      statuses: { '204': 'deleted' },
    },
  },
  '/v1/build': {
    post: { summary: 'Build the drafts into a snapshot of the store (optionally tagged)', body: 'build', write: true },
  },
  '/v1/events': { get: { summary: 'Server-Sent Events: registry and store changes (text/event-stream)' } },
};

const parameterText: Record<string, string> = { selector, ref, id: specId, directory };

/** The document: paths with their parameters, bodies, security and the problem responses. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [path, methods] of Object.entries(apiRoutes)) {
    const pathParameters = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      description: parameterText[name!],
      schema: { type: 'string' },
    }));
    const operations: Record<string, unknown> = {};
    for (const [method, operation] of Object.entries(methods) as [Method, Operation][]) {
      const parameters: unknown[] = [...pathParameters];
      for (const [name, description] of Object.entries(operation.query ?? {}))
        parameters.push({ name, in: 'query', required: false, description, schema: { type: 'string' } });
      if (operation.ifMatch)
        parameters.push({
          name: 'If-Match',
          in: 'header',
          required: true,
          description: 'the ETag (digest) of the draft the change is based on',
          schema: { type: 'string' },
        });
      const responses: Record<string, unknown> = {
        [operation.statuses?.['201'] ? '201' : operation.statuses?.['204'] ? '204' : '200']: {
          description: 'ok',
          content: {
            [path === '/v1/events' ? 'text/event-stream' : 'application/json']: { schema: { type: 'object' } },
          },
        },
        ...Object.fromEntries(
          Object.entries(operation.statuses ?? {})
            .filter(([status]) => status === '304')
            .map(([status, description]) => [status, { description }]),
        ),
        default: { $ref: '#/components/responses/Problem' },
      };
      operations[method] = {
        summary: operation.summary,
        operationId: `${method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase())}`,
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(operation.body === 'spec'
          ? {
              requestBody: {
                required: true,
                content: {
                  'application/json': { schema: { type: 'object' } },
                  'application/yaml': { schema: { type: 'string' } },
                },
              },
            }
          : operation.body === 'build'
            ? {
                requestBody: {
                  required: false,
                  content: {
                    'application/json': { schema: { type: 'object', properties: { tag: { type: 'string' } } } },
                  },
                },
              }
            : {}),
        ...(operation.write ? { security: [{ token: [] }] } : {}),
        responses,
      };
    }
    paths[path] = operations;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'specstore', version: toolVersion, description: 'The HTTP API of spec serve (docs/serve.md)' },
    paths,
    components: {
      securitySchemes: {
        token: { type: 'http', scheme: 'bearer', description: 'the token spec serve prints at start' },
      },
      responses: {
        Problem: {
          description: 'an error: RFC 9457 problem details with the CLI code and diagnostics',
          content: {
            'application/problem+json': {
              schema: {
                type: 'object',
                required: ['type', 'title', 'status', 'code', 'detail'],
                properties: {
                  type: { type: 'string' },
                  title: { type: 'string' },
                  status: { type: 'integer' },
                  code: { type: 'string' },
                  detail: { type: 'string' },
                  data: { type: 'object' },
                  diagnostics: { type: 'array', items: { type: 'object' } },
                },
              },
            },
          },
        },
      },
    },
  };
}
