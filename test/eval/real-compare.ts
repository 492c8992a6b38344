// `npm run eval:real -- --compare before.json`: this run beside an earlier one (written with `--json`), per mode and
// query kind, then the hybrid queries whose gold file moved. Queries are matched by project, kind and text, so
// outcomes of queries added or removed since are left out of the comparison.
import { readFileSync } from 'node:fs';
import { SEARCH_MODES } from '../../daemon/protocol';
import { QUERY_KINDS } from './real-set';
import { summarize, type Outcome, type Summary } from './real-score';

export function loadOutcomes(file: string): Outcome[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${file} as an earlier run's outcomes (write one with --json): ${(error as Error).message}`);
  }
  if (!Array.isArray(data)) throw new Error(`${file} is not a list of outcomes (write one with --json)`);
  return data as Outcome[];
}

const keyOf = (o: Outcome) => `${o.project}\u0000${o.kind}\u0000${o.mode}\u0000${o.query}`;
const pct = (x: number) => (Number.isNaN(x) ? '—' : `${(x * 100).toFixed(0)}%`);
const pair = (before: number, now: number) => `${pct(before)}→${pct(now)}`.padStart(10);

export function printComparison(earlier: readonly Outcome[], now: readonly Outcome[]): void {
  const nowKeys = new Set(now.map(keyOf));
  const before = earlier.filter((o) => nowKeys.has(keyOf(o)));
  const beforeKeys = new Set(before.map(keyOf));
  const after = now.filter((o) => beforeKeys.has(keyOf(o)));
  console.log(`\ncompared with the earlier run (${after.length} outcomes in both):`);
  console.log(`${''.padEnd(22)} ${'n'.padStart(4)} ${'Hit@1'.padStart(10)} ${'Hit@5'.padStart(10)} ${'MRR'.padStart(12)} ${'def@5'.padStart(10)} ${'noise'.padStart(10)}`);
  for (const mode of SEARCH_MODES) {
    for (const kind of [...QUERY_KINDS, 'all'] as const) {
      const pick = (list: readonly Outcome[]) => list.filter((o) => o.mode === mode && (kind === 'all' || o.kind === kind));
      printRow(`${mode} ${kind}`, summarize(pick(before)), summarize(pick(after)));
    }
  }
  printMoves(before, after);
}

function printRow(label: string, b: Summary, a: Summary): void {
  if (a.queries === 0) return;
  const mrr = `${b.mrr.toFixed(3)}→${a.mrr.toFixed(3)}`.padStart(12);
  console.log(`${label.padEnd(22)} ${String(a.queries).padStart(4)} ${pair(b.hitAt1, a.hitAt1)} ${pair(b.hitAt5, a.hitAt5)} ${mrr} ` +
    `${pair(b.definitionHitAt5, a.definitionHitAt5)} ${pair(b.noiseAbove, a.noiseAbove)}`);
}

function printMoves(before: readonly Outcome[], after: readonly Outcome[]): void {
  const earlier = new Map(before.filter((o) => o.mode === 'hybrid').map((o) => [keyOf(o), o]));
  const rank = (r: number | null) => (r === null ? '-' : String(r));
  const moved = after.filter((o) => o.mode === 'hybrid' && earlier.get(keyOf(o))!.fileRank !== o.fileRank);
  if (moved.length === 0) return;
  console.log('\nhybrid queries whose gold file moved (earlier → now, - = not in the top 10):');
  for (const o of moved) console.log(`  ${o.project.padEnd(6)} ${o.kind.slice(0, 5).padEnd(5)} ${`${rank(earlier.get(keyOf(o))!.fileRank)} → ${rank(o.fileRank)}`.padEnd(8)} ${o.query}`);
}
