// The training pipeline must split text exactly as the shipped tokenizer.json does in transformers.js at search time.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeModelFolder } from './model-folder';
import { SPECIAL_TOKENS } from './tokenizer-json';
import { modelWords } from './model-words';

const samples = [
  'parseHTTPResponse2json(snake_case_name, $el) -> XMLHttpRequest.getUserID',
  'def __init__(self, *args, **kwargs):\n\t"""Return the «déjà vu» value — or None."""',
  'src/utils/file-reader.ts: utf8 v2Beta 3Dmodel ABCDef',
  'x+=1;y[i]=\'a\'   // über-naïve 日本語 text…',
];

test('modelWords splits like the shipped tokenizer in transformers.js', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccc-model-words-'));
  try {
    const words = [...new Set(samples.flatMap(modelWords))];
    writeModelFolder(join(dir, 'm'), { tokens: [...SPECIAL_TOKENS, ...words], dimension: 1, vectors: new Float32Array(SPECIAL_TOKENS.length + words.length) }, 'test');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AutoTokenizer, env } = require('@huggingface/transformers') as typeof import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.localModelPath = dir;
    const tokenizer = await AutoTokenizer.from_pretrained('m');
    for (const text of samples) assert.deepEqual(modelWords(text), tokenizer.tokenize(text), text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
