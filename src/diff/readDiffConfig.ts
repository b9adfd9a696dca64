// Reads a `specstore.diff.yaml` with the safe YAML reader and validates it; every problem at once.
import type { ErrorObject } from 'ajv';
import { invalidInput, type Diagnostic } from '../errors.js';
import { locatePointer, parseYamlSpec } from '../source/parseYamlSpec.js';
import { createKindAjv } from '../validate/ajvInstances.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import { diffConfigFromValue, diffConfigSchemaFor, type DiffConfig } from './diffConfig.js';

/** `kinds` (default: the built-in ones) are the names `kinds:` may configure. */
export function readDiffConfig(
  bytes: Uint8Array,
  file: string,
  kinds: readonly KindDescriptor[] = builtinKinds,
): DiffConfig {
  const parsed = parseYamlSpec(bytes, file);
  if (parsed.value === undefined)
    throw invalidInput(parsed.diagnostics, `${file} is not a valid diff configuration; no diff was made`, { file });
  const validate = createKindAjv().compile(diffConfigSchemaFor(kinds.map((kind) => kind.name)));
  if (validate(parsed.value)) return diffConfigFromValue(parsed.value);
  const diagnostics: Diagnostic[] = [];
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'propertyNames') continue; // the same problem as the enum error that names the key
    const { pointer, message } = describeConfigError(error);
    diagnostics.push({
      code: 'DIFF_CONFIG_INVALID',
      message,
      severity: 'error',
      file,
      pointer,
      ...(locatePointer(bytes, pointer) ?? locatePointer(bytes, error.instancePath)),
    });
  }
  throw invalidInput(diagnostics, `${file} is not a valid diff configuration; no diff was made`, { file });
}

/** The pointer of the key that is wrong (an unknown key or kind is its own pointer, not its parent's) and what is wrong. */
function describeConfigError(error: ErrorObject): { pointer: string; message: string } {
  const params = error.params as Record<string, unknown>;
  const child = (key: string) => `${error.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const allowed = (values: unknown) => (values as unknown[]).join(', ');
  if (error.keyword === 'additionalProperties') {
    const key = String(params['additionalProperty']);
    return { pointer: child(key), message: `unknown key "${key}" in ${error.instancePath || 'the configuration'}` };
  }
  if (error.propertyName !== undefined) {
    return {
      pointer: child(error.propertyName),
      message: `"${error.propertyName}" is not a kind (one of ${allowed(params['allowedValues'])})`,
    };
  }
  if (error.keyword === 'enum')
    return {
      pointer: error.instancePath,
      message: `${error.instancePath} must be one of ${allowed(params['allowedValues'])}`,
    };
  return {
    pointer: error.instancePath,
    message: `${error.instancePath || 'the configuration'} ${error.message ?? 'is invalid'}`,
  };
}
