// Splits text by lines into chunks of about TARGET_CHARS: used for languages without a grammar, for files whose parse
// failed, and for the parts of a parsed file that are too big to be one chunk.
import type { Chunk, SourceFile } from './chunker';

/**
 * About 40 lines of code: a typical whole function, small enough that a mean-pooled embedding still says what the code is
 * about and a hit reads at a glance. Small siblings merge up to this size, big regions are split to it.
 */
export const TARGET_CHARS = 1500;
/**
 * No chunk is ever larger. A function up to this size (about 100 lines) stays whole, because cutting a function loses
 * more than a long chunk costs; anything larger, including any single long line, is cut.
 */
export const MAX_CHARS = 4000;

/** A chunk before it is tied to its file: 0-based inclusive rows. `content` is set only for a cut piece of one long line. */
export interface Span {
  start: number;
  end: number;
  symbol: string;
  content?: string;
}

/** A text's lines, split on `\n` only (as Tree-sitter counts rows); a `\r` before it stays part of the line's text. */
export class SourceLines {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) this.starts.push(at + 1);
  }

  get count(): number {
    return this.starts.length;
  }

  /** Offset just past the row's last character, its line ending excluded. */
  private endOf(row: number): number {
    return row + 1 < this.starts.length ? this.starts[row + 1] - 1 : this.text.length;
  }

  /** Characters from the start of `first` to the end of `last`. */
  size(first: number, last: number): number {
    return this.endOf(last) - this.starts[first];
  }

  slice(first: number, last: number): string {
    return this.text.slice(this.starts[first], this.endOf(last));
  }

  isBlank(row: number): boolean {
    return this.slice(row, row).trim() === '';
  }

  /** Cuts one row into pieces of TARGET_CHARS, never between the two halves of a surrogate pair. */
  cutRow(row: number): string[] {
    const line = this.slice(row, row);
    const pieces: string[] = [];
    for (let at = 0; at < line.length; ) {
      let end = Math.min(at + TARGET_CHARS, line.length);
      if (end < line.length && isLowSurrogate(line.charCodeAt(end))) end--;
      pieces.push(line.slice(at, end));
      at = end;
    }
    return pieces;
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Rows `first..last` as spans of up to TARGET_CHARS, broken at the last blank line that fits when there is one. */
export function splitRows(lines: SourceLines, first: number, last: number, symbol: string): Span[] {
  const spans: Span[] = [];
  let start = -1;
  let lastBlank = -1;
  const close = (end: number) => {
    if (start !== -1 && end >= start) spans.push({ start, end, symbol });
  };
  for (let row = first; row <= last; row++) {
    if (lines.size(row, row) > TARGET_CHARS) {
      close(row - 1);
      for (const content of lines.cutRow(row)) spans.push({ start: row, end: row, symbol, content });
      start = -1;
      continue;
    }
    if (start === -1) {
      start = row;
      lastBlank = -1;
    } else if (lines.size(start, row) > TARGET_CHARS) {
      const breakAt = lastBlank > start ? lastBlank : row - 1;
      close(breakAt);
      start = breakAt + 1;
      lastBlank = -1;
      if (lines.size(start, row) > TARGET_CHARS) {
        close(row - 1);
        start = row;
      }
    }
    if (lines.isBlank(row)) lastBlank = row;
  }
  close(last);
  return spans;
}

/** Turns spans into chunks: blank edge lines trimmed, blank spans dropped, rows made 1-based. */
export function spansToChunks(file: SourceFile, lines: SourceLines, spans: Span[]): Chunk[] {
  const chunks: Chunk[] = [];
  for (const span of spans) {
    if (span.content !== undefined) {
      chunks.push(chunkOf(file, span.start, span.end, span.symbol, span.content));
      continue;
    }
    let { start, end } = span;
    while (start <= end && lines.isBlank(start)) start++;
    while (end >= start && lines.isBlank(end)) end--;
    if (start <= end) chunks.push(chunkOf(file, start, end, span.symbol, lines.slice(start, end)));
  }
  return chunks;
}

function chunkOf(file: SourceFile, start: number, end: number, symbol: string, content: string): Chunk {
  return { path: file.path, language: file.language, startLine: start + 1, endLine: end + 1, symbol, content };
}

/** The whole file by the text splitter. */
export function splitText(file: SourceFile): Chunk[] {
  const lines = new SourceLines(file.text);
  return spansToChunks(file, lines, splitRows(lines, 0, lines.count - 1, ''));
}
