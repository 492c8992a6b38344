// `npm run eval:real`: retrieval quality on real open-source projects (the labelled set in `real/`, see README.md).
// For each project: check out the pinned commit from a git copy already on this machine (see real-source.ts; projects
// with no copy are skipped with a line), index it with the real built daemon on a temp CCC_HOME, run every query in each
// mode (limit 10, weak hits included) and print file-level Hit@1/Hit@5/MRR, definition-level Hit@5 and the share of
// queries where a test or docs file ranks above the gold, per mode and query kind, then description queries in semantic
// mode per language. Not part of `npm test`: CI has no copies of these projects.
//
//   npm run eval:real                      all projects
//   npm run eval:real -- gin axios         only these data files
//   npm run eval:real -- --verbose         also every query's ranks per mode
//   npm run eval:real -- --json out.json   also write every outcome (for before/after comparisons)
//   npm run eval:real -- --compare real-baseline.json   this run beside an earlier one (see real-compare.ts)
import { writeFileSync } from 'node:fs';
import { SEARCH_MODES, SearchRequest, type SearchMode } from '../../daemon/protocol';
import { withIndexedProject, type RawConnection } from '../support';
import { loadRealSet, QUERY_KINDS, type RealProject, type RealQuery } from './real-set';
import { loadOutcomes, printComparison } from './real-compare';
import { checkOut, findSource } from './real-source';
import { scoreHits, summarize, type Outcome, type Summary } from './real-score';

const LIMIT = 10;
const TARGETS = { identifierHitAt1: 0.9, descriptionHitAt5: 0.8, noiseAbove: 0.05 };

