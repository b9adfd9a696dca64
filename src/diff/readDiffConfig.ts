// Reads a `specstore.diff.yaml` with the safe YAML reader and validates it; every problem at once.
import { invalidInput, type Diagnostic } from '../errors.js';
import { locatePointer, parseYamlSpec } from '../source/parseYamlSpec.js';
import { createKindAjv } from '../validate/ajvInstances.js';
import { diffConfigFromValue, diffConfigSchema, type DiffConfig } from './diffConfig.js';

export function readDiffConfig(bytes: Uint8Array, file: string): DiffConfig {
  const parsed = parseYamlSpec(bytes, file);
  if (parsed.value === undefined) throw invalidInput(parsed.diagnostics);
  const validate = createKindAjv().compile(diffConfigSchema);
  if (validate(parsed.value)) return diffConfigFromValue(parsed.value);
  const diagnostics: Diagnostic[] = (validate.errors ?? []).map((error) => ({
    code: 'DIFF_CONFIG_INVALID',
    message: `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${error.params && 'allowedValues' in error.params ? ` (${(error.params['allowedValues'] as unknown[]).join(', ')})` : ''}`,
    severity: 'error',
    file,
    pointer: error.instancePath,
    ...locatePointer(bytes, error.instancePath),
  }));
  throw invalidInput(diagnostics);
}
