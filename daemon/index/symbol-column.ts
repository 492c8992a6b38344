// Every slot's symbol (`class Walk > fn next`) as UTF-8 in one growing byte array, with a start and a length per slot:
// a million symbols as JavaScript strings cost ~50 MB more and, made at once by a start, seconds of garbage collection.
// A search reads a few hundred of them. A replaced symbol's bytes stay until the dead bytes outgrow the live ones, then
// the array is rewritten once.
import { grownArray } from './grown-array';

export class SymbolColumn {
  private bytes = Buffer.alloc(1 << 16);
  private used = 0;
  private dead = 0;
  private starts = new Uint32Array(1024);
  private lengths = new Uint32Array(1024);

  /** Bytes held. */
  get byteLength(): number {
    return this.bytes.byteLength + this.starts.byteLength + this.lengths.byteLength;
  }

  get(slot: number): string {
    const length = slot < this.lengths.length ? this.lengths[slot] : 0;
    return length === 0 ? '' : this.bytes.toString('utf8', this.starts[slot], this.starts[slot] + length);
  }

  set(slot: number, symbol: string): void {
    this.clear(slot);
    if (symbol === '') return;
    const length = Buffer.byteLength(symbol);
    this.reserve(this.used + length);
    this.bytes.write(symbol, this.used, 'utf8');
    this.starts[slot] = this.used;
    this.lengths[slot] = length;
    this.used += length;
  }

  clear(slot: number): void {
    this.fit(slot);
    this.dead += this.lengths[slot];
    this.lengths[slot] = 0;
    if (this.dead > 1 << 20 && this.dead > this.used - this.dead) this.compact();
  }

  /** Slots `0`…`lengths.length - 1` at once, from their UTF-8 bytes one after another (on an empty column); a length 0 is no symbol. */
  load(bytes: Uint8Array, lengths: Uint32Array): void {
    this.fit(lengths.length - 1);
    this.reserve(bytes.length);
    this.bytes.set(bytes, 0);
    this.used = bytes.length;
    this.lengths.set(lengths);
    let at = 0;
    for (let slot = 0; slot < lengths.length; slot++) {
      this.starts[slot] = at;
      at += lengths[slot];
    }
  }

  /** The symbols of `slots` as UTF-8 one after another, with each one's length: `load`'s input. */
  export(slots: ArrayLike<number>): { bytes: Buffer; lengths: Uint32Array } {
    const lengths = new Uint32Array(slots.length);
    let total = 0;
    for (let i = 0; i < slots.length; i++) total += lengths[i] = slots[i] < this.lengths.length ? this.lengths[slots[i]] : 0;
    const bytes = Buffer.alloc(total);
    let at = 0;
    for (let i = 0; i < slots.length; i++) {
      at += this.bytes.copy(bytes, at, this.starts[slots[i]], this.starts[slots[i]] + lengths[i]);
    }
    return { bytes, lengths };
  }

  private fit(slot: number): void {
    if (slot < this.lengths.length) return;
    this.starts = grownArray(this.starts, slot);
    this.lengths = grownArray(this.lengths, slot);
  }

  private reserve(bytes: number): void {
    if (bytes <= this.bytes.length) return;
    const bigger = Buffer.alloc(Math.max(bytes, this.bytes.length * 2));
    this.bytes.copy(bigger, 0, 0, this.used);
    this.bytes = bigger;
  }

  /** Rewrites the live symbols contiguously, dropping the dead bytes. */
  private compact(): void {
    const live = Buffer.alloc(Math.max(1 << 16, (this.used - this.dead) * 2));
    let at = 0;
    for (let slot = 0; slot < this.lengths.length; slot++) {
      const length = this.lengths[slot];
      if (length === 0) continue;
      this.bytes.copy(live, at, this.starts[slot], this.starts[slot] + length);
      this.starts[slot] = at;
      at += length;
    }
    this.bytes = live;
    this.used = at;
    this.dead = 0;
  }
}
