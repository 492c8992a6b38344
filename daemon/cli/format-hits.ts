// Turns search hits into text a person scans quickly in a terminal, the way rg prints matches: a header per hit, then
// only the lines that matched (the daemon's match window, widened by `-C`), numbered, with the query's words highlighted.
// A chunk's head (imports, 'use strict', a doc comment) says little about why it matched, so it is not what is shown.
import { termSegments } from '../../webview/preview';
import type { FileHit, SearchHit } from '../protocol';

export interface Palette {
  path(text: string): string;
  dim(text: string): string;
  symbol(text: string): string;
  match(text: string): string;
}

const plain: Palette = { path: (t) => t, dim: (t) => t, symbol: (t) => t, match: (t) => t };

const ansi: Palette = {
  path: (t) => `\x1b[1;36m${t}\x1b[0m`,
  dim: (t) => `\x1b[2m${t}\x1b[0m`,
  symbol: (t) => `\x1b[33m${t}\x1b[0m`,
  match: (t) => `\x1b[1;31m${t}\x1b[0m`,
};

/** Colour only on a terminal, and never when the user asked for none (https://no-color.org). */
export function choosePalette(stream: NodeJS.WriteStream, colorFlag: boolean): Palette {
  const wanted = colorFlag && stream.isTTY === true && !process.env.NO_COLOR;
  return wanted ? ansi : plain;
}

export interface HitLayout {
  palette: Palette;
  /** Lines shown before and after the match window (`-C`). */
  context: number;
}

export function formatHit(hit: SearchHit, layout: HitLayout): string {
  const { palette } = layout;
  const location = palette.path(`${hit.path}:${hit.startLine}-${hit.endLine}`);
  const kind = hit.kind === 'code' ? '' : ` ${hit.kind}`;
  const symbol = hit.symbol ? `  ${palette.symbol(hit.symbol)}` : '';
  const header = `${location}  ${palette.dim(`${hit.language}${kind}`)}${symbol}  ${palette.dim(hit.score.toFixed(3))}`;
  return [header, ...windowLines(hit, layout)].join('\n');
}

/**
 * The match window plus context, clamped to the chunk. Like rg, a line holding a query word is numbered `N:`, a context
 * line `N-`.
 */
function windowLines(hit: SearchHit, { palette, context }: HitLayout): string[] {
  const lines = hit.content.replace(/\n$/, '').split('\n');
  const first = Math.max(hit.startLine, hit.matchStart - context);
  const last = Math.min(hit.endLine, hit.startLine + lines.length - 1, hit.matchEnd + context);
  const highlight = highlighter(hit.why.terms, palette);
  const width = String(last).length;
  const out: string[] = [];
  for (let number = first; number <= last; number++) {
    const line = lines[number - hit.startLine];
    const { text, matched } = highlight(line);
    const mark = matched || number === hit.bestLine ? ':' : '-';
    out.push(`${palette.dim(`${String(number).padStart(width)}${mark}`)} ${text}`);
  }
  return out;
}

/** Marks every occurrence of the matched terms, case-insensitively, as the panel does (`redirect` lights up in `res.redirect`). */
function highlighter(terms: string[], palette: Palette): (line: string) => { text: string; matched: boolean } {
  return (line) => {
    const segments = termSegments(line, terms);
    return {
      text: segments.map((segment) => (segment.term ? palette.match(segment.text) : segment.text)).join(''),
      matched: segments.some((segment) => segment.term),
    };
  };
}

/** All hits, separated by a blank line. */
export function formatHits(hits: SearchHit[], layout: HitLayout): string {
  return hits.map((hit) => formatHit(hit, layout)).join('\n\n');
}

/** `-l`: each file with a hit, once, in rank order. */
export function formatFilesWithMatches(hits: SearchHit[], palette: Palette): string {
  return [...new Set(hits.map((hit) => hit.path))].map((path) => palette.path(path)).join('\n');
}

/** `--files`: one line per file, best first: score, path:line of its best chunk, how many chunks matched, the best symbol. */
export function formatFileHits(files: FileHit[], palette: Palette): string {
  return files
    .map((file) => {
      const kind = file.kind === 'code' ? '' : ` ${file.kind}`;
      const symbol = file.symbol ? `  ${palette.symbol(file.symbol)}` : '';
      const chunks = `${file.chunks} chunk${file.chunks === 1 ? '' : 's'}`;
      return `${palette.dim(file.score.toFixed(3))}  ${palette.path(`${file.path}:${file.bestLine}`)}  ${palette.dim(`${file.language}${kind}, ${chunks}`)}${symbol}`;
    })
    .join('\n');
}
