// A neural bag-of-words text encoder (CodeSearchNet's NBoW baseline): one token table E[V, D]; a text's vector is the
// normalised sum of its tokens' rows, counted as often as they occur. This is exactly the graph the built-in model runs
// (daemon/index/builtin-model/onnx-writer.ts), so a trained table ships without any change to the embedder.
// Trained contrastively: in a batch of (doc, code) pairs every other pair's code is a negative for a doc and vice versa
// (symmetric softmax cross-entropy over cosine × scale), with Adam. Typed arrays, the three B×B products in onnxruntime
// (gemm.ts); one thread; seeded.
import { seededRandom } from '../daemon/index/seeded-random';
import { BatchProducts } from './gemm';

export interface TrainParams {
  dimension: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Cosines are multiplied by this before the softmax (1 / temperature). */
  scale: number;
  /** Rows start normal with this standard deviation divided by √dimension. */
  initStd: number;
  seed: number;
  /**
   * Pairs are shuffled in runs of this many neighbours (1: each alone). The corpus lists a file's functions together, so
   * runs fill a batch with functions of the same module: harder negatives than random ones.
   */
  blockSize: number;
}

/** Texts as bags of token ids: text i owns ids/counts[offsets[i], offsets[i + 1]). Ids index the table's rows. */
export interface Bags {
  offsets: Int32Array;
  ids: Int32Array;
  counts: Float32Array;
}

export interface TrainingSet {
  docs: Bags;
  codes: Bags;
  /** Rows of the table (the vocabulary size, special tokens included). */
  rows: number;
}

export interface EpochReport {
  epoch: number;
  loss: number;
  seconds: number;
  /** The table after this epoch (the one being trained: copy it to keep it). */
  table: Float32Array;
}

export function bagsOf(texts: readonly (readonly number[])[]): Bags {
  const offsets = new Int32Array(texts.length + 1);
  const ids: number[] = [];
  const counts: number[] = [];
  texts.forEach((tokens, i) => {
    const bag = new Map<number, number>();
    for (const id of tokens) bag.set(id, (bag.get(id) ?? 0) + 1);
    for (const [id, count] of [...bag].sort((a, b) => a[0] - b[0])) {
      ids.push(id);
      counts.push(count);
    }
    offsets[i + 1] = ids.length;
  });
  return { offsets, ids: Int32Array.from(ids), counts: Float32Array.from(counts) };
}

/** Sums text `i`'s rows into `out` and scales it to unit length; returns the length before scaling (0: no known token). */
export function encode(table: Float32Array, dimension: number, bags: Bags, i: number, out: Float32Array, at = 0): number {
  out.fill(0, at, at + dimension);
  for (let k = bags.offsets[i]; k < bags.offsets[i + 1]; k++) {
    const row = bags.ids[k] * dimension;
    const count = bags.counts[k];
    for (let d = 0; d < dimension; d++) out[at + d] += count * table[row + d];
  }
  let sum = 0;
  for (let d = 0; d < dimension; d++) sum += out[at + d] * out[at + d];
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let d = 0; d < dimension; d++) out[at + d] /= norm;
  return norm;
}

export function initialTable(rows: number, params: TrainParams, reservedRows: number): Float32Array {
  const random = seededRandom(params.seed);
  const std = params.initStd / Math.sqrt(params.dimension);
  const table = new Float32Array(rows * params.dimension);
  for (let i = reservedRows * params.dimension; i < table.length; i++) {
    // Box–Muller.
    table[i] = std * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  }
  return table;
}

/** Trains in place. Rows below `reservedRows` (padding, unknown, the special tokens) stay zero. */
export async function train(set: TrainingSet, params: TrainParams, reservedRows: number, onEpoch: (report: EpochReport) => void = () => {}): Promise<Float32Array> {
  const { dimension: D, batchSize } = params;
  const table = initialTable(set.rows, params, reservedRows);
  const adam = new Adam(table.length, params.learningRate);
  const gradient = new Float32Array(table.length);
  const random = seededRandom(params.seed + 1);
  const n = set.docs.offsets.length - 1;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const products = await BatchProducts.create(params.scale);
  try {
  for (let epoch = 1; epoch <= params.epochs; epoch++) {
    const started = performance.now();
    shuffleBlocks(order, params.blockSize, random);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start + 1 < n; start += batchSize) {
      const batch = order.subarray(start, Math.min(n, start + batchSize));
      if (batch.length < 2) break;
      gradient.fill(0);
      lossSum += await batchStep(table, set, batch, params, gradient, products);
      for (let i = 0; i < reservedRows * D; i++) gradient[i] = 0;
      adam.step(table, gradient);
      batches++;
    }
    onEpoch({ epoch, loss: lossSum / batches, seconds: (performance.now() - started) / 1000, table });
  }
  } finally {
    await products.close();
  }
  return table;
}

