import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ChunkStore } from './daemon/index/store';
import { SearchIndex } from './daemon/index/search-index';
import { loadEmbedder } from './daemon/index/embedder';
import { silentLogger } from './daemon/log';
(async () => {
  const dir = join('/tmp/prof-home/index', readdirSync('/tmp/prof-home/index')[0]);
  const embedder = await loadEmbedder('builtin', { home: '/tmp/prof-home', batchSize: 16, builtinModelDir: '/work/main/dist/model' });
  const store = await ChunkStore.open(dir, { modelId: embedder.modelId, dimension: embedder.dimension }, silentLogger);
  const index = await SearchIndex.create(embedder.dimension, store);
  await store.loadChunks(false, (c) => void index.place(c));
  await index.warmKeywords(await store.readSidecar('keywords.bin'), () => {}, console.log);
  let t = performance.now();
  await index.maintainVectors();
  console.log('train', (performance.now() - t).toFixed(0));
  const qs = ['record of phased-in incompatible language changes', 'getOptionalRelease', 'parse command line arguments', 'createReadStream', 'retry a failed http request', 'validate the options object', 'EventEmitter', 'compare two version numbers'];
  const vecs = await embedder.embed(qs, 'query');
  const vi = (index as any).vectors;
  console.log('ivf', vi.ivfState() !== null);
  for (const k of [10, 100, 200]) {
    let s = performance.now();
    for (let r = 0; r < 20; r++) vecs.forEach((v) => vi.search(v, k));
    console.log('k', k, vi.lastPath, ((performance.now() - s) / (20 * vecs.length)).toFixed(2));
  }
  const saved = vi.ivf; vi.ivf = null;
  for (const k of [10, 200]) { const s = performance.now(); for (let r = 0; r < 20; r++) vecs.forEach((v) => vi.search(v, k)); console.log('exact k', k, vi.lastPath, ((performance.now() - s) / (20 * vecs.length)).toFixed(2)); }
  vi.ivf = saved;
  for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
    const s = performance.now();
    for (let r = 0; r < 20; r++) qs.forEach((q, i) => index.search({ text: q, vector: vecs[i], mode, limit: 10, offset: 0 }));
    console.log(mode, ((performance.now() - s) / (20 * qs.length)).toFixed(2), 'ms/search');
  }
})();
(async () => {})();
