// Splits source code, paths and queries into search terms: identifiers whole and in their parts,
// so `parseJsonConfig` is found by "parse json config" and an exact identifier query ranks its definition first.

/** Words so common in code or prose that they only slow searches down and blur ranking. */
const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'const', 'else', 'export', 'for', 'from', 'if', 'import', 'in', 'is',
  'it', 'let', 'new', 'of', 'on', 'or', 'return', 'self', 'that', 'the', 'this', 'to', 'var', 'was', 'with',
]);

/** Longer runs are hashes, base64 or minified code: never typed in a query. */
const MAX_TOKEN_LENGTH = 64;

const WORD = /[A-Za-z0-9_$]+(?:-[A-Za-z0-9_$]+)*/g;
const PART = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g;

function keep(token: string): boolean {
  return token.length >= 2 && token.length <= MAX_TOKEN_LENGTH && !STOP_WORDS.has(token);
}

/** The distinct lower-case terms of `text`, in first-seen order. */
export function codeTokens(text: string): string[] {
  const out = new Set<string>();
  for (const [word] of text.matchAll(WORD)) {
    const whole = word.toLowerCase();
    if (keep(whole)) out.add(whole);
    for (const [part] of word.matchAll(PART)) {
      const lower = part.toLowerCase();
      if (lower !== whole && keep(lower)) out.add(lower);
    }
  }
  return [...out];
}

/** The tokenizer component Orama calls for its string fields and for query terms. */
export function createCodeTokenizer() {
  return {
    language: 'english',
    normalizationCache: new Map<string, string>(),
    tokenize: (raw: string) => codeTokens(raw),
  };
}
