// The embedder's speed and the built-in model's retrieval quality: `node --import tsx test/bench/embedder.bench.ts [MODEL_DIR]`.
// Prints load time, RSS, embeddings/s per batch size on code chunks, and semantic-only MRR on CoSQA (500 queries, 6,267 functions).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadEmbedder } from '../../daemon/index/embedder';

const cosqaDir = process.env.CCC_COSQA_DIR ?? '/work/shared/eval/cosqa';

async function throughput(builtinModelDir: string, texts: string[], batchSize: number): Promise<number> {
  const embedder = await loadEmbedder('builtin', { home: '/nonexistent', batchSize, builtinModelDir });
  const started = performance.now();
  await embedder.embed(texts, 'document');
  const perSecond = texts.length / ((performance.now() - started) / 1000);
  await embedder.close();
  return perSecond;
}

function mrr(queries: Float32Array[], corpus: Float32Array[], answers: number[]): { mrr: number; r1: number; r10: number } {
  let sum = 0;
  let r1 = 0;
  let r10 = 0;
  queries.forEach((query, q) => {
    const score = (v: Float32Array) => v.reduce((s, x, i) => s + x * query[i], 0);
    const target = score(corpus[answers[q]]);
    const rank = 1 + corpus.filter((v, i) => i !== answers[q] && score(v) > target).length;
    sum += 1 / rank;
    if (rank === 1) r1++;
    if (rank <= 10) r10++;
  });
  return { mrr: sum / queries.length, r1: r1 / queries.length, r10: r10 / queries.length };
}

async function main(): Promise<void> {
  const builtinModelDir = resolve(process.argv[2] ?? 'dist/model');
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const embedder = await loadEmbedder('builtin', { home: '/nonexistent', batchSize: 32, builtinModelDir });
  console.log(`${embedder.modelId}: load ${(performance.now() - started).toFixed(0)} ms, RSS +${((process.memoryUsage().rss - rssBefore) / 1e6).toFixed(0)} MB`);
  if (!existsSync(cosqaDir)) return;
  const corpusByText: Record<string, number> = JSON.parse(readFileSync(`${cosqaDir}/code_idx_map.txt`, 'utf8'));
  const corpusTexts: string[] = [];
  for (const [text, index] of Object.entries(corpusByText)) corpusTexts[index] = text;
  const dev: { doc: string; retrieval_idx: number }[] = JSON.parse(readFileSync(`${cosqaDir}/dev.json`, 'utf8'));

  const sample = corpusTexts.slice(0, 2000);
  for (const batch of [1, 8, 16, 32, 64]) console.log(`batch ${batch}: ${(await throughput(builtinModelDir, sample, batch)).toFixed(0)} embeddings/s`);
  const corpus = await embedder.embed(corpusTexts, 'document');
  const queries = await embedder.embed(dev.map((d) => d.doc), 'query');
  const result = mrr(queries, corpus, dev.map((d) => d.retrieval_idx));
  console.log(`CoSQA semantic: MRR ${result.mrr.toFixed(3)}, R@1 ${(result.r1 * 100).toFixed(1)} %, R@10 ${(result.r10 * 100).toFixed(1)} %`);
  console.log(`RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
  await embedder.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
