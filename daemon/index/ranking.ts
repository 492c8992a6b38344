// What turns fused relevance into the order a developer trusts, in one place: multiplicative priors (all ≤ 1, so scores
// stay in [0, 1]) and the no-match floor. Measured on express (159 files; `test/` and `History.md` hold most mentions of
// every API name) with the built-in model, hybrid mode, before these priors: `res.redirect`, `res.cookie`, "send a file to
// the client" and "where are route parameters parsed" put tests and History.md in the top 3 and the definitions in
// lib/response.js / lib/application.js at rank 6 or below (fused 0.47–0.51 against 0.96–0.98 for test chunks, whose file
// names repeat the API name). A test chunk needs a prior under ~0.5 to fall below the definition; 0.45 leaves room for
// a strong test match to still beat a weak code match. A mention-only prior of 0.6 on top puts every definition of a
// queried identifier above mere uses of it in the same kind of file.
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
   * `qqqzzzxxyy` holds 0; "format qqqzzzxxyy" still finds `format` (~0.35). Measured on CoSQA dev, keyword mode over the
   * 6,267 functions (in process, MRR@100): no floor 0.3432; 0.10 0.3432; 0.15 0.3430; 0.20 0.3422; 0.25 0.3367; 0.30
   * 0.3257 — web queries carry words code never has ("python", "how to"), so a higher share drops real answers.
   */
  keywordShare: 0.15,
  /** …or, in a long pasted query, this much idf mass (about three rare terms): a report is mostly words no chunk has. */
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

/** True when a hit is strong enough to be shown as an answer in this mode. Hybrid: either side's evidence will do. */
export function passesFloor(mode: SearchMode, evidence: Evidence, long: boolean, minCosine: number): boolean {
  const keyword =
    evidence.total > 0 && evidence.matched > 0 &&
    (evidence.matched >= RANKING.keywordShare * evidence.total || (long && evidence.matched >= RANKING.longQueryMass));
  const meaning = evidence.cosine !== null && evidence.cosine >= minCosine;
  if (mode === 'keyword') return keyword;
  if (mode === 'semantic') return meaning;
  return keyword || meaning;
}
