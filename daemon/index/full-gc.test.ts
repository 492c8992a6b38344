import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fullGc } from './full-gc';

const MB = 2 ** 20;

/** Leaves every other object of a few hundred MB alive, spread over all the pages they filled: what a pass leaves. */
function halfDead(): unknown[] {
  const kept: unknown[] = [];
  let garbage: unknown[] | null = [];
  for (let i = 0; i < 2_000_000; i++) (i % 2 === 0 ? kept : garbage).push({ n: i, s: `chunk ${i}` });
  garbage = null;
  return kept;
}

/** Bytes the old space holds from the OS beyond its live objects. */
function oldSpaceSlack(): number {
  const old = getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')!;
  return old.space_size - old.space_used_size;
}

test('fullGc gives back the old-space pages a plain collection leaves half empty', () => {
  setFlagsFromString('--expose-gc');
  const plainGc = runInNewContext('gc') as () => void;
  let kept: unknown[] | null = halfDead();
  plainGc();
  const sparse = oldSpaceSlack();
  kept = null;
  plainGc();
  kept = halfDead();
  fullGc();
  const compacted = oldSpaceSlack();
  assert.equal(kept.length, 1_000_000);
  assert.ok(sparse > 16 * MB, `a plain collection left ${Math.round(sparse / MB)} MB of the old space free`);
  assert.ok(compacted < sparse / 4, `old space free: ${Math.round(sparse / MB)} MB after a plain collection, ${Math.round(compacted / MB)} MB after fullGc`);
});
