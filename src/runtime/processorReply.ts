// The reply every adapter reads from a tool: one JSON object `{"outputs": {…}, "receipt"?, "artifacts"?}`.
import { readFile } from 'node:fs/promises';
import { isAbsolute, normalize, resolve, sep } from 'node:path';
import { digestBytes } from '../core/digest.js';
import { isJsonObject } from '../core/json.js';
import type { Artifact, ProcessorResult, StepFailure } from './adapter.js';

const invalid = (message: string): StepFailure => ({ code: 'STEP_RESULT_INVALID', message, retryable: false });

/**
 * A successful result from the text a tool answered with (stdout, an HTTP body), or why it is not one. Artifacts are
 * paths relative to the scratch directory, each hashed here; one outside it, or missing, makes the reply invalid.
 */
export async function readProcessorReply(
  text: string,
  scratchDir: string,
  durationMs: number,
): Promise<ProcessorResult | StepFailure> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid(`the reply is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (!isJsonObject(value) || !isJsonObject(value['outputs']))
    return invalid('the reply is not a JSON object with an "outputs" object');
  const unknown = Object.keys(value).filter((key) => !['outputs', 'receipt', 'artifacts'].includes(key));
  if (unknown.length > 0) return invalid(`the reply has fields a result does not have: ${unknown.join(', ')}`);
  const receipt = value['receipt'] ?? {};
  if (!isJsonObject(receipt)) return invalid('"receipt" is not an object');
  const cost = receipt['cost_usd_micro'];
  if (cost !== undefined && !(typeof cost === 'number' && Number.isInteger(cost) && cost >= 0))
    return invalid('"receipt.cost_usd_micro" is not a non-negative integer');
  const listed = value['artifacts'] ?? [];
  if (!Array.isArray(listed)) return invalid('"artifacts" is not a list');
  const artifacts: Artifact[] = [];
  for (const item of listed) {
    const path = typeof item === 'string' ? item : isJsonObject(item) ? item['path'] : undefined;
    if (typeof path !== 'string' || path === '' || isAbsolute(path) || normalize(path).split(sep).includes('..'))
      return invalid(`artifact ${JSON.stringify(item)} is not a path inside the scratch directory`);
    try {
      artifacts.push({ path, sha256: digestBytes(await readFile(resolve(scratchDir, path))) });
    } catch {
      return invalid(`artifact ${JSON.stringify(path)} is not a readable file in the scratch directory`);
    }
  }
  return {
    success: true,
    outputs: value['outputs'],
    receipt: { duration_ms: durationMs, ...(cost === undefined ? {} : { cost_usd_micro: cost }) },
    artifacts,
  };
}

export function isStepFailure(value: ProcessorResult | StepFailure): value is StepFailure {
  return 'code' in value;
}
