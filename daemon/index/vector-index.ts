// TEMPORARY exact-only stand-in while the ann branch lands; replaced by that branch's file.
import type { Scored } from './fusion';
import { grownArray } from './grown-array';
import { quantise } from './quantise';
import { TopK } from './top-k';

export interface AllowedSlots { mask: Uint8Array; slots: Int32Array }

export class VectorIndex {
  private codes: Int8Array;
  private scales = new Float32Array(1024);
  private present = new Uint8Array(1024);
  private size = 0;
  private top = 0;
  constructor(private readonly dimension: number) {
    this.codes = new Int8Array(1024 * dimension);
  }
  get count(): number { return this.size; }
  set(slot: number, vector: Float32Array): void {
    this.ensure(slot);
    this.scales[slot] = quantise(vector, this.codes, slot * this.dimension);
    this.mark(slot);
  }
  setQuantised(slot: number, codes: Int8Array, at: number, scale: number): void {
    this.ensure(slot);
    this.codes.set(codes.subarray(at, at + this.dimension), slot * this.dimension);
    this.scales[slot] = scale;
    this.mark(slot);
  }
  delete(slot: number): void {
    if (this.present[slot]) this.size--;
    this.present[slot] = 0;
  }
  score(q: Float32Array, slot: number): number {
    let s = 0;
    const at = slot * this.dimension;
    for (let i = 0; i < this.dimension; i++) s += q[i] * this.codes[at + i];
    return s * this.scales[slot];
  }
  search(q: Float32Array, k: number, allowed?: AllowedSlots): Scored[] {
    const top = new TopK(k);
    const visit = (slot: number) => {
      if (!this.present[slot]) return;
      const score = this.score(q, slot);
      if (score > top.floor) top.push(slot, score);
    };
    if (allowed) for (const slot of allowed.slots) visit(slot);
    else for (let slot = 0; slot < this.top; slot++) visit(slot);
    return top.sorted();
  }
  memoryBytes(): number { return this.codes.byteLength + this.scales.byteLength; }
  private mark(slot: number): void {
    if (!this.present[slot]) this.size++;
    this.present[slot] = 1;
    this.top = Math.max(this.top, slot + 1);
  }
  private ensure(slot: number): void {
    if ((slot + 1) * this.dimension > this.codes.length) {
      const bigger = new Int8Array(Math.max(this.codes.length * 2, (slot + 1) * this.dimension));
      bigger.set(this.codes);
      this.codes = bigger;
    }
    if (slot >= this.scales.length) {
      const s = new Float32Array(this.scales.length * 2 + slot);
      s.set(this.scales);
      this.scales = s;
    }
    if (slot >= this.present.length) this.present = grownArray(this.present, slot);
  }
}
