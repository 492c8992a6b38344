// `npm run eval`: retrieval quality of ccc's search modes on the CoSQA dev set (500 web queries over 6,267 Python functions).
// Builds a temp project with one file per function, indexes it through the real daemon on a temp CCC_HOME,
// and prints MRR@100 and Recall@1/5/10 per mode, with index time and query throughput.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { SEARCH_MODES, SearchRequest, type SearchMode } from '../../daemon/protocol';
import { BUILTIN_FUSION, FUSION_CANDIDATES } from '../../daemon/index/fusion';
import { KEYWORD_SCORING } from '../../daemon/index/keyword-index';
import { withIndexedProject, type RawConnection } from '../support';

const DATA_DIR = resolve(__dirname, '../../../shared/eval/cosqa');
const DEPTH = 100;

interface Query {
  doc: string;
  retrieval_idx: number;
}

interface ModeScore {
  mode: SearchMode;
  mrr: number;
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  queriesPerSecond: number;
}

function loadData(): { functions: Record<string, number>; queries: Query[] } {
  const mapFile = join(DATA_DIR, 'code_idx_map.txt');
  const devFile = join(DATA_DIR, 'dev.json');
  if (!existsSync(mapFile) || !existsSync(devFile)) {
    throw new Error(`CoSQA data not found in ${DATA_DIR}: it needs code_idx_map.txt and dev.json (see shared/eval/cosqa/README.md)`);
  }
  return { functions: JSON.parse(readFileSync(mapFile, 'utf8')), queries: JSON.parse(readFileSync(devFile, 'utf8')) };
}

/** One file per function, so a hit's path names the function it came from whatever chunks the function was split into. */
function writeCorpus(functions: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'ccc-cosqa-'));
  mkdirSync(join(root, '.git'));
  for (const [code, idx] of Object.entries(functions)) writeFileSync(join(root, `f${idx}.py`), `${code}\n`);
  return root;
}

function fileIndex(path: string): number {
  return Number(/^f(\d+)\.py$/.exec(path)?.[1] ?? -1);
}

async function scoreMode(raw: RawConnection, root: string, queries: Query[], mode: SearchMode): Promise<ModeScore> {
  let reciprocal = 0;
  const hitsAt = { 1: 0, 5: 0, 10: 0 };
  const started = performance.now();
  for (const query of queries) {
    const result = await raw.connection.sendRequest(SearchRequest, { root, query: query.doc, mode, limit: DEPTH, maxPerFile: 1 });
    const rank = result.results.findIndex((hit) => fileIndex(hit.path) === query.retrieval_idx) + 1;
    if (rank === 0) continue;
    reciprocal += 1 / rank;
    if (rank <= 1) hitsAt[1]++;
    if (rank <= 5) hitsAt[5]++;
    if (rank <= 10) hitsAt[10]++;
  }
  const seconds = (performance.now() - started) / 1000;
  const n = queries.length;
  return {
    mode,
    mrr: reciprocal / n,
    recallAt1: hitsAt[1] / n,
    recallAt5: hitsAt[5] / n,
    recallAt10: hitsAt[10] / n,
    queriesPerSecond: n / seconds,
  };
}

function printScores(scores: ModeScore[]): void {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);
  console.log(`${'mode'.padEnd(9)} ${'MRR@100'.padStart(7)} ${'R@1'.padStart(7)} ${'R@5'.padStart(7)} ${'R@10'.padStart(7)} ${'q/s'.padStart(7)}`);
  for (const s of scores) {
    console.log(`${s.mode.padEnd(9)} ${s.mrr.toFixed(4).padStart(7)} ${pct(s.recallAt1)} ${pct(s.recallAt5)} ${pct(s.recallAt10)} ${s.queriesPerSecond.toFixed(0).padStart(7)}`);
  }
}

/** The scoring knobs the built daemon was bundled with (read from the same sources, so rebuild before a run). */
function printSettings(): void {
  const { k1, b, boost } = KEYWORD_SCORING;
  console.log(`settings: BM25 k1=${k1} b=${b} boosts content=${boost.content} symbol=${boost.symbol} path=${boost.path}; ` +
    `fusion (built-in model) weighted sum keyword=${BUILTIN_FUSION.keyword} vector=${BUILTIN_FUSION.vector}, ${FUSION_CANDIDATES} candidates per side`);
}

async function main(): Promise<void> {
  const { functions, queries } = loadData();
  const root = writeCorpus(functions);
  await withIndexedProject(root, async ({ raw, indexed, indexSeconds }) => {
    console.log(`CoSQA dev: ${queries.length} queries over ${Object.keys(functions).length} functions`);
    console.log(`index: ${indexed.counts.files} files, ${indexed.chunks} chunks in ${indexSeconds.toFixed(1)} s`);
    const scores: ModeScore[] = [];
    for (const mode of SEARCH_MODES) scores.push(await scoreMode(raw, root, queries, mode));
    printScores(scores);
    printSettings();
  });
}

main().catch((error: Error) => {
  console.error(`eval failed: ${error.message}`);
  process.exitCode = 1;
});
