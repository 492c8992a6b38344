// `npm run bench:scale [-- --small | --size 100k|1m|all]`: issue 13's table — memory, search latency, approximate-vector
// recall, cold start, disk and compaction headroom, first-index time by stage, and a branch switch — measured through the
// daemon's public surfaces only (protocol requests, the built `ccc` CLI, CCC_HOME on disk), so it runs unchanged while the
// store, search index and vectors are rewritten. Needs `npm run build` first. Corpora: scale-corpus.ts (cached in tmp).
//
// Per size, on a fresh CCC_HOME: first full index (RSS right after), three times stop → `ccc search` (cold start), wait for
// the search index to finish warming, 1,000 hybrid searches (unfiltered, language filter, path filter; RSS after), the
// same semantic searches on a daemon started with CCC_EXACT_VECTORS=1 (exact scan) for recall@10, the store's size on disk
// and its peak while 30 % of the files are rewritten twice (sampled every 50 ms). Then a branch switch on two releases of
// one npm package in a git repository that a daemon watches.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, truncateSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { projectIndexDir } from '../../daemon/paths';
import {
  IndexRequest,
  SearchRequest,
  StatusRequest,
  type IndexResult,
  type SearchParams,
  type SearchResult,
} from '../../daemon/protocol';
import { connectRaw, daemonRss, makeTempHome, runCli, waitFor, type RawConnection } from '../support';
import { biggestFolder, buildBranchRepo, buildCorpus, drawQueries, markComplete, markIncomplete, type Corpus } from './scale-corpus';

/** Chunks per corpus file, measured on this corpus (IndexResult.chunks / files: 12.3 at 455 files, 9.9 at 9,091); sizes the corpora. */
const CHUNKS_PER_FILE = 10;
const QUERIES_PER_KIND = 25;
const CHURN_SHARE = 0.3;
const SAMPLE_MS = 50;
/** Two releases of three.js: ~920 .js files (src/ and examples/), ~416 of them differ. */
const BRANCH_PACKAGE = { name: 'three', older: '0.155.0', newer: '0.160.0' };
const LONG_MS = 3_600_000;

interface SizeSpec {
  name: string;
  /** Chunks aimed at; the real count comes from the index. */
  chunks: number;
  /** Base files, and how many edited copies of them. */
  files: number;
  copies: number;
  million: boolean;
}

const SIZES: Record<string, SizeSpec> = {
  // Two copies, so the self-check also builds an edited copy and filters on a copy's folder, as the 1M size does.
  small: { name: '10k (self-check; targets are 100k\'s)', chunks: 10_000, files: Math.round(5_000 / CHUNKS_PER_FILE), copies: 2, million: false },
  '100k': { name: '100k', chunks: 100_000, files: Math.round(100_000 / CHUNKS_PER_FILE), copies: 1, million: false },
  '1m': { name: '1M', chunks: 1_000_000, files: Math.round(100_000 / CHUNKS_PER_FILE), copies: 10, million: true },
};

interface Stats {
  tookP50: number;
  tookP95: number;
  tripP50: number;
  tripP95: number;
  n: number;
}

interface SizeResult {
  spec: SizeSpec;
  corpus: Corpus;
  index: IndexResult;
  indexWallMs: number;
  rssAfterIndex: number;
  coldStartMs: number;
  coldStartPartial: number;
  rssAfterSearches: number;
  hybrid: Stats;
  language: Stats;
  path: Stats;
  pathGlob: string;
  recall: number;
  storeBytes: number;
  churnPeakBytes: number;
  churnAfterBytes: number;
  compactions: number;
  compactionExtra: number;
}

interface BranchResult {
  repoFiles: number;
  differing: number;
  switches: { to: string; checkoutMs: number; indexMs: number; result: IndexResult }[];
}

// ---------------------------------------------------------------------------------------------
// Small measuring tools

const phases: { name: string; ms: number }[] = [];