/** The loss of one batch; adds its gradient with respect to the table to `gradient`. */
export async function batchStep(table: Float32Array, set: TrainingSet, batch: Int32Array, params: TrainParams, gradient: Float32Array, products: BatchProducts): Promise<number> {
  const { dimension: D } = params;
  const B = batch.length;
  const u = new Float32Array(B * D);
  const v = new Float32Array(B * D);
  const uNorm = new Float32Array(B);
  const vNorm = new Float32Array(B);
  for (let i = 0; i < B; i++) {
    uNorm[i] = encode(table, D, set.docs, batch[i], u, i * D);
    vNorm[i] = encode(table, D, set.codes, batch[i], v, i * D);
  }
  const logits = await products.logits(u, v, B, D);
  // dLoss/dlogits: (row softmax − I + column softmax − I) / 2B.
  const dLogits = new Float32Array(B * B);
  let loss = 0;
  for (let i = 0; i < B; i++) loss += softmaxInto(logits, dLogits, i * B, 1, B, i, 1 / (2 * B));
  for (let j = 0; j < B; j++) loss += softmaxInto(logits, dLogits, j, B, B, j, 1 / (2 * B));
  const { du, dv } = await products.gradients(dLogits, u, v, B, D);
  for (let i = 0; i < B; i++) {
    scatter(gradient, D, set.docs, batch[i], u, du, i * D, uNorm[i]);
    scatter(gradient, D, set.codes, batch[i], v, dv, i * D, vNorm[i]);
  }
  return loss / (2 * B);
}

/**
 * Softmax over the `count` logits at start, start + stride, …; adds (p − [k = target]) · weight into `out` at the same
 * places and returns the cross-entropy −log p[target].
 */
function softmaxInto(logits: Float32Array, out: Float32Array, start: number, stride: number, count: number, target: number, weight: number): number {
  let max = -Infinity;
  for (let k = 0; k < count; k++) max = Math.max(max, logits[start + k * stride]);
  let sum = 0;
  for (let k = 0; k < count; k++) sum += Math.exp(logits[start + k * stride] - max);
  for (let k = 0; k < count; k++) {
    const p = Math.exp(logits[start + k * stride] - max) / sum;
    out[start + k * stride] += (p - (k === target ? 1 : 0)) * weight;
  }
  return Math.log(sum) + max - logits[start + target * stride];
}

/** Back through the normalisation (dx = (g − x̂ (x̂·g)) / |x|) and the sum, into each token's row. */
function scatter(gradient: Float32Array, D: number, bags: Bags, i: number, unit: Float32Array, dUnit: Float32Array, at: number, norm: number): void {
  if (norm === 0) return;
  let dot = 0;
  for (let d = 0; d < D; d++) dot += unit[at + d] * dUnit[at + d];
  const dx = new Float32Array(D);
  for (let d = 0; d < D; d++) dx[d] = (dUnit[at + d] - unit[at + d] * dot) / norm;
  for (let k = bags.offsets[i]; k < bags.offsets[i + 1]; k++) {
    const row = bags.ids[k] * D;
    const count = bags.counts[k];
    for (let d = 0; d < D; d++) gradient[row + d] += count * dx[d];
  }
}

/** Fisher–Yates over runs of `block` consecutive pairs: `order` becomes the runs in random order. */
function shuffleBlocks(order: Int32Array, block: number, random: () => number): void {
  const starts = Int32Array.from({ length: Math.ceil(order.length / block) }, (_, i) => i * block);
  for (let i = starts.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [starts[i], starts[j]] = [starts[j], starts[i]];
  }
  let at = 0;
  for (const start of starts) for (let k = start; k < Math.min(order.length, start + block); k++) order[at++] = k;
}

class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;

  constructor(size: number, private readonly learningRate: number, private readonly beta1 = 0.9, private readonly beta2 = 0.999, private readonly epsilon = 1e-8) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  step(weights: Float32Array, gradient: Float32Array): void {
    this.t++;
    const { m, v, beta1, beta2, epsilon } = this;
    const stepSize = (this.learningRate * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    for (let i = 0; i < weights.length; i++) {
      const g = gradient[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      weights[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) + epsilon);
    }
  }
}
