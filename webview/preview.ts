// What a hit's preview shows first: 3–6 lines around the daemon's match window, and where the query's terms are in a
// line. The old preview was a chunk's first 15 lines (imports, 'use strict', doc comments): 10 hits made 179 lines and
// rarely showed why a hit matched (issue 10). Pure functions, so Node runs their tests.
import type { SearchHit } from '../daemon/protocol';

export const PREVIEW_MIN_LINES = 3;
export const PREVIEW_MAX_LINES = 6;

export type PreviewLines = Pick<SearchHit, 'startLine' | 'endLine' | 'bestLine' | 'matchStart' | 'matchEnd'>;

/** The first and last line (1-based, inclusive, inside the chunk) a collapsed preview shows. */
export function previewWindow(hit: PreviewLines): { start: number; end: number } {
  const clamp = (line: number) => Math.min(hit.endLine, Math.max(hit.startLine, Number.isInteger(line) ? line : hit.startLine));
  const best = clamp(hit.bestLine);
  let start = clamp(hit.matchStart);
  let end = Math.max(start, clamp(hit.matchEnd));
  if (best < start || best > end) start = end = best;
  if (end - start + 1 > PREVIEW_MAX_LINES) {
    // Keep two lines of lead-in above the best line when the window allows it.
    start = Math.max(start, Math.min(best - 2, end - PREVIEW_MAX_LINES + 1));
    end = start + PREVIEW_MAX_LINES - 1;
  }
  while (end - start + 1 < PREVIEW_MIN_LINES && (start > hit.startLine || end < hit.endLine)) {
    if (end < hit.endLine) end += 1;
    if (end - start + 1 < PREVIEW_MIN_LINES && start > hit.startLine) start -= 1;
  }
  return { start, end };
}

export interface Segment {
  text: string;
  /** A query term (case-insensitive): the panel marks it. */
  term: boolean;
}

/** Splits a line into plain text and query terms, longest term first so `parseConfig` wins over `parse`. */
export function termSegments(line: string, terms: readonly string[]): Segment[] {
  const words = [...new Set(terms.map((t) => t.trim()).filter((t) => t.length >= 2))].sort((a, b) => b.length - a.length);
  if (words.length === 0 || line === '') return [{ text: line, term: false }];
  const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
  const segments: Segment[] = [];
  let at = 0;
  for (const match of line.matchAll(pattern)) {
    if (match.index > at) segments.push({ text: line.slice(at, match.index), term: false });
    segments.push({ text: match[0], term: true });
    at = match.index + match[0].length;
  }
  if (at < line.length) segments.push({ text: line.slice(at), term: false });
  return segments;
}
