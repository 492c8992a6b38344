// The labelled real-project query set: one YAML file per project in `real/` (repo, pinned commit, queries with gold
// locations). Only paths and line numbers are stored, never the project's code. Read and checked here, so a typo in a
// data file is one clear line instead of a wrong score.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const QUERY_KINDS = ['identifier', 'description', 'long'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

/** A place that answers the query: a file, and for identifier and description queries the definition's lines (1-based, inclusive). */
export interface Gold {
  path: string;
  startLine?: number;
  endLine?: number;
  symbol?: string;
}

export interface RealQuery {
  kind: QueryKind;
  query: string;
  gold: Gold[];
  /** Long queries: the issue the text is quoted from, and the commit that fixed it. */
  source?: string;
  fix?: string;
}

export interface RealProject {
  /** The data file's name without extension, e.g. `gin`. */
  name: string;
  repo: string;
  commit: string;
  language: string;
  queries: RealQuery[];
}

export const REAL_SET_DIR = join(__dirname, 'real');

export function loadRealSet(dir = REAL_SET_DIR): RealProject[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml')).sort();
  if (files.length === 0) throw new Error(`no project files (*.yml) in ${dir}`);
  return files.map((file) => parseProject(file.replace(/\.ya?ml$/, ''), parse(readFileSync(join(dir, file), 'utf8')), file));
}

function parseProject(name: string, data: unknown, file: string): RealProject {
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (!isRecord(data)) return fail('expected a mapping with repo, commit, language and queries');
  const { repo, commit, language, queries } = data;
  if (typeof repo !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(repo)) fail('repo must be "owner/name"');
  if (typeof commit !== 'string' || !/^[0-9a-f]{40}$/.test(commit)) fail('commit must be a full 40-hex sha');
  if (typeof language !== 'string' || language === '') fail('language must name the project\'s main language');
  if (!Array.isArray(queries) || queries.length === 0) fail('queries must be a non-empty list');
  return {
    name,
    repo: repo as string,
    commit: commit as string,
    language: language as string,
    queries: (queries as unknown[]).map((q, i) => parseQuery(q, (what) => fail(`query ${i + 1}: ${what}`))),
  };
}

function parseQuery(data: unknown, fail: (what: string) => never): RealQuery {
  if (!isRecord(data)) return fail('expected a mapping with kind, query and gold');
  const { kind, query, gold, source, fix } = data;
  if (!QUERY_KINDS.includes(kind as QueryKind)) fail(`kind must be one of ${QUERY_KINDS.join(', ')}`);
  if (typeof query !== 'string' || query.trim() === '') fail('query must be non-empty text');
  if (!Array.isArray(gold) || gold.length === 0) fail('gold must list at least one { path, startLine, endLine }');
  const golds = (gold as unknown[]).map((g) => parseGold(g, kind as QueryKind, fail));
  if (kind === 'long' && typeof source !== 'string') fail('a long query needs source: the issue URL its text is quoted from');
  return {
    kind: kind as QueryKind,
    query: query as string,
    gold: golds,
    ...(typeof source === 'string' ? { source } : {}),
    ...(typeof fix === 'string' ? { fix } : {}),
  };
}

function parseGold(data: unknown, kind: QueryKind, fail: (what: string) => never): Gold {
  if (!isRecord(data) || typeof data.path !== 'string' || data.path === '') return fail('each gold needs a path');
  const { path, startLine, endLine, symbol } = data;
  const hasLines = startLine !== undefined || endLine !== undefined;
  if (kind !== 'long' && !hasLines) fail(`gold ${path} needs startLine and endLine (only long queries are file-level)`);
  if (hasLines && !(Number.isInteger(startLine) && Number.isInteger(endLine) && (startLine as number) >= 1 && (endLine as number) >= (startLine as number))) {
    fail(`gold ${path}: startLine and endLine must be whole numbers with 1 <= startLine <= endLine`);
  }
  return {
    path: path as string,
    ...(hasLines ? { startLine: startLine as number, endLine: endLine as number } : {}),
    ...(typeof symbol === 'string' ? { symbol } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
