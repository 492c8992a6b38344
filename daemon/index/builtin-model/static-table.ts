// Turns word vectors (in frequency order) into the built-in model's lookup table: which tokens it knows and each one's vector.
import { CODE_ABBREVIATIONS, CODE_TERMS } from './code-words';
import { SPECIAL_TOKENS } from './tokenizer-json';

export interface WordVectors {
  /** Every word, most frequent first. */
  words: readonly string[];
  dimension: number;
  vector(word: string): ArrayLike<number> | undefined;
}

export interface TableParams {
  /** How many of the most frequent plain words to keep. */
  vocabularySize: number;
  /** Smooth inverse frequency: a word of probability p weighs a / (a + p). */
  sifA: number;
  /** Subtract the table's first principal component, which mostly encodes frequency, not meaning. */
  removeFirstComponent: boolean;
}

export interface StaticTable {
  /** Row i of `vectors` belongs to `tokens[i]`; the special tokens come first and are zero. */
  tokens: string[];
  dimension: number;
  vectors: Float32Array;
}

/** Only lower-case letter words: punctuation and numbers are everywhere in code and would drown the words that carry meaning. */
const PLAIN_WORD = /^[a-z]+$/;

export function buildStaticTable(source: WordVectors, params: TableParams): StaticTable {
  const { dimension } = source;
  const weight = sifWeights(source.words.length, params.sifA);
  const rankOf = new Map<string, number>();
  source.words.forEach((word, rank) => rankOf.set(word, rank));
  const weighted = (word: string): Float32Array | undefined => {
    const raw = source.vector(word);
    const rank = rankOf.get(word);
    if (!raw || rank === undefined) return undefined;
    const out = new Float32Array(dimension);
    for (let k = 0; k < dimension; k++) out[k] = raw[k] * weight[rank];
    return out;
  };

  const rows = new Map<string, Float32Array>();
  for (const word of source.words) {
    if (rows.size === params.vocabularySize) break;
    if (!PLAIN_WORD.test(word) || word in CODE_ABBREVIATIONS) continue;
    const vector = weighted(word);
    if (vector) rows.set(word, vector);
  }
  for (const term of CODE_TERMS) {
    const vector = weighted(term);
    if (vector) rows.set(term, vector);
  }
  for (const [abbreviation, expansion] of Object.entries(CODE_ABBREVIATIONS)) {
    const parts = expansion.split(' ').map(weighted).filter((v): v is Float32Array => v !== undefined);
    if (parts.length > 0) rows.set(abbreviation, mean(parts, dimension));
  }

  const tokens = [...SPECIAL_TOKENS, ...rows.keys()];
  const vectors = new Float32Array(tokens.length * dimension);
  let row = SPECIAL_TOKENS.length;
  for (const vector of rows.values()) vectors.set(vector, dimension * row++);
  if (params.removeFirstComponent) removeComponent(vectors, dimension, firstComponent(vectors, dimension));
  return { tokens, dimension, vectors };
}

/** Zipf: the word of rank r (from 0) has probability 1 / ((r + 1) · H(n)). */
function sifWeights(count: number, a: number): Float64Array {
  let harmonic = 0;
  for (let r = 1; r <= count; r++) harmonic += 1 / r;
  const weights = new Float64Array(count);
  for (let r = 0; r < count; r++) weights[r] = a / (a + 1 / ((r + 1) * harmonic));
  return weights;
}

function mean(vectors: Float32Array[], dimension: number): Float32Array {
  const out = new Float32Array(dimension);
  for (const v of vectors) for (let k = 0; k < dimension; k++) out[k] += v[k] / vectors.length;
  return out;
}

/** Power iteration on the rows' scatter matrix; 50 steps converge for a 100-d table. */
function firstComponent(vectors: Float32Array, dimension: number): Float64Array {
  let u = new Float64Array(dimension).fill(1 / Math.sqrt(dimension));
  for (let step = 0; step < 50; step++) {
    const next = new Float64Array(dimension);
    for (let i = 0; i < vectors.length; i += dimension) {
      let dot = 0;
      for (let k = 0; k < dimension; k++) dot += vectors[i + k] * u[k];
      for (let k = 0; k < dimension; k++) next[k] += dot * vectors[i + k];
    }
    const norm = Math.hypot(...next);
    u = next.map((x) => x / norm);
  }
  return u;
}

function removeComponent(vectors: Float32Array, dimension: number, u: Float64Array): void {
  for (let i = 0; i < vectors.length; i += dimension) {
    let dot = 0;
    for (let k = 0; k < dimension; k++) dot += vectors[i + k] * u[k];
    for (let k = 0; k < dimension; k++) vectors[i + k] -= dot * u[k];
  }
}

/** Symmetric int8 per row: each row keeps its own scale, so rare and frequent words lose the same relative precision. */
export function quantizeRows(vectors: Float32Array, dimension: number): { table: Int8Array; scales: Float32Array } {
  const rows = vectors.length / dimension;
  const table = new Int8Array(vectors.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let k = 0; k < dimension; k++) max = Math.max(max, Math.abs(vectors[r * dimension + k]));
    scales[r] = max / 127;
    for (let k = 0; k < dimension; k++) table[r * dimension + k] = max === 0 ? 0 : Math.round(vectors[r * dimension + k] / scales[r]);
  }
  return { table, scales };
}
