// Splits source code, paths and queries into search terms: identifiers whole and in their parts,
// so `parseJsonConfig` is found by "parse json config" and an exact identifier query ranks its definition first.
// It runs over every chunk the index holds, so it scans character codes by hand: the regular-expression version
// (`[A-Za-z0-9_$]+(?:-[A-Za-z0-9_$]+)*` for words, `[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+` for parts) was a third of
// the index build time.

/** Words so common in code or prose that they only slow searches down and blur ranking. */
const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'const', 'else', 'export', 'for', 'from', 'if', 'import', 'in', 'is',
  'it', 'let', 'new', 'of', 'on', 'or', 'return', 'self', 'that', 'the', 'this', 'to', 'var', 'was', 'with',
]);

/** Longer runs are hashes, base64 or minified code: never typed in a query. */
const MAX_TOKEN_LENGTH = 64;

const HYPHEN = 45;

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Letters, digits, `_` and `$`. */
function isWordChar(c: number): boolean {
  return isLower(c) || isUpper(c) || isDigit(c) || c === 95 || c === 36;
}

function keep(token: string): boolean {
  return token.length >= 2 && token.length <= MAX_TOKEN_LENGTH && !STOP_WORDS.has(token);
}

/** End of the word starting at `start`: word characters, joined by single hyphens that have a word character after them. */
function wordEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    while (i < text.length && isWordChar(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === HYPHEN && isWordChar(text.charCodeAt(i + 1))) i++;
    else return i;
  }
}

/** Emits the camelCase / snake_case / digit parts of text[start, end) other than `whole`. */
function addParts(text: string, start: number, end: number, whole: string, emit: (token: string) => void): void {
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    let partEnd: number;
    if (isUpper(c)) {
      let j = i + 1;
      while (j < end && isUpper(text.charCodeAt(j))) j++;
      if (j < end && isLower(text.charCodeAt(j))) {
        // `XMLHttp`: the last capital starts the next part, unless it is the only one (`Http`).
        if (j - i > 1) partEnd = j - 1;
        else {
          partEnd = j;
          while (partEnd < end && isLower(text.charCodeAt(partEnd))) partEnd++;
        }
      } else partEnd = j;
    } else if (isLower(c)) {
      partEnd = i + 1;
      while (partEnd < end && isLower(text.charCodeAt(partEnd))) partEnd++;
    } else if (isDigit(c)) {
      partEnd = i + 1;
      while (partEnd < end && isDigit(text.charCodeAt(partEnd))) partEnd++;
    } else {
      i++;
      continue;
    }
    const part = text.slice(i, partEnd).toLowerCase();
    if (part !== whole && keep(part)) emit(part);
    i = partEnd;
  }
}

/** True when text[start, end) is all lower-case letters: its only part is itself. */
function plainLower(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isLower(text.charCodeAt(i))) return false;
  return true;
}

/** `files` → `file`, `parsing` → `pars`, `parsed` → `pars`: a query's words meet the code's other forms of them. */
function stem(token: string): string {
  if (!plainLower(token, 0, token.length)) return token;
  const n = token.length;
  if (n > 5 && token.endsWith('ing')) return token.slice(0, -3);
  if (n > 4 && token.endsWith('ed')) return token.slice(0, -2);
  if (n > 3 && token.endsWith('s') && !token.endsWith('ss') && !token.endsWith('us') && !token.endsWith('is')) return token.slice(0, -1);
  return token;
}

/** Calls `emit` for every term occurrence in `text`: each word whole, then its parts. */
function scanTerms(text: string, emitTerm: (token: string) => void): void {
  const emit = (token: string) => emitTerm(stem(token));
  let i = 0;
  while (i < text.length) {
    if (!isWordChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const end = wordEnd(text, i);
    const whole = text.slice(i, end).toLowerCase();
    if (keep(whole)) emit(whole);
    if (!plainLower(text, i, end)) addParts(text, i, end, whole, emit);
    i = end;
  }
}

/** The distinct lower-case terms of `text`, in first-seen order. */
export function codeTokens(text: string): string[] {
  const out = new Set<string>();
  scanTerms(text, (token) => out.add(token));
  return [...out];
}

/** Each term of `text` with how often it occurs there, and the total number of term occurrences (BM25's field length). */
export function codeTermCounts(text: string): { counts: Map<string, number>; length: number } {
  const counts = new Map<string, number>();
  let length = 0;
  scanTerms(text, (token) => {
    counts.set(token, (counts.get(token) ?? 0) + 1);
    length++;
  });
  return { counts, length };
}
