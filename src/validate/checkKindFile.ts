// Checks one kind file's value: the schema of kind files, then its `schema` compiled exactly as kinds' schemas are.
import type { ValidateFunction } from 'ajv';
import type { JsonObject } from '../core/json.js';
import { createKindAjv, detectDraft } from './ajvInstances.js';
import { describeAjvError } from './analyzeSpecFile.js';
import { linearRegExpEngine } from './linearRegExp.js';
import { selfContainedSchemaProblems, type SchemaProblem } from './schemaCompiler.js';

let kindFileValidator: ValidateFunction | undefined;

/**
 * The problems of a kind file, each with a pointer into it: KIND_FILE_INVALID for what the schema of kind files
 * refuses, KIND_SCHEMA_INVALID for a `schema` that is not a valid, self-contained 2020-12 JSON Schema (patterns that
 * the linear-time engine runs; no `$ref` to schema specs) or that the strict compiler of kinds refuses.
 */
export function checkKindFile(value: JsonObject, kindFileSchema: JsonObject): SchemaProblem[] {
  kindFileValidator ??= createKindAjv().compile(kindFileSchema);
  if (!kindFileValidator(value))
    return (kindFileValidator.errors ?? []).map((error) => {
      const { pointer, message } = describeAjvError(error);
      return { code: 'KIND_FILE_INVALID', pointer, message: `kind file: ${message}` };
    });
  const schema = value['schema'] as JsonObject;
  if (detectDraft(schema) !== '2020-12')
    return [
      {
        code: 'KIND_SCHEMA_INVALID',
        pointer: '/schema/$schema',
        message: "a kind's schema is JSON Schema 2020-12 (omit $schema, or name 2020-12)",
      },
    ];
  const problems = selfContainedSchemaProblems(schema, `kind:${value['name'] as string}`);
  if (problems === undefined)
    return [
      {
        code: 'KIND_SCHEMA_INVALID',
        pointer: '/schema',
        message: "a kind's schema must be self-contained: it may not $ref schema specs (embedded schemas may)",
      },
    ];
  if (problems.length > 0)
    return problems.map((problem) => ({
      code: 'KIND_SCHEMA_INVALID',
      pointer: `/schema${problem.pointer}`,
      message: `${problem.code}: ${problem.message}`,
    }));
  try {
    // Strict, as the pipeline compiles every kind's schema: an unknown keyword is a typo, not an annotation.
    createKindAjv({ code: { regExp: linearRegExpEngine } }).compile(schema);
  } catch (cause) {
    return [{ code: 'KIND_SCHEMA_INVALID', pointer: '/schema', message: (cause as Error).message }];
  }
  return [];
}
