// Semantic-only retrieval quality on the CoSQA dev set (500 web queries over 6,267 Python functions), measured in
// process on a float table: the quick check the training run prints. `npm run eval` measures the shipped int8 model
// through the real daemon.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_EVAL_DIR } from './corpus-rules';

export interface Retrieval {
  mrr: number;
  recallAt10: number;
}

interface Query {
  doc: string;
  retrieval_idx: number;
}

export function loadCosqaDev(): { functions: string[]; queries: Query[] } {
  const map = JSON.parse(readFileSync(join(SHARED_EVAL_DIR, 'cosqa', 'code_idx_map.txt'), 'utf8')) as Record<string, number>;
  const functions: string[] = [];
  for (const [code, idx] of Object.entries(map)) functions[idx] = code;
  return { functions, queries: JSON.parse(readFileSync(join(SHARED_EVAL_DIR, 'cosqa', 'dev.json'), 'utf8')) as Query[] };
}

/** MRR@100 and recall at 10 of unit vectors; `queryVectors[i]` answers `queries[i]`. */
export function retrieval(queryVectors: Float32Array[], functionVectors: Float32Array[], queries: Query[]): Retrieval {
  let reciprocal = 0;
  let at10 = 0;
  queries.forEach((query, q) => {
    const scores = functionVectors.map((f) => dot(queryVectors[q], f));
    const target = scores[query.retrieval_idx];
    const rank = 1 + scores.filter((s, i) => s > target || (s === target && i < query.retrieval_idx)).length;
    if (rank <= 100) reciprocal += 1 / rank;
    if (rank <= 10) at10++;
  });
  return { mrr: reciprocal / queries.length, recallAt10: at10 / queries.length };
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += a[d] * b[d];
  return sum;
}
