// The one hashing module: `sha256:` + lower-case hex of SHA-256 over canonical JSON bytes.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { canonicalJson, canonicalJsonTrusted } from './canonicalJson.js';
import type { JsonValue } from './json.js';

export type Digest = `sha256:${string}`;

const digestPattern = /^sha256:[0-9a-f]{64}$/;
const encoder = new TextEncoder();

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && digestPattern.test(value);
}

/** `sha256:<hex>` of raw bytes. */
export function digestBytes(bytes: Uint8Array): Digest {
  return `sha256:${bytesToHex(sha256(bytes))}`;
}

/** A value in canonical form together with its digest: what is stored, and the key it is stored under. */
export interface CanonicalObject {
  digest: Digest;
  /** Canonical JSON text (its UTF-8 bytes are what is hashed). */
  text: string;
}

/** Canonicalises (after the JSON admit walk) and hashes. */
export function digestValue(value: unknown): CanonicalObject {
  const text = canonicalJson(value);
  return { digest: digestBytes(encoder.encode(text)), text };
}

/** digestValue for values already known to be pure JSON (parsed from canonical text, or built by this library). */
export function digestTrustedValue(value: JsonValue): CanonicalObject {
  const text = canonicalJsonTrusted(value);
  return { digest: digestBytes(encoder.encode(text)), text };
}

/** The digest of canonical text as stored: used to re-hash whatever is read back. */
export function digestText(text: string): Digest {
  return digestBytes(encoder.encode(text));
}

/** Lower-case hex SHA-256 of a UTF-8 string, without prefix (used to bucket names in the manifest tree). */
export function sha256HexOfString(text: string): string {
  return bytesToHex(sha256(encoder.encode(text)));
}
