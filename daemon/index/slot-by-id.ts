// Chunk id → slot, in an open-addressing table of typed arrays: a start maps a million ids to load its snapshots, which
// a Map does several times slower and at ~50 bytes an entry. Chunk ids start at 1, so 0 marks an empty place.

export class SlotById {
  private readonly ids: Uint32Array;
  private readonly slots: Int32Array;
  private readonly shift: number;

  /** Maps `chunkIds[slot]` to `slot` for each slot where `live(slot)`. */
  constructor(chunkIds: Uint32Array, slotCount: number, live: (slot: number) => boolean) {
    const bits = Math.max(4, Math.ceil(Math.log2(slotCount * 2 + 1)));
    this.ids = new Uint32Array(2 ** bits);
    this.slots = new Int32Array(2 ** bits);
    this.shift = 32 - bits;
    for (let slot = 0; slot < slotCount; slot++) if (live(slot)) this.put(chunkIds[slot], slot);
  }

  /** The slot of the chunk, or -1 when it is not live. */
  get(id: number): number {
    const mask = this.ids.length - 1;
    for (let at = this.home(id); ; at = (at + 1) & mask) {
      const held = this.ids[at];
      if (held === id) return this.slots[at];
      if (held === 0) return -1;
    }
  }

  private put(id: number, slot: number): void {
    const mask = this.ids.length - 1;
    let at = this.home(id);
    while (this.ids[at] !== 0 && this.ids[at] !== id) at = (at + 1) & mask;
    this.ids[at] = id;
    this.slots[at] = slot;
  }

  private home(id: number): number {
    return Math.imul(id, 0x9e3779b1) >>> this.shift;
  }
}
