// A witness search for schema diffs: instances generated from each version (json-schema-faker, seeded) and validated
// with ajv under both. An instance one version accepts and the other rejects proves that change breaking.
import { JSONSchemaFaker } from 'json-schema-faker';
import type { JsonValue } from '../../src/core/json.js';
import { createUserAjv, detectDraft } from '../../src/validate/ajvInstances.js';
import { createRandom } from '../../bench/mutableRegistry.mjs';

export interface Witnesses {
  /** Valid under the old schema, invalid under the new one: the change breaks backward compatibility. */
  backward?: JsonValue;
  /** Valid under the new schema, invalid under the old one: the change breaks forward compatibility. */
  forward?: JsonValue;
  /** Instances generated and valid under the schema they came from, per side. */
  tried: { old: number; new: number };
}

type Validate = (value: unknown) => boolean;

function compile(schema: JsonValue, referenced: readonly JsonValue[]): Validate | undefined {
  const draft = detectDraft(schema);
  if (draft === undefined) return undefined;
  try {
    const ajv = createUserAjv(draft);
    for (const other of referenced) ajv.addSchema(other as object);
    const validate = ajv.compile(schema as object);
    return (value) => validate(value) === true;
  } catch {
    return undefined; // an external $ref, an unknown format: the pair is not searchable here
  }
}

function generate(
  schema: JsonValue,
  count: number,
  random: () => number,
  referenced: readonly JsonValue[],
): JsonValue[] {
  JSONSchemaFaker.option({
    random,
    ignoreMissingRefs: true,
    failOnInvalidTypes: false,
    failOnInvalidFormat: false,
    optionalsProbability: 0.5,
    maxItems: 3,
    maxLength: 24,
    refDepthMax: 3,
    useDefaultValue: false,
    useExamplesValue: true,
    maxRegexRetry: 20,
  });
  const out: JsonValue[] = [];
  for (let i = 0; i < count; i++) {
    try {
      out.push(
        JSONSchemaFaker.generate(structuredClone(schema) as never, structuredClone(referenced) as never) as JsonValue,
      );
    } catch {
      // the generator cannot handle every schema; what it produced so far is used
    }
  }
  return out;
}

/** Undefined when either schema does not compile here (then nothing can be said). */
export function searchWitnesses(
  oldSchema: JsonValue,
  newSchema: JsonValue,
  options: { samples: number; seed: number; referenced?: readonly JsonValue[] },
): Witnesses | undefined {
  // Other documents the schemas $ref by URL (each with its $id), the same on both sides.
  const referenced = options.referenced ?? [];
  const validOld = compile(oldSchema, referenced);
  const validNew = compile(newSchema, referenced);
  if (validOld === undefined || validNew === undefined) return undefined;
  const random = createRandom(options.seed);
  const fromOld = firstRejected(generate(oldSchema, options.samples, random, referenced), validOld, validNew);
  const fromNew = firstRejected(generate(newSchema, options.samples, random, referenced), validNew, validOld);
  const result: Witnesses = { tried: { old: fromOld.tried, new: fromNew.tried } };
  if (fromOld.witness !== undefined) result.backward = fromOld.witness;
  if (fromNew.witness !== undefined) result.forward = fromNew.witness;
  return result;
}

/** The first generated instance its own schema accepts and the other rejects; `tried` counts the accepted ones. */
function firstRejected(
  instances: JsonValue[],
  accepts: Validate,
  other: Validate,
): { witness?: JsonValue; tried: number } {
  let tried = 0;
  for (const instance of instances) {
    if (!accepts(instance)) continue;
    tried++;
    if (!other(instance)) return { witness: instance, tried };
  }
  return { tried };
}
