// Scoring of one real-project query against its gold, and the sums the report prints.
// File level: the rank of the first gold file among the distinct files of the hit list (Hit@1, Hit@5, MRR).
// Definition level: a hit among the first 5 whose line range overlaps a gold range (identifier and description queries).
// Noise: a test, docs or changelog file ranked above the gold definition (or above the gold file, for long queries, or
// anywhere in the list when the gold is missing). File kinds are decided here from paths, by the eval's own rules, so
// that the number means the same before and after the daemon learns file kinds.
import type { Gold, QueryKind } from './real-set';

export interface HitLocation {
  path: string;
  startLine: number;
  endLine: number;
}

export interface QueryScore {
  /** 1-based rank of the first gold file among distinct files; null when absent. */
  fileRank: number | null;
  /** 1-based rank of the first hit overlapping a gold range; null when absent; undefined when the gold has no lines. */
  definitionRank: number | null | undefined;
  /** A test or docs file ranked above the gold. */
  noiseAbove: boolean;
}

export type PathKind = 'code' | 'test' | 'docs' | 'example' | 'generated';

const TEST_PATTERNS = [
  /(^|\/)(tests?|__tests__|spec|specs|testdata|testing)\//i,
  /_test\.go$/,
  /(^|\/)test_[^/]*\.py$/,
  /_test\.py$/,
  /(^|\/)conftest\.py$/,
  /\.(test|spec)\.[cm]?[jt]sx?$/,
  /(^|\/)test_helpers?\.\w+$/,
];
const DOCS_PATTERNS = [
  /(^|\/)(docs?|documentation)\//i,
  /\.(md|markdown|rst|adoc|txt)$/i,
  /(^|\/)(changelog|changes|history|news|releases?)(\.\w+)?$/i,
];
const EXAMPLE_PATTERNS = [/(^|\/)(examples?|samples?|sandbox|demos?)\//i];
const GENERATED_PATTERNS = [/(^|\/)(dist|build|vendor|node_modules)\//, /\.min\.[cm]?js$/, /\.map$/, /\.pb\.go$/];

/** What a file is for, from its path; the first matching kind wins, tests first (a README under `test/` is a test file). */
export function pathKind(path: string): PathKind {
  if (TEST_PATTERNS.some((p) => p.test(path))) return 'test';
  if (DOCS_PATTERNS.some((p) => p.test(path))) return 'docs';
  if (EXAMPLE_PATTERNS.some((p) => p.test(path))) return 'example';
  if (GENERATED_PATTERNS.some((p) => p.test(path))) return 'generated';
  return 'code';
}

export function scoreHits(hits: readonly HitLocation[], gold: readonly Gold[]): QueryScore {
  const goldPaths = new Set(gold.map((g) => g.path));
  const ranges = gold.filter((g) => g.startLine !== undefined && g.endLine !== undefined);
  const distinctFiles = [...new Set(hits.map((h) => h.path))];
  const fileIndex = distinctFiles.findIndex((p) => goldPaths.has(p));
  const definitionIndex = ranges.length === 0 ? undefined : hits.findIndex((h) => ranges.some((g) => overlaps(h, g)));
  // Where the gold sits in the hit list: the definition when it has lines, else the first hit in a gold file.
  const goldIndex = definitionIndex ?? hits.findIndex((h) => goldPaths.has(h.path));
  const above = goldIndex === -1 ? hits : hits.slice(0, goldIndex);
  return {
    fileRank: fileIndex === -1 ? null : fileIndex + 1,
    definitionRank: definitionIndex === undefined ? undefined : definitionIndex === -1 ? null : definitionIndex + 1,
    noiseAbove: above.some((h) => !goldPaths.has(h.path) && isNoise(h.path)),
  };
}

function isNoise(path: string): boolean {
  const kind = pathKind(path);
  return kind === 'test' || kind === 'docs';
}

function overlaps(hit: HitLocation, gold: Gold): boolean {
  return hit.path === gold.path && hit.startLine <= gold.endLine! && hit.endLine >= gold.startLine!;
}

export interface Outcome extends QueryScore {
  project: string;
  language: string;
  kind: QueryKind;
  mode: string;
  query: string;
  /** The search failed (the daemon refused it): scored as a miss. */
  error?: string;
}

export interface Summary {
  queries: number;
  hitAt1: number;
  hitAt5: number;
  mrr: number;
  /** Over the queries whose gold has line ranges; NaN when none has. */
  definitionHitAt5: number;
  definitionQueries: number;
  noiseAbove: number;
  errors: number;
}

export function summarize(outcomes: readonly Outcome[]): Summary {
  const n = outcomes.length;
  const share = (count: number, of = n) => (of === 0 ? Number.NaN : count / of);
  const withLines = outcomes.filter((o) => o.definitionRank !== undefined);
  return {
    queries: n,
    hitAt1: share(outcomes.filter((o) => o.fileRank === 1).length),
    hitAt5: share(outcomes.filter((o) => o.fileRank !== null && o.fileRank <= 5).length),
    mrr: share(outcomes.reduce((sum, o) => sum + (o.fileRank === null ? 0 : 1 / o.fileRank), 0)),
    definitionHitAt5: share(withLines.filter((o) => o.definitionRank !== null && o.definitionRank! <= 5).length, withLines.length),
    definitionQueries: withLines.length,
    noiseAbove: share(outcomes.filter((o) => o.noiseAbove).length),
    errors: outcomes.filter((o) => o.error !== undefined).length,
  };
}
