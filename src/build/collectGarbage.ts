// A full garbage collection on demand, for the few points where a large build has just dropped most of what it held.
// V8 sets its next collection by a multiple (up to ~4×) of what the last one kept: a build whose last collection ran
// while every analysis was alive (~220 MB at 100k files) lets its heap grow to ~700 MB of garbage before the next,
// although it keeps ~150 MB by then. Collecting at those points holds the peak near what is live (docs/performance.md).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/** Runs a full collection; false when this runtime offers none (then it does nothing). */
export function collectGarbageNow(): boolean {
  if (collect === undefined) collect = findCollector();
  collect?.();
  return collect !== null;
}

function findCollector(): (() => void) | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  try {
    // `--expose-gc` set now applies to contexts made after it: one is made to take `gc` from, and the flag is unset
    // again so that no later context has it.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}
