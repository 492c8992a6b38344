import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from './seeded-random';
import { SignRows } from './sign-rows';

function randomValues(count: number, dimension: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: dimension }, () => random() - 0.5));
}

function hamming(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > 0 !== b[i] > 0) d++;
  return d;
}

/** What `nearest` must hand over, by brute force: every kept row within the least distance that covers `wanted` of them. */
function expectedNearest(rows: Float32Array[], query: Float32Array, wanted: number, keep: (row: number) => boolean): number[] {
  const kept = rows.map((row, i) => ({ i, d: hamming(row, query) })).filter(({ i }) => keep(i));
  const sorted = kept.map(({ d }) => d).sort((a, b) => a - b);
  const cut = sorted[Math.min(wanted, sorted.length) - 1];
  return kept.filter(({ d }) => d <= cut).map(({ i }) => i);
}

function handed(signs: SignRows, query: Float32Array, wanted: number, allowed: Uint8Array | undefined, count: number): number[] {
  const rows: number[] = [];
  const total = signs.nearest(query, wanted, allowed, count, (block, n) => rows.push(...block.subarray(0, n)));
  assert.equal(total, rows.length);
  return rows;
}

for (const dimension of [128, 100, 300]) {
  test(`nearest hands over exactly the rows within the cut, ascending, at ${dimension} dimensions`, () => {
    // Not a multiple of 4: 16-byte rows go four at a time, the last few one by one.
    const rows = randomValues(6_003, dimension, dimension);
    const signs = new SignRows(dimension);
    signs.grow(1_000);
    rows.forEach((row, i) => {
      // Grown while filled: the rows set before a growth keep their bits.
      if (i === 1_000) signs.grow(rows.length);
      signs.set(i, row, 0);
    });
    const removed = new Set([3, 77, 4_095, 4_096, 5_999, 6_002]);
    for (const row of removed) signs.clear(row);
    const allowed = new Uint8Array(5_000).map((_, i) => (i % 3 === 0 ? 1 : 0));
    for (const [q, query] of randomValues(5, dimension, dimension + 1).entries()) {
      const wanted = [1, 50, 700, 5_000, 9_000][q];
      const all = handed(signs, query, wanted, undefined, rows.length);
      assert.deepEqual(all, expectedNearest(rows, query, wanted, (i) => !removed.has(i)));
      assert.ok(all.length >= Math.min(wanted, rows.length - removed.size));
      // Rows past the filter's length are not allowed.
      const filtered = handed(signs, query, wanted, allowed, rows.length);
      assert.deepEqual(filtered, expectedNearest(rows, query, wanted, (i) => !removed.has(i) && i < allowed.length && allowed[i] === 1));
    }
  });
}

test('a row set again takes its new signs; a cleared row is back once set', () => {
  const [a, b] = randomValues(2, 128, 9);
  const signs = new SignRows(128);
  signs.grow(4);
  signs.set(0, a, 0);
  signs.set(1, b, 0);
  assert.deepEqual(handed(signs, a, 1, undefined, 2), [0]);
  signs.set(1, a, 0);
  signs.clear(0);
  assert.deepEqual(handed(signs, a, 1, undefined, 2), [1]);
  signs.set(0, a, 0);
  assert.deepEqual(handed(signs, a, 1, undefined, 2), [0, 1]);
});

test('a dimension the kernel cannot count is refused', () => {
  assert.equal(SignRows.supports(3_968), true);
  assert.equal(SignRows.supports(3_969), false);
  assert.throws(() => new SignRows(4_000), /at most 3968 dimensions/);
});
