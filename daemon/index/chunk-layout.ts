// Lays a file's definitions out as chunks: whole definitions where they fit, small siblings merged, big containers split
// into a header and their children, and the lines between definitions kept as chunks of their own.
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
const functionKinds = new Set(['function', 'method', 'fn', 'func', 'fun', 'def', 'constructor', 'macro', 'init']);
/** Kinds whose name alone reads well in a symbol path. */
const bareKinds = new Set(['heading', 'key']);
/** A `function` directly inside one of these reads as a method. */
const classKinds = new Set(['class', 'struct', 'interface', 'trait', 'object', 'record', 'impl']);

export function label(definition: Definition, parentKind?: string): string {
  if (bareKinds.has(definition.kind)) return definition.name;
  const kind = definition.kind === 'function' && parentKind && classKinds.has(parentKind) ? 'method' : definition.kind;
  return definition.name ? `${kind} ${definition.name}` : kind;
}

function joinSymbol(prefix: string, labels: string[]): string {
  const names = [...new Set(labels)].join(', ');
  if (!names) return prefix;
  return prefix ? `${prefix} > ${names}` : names;
}

/** One step of a region before merging: a definition or gap that may merge, or spans already final. */
type Piece = { start: number; end: number; labels: string[] } | { spans: Span[] };

/** Spans covering every row of the file. `definitions` are top-level, sorted by start. */
export function layoutChunks(lines: SourceLines, definitions: Definition[]): Span[] {
  return layoutRegion(lines, 0, lines.count - 1, definitions, '', undefined);
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

/** A gap this small (a closing brace, `end`) is no chunk on its own: it joins the chunk before it. */
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
    } else if (group && fits(lines, group.start, piece, TARGET_CHARS)) {
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

/** Whether `piece` may join a chunk starting at `start`: within `limit`, or a tiny gap within MAX_CHARS. */
function fits(lines: SourceLines, start: number, piece: { start: number; end: number; labels: string[] }, limit: number): boolean {
  const size = lines.size(start, piece.end);
  const tiny = piece.labels.length === 0 && lines.size(piece.start, piece.end) <= TINY_GAP_CHARS;
  return size <= limit || (tiny && size <= MAX_CHARS);
}
