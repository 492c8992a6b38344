// Lays a file's definitions out as chunks: whole definitions where they fit, small siblings merged, big containers split
// into a header and their children, and the lines between definitions kept as chunks of their own. Last, a piece too
// small to stand alone (`impl Walk {`, a closing brace, a lone import line) joins its neighbour.
import { MAX_CHARS, SourceLines, Span, TARGET_CHARS, splitRows } from './text-splitter';

/** A definition found in a file: 0-based inclusive rows, nested by containment. */
export interface Definition {
  start: number;
  end: number;
  /** The word shown in the symbol path: `class`, `method`, `fn`, … */
  kind: string;
  name: string;
  children: Definition[];
}

/** Kinds whose body is code to read as one piece: kept whole up to MAX_CHARS. Others (classes, modules, sections) split above TARGET_CHARS. */
const functionKinds = new Set(['function', 'method', 'fn', 'func', 'fun', 'def', 'constructor', 'macro', 'init', 'property']);
/** Kinds whose name alone reads well in a symbol path. */
const bareKinds = new Set(['heading', 'key']);
/** A `function` directly inside one of these reads as a method. */
const classKinds = new Set(['class', 'struct', 'interface', 'trait', 'object', 'record', 'impl']);

export function label(definition: Definition, parentKind?: string): string {
  if (bareKinds.has(definition.kind)) return definition.name;
  const kind = definition.kind === 'function' && parentKind && classKinds.has(parentKind) ? 'method' : definition.kind;
  return definition.name ? `${kind} ${definition.name}` : kind;
}

/**
 * Two chunks' symbols as one: the longer where one is the other's path prefix (`impl Walk` and `impl Walk > fn next`),
 * else their shared path once and the rest listed (`impl Walk > fn new, fn next`).
 */
export function mergeSymbols(first: string, second: string): string {
  if (!first || first === second) return second;
  if (!second) return first;
  // `struct Walk, impl Walk` then `impl Walk > fn new`: the header's label gives way to its child's path.
  const listed = first.split(', ');
  if (listed.length > 1 && second.startsWith(`${listed[listed.length - 1]} > `)) return [...listed.slice(0, -1), second].join(', ');
  const a = first.split(' > ');
  const b = second.split(' > ');
  let shared = 0;
  while (shared < a.length && shared < b.length && a[shared] === b[shared]) shared++;
  if (shared === a.length) return second;
  if (shared === b.length) return first;
  return joinSymbol(a.slice(0, shared).join(' > '), [a.slice(shared).join(' > '), b.slice(shared).join(' > ')]);
}

function joinSymbol(prefix: string, labels: string[]): string {
  const names = [...new Set(labels)].join(', ');
  if (!names) return prefix;
  return prefix ? `${prefix} > ${names}` : names;
}

/** One step of a region before merging: a definition or gap that may merge, or spans already final. */
type Piece = { start: number; end: number; labels: string[] } | { spans: Span[] };

/** Spans covering every non-blank row of the file. `definitions` are top-level, sorted by start. */
export function layoutChunks(lines: SourceLines, definitions: Definition[]): Span[] {
  return absorbSmallSpans(lines, layoutRegion(lines, 0, lines.count - 1, definitions, '', undefined));
}

function layoutRegion(lines: SourceLines, first: number, last: number, definitions: Definition[], prefix: string, parentKind: string | undefined): Span[] {
  const pieces: Piece[] = [];
  let cursor = first;
  for (const definition of definitions) {
    // Two definitions on one line: the later one joins the chunk the line is already in.
    if (definition.end < cursor) continue;
    const start = Math.max(definition.start, cursor);
    if (start > cursor) pieces.push({ start: cursor, end: start - 1, labels: [] });
    pieces.push(layoutDefinition(lines, { ...definition, start }, prefix, parentKind));
    cursor = definition.end + 1;
  }
  if (cursor <= last) pieces.push({ start: cursor, end: last, labels: [] });
  return mergePieces(lines, pieces, prefix);
}

function layoutDefinition(lines: SourceLines, definition: Definition, prefix: string, parentKind: string | undefined): Piece {
  const own = label(definition, parentKind);
  const size = lines.size(definition.start, definition.end);
  const limit = functionKinds.has(definition.kind) ? MAX_CHARS : TARGET_CHARS;
  if (size <= limit || (definition.children.length === 0 && size <= MAX_CHARS)) {
    return { start: definition.start, end: definition.end, labels: [own] };
  }
  const symbol = joinSymbol(prefix, [own]);
  if (definition.children.length === 0) return { spans: splitRows(lines, definition.start, definition.end, symbol) };
  // The header (signature, fields, doc comment) is a chunk of its own; the children are laid out beneath it.
  const bodyStart = Math.max(definition.children[0].start, definition.start);
  const spans = bodyStart > definition.start ? boundedSpans(lines, definition.start, bodyStart - 1, symbol) : [];
  spans.push(...layoutRegion(lines, bodyStart, definition.end, definition.children, symbol, definition.kind));
  return { spans };
}

