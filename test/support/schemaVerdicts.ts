// What the diff tests check a schema comparison against: its verdict per direction, and ajv's judgement of candidate
// instances (a witness is an instance one version accepts and the other rejects).
import type { JsonValue } from '../../src/core/json.js';
import { compareSchemas, worstSeverity, type Severity } from '../../src/diff/compareSchemas.js';
import { createUserAjv } from '../../src/validate/ajvInstances.js';

/** The worst severity of the changes from `oldSchema` to `newSchema`, in each direction. */
export function verdicts(oldSchema: JsonValue, newSchema: JsonValue): { backward: Severity; forward: Severity } {
  const verdict = (direction: 'backward' | 'forward'): Severity =>
    worstSeverity(compareSchemas({ schema: oldSchema }, { schema: newSchema }, { direction }));
  return { backward: verdict('backward'), forward: verdict('forward') };
}

/** Whether ajv (draft 2020-12) accepts the instance. */
export function accepts(schema: JsonValue, instance: JsonValue): boolean {
  return createUserAjv('2020-12').compile(schema as object)(instance) === true;
}

/** Which of `instances` tell the two schemas apart (valid under old only: backward; under new only: forward). */
export function witnesses(
  oldSchema: JsonValue,
  newSchema: JsonValue,
  instances: JsonValue[],
): { backward: JsonValue[]; forward: JsonValue[] } {
  return {
    backward: instances.filter((i) => accepts(oldSchema, i) && !accepts(newSchema, i)),
    forward: instances.filter((i) => accepts(newSchema, i) && !accepts(oldSchema, i)),
  };
}
