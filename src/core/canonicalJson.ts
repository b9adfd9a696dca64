// Canonical JSON (RFC 8785 / JCS) of pure JSON values: the bytes every digest is computed over.
import stringify from 'fast-json-stable-stringify';
import { assertJsonValue, type JsonValue } from './json.js';

const encoder = new TextEncoder();

/**
 * The RFC 8785 canonical text of `value`. The admit walk runs first: on pure JSON data fast-json-stable-stringify's
 * output equals JCS (keys sorted by UTF-16 code units, ECMAScript number formatting, minimal string escaping).
 */
export function canonicalJson(value: unknown): string {
  assertJsonValue(value);
  return stringify(value);
}

/** UTF-8 bytes of the canonical text. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value));
}

/** Same as canonicalJson for a value the caller has already admitted (hot paths that just parsed JSON). */
export function canonicalJsonTrusted(value: JsonValue): string {
  return stringify(value);
}
