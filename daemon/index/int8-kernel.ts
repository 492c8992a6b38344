// The vector index's int8 rows live in WebAssembly memory, so that `int8-dot.wasm` (built from `int8-dot.wat`) takes a
// query's dot products with many rows in one call, 16 lanes at a time: a scan of 100k 128-d rows takes ~1 ms there
// against ~11 ms in JavaScript. Rows are `stride` bytes, the dimension rounded up to 16 and padded with zeros.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Rows one call scores at most: the size of the id and result blocks. */
export const KERNEL_BLOCK = 4096;
const PAGE = 65536;

export interface KernelExports {
  memory: WebAssembly.Memory;
  dotsRange(q: number, rows: number, stride: number, first: number, count: number, out: number): void;
  dotsList(q: number, rows: number, stride: number, ids: number, count: number, out: number): void;
  signDistances(q: number, rows: number, bw: number, count: number, mask: number, dist: number, hist: number, buckets: number): void;
  signDistances16(q: number, rows: number, count: number, mask: number, dist: number, hist: number, buckets: number): void;
  andBytes(a: number, b: number, out: number, count: number): void;
  signCollect(dist: number, from: number, count: number, t: number, out: number, max: number, written: number): number;
}

let compiled: WebAssembly.Module | null = null;

/** A new instance of the kernel, with its own memory (one page to start). */
export function kernelInstance(): KernelExports {
  return new WebAssembly.Instance(kernelModule()).exports as unknown as KernelExports;
}

/** The compiled kernel: beside the bundle in dist/, or in dist/ when running from source (tests). */
function kernelModule(): WebAssembly.Module {
  if (compiled) return compiled;
  const candidates = [join(__dirname, 'int8-dot.wasm'), join(__dirname, '..', '..', 'dist', 'int8-dot.wasm')];
  const file = candidates.find((path) => existsSync(path));
  if (!file) throw new Error(`the vector kernel int8-dot.wasm is missing beside ${__dirname}: rebuild ccc (npm run build)`);
  compiled = new WebAssembly.Module(readFileSync(file));
  return compiled;
}

export class Int8Rows {
  readonly stride: number;
  private readonly kernel: KernelExports;
  /** Byte offsets in the memory: the query, the id block, the result block, then the rows. */
  private readonly queryAt = 0;
  private readonly idsAt: number;
  private readonly outAt: number;
  private readonly rowsAt: number;
  private rowCapacity = 0;
  /** Views of the memory, made again whenever it grows (growing detaches the old buffer). */
  codes = new Int8Array(0);
  private query = new Int16Array(0);
  private ids = new Int32Array(0);
  private out = new Int32Array(0);

  constructor(dimension: number) {
    this.stride = Math.ceil(dimension / 16) * 16;
    this.kernel = kernelInstance();
    this.idsAt = this.queryAt + this.stride * 2;
    this.outAt = this.idsAt + KERNEL_BLOCK * 4;
    this.rowsAt = this.outAt + KERNEL_BLOCK * 4;
    this.grow(0);
  }

  /** Makes room for `rows` rows, keeping the rows there are (new ones are zero). */
  grow(rows: number): void {
    const needed = this.rowsAt + rows * this.stride;
    const memory = this.kernel.memory;
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    this.rowCapacity = rows;
    const buffer = memory.buffer;
    this.codes = new Int8Array(buffer, this.rowsAt, rows * this.stride);
    this.query = new Int16Array(buffer, this.queryAt, this.stride);
    this.ids = new Int32Array(buffer, this.idsAt, KERNEL_BLOCK);
    this.out = new Int32Array(buffer, this.outAt, KERNEL_BLOCK);
  }

  /** Sets the query the next calls score against: integers within int16 (`values.length` ≤ stride). */
  setQuery(values: Int32Array): void {
    this.query.fill(0);
    this.query.set(values);
  }

  /** Dot products of the query with rows `first` … `first + count - 1` (count ≤ KERNEL_BLOCK); valid until the next call. */
  dotsRange(first: number, count: number): Int32Array {
    this.kernel.dotsRange(this.queryAt, this.rowsAt, this.stride, first, count, this.outAt);
    return this.out;
  }

  /** Dot products of the query with the rows `slots[from … from + count - 1]` (count ≤ KERNEL_BLOCK). */
  dotsList(slots: Int32Array, from: number, count: number): Int32Array {
    this.ids.set(slots.subarray(from, from + count));
    this.kernel.dotsList(this.queryAt, this.rowsAt, this.stride, this.idsAt, count, this.outAt);
    return this.out;
  }

  /** Bytes of the rows. */
  get bytes(): number {
    return this.rowCapacity * this.stride;
  }
}
