// Spherical k-means for the vector index's IVF lists (`vector-index.ts`): unit points, centroids renormalised to unit
// length, similarity = dot product (the index ranks by cosine). Everything runs in time slices that yield to the event
// loop, because the daemon answers searches while it trains.
//
// Flat k-means of a 50k sample into 2,000 lists costs 50k × 2,000 × 128 = 12.8 G multiply-adds per iteration (~15 s in
// JS), and assigning 1M vectors to 2,000 centroids 256 G. `twoLevelKMeans` first splits the sample into √k coarse groups,
// then each group into its share of the k fine centroids, so a point is compared with √k coarse and ~√k fine centroids:
// ~20× less work for training and for the bulk assignment (`TwoLevelCentroids.nearest`). The price: a point near a
// coarse border lands in its second-best list now and then (17 % of 100k real vectors are not in their nearest list;
// probing them needed a share of 0.091 instead of 0.070 for recall@100 ≥ 0.95).
import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Longest stretch of work between two yields to the event loop. */
export const SLICE_MS = 8;

/** Yields to the event loop when the current slice has run `SLICE_MS`; `due()` is cheap enough to call every few points. */
export class TimeSlicer {
  private sliceStart = performance.now();

  constructor(private readonly sliceMs = SLICE_MS) {}

  due(): boolean {
    return performance.now() - this.sliceStart >= this.sliceMs;
  }

  async yield(): Promise<void> {
    await yieldToLoop();
    this.sliceStart = performance.now();
  }

  /** Yields if the slice is used up. */
  async maybeYield(): Promise<void> {
    if (this.due()) await this.yield();
  }
}

/** Dot product of row `a` of `as` with row `b` of `bs` (both `dimension` wide). */
export function rowDot(as: Float32Array, a: number, bs: Float32Array, b: number, dimension: number): number {
  let i = a * dimension;
  let j = b * dimension;
  const end = i + dimension;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (; i + 3 < end; i += 4, j += 4) {
    s0 += as[i] * bs[j];
    s1 += as[i + 1] * bs[j + 1];
    s2 += as[i + 2] * bs[j + 2];
    s3 += as[i + 3] * bs[j + 3];
  }
  for (; i < end; i++, j++) s0 += as[i] * bs[j];
  return s0 + s1 + s2 + s3;
}

/** The row of `centroids` in [from, to) with the highest dot product with row `row` of `points`. */
export function nearestRow(points: Float32Array, row: number, centroids: Float32Array, from: number, to: number, dimension: number): number {
  let best = from;
  let bestScore = -Infinity;
  for (let c = from; c < to; c++) {
    const score = rowDot(points, row, centroids, c, dimension);
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

function normaliseRows(rows: Float32Array, dimension: number): void {
  for (let start = 0; start < rows.length; start += dimension) {
    let norm = 0;
    for (let i = start; i < start + dimension; i++) norm += rows[i] * rows[i];
    if (norm === 0) continue;
    const inverse = 1 / Math.sqrt(norm);
    for (let i = start; i < start + dimension; i++) rows[i] *= inverse;
  }
}

export interface KMeansOptions {
  iterations: number;
  random: () => number;
  slicer: TimeSlicer;
}

/**
 * `k` unit centroids (k × dimension) of the rows `members` of `points` (all rows when omitted). Initialised from distinct
 * random members; an emptied centroid is re-seeded from a random member, so every centroid ends up with points.
 */
export async function sphericalKMeans(
  points: Float32Array, dimension: number, k: number, options: KMeansOptions, members?: Int32Array,
): Promise<Float32Array> {
  const rows = members ?? identity(points.length / dimension);
  const n = rows.length;
  const centroids = new Float32Array(k * dimension);
  if (n === 0) return centroids;
  await seedPlusPlus(points, rows, centroids, dimension, k, options);
  const assignment = new Int32Array(n);
  const sums = new Float64Array(k * dimension);
  const sizes = new Int32Array(k);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    for (let i = 0; i < n; i++) {
      assignment[i] = nearestRow(points, rows[i], centroids, 0, k, dimension);
      if ((i & 63) === 63) await options.slicer.maybeYield();
    }
    sums.fill(0);
    sizes.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignment[i];
      sizes[c]++;
      const from = rows[i] * dimension;
      const to = c * dimension;
      for (let j = 0; j < dimension; j++) sums[to + j] += points[from + j];
      if ((i & 1023) === 1023) await options.slicer.maybeYield();
    }
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) copyRow(points, rows[Math.floor(options.random() * n)], centroids, c, dimension);
      else for (let j = 0; j < dimension; j++) centroids[c * dimension + j] = sums[c * dimension + j];
    }
    normaliseRows(centroids, dimension);
    await options.slicer.maybeYield();
  }
  return centroids;
}

