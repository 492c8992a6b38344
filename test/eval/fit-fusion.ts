// `node --import tsx test/eval/fit-fusion.ts`: fits the built-in model's hybrid fusion weights on CoSQA dev without
// fitting to all of it. Through the real daemon (run `npm run build` first), each query's keyword and semantic top-100
// lists are fetched once; every candidate weighting is fused offline with daemon/index/fusion.ts `fuse`, chosen on the
// even-numbered queries and reported on the odd ones and on all. `npm run eval` then confirms the choice end to end.
import { SearchRequest, type SearchMode } from '../../daemon/protocol';
import { fuse, type FusionWeights, type Scored } from '../../daemon/index/fusion';
import { withIndexedProject, type RawConnection } from '../support';
import { functionIndex, loadCosqa, writeCosqaProject } from './cosqa-data';

const DEPTH = 100;

interface Lists {
  answer: number;
  keyword: Scored[];
  vector: Scored[];
}

async function list(raw: RawConnection, root: string, query: string, mode: SearchMode): Promise<Scored[]> {
  const result = await raw.connection.sendRequest(SearchRequest, { root, query, mode, limit: DEPTH, maxPerFile: 1, includeWeak: true });
  return result.results.map((hit) => ({ slot: functionIndex(hit.path), score: hit.score }));
}

function mrr(lists: Lists[], weights: FusionWeights): { mrr: number; recallAt10: number } {
  let sum = 0;
  let at10 = 0;
  for (const { answer, keyword, vector } of lists) {
    const rank = fuse(keyword, vector, weights).findIndex((hit) => hit.slot === answer) + 1;
    if (rank > 0 && rank <= DEPTH) sum += 1 / rank;
    if (rank > 0 && rank <= 10) at10++;
  }
  return { mrr: sum / lists.length, recallAt10: at10 / lists.length };
}

function candidates(): FusionWeights[] {
  const out: FusionWeights[] = [];
  for (const normaliseVector of [false, true]) {
    for (let vector = 0; vector <= 1.0001; vector += 0.05) out.push({ keyword: 1 - vector, vector, normaliseVector, minCosine: 0 });
  }
  return out;
}

async function main(): Promise<void> {
  const { functions, queries } = loadCosqa();
  const root = writeCosqaProject(functions);
  const lists = await withIndexedProject(root, async ({ raw }) => {
    const out: Lists[] = [];
    for (const query of queries) {
      out.push({ answer: query.retrieval_idx, keyword: await list(raw, root, query.doc, 'keyword'), vector: await list(raw, root, query.doc, 'semantic') });
    }
    return out;
  });
  const fit = lists.filter((_, i) => i % 2 === 0);
  const held = lists.filter((_, i) => i % 2 === 1);
  const scored = candidates().map((weights) => ({ weights, fit: mrr(fit, weights) })).sort((a, b) => b.fit.mrr - a.fit.mrr);
  const show = (w: FusionWeights) => `keyword ${w.keyword.toFixed(2)} vector ${w.vector.toFixed(2)}${w.normaliseVector ? ' min-max' : ''}`;
  for (const { weights, fit: f } of scored.slice(0, 8)) {
    const h = mrr(held, weights);
    const all = mrr(lists, weights);
    console.log(`${show(weights).padEnd(36)} fit half MRR ${f.mrr.toFixed(4)}  other half ${h.mrr.toFixed(4)} (R@10 ${(h.recallAt10 * 100).toFixed(1)}%)  all ${all.mrr.toFixed(4)} (R@10 ${(all.recallAt10 * 100).toFixed(1)}%)`);
  }
  console.log(`keyword alone: all ${mrr(lists, { keyword: 1, vector: 0, normaliseVector: false, minCosine: 0 }).mrr.toFixed(4)}; chosen: ${show(scored[0].weights)}`);
}

main().catch((error: Error) => {
  console.error(`fit-fusion failed: ${error.message}`);
  process.exitCode = 1;
});
