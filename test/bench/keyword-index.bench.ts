// The keyword index at 100k and 1M chunks of real code: memory, build, freeze, snapshot size and load, search latency.
// `npm run bench:keywords [sizes...]` (default 100000 1000000; ~4 minutes at 1M on 2 cores).
// The corpus: node_modules sources (`listSources`) cut into 30-line chunks (~28k), repeated with edits until the size is
// reached: copy k renames a quarter of the long identifiers (`name` → `nameV<k>`, chosen by hash and k) and lives under
// `copy<k>/`, so every copy brings new terms, as a monorepo's packages do.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { KeywordIndex, type TextFields } from '../../daemon/index/keyword-index';
import { listSources } from './source-corpus';

const LINES_PER_CHUNK = 30;
const QUERIES = 300;
/** Documents added between two turns of the event loop, as the search index's time slices do. */
const ADD_BATCH = 2_000;

function sourceChunks(): TextFields[] {
  const chunks: TextFields[] = [];
  for (const file of listSources(1_000_000)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const path = relative(__dirname, file).replace(/^(\.\.\/)+/, '');
    for (let start = 0; start < lines.length; start += LINES_PER_CHUNK) {
      const content = lines.slice(start, start + LINES_PER_CHUNK).join('\n');
      const symbol = /(?:function|class|const|let)\s+([A-Za-z_$][\w$]*)/.exec(content)?.[1] ?? '';
      chunks.push({ content, symbol, path });
    }
  }
  return chunks;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Copy `copy` of a chunk: a quarter of its identifiers of 6+ characters renamed, its path under `copy<k>/`. */
function edited(chunk: TextFields, copy: number): TextFields {
  if (copy === 0) return chunk;
  const rename = (text: string) => text.replace(/\b[A-Za-z_]\w{5,}\b/g, (name) => ((hash(name) + copy) % 4 === 0 ? `${name}V${copy}` : name));
  return { content: rename(chunk.content), symbol: rename(chunk.symbol), path: `copy${copy}/${chunk.path}` };
}

function chunkAt(source: TextFields[], doc: number): TextFields {
  return edited(source[doc % source.length], Math.floor(doc / source.length));
}

/** An identifier, two or three neighbouring words, or a 4–6 word stretch of one chunk, like people type. */
function queries(source: TextFields[], size: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < QUERIES; i++) {
    const words = chunkAt(source, (i * 7919) % size).content.match(/[A-Za-z_]\w{3,}/g) ?? [];
    if (words.length < 8) continue;
    const length = [1, 2, 3, 4, 6][i % 5];
    const at = i % (words.length - length);
    out.push(words.slice(at, at + length).join(' '));
  }
  return out;
}

/** RSS and the JS heap plus typed arrays, after a full GC and a pause (array buffers are freed after the GC, in the background). */
async function memoryMB(): Promise<{ rss: number; held: number }> {
  global.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 300));
  global.gc?.();
  const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
  return { rss: rss / 1e6, held: (heapUsed + arrayBuffers) / 1e6 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function bench(source: TextFields[], size: number): Promise<void> {
  const before = await memoryMB();
  const index = new KeywordIndex();
  let start = performance.now();
  for (let doc = 0; doc < size; doc++) {
    index.add(doc, chunkAt(source, doc), doc);
    if (doc % ADD_BATCH === ADD_BATCH - 1) await turn();
  }
  const buildMs = performance.now() - start;
  start = performance.now();
  await index.freeze();
  const freezeMs = performance.now() - start;
  const built = await memoryMB();
  const memoryBuilt = index.memoryBytes() / 1e6;

  start = performance.now();
  const bytes = Buffer.concat(index.toBytes());
  const toBytesMs = performance.now() - start;
  start = performance.now();
  const loaded = KeywordIndex.fromBytes(bytes, (key) => key);
  const fromBytesMs = performance.now() - start;
  const loadedMemory = loaded.memoryBytes() / 1e6;

  const times: number[] = [];
  let hits = 0;
  for (const query of queries(source, size)) {
    const t = performance.now();
    hits += loaded.search(query, 200).hits.length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`\n${size.toLocaleString('en')} chunks`);
  console.log(`  build (add, with automatic freezes) ${(buildMs / 1000).toFixed(1)} s; final freeze ${(freezeMs / 1000).toFixed(2)} s`);
  console.log(`  memory after freeze: RSS +${(built.rss - before.rss).toFixed(0)} MB, heap + typed arrays ` +
    `+${(built.held - before.held).toFixed(0)} MB, memoryBytes ${memoryBuilt.toFixed(0)} MB`);
  console.log(`  snapshot ${(bytes.length / 1e6).toFixed(0)} MB (toBytes + concat ${toBytesMs.toFixed(0)} ms); ` +
    `fromBytes ${fromBytesMs.toFixed(0)} ms, then memoryBytes ${loadedMemory.toFixed(0)} MB`);
  console.log(`  search (top 200, ${times.length} queries of 1–6 words, ${Math.round(hits / times.length)} hits each): ` +
    `p50 ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms`);
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  const source = sourceChunks();
  console.log(`${source.length.toLocaleString('en')} distinct chunks of real code${global.gc ? '' : ' (run with --expose-gc for steady RSS)'}`);
  for (const size of sizes.length > 0 ? sizes : [100_000, 1_000_000]) await bench(source, size);
}

void main();
