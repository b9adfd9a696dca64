// Records of the maintain room, and the lenient reading of JSON records that verify and gc share.
import type { Digest } from '../core/digest.js';
import { isJsonObject } from '../core/json.js';
import { keys, keySpaces } from '../store/storeKeys.js';

/**
 * `gc:<snapshot id>` records that gc removed a snapshot. The build log is history and keeps naming it; verify accepts
 * a log entry whose snapshot is gone only when this record says gc removed it (anything else lost it).
 */
export const collectedPrefix = keySpaces.collected.prefix;
export const collectedKey = (id: Digest) => keys.collected(id);

export interface CollectedRecord {
  collectedAt: string;
  specs?: number;
}

/** A record's JSON object, or undefined when the text is not one (damage is reported, never thrown). */
export function parseRecord(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
