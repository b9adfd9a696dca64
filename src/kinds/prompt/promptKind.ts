// The prompt kind: a template whose `{{variables}}` are declared, each typed or referencing a schema spec.
import type { JsonObject } from '../../core/json.js';
import type { KindDescriptor, KindFinding } from '../kindDescriptor.js';
import { extensionFields, idField, portListSchema } from '../commonSchemas.js';

const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Every placeholder in the template names a declared variable; a declared variable nobody uses is a warning. */
function checkTemplateVariables(spec: JsonObject): KindFinding[] {
  const template = spec['template'];
  const variables = spec['variables'];
  if (typeof template !== 'string') return [];
  const declared = new Map<string, number>();
  if (Array.isArray(variables)) {
    variables.forEach((variable, index) => {
      if (variable !== null && typeof variable === 'object' && !Array.isArray(variable) && typeof variable['name'] === 'string') {
        declared.set(variable['name'], index);
      }
    });
  }
  const findings: KindFinding[] = [];
  const used = new Set<string>();
  for (const match of template.matchAll(placeholder)) {
    const name = match[1];
    used.add(name);
    if (!declared.has(name)) {
      findings.push({ code: 'PROMPT_VARIABLE_UNDECLARED', pointer: '/template', message: `template uses {{${name}}}, which is not declared in variables` });
    }
  }
  for (const [name, index] of declared) {
    if (!used.has(name)) {
      findings.push({ code: 'PROMPT_VARIABLE_UNUSED', pointer: `/variables/${index}`, message: `variable "${name}" is declared but the template never uses it`, severity: 'warning' });
    }
  }
  return findings;
}

export const promptKind: KindDescriptor = {
  name: 'prompt',
  directory: 'prompts',
  summary: 'A prompt template with declared {{variables}}; a variable may reference a schema spec.',
  schema: {
    type: 'object',
    required: ['id', 'template'],
    properties: {
      id: idField,
      description: { type: 'string' },
      template: { type: 'string', minLength: 1 },
      variables: portListSchema,
    },
    patternProperties: extensionFields,
    additionalProperties: false,
  },
  references: [{ path: '/variables/*/schema', kinds: ['schema'] }],
  embeddedSchemas: [],
  check: checkTemplateVariables,
};
