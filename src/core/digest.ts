// The one hashing module: `sha256:` + lower-case hex of SHA-256 over canonical JSON bytes.
import { canonicalJson, canonicalJsonTrusted } from './canonicalJson.js';
import type { JsonValue } from './json.js';
import type * as NodeCryptoModule from 'node:crypto';

/** A content address: `sha256:` and 64 lowercase hex digits of the canonical bytes. */
export type Digest = `sha256:${string}`;

const digestPattern = /^sha256:[0-9a-f]{64}$/;
const encoder = new TextEncoder();

/** A SHA-256 implementation: lower-case hex of the digest of bytes, or of a string's UTF-8 bytes. */
export interface Sha256Backend {
  name: string;
  hexOfBytes(bytes: Uint8Array): string;
  hexOfString(text: string): string;
}

/**
 * `@noble/hashes`: pure JavaScript, runs anywhere (browsers included). Loaded only where there is no node:crypto, or
 * when asked for (the tests hold both to the same vectors): on node it would add its loading time to every command.
 */
export async function loadNobleSha256(): Promise<Sha256Backend> {
  const [{ sha256 }, { bytesToHex }] = await Promise.all([
    import('@noble/hashes/sha2.js'),
    import('@noble/hashes/utils.js'),
  ]);
  return {
    name: '@noble/hashes',
    hexOfBytes: (bytes) => bytesToHex(sha256(bytes)),
    hexOfString: (text) => bytesToHex(sha256(encoder.encode(text))),
  };
}

type NodeCrypto = typeof NodeCryptoModule;

/**
 * Node's OpenSSL SHA-256 (about 8× faster on small inputs), found without a static `node:crypto` import so the module
 * still loads where there is none. Both give the same digests: tests run the same vectors through each.
 */
function nodeSha256(): Sha256Backend | undefined {
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  const crypto =
    typeof getBuiltinModule === 'function' ? (getBuiltinModule('node:crypto') as NodeCrypto | undefined) : undefined;
  if (!crypto || typeof crypto.createHash !== 'function') return undefined;
  const { createHash } = crypto;
  return {
    name: 'node:crypto',
    hexOfBytes: (bytes) => createHash('sha256').update(bytes).digest('hex'),
    hexOfString: (text) => createHash('sha256').update(text, 'utf8').digest('hex'),
  };
}

/** The backend in use: node:crypto when the runtime has it, @noble/hashes otherwise. */
export const sha256Backend: Sha256Backend = nodeSha256() ?? (await loadNobleSha256());

/** True when `value` is a well-formed digest (`sha256:` and 64 lowercase hex digits). */
export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && digestPattern.test(value);
}

/** `sha256:<hex>` of raw bytes. */
export function digestBytes(bytes: Uint8Array): Digest {
  return `sha256:${sha256Backend.hexOfBytes(bytes)}`;
}

/** A value in canonical form together with its digest: what is stored, and the key it is stored under. */
export interface CanonicalObject {
  digest: Digest;
  /** Canonical JSON text (its UTF-8 bytes are what is hashed). */
  readonly text: string;
  /** The text's UTF-8 length, when known without reading it (a text a large build staged in a file). */
  readonly byteLength?: number;
}

/** Canonicalises (after the JSON admit walk) and hashes. */
export function digestValue(value: unknown): CanonicalObject {
  const text = canonicalJson(value);
  return { digest: digestText(text), text };
}

/** digestValue for values already known to be pure JSON (parsed from canonical text, or built by this library). */
export function digestTrustedValue(value: JsonValue): CanonicalObject {
  const text = canonicalJsonTrusted(value);
  return { digest: digestText(text), text };
}

/** The digest of canonical text as stored (its UTF-8 bytes): used to re-hash whatever is read back. */
export function digestText(text: string): Digest {
  return `sha256:${sha256Backend.hexOfString(text)}`;
}

/** Lower-case hex SHA-256 of a UTF-8 string, without prefix (used to bucket names in the manifest tree). */
export function sha256HexOfString(text: string): string {
  return sha256Backend.hexOfString(text);
}
