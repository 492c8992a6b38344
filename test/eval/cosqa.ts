// `npm run eval`: retrieval quality of ccc's search modes on the CoSQA dev set (500 web queries over 6,267 Python functions).
// Builds a temp project with one file per function, indexes it through the real daemon on a temp CCC_HOME,
// and prints MRR@100 and Recall@1/5/10 per mode, with index time and query throughput.
import { SEARCH_MODES, SearchRequest, type SearchMode } from '../../daemon/protocol';
import { BUILTIN_FUSION, FUSION_CANDIDATES } from '../../daemon/index/fusion';
import { KEYWORD_SCORING } from '../../daemon/index/keyword-index';
import { withIndexedProject, type RawConnection } from '../support';
import { functionIndex, loadCosqa, writeCosqaProject, type CosqaQuery } from './cosqa-data';

const DEPTH = 100;

interface ModeScore {
  mode: SearchMode;
  mrr: number;
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  queriesPerSecond: number;
}

async function scoreMode(raw: RawConnection, root: string, queries: CosqaQuery[], mode: SearchMode): Promise<ModeScore> {
  let reciprocal = 0;
  const hitsAt = { 1: 0, 5: 0, 10: 0 };
  const started = performance.now();
  for (const query of queries) {
    const result = await raw.connection.sendRequest(SearchRequest, { root, query: query.doc, mode, limit: DEPTH, maxPerFile: 1 });
    const rank = result.results.findIndex((hit) => functionIndex(hit.path) === query.retrieval_idx) + 1;
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
  const { functions, queries } = loadCosqa();
  const root = writeCosqaProject(functions);
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
