// A small real training run: pairs extracted from ccc's own TypeScript and three npm dependencies' JavaScript, trained,
// exported through the model writer and loaded by the daemon's embedder.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { writeModelFolder } from '../daemon/index/builtin-model/model-folder';
import { loadEmbedder } from '../daemon/index/embedder';
import type { Pair } from './corpus';
import { DocPairExtractor } from './doc-pairs';
import { DEFAULT_PARAMS, embedTexts, trainModel } from './train';

const repo = resolve(__dirname, '..');

async function realPairs(count: number): Promise<Pair[]> {
  const extractor = new DocPairExtractor();
  const tracked = execFileSync('git', ['ls-files', 'daemon/*.ts', 'extension/*.ts', 'grammars/*.ts', 'test/*.ts'], { cwd: repo, encoding: 'utf8' });
  const files: [string, string][] = tracked.split('\n').filter((f) => f && !f.endsWith('.test.ts')).map((f) => [join(repo, f), 'typescript']);
  for (const dir of ['node_modules/commander/lib', 'node_modules/zod/v4/core', 'node_modules/vscode-jsonrpc/lib/common']) {
    for (const f of readdirSync(join(repo, dir)).filter((name) => name.endsWith('.js'))) files.push([join(repo, dir, f), 'javascript']);
  }
  const pairs: Pair[] = [];
  for (const [file, language] of files) {
    for (const { doc, code } of await extractor.pairs(readFileSync(file, 'utf8'), language)) pairs.push({ doc, code, language, source: file });
    if (pairs.length >= count) break;
  }
  return pairs.slice(0, count);
}

test('training on 300 pairs lowers the loss and exports a model the embedder loads', async () => {
  const pairs = await realPairs(300);
  assert.equal(pairs.length, 300);
  const params = { ...DEFAULT_PARAMS, dimension: 16, epochs: 8, batchSize: 50, minCount: 1 };
  const model = await trainModel(pairs, params);
  const losses = model.curve.map((epoch) => epoch.loss);
  assert.ok(losses[losses.length - 1] < losses[0] * 0.8, `loss ${losses.join(' → ')}`);

  const dir = mkdtempSync(join(tmpdir(), 'ccc-train-'));
  try {
    writeModelFolder(join(dir, 'model'), { tokens: model.vocabulary.tokens, dimension: params.dimension, vectors: model.table }, 'builtin-test');
    const embedder = await loadEmbedder('builtin', { home: dir, batchSize: 8, builtinModelDir: join(dir, 'model') });
    try {
      assert.equal(embedder.modelId, 'builtin-test');
      assert.equal(embedder.dimension, 16);
      const texts = [pairs[0].doc, pairs[1].code];
      const loaded = await embedder.embed(texts, 'document');
      const trained = embedTexts(model.table, params.dimension, model.vocabulary, texts);
      // Same vectors up to int8 rounding: the export is the model that was trained.
      for (let i = 0; i < texts.length; i++) assert.ok(loaded[i].reduce((s, x, k) => s + x * trained[i][k], 0) > 0.99);
    } finally {
      await embedder.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
