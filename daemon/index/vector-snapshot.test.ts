import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from './seeded-random';
import { VectorIndex } from './vector-index';
import { decodeIvf, encodeIvf } from './vector-snapshot';

const DIM = 32;

function vectors(count: number): Float32Array[] {
  const random = seededRandom(11);
  const centres = Array.from({ length: 20 }, () => Float32Array.from({ length: DIM }, () => random() - 0.5));
  return Array.from({ length: count }, (_, i) => {
    const v = centres[i % 20].map((x) => x + 0.3 * (random() - 0.5));
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

test('trained lists saved by chunk id are adopted by a restart whose slots differ: same approximate results, no training', async () => {
  const all = vectors(4000);
  const first = new VectorIndex(DIM, { approximateFrom: 1000 });
  all.forEach((v, slot) => first.set(slot, v));
  assert.equal(await first.maintain(), true, 'trained');
  // Chunk ids as the store numbers them; the restart places the same chunks in reverse order.
  const idOfSlot = (slot: number) => 1000 + slot;
  const bytes = encodeIvf(first.ivfState()!, DIM, idOfSlot);
  const second = new VectorIndex(DIM, { approximateFrom: 1000 });
  const slotOfChunk = (id: number) => all.length - 1 - (id - 1000);
  all.forEach((v, slot) => second.set(slotOfChunk(idOfSlot(slot)), v));
  second.restoreIvf(decodeIvf(bytes, DIM, all.length, slotOfChunk));
  assert.equal(await second.maintain(), false, 'nothing left to train');
  for (const query of vectors(4030).slice(4000)) {
    const a = first.search(query, 10).map((hit) => slotOfChunk(idOfSlot(hit.slot)));
    const b = second.search(query, 10).map((hit) => hit.slot);
    assert.equal(second.lastPath, 'approximate');
    assert.deepEqual(b, a);
  }
});

test('a damaged or foreign vector snapshot is refused with one line', () => {
  const index = new VectorIndex(DIM, { approximateFrom: 100 });
  vectors(300).forEach((v, slot) => index.set(slot, v));
  return index.maintain().then(() => {
    const bytes = encodeIvf(index.ivfState()!, DIM, (slot) => slot);
    const flipped = Buffer.from(bytes);
    flipped[40] ^= 0xff;
    for (const [bad, reason] of [[flipped, /checksum mismatch/], [bytes.subarray(0, 30), /not a vector index snapshot|length/], [Buffer.from('nonsense'), /not a vector index snapshot/]] as const) {
      assert.throws(() => decodeIvf(bad, DIM, 300, (id) => id), (error: Error) => reason.test(error.message) && !error.message.includes('\n'));
    }
    assert.throws(() => decodeIvf(bytes, 64, 300, (id) => id), /32-d, the index is 64-d/);
  });
});