function boundedSpans(lines: SourceLines, start: number, end: number, symbol: string): Span[] {
  return lines.size(start, end) <= MAX_CHARS ? [{ start, end, symbol }] : splitRows(lines, start, end, symbol);
}

/** A gap this small (a closing brace, `end`) is no chunk on its own: it joins the chunk before it, unless it opens a block. */
const TINY_GAP_CHARS = 40;

/** Adjacent pieces merge while the merged chunk stays within TARGET_CHARS. */
function mergePieces(lines: SourceLines, pieces: Piece[], prefix: string): Span[] {
  const spans: Span[] = [];
  let group: { start: number; end: number; labels: string[] } | undefined;
  const flush = () => {
    if (!group) return;
    const symbol = joinSymbol(prefix, group.labels);
    const gapOnly = group.labels.length === 0;
    if (gapOnly && lines.size(group.start, group.end) > TARGET_CHARS) spans.push(...splitRows(lines, group.start, group.end, symbol));
    else spans.push({ start: group.start, end: group.end, symbol });
    group = undefined;
  };
  for (const piece of pieces) {
    if ('spans' in piece) {
      flush();
      spans.push(...piece.spans);
    } else if (group && fits(lines, group.start, piece, TARGET_CHARS) && !opensNext(lines, piece)) {
      group.end = piece.end;
      group.labels.push(...piece.labels);
    } else if (!group && spans.length && spans[spans.length - 1].content === undefined && fits(lines, spans[spans.length - 1].start, piece, 0)) {
      spans[spans.length - 1].end = piece.end;
    } else {
      flush();
      group = { start: piece.start, end: piece.end, labels: [...piece.labels] };
    }
  }
  flush();
  return spans;
}

/** A gap whose last line opens a block (`const api = {`) belongs to the definitions that follow, not the ones before. */
function opensNext(lines: SourceLines, piece: { end: number; labels: string[] }): boolean {
  return piece.labels.length === 0 && opensBlock.test(lines.slice(piece.end, piece.end));
}

/** Whether `piece` may join a chunk starting at `start`: within `limit`, or a tiny gap within MAX_CHARS. */
function fits(lines: SourceLines, start: number, piece: { start: number; end: number; labels: string[] }, limit: number): boolean {
  const size = lines.size(start, piece.end);
  const tiny = piece.labels.length === 0 && lines.size(piece.start, piece.end) <= TINY_GAP_CHARS && !opensNext(lines, piece);
  return size <= limit || (tiny && size <= MAX_CHARS);
}

/** A chunk smaller than this (trimmed) is a head or a tail of something, not a piece worth a search hit of its own. */
export const SMALL_CHARS = 120;
/** A last line that opens a block: the piece is the head of what follows. */
const opensBlock = /(\{|\(|\[|:|=>|->|\bdo)\s*$/;

/**
 * Spans trimmed of blank edge rows (blank spans dropped), then each small one merged into a neighbour within MAX_CHARS:
 * forward when it heads what follows (the first piece, a container's header, a line that opens a block), else backward.
 */
function absorbSmallSpans(lines: SourceLines, spans: Span[]): Span[] {
  const trimmed = spans.flatMap((span) => trim(lines, span));
  const merged: Span[] = [];
  let carried: Span | undefined;
  const mergeable = (span: Span) => span.content === undefined;
  const fitsWith = (first: Span, second: Span) => mergeable(first) && mergeable(second) && lines.size(first.start, second.end) <= MAX_CHARS;
  trimmed.forEach((original, i) => {
    let span = original;
    if (carried) {
      if (fitsWith(carried, span)) span = { start: carried.start, end: span.end, symbol: mergeSymbols(carried.symbol, span.symbol) };
      else merged.push(carried);
      carried = undefined;
    }
    if (!mergeable(span) || lines.size(span.start, span.end) >= SMALL_CHARS) {
      merged.push(span);
      return;
    }
    const previous = merged.length ? merged[merged.length - 1] : undefined;
    const next = trimmed[i + 1];
    const forward = !previous || (next !== undefined && headsNext(lines, span, next));
    if (next && forward && fitsWith(span, next)) carried = span;
    else if (previous && fitsWith(previous, span)) merged[merged.length - 1] = { start: previous.start, end: span.end, symbol: mergeSymbols(previous.symbol, span.symbol) };
    else if (next && fitsWith(span, next)) carried = span;
    else merged.push(span);
  });
  if (carried) merged.push(carried);
  return merged;
}

function headsNext(lines: SourceLines, span: Span, next: Span): boolean {
  if (span.symbol && next.symbol.startsWith(`${span.symbol} > `)) return true;
  return opensBlock.test(lines.slice(span.end, span.end));
}

function trim(lines: SourceLines, span: Span): Span[] {
  if (span.content !== undefined) return [span];
  let { start, end } = span;
  while (start <= end && lines.isBlank(start)) start++;
  while (end >= start && lines.isBlank(end)) end--;
  return start <= end ? [{ ...span, start, end }] : [];
}
