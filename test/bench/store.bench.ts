// Micro-benchmark of opening the store of record: writes N chunks (~1 KB of real source each, 100-d vectors, ~10 per file)
// through `apply` in batches, then times `ChunkStore.open` in fresh processes (CPU, wall, RSS growth).
// `node --import tsx test/bench/store.bench.ts [chunks=100000] [store dir to keep and reuse]`
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { silentLogger } from '../../daemon/log';
import { ChunkStore, type FileUpdate, type StoredChunk } from '../../daemon/index/store';
import { listSources } from './source-corpus';

const DIM = 100;
const CHUNK_CHARS = 1000;
const CHUNKS_PER_FILE = 10;
const FILES_PER_BATCH = 100;
const OPENS = 3;
const model = { modelId: 'bench-model', dimension: DIM };

function randomUnitVector(seed: number): Float32Array {
  const v = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) v[i] = (Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453) % 1;
  const norm = Math.hypot(...v) || 1;
  for (let i = 0; i < DIM; i++) v[i] /= norm;
  return v;
}

/** ~1 KB pieces of real source, cut at line ends, cycling through node_modules until `count` are made. */
function* sourcePieces(count: number): Generator<{ path: string; startLine: number; endLine: number; content: string }> {
  const files = listSources(5000);
  const root = join(__dirname, '..', '..', 'node_modules');
  let made = 0;
  for (let round = 0; made < count; round++) {
    for (const file of files) {
      const lines = readFileSync(file, 'utf8').split('\n');
      let start = 0;
      while (start < lines.length && made < count) {
        let end = start;
        let size = 0;
        while (end < lines.length && size < CHUNK_CHARS) size += lines[end++].length + 1;
        yield { path: `r${round}/${relative(root, file)}`, startLine: start + 1, endLine: end, content: lines.slice(start, end).join('\n') };
        made++;
        start = end;
      }
      if (made >= count) return;
    }
  }
}

async function build(dir: string, count: number): Promise<void> {
  const store = await ChunkStore.open(dir, model, silentLogger);
  let batch: FileUpdate[] = [];
  let current: FileUpdate | null = null;
  let source = '';
  let seed = 0;
  const flush = async () => {
    await store.apply(batch);
    batch = [];
  };
  for (const piece of sourcePieces(count)) {
    if (!current || source !== piece.path || current.chunks.length >= CHUNKS_PER_FILE) {
      // Long sources are split into several file records so every record holds about CHUNKS_PER_FILE chunks.
      const path = source === piece.path ? `${piece.path}#${piece.startLine}` : piece.path;
      source = piece.path;
      current = { path, chunks: [], record: { path, mtimeMs: Date.now(), size: 0, hash: '', language: 'javascript', chunkCount: 0 } };
      batch.push(current);
      if (batch.length >= FILES_PER_BATCH) await flush();
    }
    const file: FileUpdate = current;
    const chunk: StoredChunk = {
      path: file.path, language: 'javascript', startLine: piece.startLine, endLine: piece.endLine,
      symbol: /(?:function|class|const)\s+([A-Za-z_$][\w$]*)/.exec(piece.content)?.[1] ?? '', content: piece.content,
      hash: createHash('sha256').update(piece.content).digest('hex'), vector: randomUnitVector(seed++),
    };
    file.chunks.push(chunk);
    file.record!.size += piece.content.length;
    file.record!.chunkCount++;
  }
  await flush();
  console.log(`built ${store.chunkCount} chunks in ${store.fileCount} files, ${(store.sizeOnDisk() / 1e6).toFixed(0)} MB on disk`);
  await store.close();
}

/** Runs in the child: one open, measured from an idle process. */
async function openOnce(dir: string): Promise<void> {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const store = await ChunkStore.open(dir, model, silentLogger);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // The segment files' read buffers are released only after a few turns of the event loop.
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    global.gc?.();
  }
  const rssAfter = process.memoryUsage().rss;
  if (store.rebuiltReason) throw new Error(`store was rebuilt: ${store.rebuiltReason}`);
  console.log(JSON.stringify({
    chunks: store.chunkCount, wallMs, cpuMs: (used.user + used.system) / 1000, rssMB: rssAfter / 1e6, rssGrowthMB: (rssAfter - rssBefore) / 1e6,
    heapMB: process.memoryUsage().heapUsed / 1e6, arrayBuffersMB: process.memoryUsage().arrayBuffers / 1e6,
  }));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--open') return openOnce(process.argv[3]);
  const count = Number(process.argv[2] ?? 100_000);
  const given = process.argv[3];
  const dir = given ?? mkdtempSync(join(tmpdir(), 'ccc-store-bench-'));
  try {
    if (!existsSync(join(dir, 'manifest.json'))) {
      const started = performance.now();
      await build(dir, count);
      console.log(`build took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const runs = [];
    for (let i = 0; i < OPENS; i++) {
      const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--open', dir], { encoding: 'utf8' });
      runs.push(JSON.parse(out.trim().split('\n').pop()!));
    }
    runs.sort((a, b) => a.cpuMs - b.cpuMs);
    const median = runs[Math.floor(runs.length / 2)];
    console.log(`open of ${median.chunks} chunks (median of ${OPENS} fresh processes): ${median.cpuMs.toFixed(0)} ms CPU, `
      + `${median.wallMs.toFixed(0)} ms wall, RSS ${median.rssMB.toFixed(0)} MB (+${median.rssGrowthMB.toFixed(0)} MB), `
      + `heap ${median.heapMB.toFixed(0)} MB, array buffers ${median.arrayBuffersMB.toFixed(0)} MB`);
  } finally {
    if (!given) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
