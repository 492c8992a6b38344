// Where in a chunk the query matched: the line a preview centres on and the editor puts the cursor on, a window of a few
// lines around it, and the query words found (as the query spelled them). A chunk's head is often imports,
// 'use strict' or a doc comment, so the window is chosen by scoring lines, never taken from the top blindly; a chunk that
// matched by meaning alone shows its definition line.
import { codeTokens } from './code-tokenizer';
import type { DefinitionMatcher } from './definitions';
import type { QueryPlan } from './query-plan';

/** Lines in a match window: enough to read a statement and its neighbours, few enough that ten hits fit a screen. */
export const WINDOW_LINES = 5;
/** Identifier terms count this much more than prose words in a line's score. */
const IDENTIFIER_WEIGHT = 2;
/** Import and require lines mention every name a file uses: they rarely are the place a query means. */
const IMPORT_LINE_WEIGHT = 0.3;
/** Repeats of a term already in the window add this share of its weight: one mention says more than the tenth. */
const REPEAT_SHARE = 0.25;
/** Terms listed in `why.terms` at most. */
const MAX_REASON_TERMS = 12;

const IMPORT_LINE = /^\s*(?:import\b|from\s+\S+\s+import\b|use\s|using\s|package\s|#include\b|['"]use strict['"])|\brequire\s*\(/;
const NOISE_LINE = /^\s*($|\/\/|\/\*|\*|#(?!\w)|--|"""|'''|@\w|['"]use strict['"];?\s*$)/;

export interface MatchWindow {
  /** 1-based, absolute line numbers. */
  bestLine: number;
  matchStart: number;
  matchEnd: number;
}

/** The window, and the query terms found in the chunk's lines. */
export interface WindowAndTerms {
  window: MatchWindow;
  found: Set<string>;
}

/** Term → its weight in line scores: query weight × idf, identifiers' terms doubled. */
export function lineTermWeights(plan: QueryPlan, idf: (term: string) => number): Map<string, number> {
  const weights = new Map<string, number>();
  const queryWeight = new Map(plan.terms.map(({ term, weight }) => [term, weight]));
  for (const word of plan.words) {
    for (const term of word.terms) {
      const weight = (queryWeight.get(term) ?? 1) * idf(term) * (word.identifier ? IDENTIFIER_WEIGHT : 1);
      weights.set(term, Math.max(weights.get(term) ?? 0, weight));
    }
  }
  return weights;
}

export function matchWindow(
  startLine: number,
  content: string,
  symbol: string,
  weights: Map<string, number>,
  matcher: DefinitionMatcher,
): WindowAndTerms {
  const lines = content.split('\n');
  const found = new Set<string>();
  const candidates = linesHoldingTerms(content, lines, [...weights.keys()]);
  const lineTerms = lines.map((line, i) => {
    if (!candidates[i]) return [];
    const inLine = codeTokens(line).filter((term) => weights.has(term));
    for (const term of inLine) found.add(term);
    return inLine;
  });
  const definition = matcher.definitionLine(content);
  const lineScore = lines.map((line, i) => {
    if (lineTerms[i].length === 0) return 0;
    const sum = lineTerms[i].reduce((total, term) => total + weights.get(term)!, 0);
    return IMPORT_LINE.test(line) ? sum * IMPORT_LINE_WEIGHT : sum;
  });
  // The definition line of a queried name is where a reader wants to land.
  if (definition >= 0) lineScore[definition] += Math.max(...lineScore, 1);
  let best = -1;
  let bestScore = 0;
  lineScore.forEach((score, i) => {
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  if (best < 0) return { window: fallbackWindow(startLine, lines, symbol), found };
  const size = Math.min(WINDOW_LINES, lines.length);
  let windowStart = Math.max(0, Math.min(best - 1, lines.length - size));
  let windowScore = -1;
  for (let s = Math.max(0, best - size + 1); s <= Math.min(best, lines.length - size); s++) {
    const score = windowValue(s, size, lineTerms, lineScore, weights);
    if (score > windowScore) {
      windowScore = score;
      windowStart = s;
    }
  }
  return { window: { bestLine: startLine + best, matchStart: startLine + windowStart, matchEnd: startLine + windowStart + size - 1 }, found };
}

/**
 * Lines that hold one of the terms as a substring: only they are tokenised. Terms are lower-case stems, so a line holding
 * a term holds its substring; one `indexOf` scan per term over the whole chunk is several times cheaper than testing every
 * line, and a 100-hit page would otherwise tokenise every line of every chunk.
 */
function linesHoldingTerms(content: string, lines: string[], terms: string[]): Uint8Array {
  const marked = new Uint8Array(lines.length);
  const lower = content.toLowerCase();
  const lineStarts = new Int32Array(lines.length);
  for (let i = 1, offset = 0; i < lines.length; i++) {
    offset += lines[i - 1].length + 1;
    lineStarts[i] = offset;
  }
  for (const term of terms) {
    for (let at = lower.indexOf(term); at >= 0; at = lower.indexOf(term, at + term.length)) {
      let low = 0;
      let high = lines.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (lineStarts[mid] <= at) low = mid;
        else high = mid - 1;
      }
      marked[low] = 1;
    }
  }
  return marked;
}

/** A window's distinct terms at full weight, their repeats at a share; the best line is always inside. */
function windowValue(start: number, size: number, lineTerms: string[][], lineScore: number[], weights: Map<string, number>): number {
  const seen = new Set<string>();
  let value = 0;
  for (let i = start; i < start + size; i++) {
    for (const term of lineTerms[i]) {
      value += seen.has(term) ? REPEAT_SHARE * weights.get(term)! : weights.get(term)!;
      seen.add(term);
    }
    value += 0.01 * lineScore[i];
  }
  return value;
}

/** No query term in any line (a match by meaning): the symbol's own line, or the first line that is not noise. */
function fallbackWindow(startLine: number, lines: string[], symbol: string): MatchWindow {
  const name = symbol.split(/>|,/)[0].trim().split(/\s+/).pop()?.split('.').pop() ?? '';
  let best = name.length >= 2 ? lines.findIndex((line) => line.includes(name) && !IMPORT_LINE.test(line)) : -1;
  if (best < 0) best = lines.findIndex((line) => !NOISE_LINE.test(line) && !IMPORT_LINE.test(line));
  if (best < 0) best = 0;
  const end = Math.min(lines.length - 1, best + WINDOW_LINES - 1);
  return { bestLine: startLine + best, matchStart: startLine + best, matchEnd: startLine + end };
}

/** The query words found in a chunk, as the query spelled them: a word counts when most of its terms are there. */
export function matchedWords(plan: QueryPlan, chunkTerms: Set<string>): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const words = plan.long ? [...plan.words.filter((word) => word.identifier), ...plan.words.filter((word) => !word.identifier)] : plan.words;
  for (const word of words) {
    const key = word.text.toLowerCase();
    if (seen.has(key) || word.terms.length === 0) continue;
    const present = word.terms.filter((term) => chunkTerms.has(term)).length;
    if (present * 2 >= word.terms.length && present > 0) {
      found.push(word.text);
      seen.add(key);
      if (found.length >= MAX_REASON_TERMS) break;
    }
  }
  return found;
}
