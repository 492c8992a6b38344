// The model's tokens: the special tokens the tokenizer needs, then every meaningful word of the corpus seen often enough,
// most frequent first. A word outside it is [UNK] at search time, whose row is zero.
import { MAX_TOKENS, SPECIAL_TOKENS } from '../daemon/index/builtin-model/tokenizer-json';
import { isMeaningful, modelWords } from '../daemon/index/builtin-model/model-words';

export interface Vocabulary {
  tokens: string[];
  idOf: Map<string, number>;
}

export function buildVocabulary(texts: Iterable<string>, minCount: number, maxWords: number): Vocabulary {
  const counts = new Map<string, number>();
  for (const text of texts) for (const word of modelWords(text)) if (isMeaningful(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  const words = [...counts].filter(([, n]) => n >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxWords);
  const tokens = [...SPECIAL_TOKENS, ...words.map(([word]) => word)];
  return { tokens, idOf: new Map(tokens.map((token, id) => [token, id])) };
}

/** The ids the model sums for a text: the tokenizer's first MAX_TOKENS tokens ([CLS] and [SEP] included), known words only. */
export function tokenIds(vocabulary: Vocabulary, text: string): number[] {
  const ids: number[] = [];
  for (const word of modelWords(text).slice(0, MAX_TOKENS - 2)) {
    const id = vocabulary.idOf.get(word);
    if (id !== undefined && id >= SPECIAL_TOKENS.length) ids.push(id);
  }
  return ids;
}
