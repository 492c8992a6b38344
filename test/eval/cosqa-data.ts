// The CoSQA dev set (../shared/eval/cosqa: 500 web queries over 6,267 Python functions) as the evaluations use it: the
// data, and a project of one file per function for the real daemon to index.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const DATA_DIR = resolve(__dirname, '../../../shared/eval/cosqa');

export interface CosqaQuery {
  doc: string;
  retrieval_idx: number;
}

export function loadCosqa(): { functions: Record<string, number>; queries: CosqaQuery[] } {
  const mapFile = join(DATA_DIR, 'code_idx_map.txt');
  const devFile = join(DATA_DIR, 'dev.json');
  if (!existsSync(mapFile) || !existsSync(devFile)) {
    throw new Error(`CoSQA data not found in ${DATA_DIR}: it needs code_idx_map.txt and dev.json (see shared/eval/cosqa/README.md)`);
  }
  return { functions: JSON.parse(readFileSync(mapFile, 'utf8')), queries: JSON.parse(readFileSync(devFile, 'utf8')) };
}

/** One file per function, so a hit's path names the function it came from whatever chunks the function was split into. */
export function writeCosqaProject(functions: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'ccc-cosqa-'));
  mkdirSync(join(root, '.git'));
  for (const [code, idx] of Object.entries(functions)) writeFileSync(join(root, `f${idx}.py`), `${code}\n`);
  return root;
}

/** The function a hit's path names (`f123.py` → 123), or -1. */
export function functionIndex(path: string): number {
  return Number(/^f(\d+)\.py$/.exec(path)?.[1] ?? -1);
}
