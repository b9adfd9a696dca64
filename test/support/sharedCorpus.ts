// The shared corpus next to the repository (`../shared`): tests that need it skip on a fresh clone, never under CI.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `../shared`, or `$SPECSTORE_SHARED_DIR` (a test points it at a missing directory to check the skips). */
export const sharedDir = process.env['SPECSTORE_SHARED_DIR'] ?? resolve(import.meta.dirname, '../../../shared');

/** A path inside the shared corpus. */
export function sharedPath(relative: string): string {
  return join(sharedDir, relative);
}

/**
 * node:test's `skip` option for a test that needs `sharedPath(relative)`: false when it exists, else a message naming
 * what is missing. Under CI=true, where the corpus is always present, its absence throws: the file fails, not skips.
 */
export function skipWithoutShared(relative: string): string | false {
  const path = sharedPath(relative);
  if (existsSync(path)) return false;
  const message = `${path} is absent (the shared corpus, ../shared next to the repository)`;
  if (process.env['CI'] === 'true')
    throw new Error(`${message}; CI=true, and CI always has it: failing instead of skipping`);
  return message;
}
