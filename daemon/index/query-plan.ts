// What a query asks for, read once before searching: its terms and how much each counts, the identifiers it names
// (whose definitions should rank first), the file kinds it asks for ("test for …", "changelog"), and — for a pasted bug
// report or stack trace — which lines carry the signal. Long queries are cut here rather than refused.
import { MAX_QUERY_BYTES, type FileKind } from '../protocol';
import { codeTokens } from './code-tokenizer';
import { CODE_ABBREVIATIONS } from './code-words';
import type { WeightedTerm } from './keyword-index';

/** A query of more words than this is a pasted report: its identifiers, paths and error lines count more than its prose. */
export const LONG_QUERY_WORDS = 30;

/**
 * Weights of a long query's terms by where they come from. Prose words still count (a report's words for the symptom are
 * often the code's), but a file path or identifier names the place to look. Pasted stack traces were the case that
 * decided it: unweighted, the frames' common words (`at`, `node`, `internal`, `modules`) outnumbered the one function name.
 */
const LONG_QUERY_WEIGHTS = { prose: 0.3, errorLine: 0.6, identifier: 1, path: 1 };

/**
 * A prose word also looks for the short name code uses for it ("parameters" → `param`, "configuration" → `config`), at
 * this weight: "where are route parameters parsed" is about `app.param`, whose code never spells the word out.
 */
const ABBREVIATION_WEIGHT = 0.5;

/** Term of a word → terms of the abbreviations code uses for it, from the built-in model's table. */
const ABBREVIATIONS_OF: Map<string, string[]> = (() => {
  const map = new Map<string, string[]>();
  for (const [short, long] of Object.entries(CODE_ABBREVIATIONS)) {
    const longTerms = codeTokens(long);
    const shortTerms = codeTokens(short);
    if (longTerms.length !== 1 || shortTerms.length !== 1 || longTerms[0] === shortTerms[0]) continue;
    map.set(longTerms[0], [...(map.get(longTerms[0]) ?? []), shortTerms[0]]);
  }
  return map;
})();

export interface QueryWord {
  /** As the query spelled it (`res.redirect`, `parseJsonConfig`, `route`). */
  text: string;
  terms: string[];
  identifier: boolean;
}

export interface QueryPlan {
  text: string;
  terms: WeightedTerm[];
  words: QueryWord[];
  /** Names whose definition ranks first: `res.redirect` gives `res.redirect` and `redirect`. Empty for prose queries. */
  names: string[];
  /** File kinds the query's words ask for (`test`, `docs`, `example`, `generated`). */
  askedKinds: Set<FileKind>;
  long: boolean;
}

/** Words (lower-case) that ask for a kind of file rather than describe code. */
const KIND_WORDS = new Map<string, FileKind>(Object.entries({
  test: 'test', tests: 'test', testing: 'test', spec: 'test', specs: 'test', unittest: 'test', fixture: 'test', fixtures: 'test',
  mock: 'test', mocks: 'test',
  changelog: 'docs', history: 'docs', docs: 'docs', doc: 'docs', documentation: 'docs', readme: 'docs',
  example: 'example', examples: 'example', sample: 'example', samples: 'example', demo: 'example',
  generated: 'generated', vendor: 'generated', vendored: 'generated', protobuf: 'generated',
} satisfies Record<string, FileKind>));

