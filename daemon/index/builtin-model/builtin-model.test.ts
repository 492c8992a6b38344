// The generator's parts on small inputs, and the generated model (dist/model, from `npm run build`) through transformers.js.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { buildStaticTable, quantizeRows, type WordVectors } from './static-table';

test('the real transformers.js tokenizer splits identifiers, paths and abbreviations into words', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AutoTokenizer, env } = require('@huggingface/transformers') as typeof import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = resolve('dist');
  const tokenizer = await AutoTokenizer.from_pretrained('model');
  const words = (text: string) => tokenizer.tokenize(text).filter((t) => /\w/.test(t) && t !== '_');
  assert.deepEqual(words('parseHTTPResponse2json'), ['parse', 'http', 'response', '2', 'json']);
  assert.deepEqual(words('snake_case_name'), ['snake', 'case', 'name']);
  assert.deepEqual(words('src/utils/file-reader.ts'), ['src', 'utils', 'file', 'reader', 'ts']);
  assert.deepEqual(words('XMLHttpRequest getUserID'), ['xml', 'http', 'request', 'get', 'user', 'id']);
  const ids = (text: string) => tokenizer.encode(text, { add_special_tokens: false });
  const unknown = ids('[UNK]')[0];
  assert.ok(!ids('parse response name file reader ctx fn args').includes(unknown), 'words and code abbreviations have vectors');
  assert.deepEqual(ids('(){};'), Array(5).fill(unknown), 'punctuation has no vector');
});

const toyVectors: WordVectors = {
  words: ['the', ',', 'function', 'file', 'context', 'ctx', 'Capital', 'rare'],
  dimension: 3,
  vector: (word) => ({ the: [1, 1, 1], ',': [1, 0, 0], function: [0, 1, 0], file: [0, 0, 1], context: [1, 0, 1], ctx: [9, 9, 9], Capital: [1, 2, 3], rare: [0, 2, 0] } as Record<string, number[]>)[word],
};

test('the table keeps plain words, down-weights frequent ones and maps abbreviations to their words', () => {
  const table = buildStaticTable(toyVectors, { vocabularySize: 100, sifA: 0.1, removeFirstComponent: false });
  assert.deepEqual(table.tokens.slice(0, 4), ['[PAD]', '[UNK]', '[CLS]', '[SEP]']);
  assert.ok(!table.tokens.includes(',') && !table.tokens.includes('Capital'));
  const row = (token: string) => Array.from(table.vectors.subarray(table.tokens.indexOf(token) * 3, table.tokens.indexOf(token) * 3 + 3));
  assert.deepEqual(row('[PAD]'), [0, 0, 0]);
  assert.ok(row('the')[0] < row('rare')[1] / 2, 'the most frequent word weighs less than a rare one');
  // `ctx` is not GloVe's own (here: nonsense) vector but the one of `context`.
  assert.deepEqual(row('ctx'), row('context'));
  const small = buildStaticTable(toyVectors, { vocabularySize: 2, sifA: 0.1, removeFirstComponent: false });
  assert.ok(small.tokens.includes('function') && !small.tokens.includes('rare'), 'the most frequent words are kept');
});

test('removing the first principal component leaves rows orthogonal to it', () => {
  const table = buildStaticTable(toyVectors, { vocabularySize: 100, sifA: 0.1, removeFirstComponent: true });
  const withPc = buildStaticTable(toyVectors, { vocabularySize: 100, sifA: 0.1, removeFirstComponent: false });
  let changed = 0;
  for (let i = 0; i < table.vectors.length; i++) changed += Math.abs(table.vectors[i] - withPc.vectors[i]);
  assert.ok(changed > 0.01);
  // After removal, the rows span at most 2 dimensions: their 3×3 scatter matrix is singular.
  const s = [0, 1, 2].map((a) => [0, 1, 2].map((b) => {
    let sum = 0;
    for (let r = 0; r < table.vectors.length; r += 3) sum += table.vectors[r + a] * table.vectors[r + b];
    return sum;
  }));
  const det = s[0][0] * (s[1][1] * s[2][2] - s[1][2] * s[2][1]) - s[0][1] * (s[1][0] * s[2][2] - s[1][2] * s[2][0]) + s[0][2] * (s[1][0] * s[2][1] - s[1][1] * s[2][0]);
  assert.ok(Math.abs(det) < 1e-6, `det ${det}`);
});

test('int8 rows reproduce the float rows within half a step', () => {
  const vectors = Float32Array.from([0, 0, 0, 0.5, -1, 0.25, 3, 2, -3]);
  const { table, scales } = quantizeRows(vectors, 3);
  assert.equal(scales[0], 0);
  for (let i = 0; i < vectors.length; i++) {
    const scale = scales[Math.floor(i / 3)];
    assert.ok(Math.abs(table[i] * scale - vectors[i]) <= scale / 2 + 1e-7);
  }
});
