// The prompt kind: a template whose `{{variables}}` are declared, each typed or referencing a schema spec.
import type { JsonObject } from '../../core/json.js';
import type { KindDescriptor, KindFinding } from '../kindDescriptor.js';
import { extensionFields, idField, protectedField, portListSchema } from '../commonSchemas.js';

const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Every placeholder in the template names a declared variable; a declared variable nobody uses is a warning. */
function checkTemplateVariables(spec: JsonObject): KindFinding[] {
  const template = spec['template'];
  const variables = spec['variables'];
  if (typeof template !== 'string') return [];
  const declared = new Map<string, number>();
  if (Array.isArray(variables)) {
    variables.forEach((variable, index) => {
      if (
        variable !== null &&
        typeof variable === 'object' &&
        !Array.isArray(variable) &&
        typeof variable['name'] === 'string'
      ) {
        declared.set(variable['name'], index);
      }
    });
  }
  const findings: KindFinding[] = [];
  const used = new Set<string>();
  for (const match of template.matchAll(placeholder)) {
    const name = match[1]!;
    used.add(name);
    if (!declared.has(name)) {
      findings.push({
        code: 'PROMPT_VARIABLE_UNDECLARED',
        pointer: '/template',
        message: `template uses {{${name}}}, which is not declared in variables`,
      });
    }
  }
  for (const [name, index] of declared) {
    if (!used.has(name)) {
      findings.push({
        code: 'PROMPT_VARIABLE_UNUSED',
        pointer: `/variables/${index}`,
        message: `variable "${name}" is declared but the template never uses it`,
        severity: 'warning',
      });
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
      protected: protectedField,
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
  checks: ['prompt.template-variables'],
  diff: {
    rules: [
      {
        id: 'prompt.variable-added-required',
        purpose: 'A prompt needs a variable its callers do not fill in.',
        backward: 'breaking',
        forward: 'compatible',
        example: 'variable `seconds` added, required',
      },
      {
        id: 'prompt.variable-added',
        purpose: 'A prompt accepts a new optional variable.',
        backward: 'compatible',
        forward: 'breaking',
        example: 'optional variable added',
      },
      {
        id: 'prompt.variable-removed',
        purpose: 'A prompt no longer declares a variable its callers fill in.',
        backward: 'breaking',
        forward: 'compatible',
        example: 'variable `tone` removed',
      },
      {
        id: 'prompt.variable-became-required',
        purpose: 'A variable callers could leave out must now be given.',
        backward: 'breaking',
        forward: 'compatible',
        example: 'a variable made required',
      },
      {
        id: 'prompt.variable-became-optional',
        purpose: 'A variable callers had to give may now be left out.',
        backward: 'compatible',
        forward: 'breaking',
        example: 'a variable made optional',
      },
      {
        id: 'prompt.variable-default-changed',
        purpose: "A variable's default changed, so callers that leave it out get another prompt.",
        backward: 'warning',
        forward: 'warning',
        example: "a variable's `default` changed",
      },
      {
        id: 'prompt.template-changed',
        purpose: 'The prompt text changed, so its outputs may change.',
        backward: 'warning',
        forward: 'warning',
        example: 'the `template` text changed',
      },
    ],
    compare: [
      {
        compare: 'ports',
        pointer: '/variables',
        role: 'input',
        rules: {
          added: 'prompt.variable-added',
          addedRequired: 'prompt.variable-added-required',
          removed: 'prompt.variable-removed',
          becameRequired: 'prompt.variable-became-required',
          becameOptional: 'prompt.variable-became-optional',
          defaultChanged: 'prompt.variable-default-changed',
        },
      },
      { compare: 'value', pointer: '/template', label: 'template', rule: 'prompt.template-changed' },
    ],
  },
};