const PATH_WORD = /[\w.-]*\/[\w./-]+|^[\w-]+\.(js|jsx|mjs|cjs|ts|tsx|py|go|rs|java|kt|rb|php|c|cc|cpp|h|hpp|cs|swift|scala|sh|md|json|ya?ml|toml)(:\d+)*$/;
/** camelCase, snake_case, dotted or `::` names, calls (`foo()`), `$vars`. */
const IDENTIFIER_WORD = /[a-z][A-Z]|[A-Za-z0-9]_[A-Za-z0-9]|[\w$]\.[A-Za-z_$]|::|\w\(|^\$|^[A-Z][a-z]+[A-Z]/;
const ERROR_LINE = /\b(error|exception|traceback|panic|fatal|failed|failure|cannot|can't|unable|undefined is not|is not a function|null pointer|segmentation)\b|^\s*at\s+\S+.*[(:]\d+|File ".*", line \d+|^\s*\w+(Error|Exception)\b/i;

/** Splits a query into words as spelled, keeping `res.redirect`, `a/b.js:12` and `foo()` whole. */
function splitWords(text: string): string[] {
  return text
    .split(/[\s,;"'`<>[\]{}|]+/)
    .map((word) => word.replace(/^[(]+|[).:!?]+$/g, ''))
    .filter((word) => /[A-Za-z0-9]/.test(word));
}

function wordOf(text: string): QueryWord {
  return { text, terms: codeTokens(text), identifier: IDENTIFIER_WORD.test(text) };
}

/** The names a query word defines when it is an identifier: the whole dotted name and its last part. */
function namesOf(word: string): string[] {
  const clean = word.replace(/\(.*$/, '').replace(/^[^A-Za-z_$]+/, '');
  const parts = clean.split(/\.|::|#|->/).filter(Boolean);
  const last = parts[parts.length - 1];
  if (!last || !/^[A-Za-z_$][\w$]*$/.test(last)) return [];
  return last === clean ? [last] : [clean, last];
}

export function planQuery(text: string): QueryPlan {
  const lines = text.split('\n');
  const words: QueryWord[] = [];
  const weights = new Map<string, number>();
  const wordCount = splitWords(text).length;
  const long = wordCount > LONG_QUERY_WORDS;
  for (const line of lines) {
    const errorLine = ERROR_LINE.test(line);
    for (const spelled of splitWords(line)) {
      const word = wordOf(spelled);
      words.push(word);
      const weight = !long
        ? 1
        : PATH_WORD.test(spelled)
          ? LONG_QUERY_WEIGHTS.path
          : word.identifier
            ? LONG_QUERY_WEIGHTS.identifier
            : errorLine
              ? LONG_QUERY_WEIGHTS.errorLine
              : LONG_QUERY_WEIGHTS.prose;
      for (const term of word.terms) weights.set(term, Math.max(weights.get(term) ?? 0, weight));
      if (!word.identifier) {
        for (const term of word.terms) {
          for (const short of ABBREVIATIONS_OF.get(term) ?? []) {
            if (!weights.has(short)) weights.set(short, weight * ABBREVIATION_WEIGHT);
          }
        }
      }
    }
  }
  const names = new Set<string>();
  // A one-word query may be a name (`redirect`); two plain words or more are prose ("scaled input", "parse config").
  const shortQuery = wordCount === 1;
  for (const word of words) {
    if (word.identifier || (shortQuery && /^[A-Za-z_$][\w$]{2,}$/.test(word.text))) for (const name of namesOf(word.text)) names.add(name);
  }
  const askedKinds = new Set<FileKind>();
  for (const word of words) {
    const kind = KIND_WORDS.get(word.text.toLowerCase());
    if (kind) askedKinds.add(kind);
  }
  return {
    text,
    terms: [...weights].map(([term, weight]) => ({ term, weight })),
    words,
    names: [...names],
    askedKinds,
    long,
  };
}

/** Lines longer than this (a minified blob, a one-line paste) are cut at spaces so that the rest of them can still fit. */
const MAX_LINE_BYTES = 1024;

function splitLongLine(line: string): string[] {
  if (Buffer.byteLength(line, 'utf8') <= MAX_LINE_BYTES) return [line];
  const pieces: string[] = [];
  let piece = '';
  for (const word of line.split(' ')) {
    if (piece && Buffer.byteLength(piece, 'utf8') + Buffer.byteLength(word, 'utf8') >= MAX_LINE_BYTES) {
      pieces.push(piece);
      piece = '';
    }
    piece = piece ? `${piece} ${word.slice(0, MAX_LINE_BYTES / 2)}` : word.slice(0, MAX_LINE_BYTES / 2);
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/**
 * Cuts a query to MAX_QUERY_BYTES, keeping first the lines most likely to name the place to look: error lines, then lines
 * with paths or identifiers, then the rest, each group in the query's order; the kept lines stay in their original order.
 * Returns the text unchanged (and no note) when it fits.
 */
export function cutQuery(text: string): { text: string; note?: string } {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_QUERY_BYTES) return { text };
  const lines = text.split('\n').flatMap(splitLongLine);
  const rank = (line: string): number => {
    if (ERROR_LINE.test(line)) return 0;
    if (splitWords(line).some((word) => PATH_WORD.test(word) || IDENTIFIER_WORD.test(word))) return 1;
    return 2;
  };
  const order = lines.map((line, index) => ({ index, rank: rank(line) })).sort((a, b) => a.rank - b.rank || a.index - b.index);
  const kept = new Set<number>();
  let used = 0;
  const counts = [0, 0, 0];
  for (const { index, rank: group } of order) {
    const size = Buffer.byteLength(lines[index], 'utf8') + 1;
    if (used + size > MAX_QUERY_BYTES) continue;
    kept.add(index);
    used += size;
    counts[group]++;
  }
  const cut = lines.filter((_, index) => kept.has(index)).join('\n');
  const note =
    `query cut from ${bytes} to ${Buffer.byteLength(cut, 'utf8')} bytes (limit ${MAX_QUERY_BYTES}): kept ${counts[0]} error lines, ` +
    `${counts[1]} lines naming paths or identifiers and ${counts[2]} other lines of ${lines.length}`;
  return { text: cut, note };
}
