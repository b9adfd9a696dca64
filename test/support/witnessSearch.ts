// A witness search for schema diffs: instances generated from each version (json-schema-faker, seeded) and validated
// with ajv under both. An instance one version accepts and the other rejects proves that change breaking.
import { JSONSchemaFaker } from 'json-schema-faker';
import type { JsonValue } from '../../src/core/json.js';
import { createUserAjv, detectDraft } from '../../src/validate/ajvInstances.js';

export interface Witnesses {
  /** Valid under the old schema, invalid under the new one: the change breaks backward compatibility. */
  backward?: JsonValue;
  /** Valid under the new schema, invalid under the old one: the change breaks forward compatibility. */
  forward?: JsonValue;
  /** Instances generated and valid under the schema they came from, per side. */
  tried: { old: number; new: number };
}

type Validate = (value: unknown) => boolean;

function compile(schema: JsonValue): Validate | undefined {
  const draft = detectDraft(schema);
  if (draft === undefined) return undefined;
  try {
    const validate = createUserAjv(draft).compile(schema as object);
    return (value) => validate(value) === true;
  } catch {
    return undefined; // an external $ref, an unknown format: the pair is not searchable here
  }
}

/** A small seeded generator (mulberry32), so a failure repeats. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(schema: JsonValue, count: number, random: () => number): JsonValue[] {
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
      out.push(JSONSchemaFaker.generate(structuredClone(schema) as never) as JsonValue);
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
  options: { samples: number; seed: number },
): Witnesses | undefined {
  const validOld = compile(oldSchema);
  const validNew = compile(newSchema);
  if (validOld === undefined || validNew === undefined) return undefined;
  const random = seeded(options.seed);
  const result: Witnesses = { tried: { old: 0, new: 0 } };
  for (const instance of generate(oldSchema, options.samples, random)) {
    if (!validOld(instance)) continue;
    result.tried.old++;
    if (!validNew(instance)) {
      result.backward = instance;
      break;
    }
  }
  for (const instance of generate(newSchema, options.samples, random)) {
    if (!validNew(instance)) continue;
    result.tried.new++;
    if (!validOld(instance)) {
      result.forward = instance;
      break;
    }
  }
  return result;
}
