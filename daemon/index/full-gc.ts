// A full garbage collection that also compacts the heap, run after a pass that re-read many files (and by the memory
// budget before it judges RSS). V8 collects its old space lazily: a forced pass over 5,000 files leaves ~250 MB of dead
// file texts and chunks, and repeated passes let the heap (and RSS) climb by that much each time until V8 decides to
// compact. A plain full collection frees the objects but keeps the pages they were spread over: after the first index
// of 100k chunks the old space stayed at ~110 MB committed for ~27 MB live. Compacting moves the survivors together so
// the emptied pages go back to the OS (old space ~27 MB, RSS −80 MB), for ~100 ms more once per big pass.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Files a pass must have re-chunked or removed before it is worth a full collection. */
export const FULL_GC_AFTER_FILES = 1000;

let gc: (() => void) | undefined;

/** Collects all garbage and compacts the heap now; returns how long the main thread was paused, in ms. */
export function fullGc(): number {
  if (!gc) {
    // The documented way to get `gc` without starting node with --expose-gc: the flag holds for contexts made after it.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  const started = performance.now();
  // Read by V8 when a full collection starts, so it holds for this one only; searches' collections stay as they were.
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
  return Math.round(performance.now() - started);
}
