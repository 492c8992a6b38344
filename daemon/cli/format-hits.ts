// Turns search hits into text a person scans quickly in a terminal: a header per hit, then its lines, numbered.
import type { SearchHit } from '../protocol';

/** Longer chunks are cut here: the header and the first lines are enough to decide whether to open the file. */
const MAX_LINES = 15;

export interface Palette {
  path(text: string): string;
  dim(text: string): string;
  symbol(text: string): string;
}

const plain: Palette = { path: (t) => t, dim: (t) => t, symbol: (t) => t };

const ansi: Palette = {
  path: (t) => `\x1b[1;36m${t}\x1b[0m`,
  dim: (t) => `\x1b[2m${t}\x1b[0m`,
  symbol: (t) => `\x1b[33m${t}\x1b[0m`,
};

/** Colour only on a terminal, and never when the user asked for none (https://no-color.org). */
export function choosePalette(stream: NodeJS.WriteStream, colorFlag: boolean): Palette {
  const wanted = colorFlag && stream.isTTY === true && !process.env.NO_COLOR;
  return wanted ? ansi : plain;
}

export function formatHit(hit: SearchHit, palette: Palette): string {
  const location = palette.path(`${hit.path}:${hit.startLine}-${hit.endLine}`);
  const symbol = hit.symbol ? `  ${palette.symbol(hit.symbol)}` : '';
  const header = `${location}  ${palette.dim(hit.language)}${symbol}  ${palette.dim(hit.score.toFixed(3))}`;
  return [header, ...numberedLines(hit, palette)].join('\n');
}

function numberedLines(hit: SearchHit, palette: Palette): string[] {
  const lines = hit.content.replace(/\n$/, '').split('\n');
  const shown = lines.slice(0, MAX_LINES);
  const width = String(hit.startLine + shown.length - 1).length;
  const out = shown.map((line, i) => `${palette.dim(String(hit.startLine + i).padStart(width))}  ${line}`);
  const hidden = lines.length - shown.length;
  if (hidden > 0) out.push(palette.dim(`${' '.repeat(width)}  … ${hidden} more line${hidden === 1 ? '' : 's'}`));
  return out;
}

/** All hits, separated by a blank line; a single line when nothing matched. */
export function formatHits(hits: SearchHit[], palette: Palette): string {
  if (hits.length === 0) return 'No results.';
  return hits.map((hit) => formatHit(hit, palette)).join('\n\n');
}
