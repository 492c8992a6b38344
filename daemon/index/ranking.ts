// What turns fused relevance into the order a developer trusts, in one place: multiplicative priors (all ≤ 1, so scores
// stay in [0, 1]) and the no-match floor. Measured on express (159 files; `test/` and `History.md` hold most mentions of
// every API name) with the built-in model, hybrid mode. Before: `res.redirect` and `res.cookie` gave three test chunks
// first (fused 0.96–0.98: their file names repeat the API name) and the definition below rank 6; "send a file to the
// client" gave three `test/res.sendFile.js` chunks (0.86–0.98) above `res.sendFile` (0.51); "where are route parameters
// parsed" gave `test/Route.js` ×3 and History.md. The best test chunk must fall under the definition: 0.98 × p < 0.51 needs
// p < 0.52, and 0.45 leaves room for a strong test match to still beat a weak code match. The mention prior (0.6) puts
// a definition above mere uses in files of the same kind (`res.cookie`: the chunk defining it 0.50, `res.clearCookie`'s
// chunk 0.31). After: the definition is first for all four identifier queries tried (`res.redirect` 0.44 against tests'
// 0.27, `res.cookie`, `app.param`, `req.host`), `res.sendFile` first for "send a file", and `lib/` holds the top 3 of
// "where are route parameters parsed" (`app.param` 2nd).
// The floor: keyword evidence is the share of the query's idf mass a chunk holds (BM25 normalised by the best hit cannot
// say "nothing matched", since the best is always 1); semantic evidence is the cosine, whose floor depends on the model.
import type { FileKind, SearchMode } from '../protocol';

export const RANKING = {
  /** Prior by file kind when the query and filters do not ask for that kind. */
  kindPrior: { code: 1, test: 0.45, docs: 0.45, example: 0.6, generated: 0.35 } as Record<FileKind, number>,
  /** A chunk that mentions but does not define any identifier the query names. */
  mentionPrior: 0.6,
  /**
   * Keyword floor: a chunk must hold this share of the query's idf mass (a made-up word counts as the rarest term).
   * `qqqzzzxxyy` holds 0; a rare real word beside a made-up one ("slugify qqqzzzxxyy") still passes. Measured on CoSQA dev, keyword mode over the
   * 6,267 functions (in process, MRR@100): no floor 0.3432; 0.10 0.3432; 0.15 0.3430; 0.20 0.3422; 0.25 0.3367; 0.30
   * 0.3257 — web queries carry words code never has ("python", "how to"), so a higher share drops real answers.
   */
  keywordShare: 0.15,
  /**
   * …or, in a long pasted query, this much idf mass (about three rare terms at idf ~6, a name used in a few of some
   * thousand chunks): a report is mostly words no chunk has, so its share is always small. Chosen, not fitted. A small
   * project never reaches idf 6, so there the floor is three terms as rare as the index allows (`longQueryFloor`).
   */
  longQueryMass: 18,
};

/** Which kinds the search asks for: by its words, a kinds filter or a path glob into (say) `test/`. */
export function kindPrior(kind: FileKind, asked: Set<FileKind>): number {
  return asked.has(kind) ? 1 : RANKING.kindPrior[kind];
}

export interface Evidence {
  /** Matched idf mass of the query's terms and the query's whole mass. */
  matched: number;
  total: number;
  /** Cosine with the query vector; null when no vector was compared. */
  cosine: number | null;
}

/** The idf mass a chunk must hold of a long query, given the idf of a term only one chunk holds in this index. */
export function longQueryFloor(rarestIdf: number): number {
  return Math.min(RANKING.longQueryMass, 3 * rarestIdf);
}

/**
 * True when a hit is strong enough to be shown as an answer in this mode. Hybrid: either side's evidence will do.
 * `longFloor`: for a long query, the idf mass that also passes (`longQueryFloor`); null for a short one.
 */
export function passesFloor(mode: SearchMode, evidence: Evidence, longFloor: number | null, minCosine: number): boolean {
  const keyword =
    evidence.total > 0 && evidence.matched > 0 &&
    (evidence.matched >= RANKING.keywordShare * evidence.total || (longFloor !== null && evidence.matched >= longFloor));
  const meaning = evidence.cosine !== null && evidence.cosine >= minCosine;
  if (mode === 'keyword') return keyword;
  if (mode === 'semantic') return meaning;
  return keyword || meaning;
}
