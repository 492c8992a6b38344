// One bit per dimension of every vector (its sign), for a cheap first pass over a large index: the Hamming distance of
// the query's signs to a row's tracks their angle, so the rows nearest by it hold the nearest by cosine, and only those
// are scored exactly (`vector-index.ts`). A 128-d row is 16 bytes here against 128 int8 codes, and the kernel
// (`int8-dot.wat`, `signDistances`) takes its distance with one XOR and one popcount, so a pass over 1M rows reads 16 MB.
// Measured on the 1M real code chunks of `npm run bench:scale` (128-d, 408 queries): the 16k nearest by signs held
// 0.994 of the exact top 10 and 0.979 of the top 200; the 8k nearest 0.987 and 0.963. Through `VectorIndex.search`
// (8,192 candidates, k = 200), 400 other drawn queries: recall@10 0.977, @200 0.961; with a filter keeping 78 % (python)
// 0.976 and 0.956.
import { KERNEL_BLOCK, kernelInstance, type KernelExports } from './int8-kernel';

const PAGE = 65536;
/** Byte lanes of the kernel's popcount sum add at most 8 a step and hold 255: 31 steps of 16 bytes. */
const MAX_DIMENSION = 31 * 128;
/** The kernel keeps four histograms, so that rows of equal distance in a row do not wait on one counter. */
const HISTOGRAMS = 4;

export class SignRows {
  /** Bytes of one row: the dimension in bits, rounded up to 16 bytes. */
  readonly rowBytes: number;
  private readonly kernel: KernelExports;
  private readonly queryAt = 0;
  private readonly writtenAt: number;
  private readonly histAt: number;
  private readonly outAt: number;
  private readonly buckets: number;
  private distAt = 0;
  private validAt = 0;
  private allowedAt = 0;
  private rowsAt = 0;
  private capacity = 0;
  private bits = new Uint8Array(0);
  private valid = new Uint8Array(0);
  private allowed = new Uint8Array(0);
  private query = new Uint8Array(0);
  private hist = new Uint32Array(0);
  private out = new Int32Array(0);
  private written = new Int32Array(0);

  /** False for a dimension the kernel's byte lanes cannot count (over 3,968). */
  static supports(dimension: number): boolean {
    return dimension <= MAX_DIMENSION;
  }

  constructor(private readonly dimension: number) {
    if (!SignRows.supports(dimension)) throw new Error(`sign rows hold at most ${MAX_DIMENSION} dimensions, got ${dimension}`);
    this.rowBytes = Math.ceil(dimension / 128) * 16;
    this.kernel = kernelInstance();
    this.writtenAt = align(this.queryAt + this.rowBytes);
    this.histAt = this.writtenAt + 16;
    // Distances 0 … dimension, then one bucket for the rows left out.
    this.buckets = dimension + 2;
    this.outAt = align(this.histAt + HISTOGRAMS * this.buckets * 4);
    this.grow(0);
  }

  /** Makes room for `rows` rows, keeping the rows there are (new ones are empty). */
  grow(rows: number): void {
    const keptBits = this.bits.slice();
    const keptValid = this.valid.slice();
    this.distAt = this.outAt + KERNEL_BLOCK * 4;
    this.validAt = align(this.distAt + rows * 2);
    this.allowedAt = align(this.validAt + rows);
    this.rowsAt = align(this.allowedAt + rows);
    // The kernel's `andBytes` reads the masks 16 bytes at a time, up to `rowsAt`, past their last row.
    const needed = this.rowsAt + rows * this.rowBytes;
    const memory = this.kernel.memory;
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    const buffer = memory.buffer;
    this.bits = new Uint8Array(buffer, this.rowsAt, rows * this.rowBytes);
    this.valid = new Uint8Array(buffer, this.validAt, rows);
    this.allowed = new Uint8Array(buffer, this.allowedAt, rows);
    this.bits.fill(0);
    this.valid.fill(0);
    this.bits.set(keptBits.subarray(0, this.bits.length));
    this.valid.set(keptValid.subarray(0, rows));
    this.query = new Uint8Array(buffer, this.queryAt, this.rowBytes);
    this.hist = new Uint32Array(buffer, this.histAt, HISTOGRAMS * this.buckets);
    this.out = new Int32Array(buffer, this.outAt, KERNEL_BLOCK);
    this.written = new Int32Array(buffer, this.writtenAt, 1);
    this.capacity = rows;
  }