async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stdout.write(`  … ${name}\n`);
  try {
    return await work();
  } finally {
    const ms = performance.now() - started;
    phases.push({ name, ms });
    process.stdout.write(`    ${name}: ${seconds(ms)}\n`);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`;
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
const count = (n: number) => n.toLocaleString('en-US');

/** Apparent size of every file under `dir` (0 while it does not exist); a file removed mid-walk counts as gone. */
function folderBytes(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    try {
      total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
    } catch {
      // Compaction removed it between the listing and the stat.
    }
  }
  return total;
}

async function startDaemon(home: string, root: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const started = await runCli(['daemon', 'start'], { home, cwd: root, env, timeoutMs: 120_000 });
  if (started.code !== 0) throw new Error(`ccc daemon start failed: ${started.stderr.trim()}`);
}

async function stopDaemon(home: string): Promise<void> {
  const stopped = await runCli(['daemon', 'stop'], { home, timeoutMs: 600_000 });
  if (stopped.code !== 0) throw new Error(`ccc daemon stop failed: ${stopped.stderr.trim()}`);
}

async function timedSearch(raw: RawConnection, params: SearchParams): Promise<{ result: SearchResult; tripMs: number }> {
  const started = performance.now();
  const result = await raw.connection.sendRequest(SearchRequest, params);
  return { result, tripMs: performance.now() - started };
}

/** Until a search reports no pass running and no index warming: what a restarted daemon needs before steady latency. */
async function untilWarm(raw: RawConnection, root: string, query: string): Promise<void> {
  await waitFor(
    async () => !(await raw.connection.sendRequest(SearchRequest, { root, query, limit: 1 })).indexing,
    LONG_MS,
    'the index to finish warming after a restart',
  );
}

async function sampleSearches(raw: RawConnection, base: Omit<SearchParams, 'query'>, queries: string[], rounds: number): Promise<Stats> {
  const took: number[] = [];
  const trip: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const query of queries) {
      const { result, tripMs } = await timedSearch(raw, { ...base, query });
      took.push(result.tookMs);
      trip.push(tripMs);
    }
  }
  return { tookP50: percentile(took, 50), tookP95: percentile(took, 95), tripP50: percentile(trip, 50), tripP95: percentile(trip, 95), n: took.length };
}

/** Top-10 semantic hits per query as `path:startLine` sets, with no per-file cap and no floor: the vector search alone. */
async function semanticTopTen(raw: RawConnection, root: string, queries: string[]): Promise<Set<string>[]> {
  const sets: Set<string>[] = [];
  for (const query of queries) {
    const result = await raw.connection.sendRequest(SearchRequest, { root, query, mode: 'semantic', limit: 10, maxPerFile: 0, includeWeak: true });
    sets.push(new Set(result.results.map((hit) => `${hit.path}:${hit.startLine}`)));
  }
  return sets;
}

// ---------------------------------------------------------------------------------------------
// One size

async function benchSize(spec: SizeSpec): Promise<SizeResult> {
  console.log(`\n## ${spec.name} chunks`);
  const corpus = await phase(`corpus (${count(spec.files)} files × ${spec.copies})`, async () => buildCorpus(spec.files, spec.copies));
  const { root, files } = corpus;
  console.log(`    ${corpus.built ? 'built' : 'reused'} ${root}: ${count(files.length)} files`);
  const drawn = drawQueries(root, files, QUERIES_PER_KIND);
  const queries = [...drawn.sentences, ...drawn.identifiers];
  console.log(`    ${queries.length} queries drawn from the corpus, e.g. "${drawn.sentences[0]}", ${drawn.identifiers[0]}`);
  const pathGlob = `${spec.copies > 1 ? `copy${Math.floor(spec.copies / 2)}` : biggestFolder(files, 2)}/**`;
  const home = makeTempHome('ccc-scale-');
  try {
    await startDaemon(home.dir, root);
    const { index, indexWallMs } = await phase('first full index', async () => {
      const raw = await connectRaw(home.dir, { client: 'cli' });
      try {
        const started = performance.now();
        const index = await raw.connection.sendRequest(IndexRequest, { root });
        return { index, indexWallMs: performance.now() - started };
      } finally {
        raw.close();
      }
    });
    const rssAfterIndex = await daemonRss(home.dir);
    console.log(`    ${count(index.chunks)} chunks (${count(index.counts.chunksEmbedded)} embedded) from ${count(index.counts.files)} files, RSS ${mb(rssAfterIndex)}`);
    if (index.chunks >= APPROXIMATE_FROM) {
      await phase('the approximate vector index trained in the background after the pass', () => untilVectorIndexSaved(home.dir));
    }

    const cold = await phase('stopped daemon → first answer, 3 times', async () => {
      const times: number[] = [];
      let partial = 0;
      for (let i = 0; i < 3; i++) {
        await stopDaemon(home.dir);
        const started = performance.now();
        const answer = await runCli(['search', queries[i], '--json', '-n', '10'], { home: home.dir, cwd: root, timeoutMs: 600_000 });
        times.push(performance.now() - started);
        if (answer.code > 1) throw new Error(`ccc search exited ${answer.code}: ${answer.stderr.trim()}`);
        if ((JSON.parse(answer.stdout) as SearchResult).indexing) partial++;
      }
      return { ms: percentile(times, 50), partial };
    });

    const raw = await connectRaw(home.dir, { client: 'cli' });
    let searches;
    try {
      searches = await phase('1,000 hybrid searches after the restart', async () => {
        await untilWarm(raw, root, queries[0]);
        const base = { root, limit: 10 };
        const hybrid = await sampleSearches(raw, base, queries, 8);
        const language = await sampleSearches(raw, { ...base, languages: ['python'] }, queries, 6);
        const path = await sampleSearches(raw, { ...base, paths: [pathGlob] }, queries, 6);
        return { hybrid, language, path };
      });
    } finally {
      raw.close();
    }
    const rssAfterSearches = await daemonRss(home.dir);

    const recall = await phase('recall@10: approximate vs exact (CCC_EXACT_VECTORS=1)', () => measureRecall(home.dir, root, queries));
    const disk = await phase('store on disk, and its peak while 30 % of the files are rewritten twice', () => measureChurn(home.dir, corpus));
    return { spec, corpus, index, indexWallMs, rssAfterIndex, coldStartMs: cold.ms, coldStartPartial: cold.partial, rssAfterSearches, ...searches, pathGlob, ...recall, ...disk };
  } finally {
    await home.cleanup();
  }
}

