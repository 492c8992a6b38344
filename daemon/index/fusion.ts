// Fuses the keyword (BM25) and vector top-k lists of a hybrid search into one ranking.
// A normalised weighted sum rather than reciprocal rank fusion: RRF flattens score gaps, so a chunk that is the only
// exact match of an identifier (a huge BM25 lead) would lose to chunks that are middling on both sides. Measured on the
// CoSQA dev set with the built-in static model (MRR@100; keyword alone 0.366): sum 0.95/0.05 0.366 (R@1/5/10 26.4/49.6/58.6
// against keyword's 26.4/48.8/58.6), 0.9/0.1 0.366 (but R@1 26.2), 0.7/0.3 0.355, 0.5/0.5 0.344; cosines min-max normalised
// over the top 200 0.363 at best; RRF (k 10–60) 0.348 at best. Also no better (within ±0.002): z-scored lists, a vector
// weight that grows as the BM25 list flattens or as a hit's BM25 falls below the best, corpus-centred vectors, and vectors
// without Python keywords or query stop words. The built-in vectors are weak and mostly restate BM25's words (semantic
// alone 0.116), so the vector only breaks near-ties: re-fit the weight for a stronger model.

/** Tuning knobs, fitted on the CoSQA dev set (`npm run eval`, data in `/work/shared/eval/cosqa/`). */
export const FUSION = {
  keywordWeight: 0.95,
  vectorWeight: 0.05,
  /** Candidates taken from each side before fusing, before the per-file cap and paging. */
  candidates: 200,
};

export interface Scored {
  slot: number;
  score: number;
}

/**
 * Keyword scores are divided by the best one (so the top BM25 hit counts 1); vector scores are cosines clamped to [0, 1].
 * A chunk missing from one list scores 0 there. Returns best first, scores in [0, 1].
 */
export function fuse(keyword: Scored[], vector: Scored[]): Scored[] {
  const best = keyword.length > 0 ? keyword[0].score : 1;
  const fused = new Map<number, number>();
  for (const hit of keyword) fused.set(hit.slot, (FUSION.keywordWeight * hit.score) / best);
  for (const hit of vector) {
    fused.set(hit.slot, (fused.get(hit.slot) ?? 0) + FUSION.vectorWeight * Math.max(0, hit.score));
  }
  const total = FUSION.keywordWeight + FUSION.vectorWeight;
  return [...fused].map(([slot, score]) => ({ slot, score: score / total })).sort((a, b) => b.score - a.score);
}

/** Keyword-only scores on the same scale: the best hit 1. */
export function normaliseKeyword(keyword: Scored[]): Scored[] {
  const best = keyword.length > 0 ? keyword[0].score : 1;
  return keyword.map((hit) => ({ slot: hit.slot, score: hit.score / best }));
}
