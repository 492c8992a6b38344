import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SymbolColumn } from './symbol-column';

test('symbols round-trip through set, clear, compaction, export and load, in any script', () => {
  const column = new SymbolColumn();
  const expected = new Map<number, string>();
  const symbolOf = (slot: number, round: number) => (slot % 7 === 0 ? '' : `class Wälder${slot} > fn 走る_${round} ${'x'.repeat(slot % 50)}`);
  // Enough rewrites that dead bytes pass a MiB and the column compacts itself.
  for (let round = 0; round < 12; round++) {
    for (let slot = 0; slot < 3000; slot++) {
      if ((slot + round) % 5 === 0) {
        column.clear(slot);
        expected.delete(slot);
      } else {
        column.set(slot, symbolOf(slot, round));
        expected.set(slot, symbolOf(slot, round));
      }
    }
  }
  for (let slot = 0; slot < 3100; slot++) assert.equal(column.get(slot), expected.get(slot) ?? '', `slot ${slot}`);
  assert.ok(column.byteLength < 4 * 1024 * 1024, `${column.byteLength} bytes: dead bytes were dropped`);

  const slots = [2999, 5, 1, 14, 200];
  const { bytes, lengths } = column.export(slots);
  const loaded = new SymbolColumn();
  loaded.load(bytes, lengths);
  assert.deepEqual(slots.map((_, i) => loaded.get(i)), slots.map((slot) => expected.get(slot) ?? ''));
});
