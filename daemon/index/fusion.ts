// Fuses the keyword (BM25) and vector top-k lists of a hybrid search into one ranking.
// A normalised weighted sum rather than reciprocal rank fusion: RRF flattens score gaps, so a chunk that is the only
// exact match of an identifier (a huge BM25 lead) would lose to chunks that are middling on both sides (measured with the
// earlier GloVe model: RRF k 10–60 0.348 at best against keyword alone 0.366).
// The built-in model's weights were fitted for the trained NBoW model (builtin-nbow128-v2) by test/eval/fit-fusion.ts on
// the even-numbered CoSQA dev queries and checked on the odd ones (MRR@100, top-100 lists fused offline): keyword 0.5 /
// vector 0.5 with the cosines min-max normalised — fitted half 0.389, other half 0.416 (R@10 68.8 %), all 0.402
// (65.8 %); 0.55/0.45 min-max 0.387 / 0.418; raw cosines at best 0.30/0.70, 0.387 / 0.418; keyword alone 0.366.
// Through the daemon (`npm run eval`): see model/README.md. CoSQA's queries are all sentences, so no per-kind weights.

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
 * The built-in model's no-match floor. Calibrated for the trained model (builtin-nbow128) on express (159 files): the best
 * cosine of 13 nonsense queries (`qqqzzzxxyy`, `purple elephant banana spaceship`, `lorem ipsum dolor sit amet`, `my
 * grandmother knits blue socks`, `chocolate cake recipe`, …) was 0.00–0.30 (made-up words have no vector at all: 0); of 14
 * real questions ("send a file to the client", "listen on a port", "mount a sub application", "check if request is
 * fresh", …) 0.41–0.82. 0.35 sits between the two. (For the GloVe model it replaced, the same sets gave 0.00–0.45 and
 * 0.50–0.83, and the floor was 0.47.)
 */
export const BUILTIN_MIN_COSINE = 0.35;
/** Sentence-transformer models put unrelated texts at cosine ~0.1–0.3 and related ones above ~0.35; not measurable here (no such model offline). */
export const CONFIGURED_MIN_COSINE = 0.3;

/** Fitted for the built-in model on half of the CoSQA dev set (above). */
export const BUILTIN_FUSION: FusionWeights = { keyword: 0.5, vector: 0.5, normaliseVector: true, minCosine: BUILTIN_MIN_COSINE };

/**
 * For a model the user configured: nothing here can measure one (no transformer model can be had offline), so both
 * sides count equally after min-max normalisation, the usual convex combination for a dense model of unknown cosine
 * scale; a transformer model is expected to be at least as strong as the built-in one.
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
