import type { Scored } from './fusion';

/** Keeps the `size` best scores seen (a min-heap on score). */
export class TopK {
  readonly slots: Int32Array;
  readonly scores: Float64Array;
  length = 0;

  constructor(private readonly size: number) {
    this.slots = new Int32Array(size);
    this.scores = new Float64Array(size);
  }

  get floor(): number {
    return this.length < this.size ? -Infinity : this.scores[0];
  }

  push(slot: number, score: number): void {
    if (this.length < this.size) {
      let i = this.length++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.scores[parent] <= score) break;
        this.scores[i] = this.scores[parent];
        this.slots[i] = this.slots[parent];
        i = parent;
      }
      this.scores[i] = score;
      this.slots[i] = slot;
      return;
    }
    if (score <= this.scores[0]) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.length) break;
      const child = left + 1 < this.length && this.scores[left + 1] < this.scores[left] ? left + 1 : left;
      if (this.scores[child] >= score) break;
      this.scores[i] = this.scores[child];
      this.slots[i] = this.slots[child];
      i = child;
    }
    this.scores[i] = score;
    this.slots[i] = slot;
  }

  sorted(): Scored[] {
    const out: Scored[] = [];
    for (let i = 0; i < this.length; i++) out.push({ slot: this.slots[i], score: this.scores[i] });
    return out.sort((a, b) => b.score - a.score);
  }
}