interface Options {
  only: string[];
  verbose: boolean;
  json: string | null;
  compare: string | null;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { only: [], verbose: false, json: null, compare: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--verbose' || arg === '-v') options.verbose = true;
    else if (arg === '--json' || arg === '--compare') {
      const file = argv[++i];
      if (!file) throw new Error(`${arg} needs a file name, e.g. ${arg} before.json`);
      options[arg === '--json' ? 'json' : 'compare'] = file;
    } else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}: use project names, --verbose, --json <file> or --compare <file>`);
    else options.only.push(arg);
  }
  return options;
}

async function runQuery(raw: RawConnection, root: string, project: RealProject, query: RealQuery, mode: SearchMode): Promise<Outcome> {
  const base = { project: project.name, language: project.language, kind: query.kind, mode, query: shortText(query.query) };
  try {
    const result = await raw.connection.sendRequest(SearchRequest, { root, query: query.query, mode, limit: LIMIT, includeWeak: true });
    return { ...base, ...scoreHits(result.results, query.gold) };
  } catch (error) {
    return { ...base, fileRank: null, definitionRank: query.gold.some((g) => g.startLine) ? null : undefined, noiseAbove: false, error: (error as Error).message };
  }
}

async function evalProject(project: RealProject): Promise<Outcome[] | string> {
  const source = findSource(project);
  if ('skip' in source) return source.skip;
  let root: string;
  try {
    root = checkOut(source.gitDir, project.commit, project.name);
  } catch (error) {
    return `${project.repo} @ ${project.commit.slice(0, 10)} not checked out (${(error as Error).message})`;
  }
  return withIndexedProject(root, async ({ raw, indexed, indexSeconds }) => {
    console.log(`${project.repo} @ ${project.commit.slice(0, 10)} (${project.language}, from ${source.from}): ` +
      `${indexed.counts.files} files, ${indexed.chunks} chunks, indexed in ${indexSeconds.toFixed(1)} s` +
      `${indexed.problems.length > 0 ? ` (${indexed.problems.length} skipped or failed)` : ''}; ${project.queries.length} queries`);
    const outcomes: Outcome[] = [];
    for (const mode of SEARCH_MODES) {
      for (const query of project.queries) outcomes.push(await runQuery(raw, root, project, query, mode));
    }
    return outcomes;
  });
}

function shortText(text: string): string {
  const line = text.trim().split('\n')[0]!;
  return line.length > 70 ? `${line.slice(0, 67)}...` : line;
}

const pct = (x: number) => (Number.isNaN(x) ? '—' : `${(x * 100).toFixed(0)}%`).padStart(6);

function printTable(title: string, rows: [string, Summary][]): void {
  console.log(`\n${title}`);
  console.log(`${''.padEnd(22)} ${'n'.padStart(4)} ${'Hit@1'.padStart(6)} ${'Hit@5'.padStart(6)} ${'MRR'.padStart(6)} ${'def@5'.padStart(6)} ${'noise'.padStart(6)}`);
  for (const [label, s] of rows) {
    const mrr = Number.isNaN(s.mrr) ? '—' : s.mrr.toFixed(3);
    const errors = s.errors > 0 ? `  (${s.errors} refused)` : '';
    console.log(`${label.padEnd(22)} ${String(s.queries).padStart(4)} ${pct(s.hitAt1)} ${pct(s.hitAt5)} ${mrr.padStart(6)} ${pct(s.definitionHitAt5)} ${pct(s.noiseAbove)}${errors}`);
  }
}

function printReport(outcomes: Outcome[]): void {
  for (const mode of SEARCH_MODES) {
    const inMode = outcomes.filter((o) => o.mode === mode);
    const rows: [string, Summary][] = QUERY_KINDS.map((kind) => [kind, summarize(inMode.filter((o) => o.kind === kind))]);
    rows.push(['all', summarize(inMode)]);
    printTable(`${mode}`, rows);
  }
  const hybrid = outcomes.filter((o) => o.mode === 'hybrid');
  const projects = [...new Set(hybrid.map((o) => o.project))];
  printTable('hybrid, per project (all kinds)', projects.map((name) => [name, summarize(hybrid.filter((o) => o.project === name))]));
  const described = outcomes.filter((o) => o.mode === 'semantic' && o.kind === 'description');
  const languages = [...new Set(described.map((o) => o.language))].sort();
  printTable('description queries, semantic mode, per language', languages.map((lang) => [lang, summarize(described.filter((o) => o.language === lang))]));
  console.log('\nHit@k and MRR: rank of the first gold file among distinct files; def@5: a top-5 hit overlapping the gold lines;');
  console.log('noise: share of queries with a test, docs or changelog file ranked above the gold.');
  printTargets(hybrid);
}

function printTargets(hybrid: Outcome[]): void {
  const identifier = summarize(hybrid.filter((o) => o.kind === 'identifier'));
  const description = summarize(hybrid.filter((o) => o.kind === 'description'));
  const all = summarize(hybrid);
  const line = (label: string, value: number, target: number, atLeast: boolean) => {
    const met = atLeast ? value >= target : value <= target;
    console.log(`  ${met ? 'met ' : 'MISS'} ${label}: ${pct(value).trim()} (target ${atLeast ? '>=' : '<='} ${(target * 100).toFixed(0)}%)`);
  };
  console.log('\ntargets (hybrid, issue 10):');
  line('identifier Hit@1', identifier.hitAt1, TARGETS.identifierHitAt1, true);
  line('description Hit@5', description.hitAt5, TARGETS.descriptionHitAt5, true);
  line('tests/docs above the gold', all.noiseAbove, TARGETS.noiseAbove, false);
}

function printQueries(outcomes: Outcome[]): void {
  console.log('\nper query: file rank / definition rank per mode (- = not in the top 10), * = a test or docs file above the gold');
  const keyOf = (o: Outcome) => `${o.project}\u0000${o.query}\u0000${o.kind}`;
  const byQuery = new Map<string, Outcome[]>();
  for (const o of outcomes) byQuery.set(keyOf(o), [...(byQuery.get(keyOf(o)) ?? []), o]);
  for (const group of byQuery.values()) {
    const cells = group.map((o) => {
      const def = o.definitionRank === undefined ? '' : `/${o.definitionRank ?? '-'}`;
      return `${o.mode[0]} ${o.fileRank ?? '-'}${def}${o.noiseAbove ? '*' : ''}${o.error ? '!' : ''}`.padEnd(9);
    });
    console.log(`  ${group[0]!.project.padEnd(6)} ${group[0]!.kind.slice(0, 5).padEnd(5)} ${cells.join(' ')} ${group[0]!.query}`);
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const earlier = options.compare ? loadOutcomes(options.compare) : null;
  let projects = loadRealSet();
  if (options.only.length > 0) {
    const unknown = options.only.filter((name) => !projects.some((p) => p.name === name));
    if (unknown.length > 0) throw new Error(`no project ${unknown.join(', ')} in test/eval/real/ (have: ${projects.map((p) => p.name).join(', ')})`);
    projects = projects.filter((p) => options.only.includes(p.name));
  }
  const outcomes: Outcome[] = [];
  for (const project of projects) {
    const result = await evalProject(project);
    if (typeof result === 'string') console.log(`skipped ${project.name}: ${result}`);
    else outcomes.push(...result);
  }
  if (outcomes.length === 0) throw new Error('no project could be evaluated (see the skipped lines above)');
  printReport(outcomes);
  if (options.verbose) printQueries(outcomes);
  if (earlier) printComparison(earlier, outcomes);
  if (options.json) {
    // One outcome a line: a baseline's diff then shows which queries moved.
    writeFileSync(options.json, `[\n${outcomes.map((o) => JSON.stringify(o)).join(',\n')}\n]\n`);
    console.log(`\noutcomes written to ${options.json}`);
  }
}

main().catch((error: Error) => {
  console.error(`eval:real failed: ${error.message}`);
  process.exitCode = 1;
});