async function measureRecall(home: string, root: string, queries: string[]): Promise<{ recall: number }> {
  const topTen = async (env: NodeJS.ProcessEnv) => {
    await stopDaemon(home);
    await startDaemon(home, root, env);
    const raw = await connectRaw(home, { client: 'cli' });
    try {
      await untilWarm(raw, root, queries[0]);
      return await semanticTopTen(raw, root, queries);
    } finally {
      raw.close();
    }
  };
  const exact = await topTen({ CCC_EXACT_VECTORS: '1' });
  const approximate = await topTen({ CCC_EXACT_VECTORS: undefined });
  const recalls = exact.map((want, i) => (want.size === 0 ? 1 : [...want].filter((key) => approximate[i].has(key)).length / want.size));
  return { recall: recalls.reduce((a, b) => a + b, 0) / recalls.length };
}

/** Chunks from which the daemon searches vectors approximately (`DEFAULT_APPROXIMATE_FROM` in daemon/index/vector-index.ts). */
const APPROXIMATE_FROM = 200_000;

/** Waits for the daemon log's line saying the IVF lists were trained and saved (`vectors.bin`, adopted by a restart). */
async function untilVectorIndexSaved(home: string): Promise<void> {
  const log = join(home, 'daemon.log');
  await waitFor(() => readFileSync(log, 'utf8').includes('approximate vector index trained and saved'), 900_000, 'the vector index to be trained');
}

/** The most any one compaction (logged by the store) had copied beside the store, as a share of the store's size then. */
function compactionExtra(home: string, logFrom: number): { compactions: number; compactionExtra: number } {
  const lines = readFileSync(join(home, 'daemon.log'), 'utf8').slice(logFrom).split('\n');
  let compactions = 0;
  let extra = 0;
  for (const line of lines) {
    const match = /compacted seg-\d+\.bin .*: \d+ bytes, (\d+) bytes copied beside a (\d+)-byte store/.exec(line);
    if (!match) continue;
    compactions++;
    extra = Math.max(extra, Number(match[1]) / Number(match[2]));
  }
  return { compactions, compactionExtra: extra };
}

async function measureChurn(
  home: string, corpus: Corpus,
): Promise<{ storeBytes: number; churnPeakBytes: number; churnAfterBytes: number; compactions: number; compactionExtra: number }> {
  const indexDir = projectIndexDir(home, realpathSync(corpus.root));
  const storeBytes = folderBytes(indexDir);
  const logFrom = statSync(join(home, 'daemon.log')).size;
  const chosen = corpus.files.filter((_, i) => i % 10 < CHURN_SHARE * 10);
  const sizes = chosen.map((rel) => statSync(join(corpus.root, rel)).size);
  let peak = storeBytes;
  const sampler = setInterval(() => (peak = Math.max(peak, folderBytes(indexDir))), SAMPLE_MS);
  markIncomplete(corpus.root);
  const raw = await connectRaw(home, { client: 'cli' });
  try {
    for (const round of [1, 2]) {
      chosen.forEach((rel) => appendFileSync(join(corpus.root, rel), `\n${rel.endsWith('.py') ? '#' : '//'} churn ${round}\n`));
      await raw.connection.sendRequest(IndexRequest, { root: corpus.root });
    }
    // Compaction may run after the passes: sample until the size has held still for 3 s (at most 10 minutes).
    let last = folderBytes(indexDir);
    let stillSince = Date.now();
    await waitFor(
      () => {
        const now = folderBytes(indexDir);
        if (now !== last) [last, stillSince] = [now, Date.now()];
        return Date.now() - stillSince >= 3000;
      },
      600_000,
      'the store to settle after the churn',
    );
    clearInterval(sampler);
    const churnAfterBytes = folderBytes(indexDir);
    peak = Math.max(peak, churnAfterBytes);
    return { storeBytes, churnPeakBytes: peak, churnAfterBytes, ...compactionExtra(home, logFrom) };
  } finally {
    clearInterval(sampler);
    raw.close();
    await stopDaemon(home);
    chosen.forEach((rel, i) => truncateSync(join(corpus.root, rel), sizes[i]));
    markComplete(corpus.root);
  }
}

