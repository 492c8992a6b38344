// Fuses the keyword (BM25) and vector top-k lists of a hybrid search into one ranking.
// A normalised weighted sum rather than reciprocal rank fusion: RRF flattens score gaps, so a chunk that is the only
// exact match of an identifier (a huge BM25 lead) would lose to chunks that are middling on both sides. Measured on the
// CoSQA dev set with the built-in static model (MRR@100; keyword alone 0.366): sum 0.95/0.05 0.366 (R@1/5/10 26.4/49.6/58.6
// against keyword's 26.4/48.8/58.6), 0.9/0.1 0.366 (but R@1 26.2), 0.7/0.3 0.355, 0.5/0.5 0.344; cosines min-max normalised
// over the top 200 0.363 at best; RRF (k 10–60) 0.348 at best. Also no better (within ±0.002): z-scored lists, a vector
// weight that grows as the BM25 list flattens or as a hit's BM25 falls below the best, corpus-centred vectors, and vectors
// without Python keywords or query stop words. The built-in vectors are weak and mostly restate BM25's words (semantic
// alone 0.116), so the vector only breaks near-ties. A model the user configures gets its own, balanced weights.

/** Candidates taken from each side before fusing, before the per-file cap and paging. */
export const FUSION_CANDIDATES = 200;

export interface FusionWeights {
  keyword: number;
  vector: number;
  /** Rescale the vector list so its best cosine counts 1 and its worst 0, as the keyword list's best counts 1. */
  normaliseVector: boolean;
  /** The no-match floor of the vector side: a cosine below this is not evidence that a chunk means what the query says. */
  minCosine: number;
}

/**
 * The built-in model's no-match floor. Calibrated on express (159 files): the best cosine of 7 nonsense queries
 * (`qqqzzzxxyy`, `purple elephant banana spaceship`, `lorem ipsum dolor sit amet`, `the quick brown fox jumps`, …) was
 * 0.00–0.45 (made-up words have no vector at all: 0); of 13 real questions ("send a file to the client", "listen on a
 * port", "mount a sub application", …) 0.50–0.83. 0.47 sits between the two.
 */
export const BUILTIN_MIN_COSINE = 0.47;
/** Sentence-transformer models put unrelated texts at cosine ~0.1–0.3 and related ones above ~0.35; not measurable here (no such model offline). */
export const CONFIGURED_MIN_COSINE = 0.3;

/** Fitted for the built-in model on the CoSQA dev set (`npm run eval`, data in `/work/shared/eval/cosqa/`). */
export const BUILTIN_FUSION: FusionWeights = { keyword: 0.95, vector: 0.05, normaliseVector: false, minCosine: BUILTIN_MIN_COSINE };

/**
 * For a model the user configured: nothing here can measure one (no transformer model can be had offline), so both
 * sides count equally after min-max normalisation, the usual convex combination for a dense model of unknown cosine
 * scale. The built-in weights would all but ignore a strong model's vectors.
 */
export const CONFIGURED_MODEL_FUSION: FusionWeights = { keyword: 0.5, vector: 0.5, normaliseVector: true, minCosine: CONFIGURED_MIN_COSINE };

/** The weights for a model, by the id the embedder reports (`builtin-…` for the built-in model). */
export function fusionWeightsFor(modelId: string): FusionWeights {
  return modelId.startsWith('builtin-') ? BUILTIN_FUSION : CONFIGURED_MODEL_FUSION;
}

export interface Scored {
  slot: number;
  score: number;
}

/**
 * Keyword scores are divided by the best one (so the top BM25 hit counts 1); vector scores are cosines clamped to [0, 1],
 * or min-max normalised when the weights ask for it. A chunk missing from one list scores 0 there. Returns best first,
 * scores in [0, 1].
 */
export function fuse(keyword: Scored[], vector: Scored[], weights: FusionWeights): Scored[] {
  const fused = new Map<number, number>();
  for (const hit of normaliseKeyword(keyword)) fused.set(hit.slot, weights.keyword * hit.score);
  const vectorScore = weights.normaliseVector ? minMax(vector) : (score: number) => Math.max(0, score);
  for (const hit of vector) fused.set(hit.slot, (fused.get(hit.slot) ?? 0) + weights.vector * vectorScore(hit.score));
  const total = weights.keyword + weights.vector;
  return [...fused].map(([slot, score]) => ({ slot, score: score / total })).sort((a, b) => b.score - a.score);
}

function minMax(list: Scored[]): (score: number) => number {
  if (list.length === 0) return () => 0;
  let low = Infinity;
  let high = -Infinity;
  for (const hit of list) {
    low = Math.min(low, hit.score);
    high = Math.max(high, hit.score);
  }
  return high > low ? (score) => (score - low) / (high - low) : () => 1;
}

/** Keyword-only scores on the same scale: the best hit 1. */
export function normaliseKeyword(keyword: Scored[]): Scored[] {
  const best = keyword.length > 0 ? keyword[0].score : 1;
  return keyword.map((hit) => ({ slot: hit.slot, score: hit.score / best }));
}
