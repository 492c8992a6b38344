// The Hugging Face tokenizer files of the built-in model. Code identifiers become the English words GloVe knows:
// the normalizer splits camelCase, PascalCase, acronyms and letter/digit runs, then lower-cases; the BERT pre-tokenizer
// splits on whitespace and punctuation (so snake_case, kebab-case, paths and dotted names fall apart into words).
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;

/** Longer texts are cut here: a chunk's first 2,048 words say what it is about, and batches stay small in memory. */
export const MAX_TOKENS = 2048;

/** The normalizer's Replace steps, in order (the training pipeline in model/ splits its corpus the same way). */
export const IDENTIFIER_SPLITS: readonly [pattern: string, replacement: string][] = [
  ['([a-z0-9])([A-Z])', '$1 $2'], // fooBar → foo Bar
  ['([A-Z]+)([A-Z][a-z])', '$1 $2'], // HTTPResponse → HTTP Response
  ['([A-Za-z])([0-9])', '$1 $2'], // utf8 → utf 8
  ['([0-9])([A-Za-z])', '$1 $2'], // 2json → 2 json
];

/** `tokens[i]` is the token whose vector is row i of the model's table; the first rows are SPECIAL_TOKENS. */
export function tokenizerJson(tokens: readonly string[]): object {
  const vocab: Record<string, number> = Object.create(null); // "constructor" and friends are ordinary words here
  tokens.forEach((token, row) => {
    if (token in vocab) throw new Error(`token "${token}" appears twice in the built-in vocabulary`);
    vocab[token] = row;
  });
  const id = (token: string) => vocab[token];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        ...IDENTIFIER_SPLITS.map(([pattern, content]) => ({ type: 'Replace', pattern: { Regex: pattern }, content })),
        { type: 'Lowercase' },
      ],
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  };
}

export function tokenizerConfigJson(): object {
  return {
    tokenizer_class: 'BertTokenizer',
    model_max_length: MAX_TOKENS,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    do_lower_case: false,
    clean_up_tokenization_spaces: true,
  };
}