// ---------------------------------------------------------------------------------------------
// Branch switch

async function benchBranchSwitch(): Promise<BranchResult> {
  const { name, older, newer } = BRANCH_PACKAGE;
  console.log(`\n## branch switch: ${name} ${older} ⇄ ${newer} (npm pack), in a git repository a daemon watches`);
  const repo = await phase('git repository of two releases', async () => buildBranchRepo(name, older, newer));
  console.log(`    ${repo.files} source files at ${newer}, ${repo.differing} differ from ${older}`);
  console.log('    counts below are the index request\'s pass; the watcher may have begun a pass of its own during the checkout and done part of the work');
  const home = makeTempHome('ccc-scale-branch-');
  try {
    await startDaemon(home.dir, repo.root);
    const raw = await connectRaw(home.dir, { client: 'cli' });
    try {
      const first = await phase('first index of the repository', () => raw.connection.sendRequest(IndexRequest, { root: repo.root }));
      console.log(`    ${count(first.chunks)} chunks from ${count(first.counts.files)} files`);
      await waitFor(async () => (await raw.connection.sendRequest(StatusRequest, { root: repo.root })).watching !== 'off', 60_000, 'the watcher');
      const switches: BranchResult['switches'] = [];
      for (const [label, commit] of [[older, repo.older], [newer, repo.newer]] as const) {
        await phase(`checkout ${label} → index done`, async () => {
          const started = performance.now();
          execFileSync('git', ['checkout', '-q', commit], { cwd: repo.root, stdio: 'ignore' });
          const checkedOut = performance.now();
          // Sent at once, as `ccc index` sends it: the watcher's own pass, 150 ms later, then finds nothing left to do.
          const result = await raw.connection.sendRequest(IndexRequest, { root: repo.root });
          switches.push({ to: label, checkoutMs: checkedOut - started, indexMs: performance.now() - checkedOut, result });
        });
      }
      return { repoFiles: repo.files, differing: repo.differing, switches };
    } finally {
      raw.close();
    }
  } finally {
    await home.cleanup();
    rmSync(dirname(repo.root), { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The table

type Row = [what: string, measured: string, target: string, verdict: string];

const verdict = (ok: boolean | null) => (ok === null ? '' : ok ? 'ok' : 'MISSED');
const latency = (s: Stats) => `${s.tookP50.toFixed(1)} / ${s.tookP95.toFixed(1)} ms (round trip ${s.tripP50.toFixed(1)} / ${s.tripP95.toFixed(1)})`;

function shares(index: IndexResult): string {
  const t = index.timings;
  if (!t) return 'stage timings not reported by this daemon';
  const busy = t.walkMs + t.chunkMs + t.embedMs + t.storeMs;
  const share = (ms: number) => `${Math.round((ms / Math.max(busy, 1)) * 100)} %`;
  return `walk ${share(t.walkMs)}, chunk ${share(t.chunkMs)}, embed ${share(t.embedMs)}, store ${share(t.storeMs)} of ${seconds(busy)} busy`;
}

function sizeRows(r: SizeResult): Row[] {
  const at = `at ${count(r.index.chunks)} chunks`;
  const m = r.spec.million;
  const searchTarget = m ? { p50: 30, p95: 60 } : { p50: 10, p95: 25 };
  const meets = (s: Stats) => s.tookP50 <= searchTarget.p50 && s.tookP95 <= searchTarget.p95;
  const headroom = 1 + r.compactionExtra;
  const rows: Row[] = [
    m
      ? [`RSS ${at}: after first index / after restart + 1,000 searches`, `${mb(r.rssAfterIndex)} / ${mb(r.rssAfterSearches)}`, '— / ≤ 1.5 GB', verdict(r.rssAfterSearches <= 1.5 * 2 ** 30)]
      : [`RSS ${at}: after first index / after restart + 1,000 searches`, `${mb(r.rssAfterIndex)} / ${mb(r.rssAfterSearches)}`, '≤ 400 / ≤ 300 MB', verdict(r.rssAfterIndex <= 400 * 2 ** 20 && r.rssAfterSearches <= 300 * 2 ** 20)],
    [`hybrid p50 / p95 ${at} (daemon tookMs)`, latency(r.hybrid), `≤ ${searchTarget.p50} / ${searchTarget.p95} ms`, verdict(meets(r.hybrid))],
    [`  with a language filter (python)`, latency(r.language), m ? '≤ 30 / 60 ms' : '—', verdict(m ? meets(r.language) : null)],
    [`  with a path filter (${r.pathGlob})`, latency(r.path), m ? '≤ 30 / 60 ms' : '—', verdict(m ? meets(r.path) : null)],
    [
      `recall@10, approximate vs exact vectors ${at}`,
      `${r.recall.toFixed(3)}${r.recall === 1 ? ' (identical: both exact until the daemon searches vectors approximately)' : ''}`,
      m ? '≥ 0.95' : '≥ 0.95 at 1M',
      verdict(m ? r.recall >= 0.95 : null),
    ],
    [
      `stopped daemon → first answer ${at}, median of 3`,
      `${seconds(r.coldStartMs)}${r.coldStartPartial ? ` (${r.coldStartPartial} of 3 answered while warming)` : ''}`,
      m ? '≤ 3 s' : '≤ 1 s',
      verdict(r.coldStartMs <= (m ? 3000 : 1000)),
    ],
    [
      `store on disk ${at}; disk a compaction needs, as a share of the store`,
      `${mb(r.storeBytes)}; ${headroom.toFixed(2)}× at most over ${r.compactions} compactions during the churn ` +
        `(folder peak ${mb(r.churnPeakBytes)}, ${mb(r.churnAfterBytes)} after; dead records wait until half a segment is dead)`,
      'stated; ≤ 1.2×',
      verdict(r.compactions > 0 ? headroom <= 1.2 : null),
    ],
    [`first full index ${at}`, `${seconds(r.indexWallMs)}, ${count(r.index.counts.chunksEmbedded)} chunks embedded; ${shares(r.index)}`, 'stated', ''],
  ];
  return rows;
}

function branchRows(b: BranchResult): Row[] {
  return b.switches.map(({ to, checkoutMs, indexMs, result }) => {
    const c = result.counts;
    const total = checkoutMs + indexMs;
    return [
      `branch switch to ${BRANCH_PACKAGE.name} ${to} (${b.repoFiles} files, ${b.differing} differ) → index done`,
      `${seconds(total)} (checkout ${seconds(checkoutMs)}, index ${seconds(indexMs)}): ${c.added + c.updated - (c.reused ?? 0)} files re-parsed, ${c.reused ?? 0} reused, ${c.deleted} deleted, ` +
        `${c.chunksEmbedded} chunks embedded${result.waited ? ' (joined the watcher\'s pass: counts are the remainder)' : ''}`,
      '≤ 2 s',
      verdict(total <= 2000),
    ];
  });
}

function printTable(rows: Row[]): void {
  console.log('\n| | measured | target | |\n|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

// ---------------------------------------------------------------------------------------------

function chosenSizes(args: string[]): SizeSpec[] {
  if (args.includes('--small')) return [SIZES.small];
  const at = args.indexOf('--size');
  const size = at === -1 ? 'all' : args[at + 1];
  if (size === 'all') return [SIZES['100k'], SIZES['1m']];
  if (size in SIZES && size !== 'small') return [SIZES[size]];
  console.error(`bench:scale: unknown size ${JSON.stringify(size)}; use --small, or --size 100k, 1m or all`);
  process.exit(2);
}

async function main(): Promise<void> {
  const sizes = chosenSizes(process.argv.slice(2));
  const started = performance.now();
  console.log(`bench:scale — ${sizes.map((s) => s.name).join(', ')}; ${cpus().length} cores, load ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim()}`);
  const rows: Row[] = [];
  for (const spec of sizes) {
    const result = await benchSize(spec);
    const own = sizeRows(result);
    printTable(own);
    rows.push(...own);
  }
  const branch = await benchBranchSwitch();
  rows.push(...branchRows(branch));
  console.log('\n## issue 13, measured');
  printTable(rows);
  console.log('\nphases:');
  for (const { name, ms } of phases) console.log(`  ${seconds(ms).padStart(8)}  ${name}`);
  console.log(`  ${seconds(performance.now() - started).padStart(8)}  in all`);
}

main().catch((error: Error) => {
  console.error(`bench:scale failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