  /** Row `row` takes the signs of `dimension` values of `values` from `at` (a value over 0 is a set bit). */
  set(row: number, values: ArrayLike<number>, at: number): void {
    packSigns(values, at, this.dimension, this.bits, row * this.rowBytes);
    this.valid[row] = 1;
  }

  /** The rows' bits, `rowBytes` each, in the order given: for the chunk snapshot. */
  export(rows: ArrayLike<number>): Uint8Array {
    const bits = new Uint8Array(rows.length * this.rowBytes);
    for (let i = 0; i < rows.length; i++) bits.set(this.bits.subarray(rows[i] * this.rowBytes, (rows[i] + 1) * this.rowBytes), i * this.rowBytes);
    return bits;
  }

  /** Sets the rows `first`… whose `keep` is 1 from `bits` (`export`'s output) at once: a start adopting its chunk snapshot. */
  load(first: number, bits: Uint8Array, keep: Uint8Array): void {
    this.bits.set(bits, first * this.rowBytes);
    for (let i = 0; i < keep.length; i++) if (keep[i]) this.valid[first + i] = 1;
  }

  /** Row `row` is left out of every pass until it is set again. */
  clear(row: number): void {
    if (row < this.capacity) this.valid[row] = 0;
  }

  /**
   * The rows among the first `count` whose signs are nearest the query's: at least `wanted` of the set (and `allowed`,
   * by row) ones, more where distances tie at the cut. Handed to `visit` in ascending blocks of at most `KERNEL_BLOCK`
   * (the block is valid until `visit` returns). Returns how many rows it handed over.
   */
  nearest(query: ArrayLike<number>, wanted: number, allowed: Uint8Array | undefined, count: number,
    visit: (rows: Int32Array, count: number) => void): number {
    const n = Math.min(count, this.capacity);
    this.query.fill(0);
    packSigns(query, 0, this.dimension, this.query, 0);
    this.hist.fill(0);
    const { kernel } = this;
    let mask = this.validAt;
    if (allowed) {
      const given = Math.min(n, allowed.length);
      this.allowed.set(allowed.subarray(0, given));
      this.allowed.fill(0, given, n);
      kernel.andBytes(this.allowedAt, this.validAt, this.allowedAt, n);
      mask = this.allowedAt;
    }
    // Sixteen-byte rows (the built-in model's 128 dimensions) four at a time, the rest (and other widths) one by one.
    const fours = this.rowBytes === 16 ? n - (n % 4) : 0;
    if (fours > 0) kernel.signDistances16(this.queryAt, this.rowsAt, fours, mask, this.distAt, this.histAt, this.buckets);
    const rest = n - fours;
    kernel.signDistances(this.queryAt, this.rowsAt + fours * this.rowBytes, this.rowBytes, rest, mask + fours,
      this.distAt + 2 * fours, this.histAt, this.buckets);
    const cut = this.cutFor(wanted);
    let handed = 0;
    for (let from = 0; from < n;) {
      from = kernel.signCollect(this.distAt, from, n, cut, this.outAt, KERNEL_BLOCK, this.writtenAt);
      const got = this.written[0];
      if (got > 0) visit(this.out, got);
      handed += got;
    }
    return handed;
  }

  /** Bytes held: the rows, their validity, the per-pass distances and the filter's copy. */
  get bytes(): number {
    return this.capacity * (this.rowBytes + 4);
  }

  /** The least distance that takes in `wanted` rows by the last pass's histograms (the largest when fewer are set). */
  private cutFor(wanted: number): number {
    const { hist, buckets } = this;
    let taken = 0;
    for (let d = 0; d <= this.dimension; d++) {
      for (let h = 0; h < HISTOGRAMS; h++) taken += hist[h * buckets + d];
      if (taken >= wanted) return d;
    }
    return this.dimension;
  }
}

/** Sets bit `i % 8` of byte `i / 8` (from `to`) where `values[at + i]` is over 0. */
function packSigns(values: ArrayLike<number>, at: number, dimension: number, into: Uint8Array, to: number): void {
  for (let byte = 0; byte < dimension; byte += 8) {
    let bits = 0;
    const end = Math.min(8, dimension - byte);
    for (let b = 0; b < end; b++) if (values[at + byte + b] > 0) bits |= 1 << b;
    into[to + (byte >> 3)] = bits;
  }
}

function align(offset: number): number {
  return Math.ceil(offset / 16) * 16;
}