/**
 * k-means++ seeding on cosine distance: each next seed is a member drawn with probability ∝ (1 − its best cosine to the
 * seeds so far)². Random seeds often put two in one cluster and none in another, which Lloyd's iterations rarely undo.
 * Costs about one iteration.
 */
async function seedPlusPlus(
  points: Float32Array, rows: Int32Array, centroids: Float32Array, dimension: number, k: number, options: KMeansOptions,
): Promise<void> {
  const n = rows.length;
  const best = new Float64Array(n).fill(-1);
  let pick = Math.floor(options.random() * n);
  for (let c = 0; c < k; c++) {
    copyRow(points, rows[pick], centroids, c, dimension);
    let total = 0;
    for (let i = 0; i < n; i++) {
      best[i] = Math.max(best[i], rowDot(points, rows[i], centroids, c, dimension));
      total += (1 - best[i]) ** 2;
      if ((i & 255) === 255) await options.slicer.maybeYield();
    }
    if (total <= 0) {
      pick = Math.floor(options.random() * n);
      continue;
    }
    let target = options.random() * total;
    for (pick = 0; pick < n - 1; pick++) {
      target -= (1 - best[pick]) ** 2;
      if (target <= 0) break;
    }
  }
}

function copyRow(from: Float32Array, fromRow: number, to: Float32Array, toRow: number, dimension: number): void {
  to.set(from.subarray(fromRow * dimension, (fromRow + 1) * dimension), toRow * dimension);
}

/** The first `count` entries of a seeded shuffle of 0..n-1 (a partial Fisher–Yates). */
export function shuffledPrefix(n: number, count: number, random: () => number): Int32Array {
  const order = identity(n);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order.slice(0, count);
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Fine centroids grouped under coarse ones: group g owns the fine rows [groupStart[g], groupStart[g + 1]). */
export class TwoLevelCentroids {
  constructor(
    readonly dimension: number,
    readonly coarse: Float32Array,
    readonly fine: Float32Array,
    readonly groupStart: Int32Array,
  ) {}

  get count(): number {
    return this.fine.length / this.dimension;
  }

  /** The fine centroid nearest row `row` of `points` within its nearest coarse group. */
  nearest(points: Float32Array, row: number): number {
    const group = nearestRow(points, row, this.coarse, 0, this.coarse.length / this.dimension, this.dimension);
    return nearestRow(points, row, this.fine, this.groupStart[group], this.groupStart[group + 1], this.dimension);
  }
}

/**
 * About `k` fine centroids of `points` (unit rows) in √k coarse groups, each group's share of `k` in proportion to its
 * points. Returns fewer than `k` only when there are fewer points.
 */
export async function twoLevelKMeans(points: Float32Array, dimension: number, k: number, options: KMeansOptions): Promise<TwoLevelCentroids> {
  const n = points.length / dimension;
  const groups = Math.max(1, Math.min(n, Math.round(Math.sqrt(k))));
  const coarse = await sphericalKMeans(points, dimension, groups, options);
  const groupOf = new Int32Array(n);
  const groupSize = new Int32Array(groups);
  for (let i = 0; i < n; i++) {
    groupOf[i] = nearestRow(points, i, coarse, 0, groups, dimension);
    groupSize[groupOf[i]]++;
    if ((i & 63) === 63) await options.slicer.maybeYield();
  }
  const members = groupMembers(groupOf, groupSize);
  const groupStart = new Int32Array(groups + 1);
  const parts: Float32Array[] = [];
  for (let g = 0; g < groups; g++) {
    const share = groupSize[g] === 0 ? 0 : Math.max(1, Math.min(groupSize[g], Math.round((k * groupSize[g]) / n)));
    parts.push(await sphericalKMeans(points, dimension, share, options, members[g]));
    groupStart[g + 1] = groupStart[g] + share;
  }
  const fine = new Float32Array(groupStart[groups] * dimension);
  parts.forEach((part, g) => fine.set(part, groupStart[g] * dimension));
  return new TwoLevelCentroids(dimension, coarse, fine, groupStart);
}

function groupMembers(groupOf: Int32Array, groupSize: Int32Array): Int32Array[] {
  const members = Array.from(groupSize, (size) => new Int32Array(size));
  const filled = new Int32Array(groupSize.length);
  for (let i = 0; i < groupOf.length; i++) members[groupOf[i]][filled[groupOf[i]]++] = i;
  return members;
}
