// `npm run bench:search [-- --small]`: search latency through the real daemon at 10k and 100k chunks.
// Per size: daemon-side time (`tookMs`) and client round trip for hybrid search without and with filters, the same while a
// forced full index runs, and a warm `ccc search` next to `rg` on the same tree. Each number is printed beside its target.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { IndexRequest, SearchRequest, type SearchParams } from '../../daemon/protocol';
import { CCC_JS, connectRaw, withIndexedProject, type RawConnection } from '../support';
import { copySources } from './source-corpus';

/** Definition chunks per copied file, measured on this corpus (16.9k chunks from 2,500 files). */
const CHUNKS_PER_FILE = 6.7;
const QUERIES = [
  'parse command line arguments',
  'retry a failed http request',
  'read a file and parse json',
  'convert a string to camel case',
  'validate the options object',
  'create a readable stream',
  'compare two version numbers',
  'encode base64',
  'throw an error when the argument is missing',
  'resolve a relative path',
  'emit an event to listeners',
  'deep merge two objects',
];
/** A word of each query, for the grep comparison. */
const GREP_WORD = 'stream';

interface Sample {
  tookMs: number;
  roundTripMs: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function timeSearch(raw: RawConnection, params: SearchParams): Promise<Sample> {
  const started = performance.now();
  const result = await raw.connection.sendRequest(SearchRequest, params);
  return { tookMs: result.tookMs, roundTripMs: performance.now() - started };
}

async function sampleSearches(raw: RawConnection, base: Omit<SearchParams, 'query'>, rounds: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const query of QUERIES) samples.push(await timeSearch(raw, { ...base, query }));
  }
  return samples;
}

function report(label: string, samples: Sample[], targets: { p50?: number; p95?: number }): void {
  const took = samples.map((s) => s.tookMs);
  const trip = samples.map((s) => s.roundTripMs);
  const target = (value: number, limit: number | undefined) =>
    limit === undefined ? '' : ` (target ≤ ${limit} ms: ${value <= limit ? 'ok' : 'MISSED'})`;
  const p50 = percentile(took, 50);
  const p95 = percentile(took, 95);
  console.log(
    `  ${label.padEnd(34)} daemon p50 ${p50.toFixed(1)} ms${target(p50, targets.p50)}, p95 ${p95.toFixed(1)} ms${target(p95, targets.p95)}; ` +
      `round trip p50 ${percentile(trip, 50).toFixed(1)} / p95 ${percentile(trip, 95).toFixed(1)} ms  [n=${samples.length}]`,
  );
}

/** Searches on one connection for as long as a forced full index runs on another. */
async function searchDuringIndex(home: string, root: string): Promise<{ samples: Sample[]; indexMs: number }> {
  const indexer = await connectRaw(home, { client: 'cli' });
  const searcher = await connectRaw(home, { client: 'cli' });
  try {
    let running = true;
    const started = performance.now();
    const pass = indexer.connection.sendRequest(IndexRequest, { root, force: true }).finally(() => (running = false));
    const samples: Sample[] = [];
    for (let i = 0; running; i++) samples.push(await timeSearch(searcher, { root, query: QUERIES[i % QUERIES.length], limit: 10 }));
    await pass;
    return { samples, indexMs: performance.now() - started };
  } finally {
    indexer.close();
    searcher.close();
  }
}

function medianWallMs(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = spawnSync(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'ignore', 'pipe'] });
    if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
}

async function benchSize(targetChunks: number): Promise<void> {
  const root = mkdtempSync('/tmp/ccc-bench-proj-');
  mkdirSync(join(root, '.git'));
  const files = copySources(root, Math.ceil(targetChunks / CHUNKS_PER_FILE));
  await withIndexedProject(root, async ({ home, raw, indexed, indexSeconds }) => {
    const big = indexed.chunks >= 50_000;
    console.log(`\n${indexed.chunks} chunks from ${files} files: first index ${indexSeconds.toFixed(0)} s (${(indexed.chunks / indexSeconds).toFixed(0)} chunks/s)`);
    const targets = big ? { p50: 30, p95: 100 } : {};
    const base = { root, limit: 10 };
    await sampleSearches(raw, base, 1);
    report('hybrid', await sampleSearches(raw, base, 5), targets);
    report('hybrid, language filter', await sampleSearches(raw, { ...base, languages: ['javascript'] }, 5), targets);
    report('hybrid, path filter src/@azure/**', await sampleSearches(raw, { ...base, paths: ['src/@azure/**'] }, 5), targets);
    report('keyword', await sampleSearches(raw, { ...base, mode: 'keyword' }, 5), {});
    report('semantic', await sampleSearches(raw, { ...base, mode: 'semantic' }, 5), {});
    const during = await searchDuringIndex(home, root);
    report(`hybrid during a forced index (${(during.indexMs / 1000).toFixed(0)} s)`, during.samples, { p95: big ? 100 : undefined });
    const env = { ...process.env, CCC_HOME: home };
    const ccc = medianWallMs(process.execPath, [CCC_JS, 'search', QUERIES[5], '--limit', '10'], { cwd: root, env });
    const rg = medianWallMs('rg', ['-n', GREP_WORD, root], { cwd: root });
    console.log(`  warm \`ccc search "${QUERIES[5]}"\` wall ${ccc.toFixed(0)} ms; \`rg -n ${GREP_WORD}\` on the same tree ${rg.toFixed(0)} ms`);
  });
}

async function main(): Promise<void> {
  const sizes = process.argv.includes('--small') ? [10_000] : [10_000, 100_000];
  console.log(`search bench: ${sizes.map((n) => `${n / 1000}k`).join(' and ')} chunks; targets: hybrid p50 ≤ 30 ms, p95 ≤ 100 ms at 100k; filters no slower`);
  for (const size of sizes) await benchSize(size);
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.message}`);
  process.exitCode = 1;
});
