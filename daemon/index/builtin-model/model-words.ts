// The words the built-in model sees in a text, exactly as its tokenizer.json (daemon/index/builtin-model/tokenizer-json.ts)
// makes them at search time: the identifier splits, lower-casing, then BERT's pre-tokenizer (whitespace, and every
// punctuation character on its own). Training on any other split would teach vectors for tokens the daemon never looks up.
// daemon/index/code-tokenizer.ts is the keyword index's tokenizer (stems, stop words): not what the model is fed.
import { IDENTIFIER_SPLITS } from './tokenizer-json';

const splits = IDENTIFIER_SPLITS.map(([pattern, replacement]) => [new RegExp(pattern, 'g'), replacement] as const);

/** BERT's punctuation: ASCII symbols (so `_` and `$` too) and every Unicode punctuation character. */
const PUNCTUATION = /[!-/:-@[-`{-~]|\p{P}/u;

export function modelWords(text: string): string[] {
  let normalised = text;
  for (const [pattern, replacement] of splits) normalised = normalised.replace(pattern, replacement);
  const words: string[] = [];
  for (const piece of normalised.toLowerCase().split(/\s+/)) {
    let start = 0;
    for (let i = 0; i < piece.length; ) {
      const char = String.fromCodePoint(piece.codePointAt(i)!);
      if (PUNCTUATION.test(char)) {
        if (i > start) words.push(piece.slice(start, i));
        words.push(char);
        start = i + char.length;
      }
      i += char.length;
    }
    if (piece.length > start) words.push(piece.slice(start));
  }
  return words;
}

/** Words worth a vector: punctuation alone carries no meaning and is everywhere in code. */
export function isMeaningful(word: string): boolean {
  return /[\p{L}\p{N}]/u.test(word);
}
