// Reading objects by digest, re-hashed: the one thing a snapshot view or a tree walk needs from wherever objects live.
import { digestText, type CanonicalObject, type Digest } from '../core/digest.js';
import { parseJsonText, type JsonValue } from '../core/json.js';
import { SpecError } from '../errors.js';

/**
 * Objects by digest: the store, a verified export document, an OCI pack, an HTTP draft. Each object is re-hashed
 * before it is returned (DIGEST_MISMATCH when its bytes do not match); one it does not hold is `undefined`.
 */
export interface ObjectReader {
  readObjects(digests: readonly Digest[]): Promise<(JsonValue | undefined)[]>;
}

/** DIGEST_MISMATCH unless `text` hashes to `digest`. */
export function verifyObjectText(digest: Digest, text: string): void {
  const actual = digestText(text);
  if (actual !== digest) {
    throw new SpecError(
      'DIGEST_MISMATCH',
      `object ${digest} in the store does not hash to its key (it hashes to ${actual}): the store is damaged`,
      {
        data: { expected: digest, actual },
      },
    );
  }
}

/** A reader over objects held in memory, falling back to `below` (if given) for the digests it does not hold. */
export function memoryObjectReader(objects: readonly CanonicalObject[], below?: ObjectReader): ObjectReader {
  // The objects, not their texts: a text may be staged in a file (a large build's), read only if asked for.
  const byDigest = new Map(objects.map((object) => [object.digest, object]));
  return {
    async readObjects(digests) {
      const missing = below ? digests.filter((digest) => !byDigest.has(digest)) : [];
      const fromBelow = missing.length > 0 && below ? await below.readObjects(missing) : [];
      let next = 0;
      return digests.map((digest) => {
        const text = byDigest.get(digest)?.text;
        if (text === undefined) return below ? fromBelow[next++] : undefined;
        verifyObjectText(digest, text);
        return parseJsonText(text);
      });
    },
  };
}
