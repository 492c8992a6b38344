// A full garbage collection, run after a pass that re-read many files. V8 collects its old space lazily: a forced pass
// over 5,000 files leaves ~250 MB of dead file texts and chunks, and repeated passes let the heap (and RSS) climb by
// that much each time until V8 decides to compact. One collection at the end of a big pass costs tens of
// milliseconds and lets the next pass reuse the same memory instead.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Files a pass must have re-chunked or removed before it is worth a full collection. */
export const FULL_GC_AFTER_FILES = 1000;

let gc: (() => void) | undefined;

/** Collects all garbage now; returns how long the main thread was paused, in ms. */
export function fullGc(): number {
  if (!gc) {
    // The documented way to get `gc` without starting node with --expose-gc: the flag holds for contexts made after it.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  const started = performance.now();
  gc();
  return Math.round(performance.now() - started);
}
