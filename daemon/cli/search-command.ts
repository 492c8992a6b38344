// `ccc search` and `ccc similar`: ask the daemon, print hits for a person (or JSON for a script).
import { Command, InvalidArgumentError, Option } from 'commander';
import { relative, resolve, sep } from 'node:path';
import { ProgressType } from 'vscode-jsonrpc';
import { findProjectRoot, withDaemon, type ClientOptions } from '../client';
import {
  DEFAULT_MAX_PER_FILE,
  DEFAULT_SEARCH_LIMIT,
  FILE_KINDS,
  IndexRequest,
  MAX_SEARCH_LIMIT,
  SEARCH_MODES,
  SearchRequest,
  SimilarRequest,
  type FileKind,
  type IndexProgress,
  type SearchMode,
  type SearchParams,
  type SearchResult,
  type SimilarParams,
} from '../protocol';
import { languageNameList, resolveLanguageNames } from '../../grammars/language-names';
import { choosePalette, formatFileHits, formatFilesWithMatches, formatHits } from './format-hits';
import { ExitCode, notice, printJson, UsageError } from './output';

interface OutputOptions {
  json?: boolean;
  color: boolean;
  context: number;
  filesWithMatches?: boolean;
}

interface SearchOptions extends OutputOptions {
  limit: number;
  offset: number;
  type: string[];
  lang: string[];
  glob: string[];
  path: string[];
  kind: FileKind[];
  maxPerFile?: number;
  mode: SearchMode;
  files?: boolean;
  weak?: boolean;
  refresh?: boolean;
  typeList?: boolean;
}

interface SimilarOptions extends OutputOptions {
  limit: number;
}

const clientOptions: ClientOptions = { client: 'cli', notify: notice };

/** Commander reports an InvalidArgumentError thrown by an option parser as a usage error (exit 2). */
function usageError(message: string): never {
  throw new InvalidArgumentError(message);
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SEARCH_LIMIT) usageError(`limit must be a whole number from 1 to ${MAX_SEARCH_LIMIT}`);
  return n;
}

function parseOffset(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) usageError('offset must be a whole number ≥ 0');
  return n;
}

function parseMode(value: string): SearchMode {
  if (!(SEARCH_MODES as readonly string[]).includes(value)) usageError(`unknown mode "${value}"; use one of: ${SEARCH_MODES.join(', ')}`);
  return value as SearchMode;
}

function parseCount(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) usageError(`${name} must be a whole number ≥ 0`);
    return n;
  };
}

function collectKind(value: string, previous: FileKind[]): FileKind[] {
  const kind = value.toLowerCase();
  if (!(FILE_KINDS as readonly string[]).includes(kind)) usageError(`unknown kind "${value}"; use one of: ${FILE_KINDS.join(', ')}`);
  return [...previous, kind as FileKind];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** From a subfolder, search that subfolder: a person in `src/net/` means "here" unless they say otherwise. */
export function defaultPaths(root: string, cwd: string, given: string[]): string[] {
  if (given.length > 0) return given;
  const rel = relative(root, cwd);
  if (rel === '' || rel.startsWith('..')) return [];
  return [`${rel.split(sep).join('/')}/**`];
}

/** `FILE:START[-END]` → an absolute file and a 1-based inclusive range. */
export function parseLocation(location: string, cwd: string): { path: string; startLine: number; endLine: number } {
  const match = /^(.+):(\d+)(?:-(\d+))?$/.exec(location);
  if (!match) throw new UsageError(`expected FILE:START[-END], e.g. src/app.ts:10-30; got "${location}"`);
  const startLine = Number(match[2]);
  const endLine = match[3] === undefined ? startLine : Number(match[3]);
  if (startLine < 1 || endLine < startLine) throw new UsageError(`line range ${match[2]}-${match[3]} is empty or starts before line 1`);
  return { path: resolve(cwd, match[1]), startLine, endLine };
}

/** A one-line progress display on stderr, only when a person is watching. */
function progressLine(): { update(progress: IndexProgress): void; done(): void } {
  if (!process.stderr.isTTY) return { update() {}, done() {} };
  let shown = false;
  return {
    update(progress) {
      const percent = progress.percentage === undefined ? '' : `${Math.round(progress.percentage)}% `;
      process.stderr.write(`\r\x1b[2KIndexing ${percent}${progress.message ?? ''}`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[2K');
    },
  };
}

async function refreshIndex(root: string): Promise<void> {
  const line = progressLine();
  const token = `ccc-cli-index-${process.pid}`;
  try {
    await withDaemon(clientOptions, (session) => {
      session.connection.onProgress(new ProgressType<IndexProgress>(), token, (progress) => line.update(progress));
      return session.connection.sendRequest(IndexRequest, { root, workDoneToken: token });
    });
  } finally {
    line.done();
  }
}

/** Prints the hits (or files) and returns the exit code: like rg, 1 when nothing matched. */
function printResult(result: SearchResult, options: OutputOptions): number {
  if (result.indexedFirst) notice('this project had not been indexed; indexed it first.');
  if (result.queryNote) notice(result.queryNote);
  if (result.indexing && !options.json) notice('an index pass is running; results may be incomplete.');
  const found = result.results.length > 0 || (result.files?.length ?? 0) > 0;
  if (options.json) {
    const { indexedFirst, indexing, ...rest } = result;
    printJson({ ...rest, ...(indexedFirst && { indexedFirst }), ...(indexing && { indexing }) });
    return found ? ExitCode.Ok : ExitCode.Failure;
  }
  const palette = choosePalette(process.stdout, options.color);
  if (!found) {
    const weak = result.weakHits > 0 ? ` (${result.weakHits} weak hit${result.weakHits === 1 ? '' : 's'} hidden; --weak shows them)` : '';
    process.stdout.write(`${result.noGoodMatch ? 'No good match' : 'No results'} for "${result.query}"${weak}.\n`);
    return ExitCode.Failure;
  }
  if (result.files) process.stdout.write(`${formatFileHits(result.files, palette)}\n`);
  else if (options.filesWithMatches) process.stdout.write(`${formatFilesWithMatches(result.results, palette)}\n`);
  else process.stdout.write(`${formatHits(result.results, { palette, context: options.context })}\n`);
  return ExitCode.Ok;
}

/** `--type-list`, as rg prints it: each language and the names that select it. */
function printTypeList(): void {
  const lines = languageNameList().map(({ id, names }) => `${id}: ${names.join(', ')}`.replace(/: $/, ''));
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Language names checked here, so a typo is a usage error at once rather than a search that finds nothing. */
function languageIds(names: string[]): string[] {
  try {
    return resolveLanguageNames(names);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function runSearch(words: string[], options: SearchOptions): Promise<void> {
  if (options.typeList) return printTypeList();
  const cwd = process.cwd();
  const query = words.join(' ').trim();
  if (!query) throw new UsageError('the query is empty: type what the code does or a name in it');
  const root = findProjectRoot(cwd);
  if (options.refresh) await refreshIndex(root);
  const params: SearchParams = {
    root,
    query,
    mode: options.mode,
    limit: options.limit,
    offset: options.offset,
    languages: languageIds([...options.type, ...options.lang]),
    paths: defaultPaths(root, cwd, [...options.glob, ...options.path]),
    kinds: options.kind,
    ...(options.maxPerFile !== undefined && { maxPerFile: options.maxPerFile }),
    ...(options.files && { files: true }),
    ...(options.weak && { includeWeak: true }),
  };
  const result = await withDaemon(clientOptions, (session) => session.connection.sendRequest(SearchRequest, params));
  process.exitCode = printResult(result, options);
}

async function runSimilar(location: string, options: SimilarOptions): Promise<void> {
  const target = parseLocation(location, process.cwd());
  const params: SimilarParams = { root: findProjectRoot(resolve(target.path, '..')), ...target, limit: options.limit };
  const result = await withDaemon(clientOptions, (session) => session.connection.sendRequest(SimilarRequest, params));
  process.exitCode = printResult(result, options);
}

export function register(program: Command): void {
  program
    .command('search')
    .description('search the current project by meaning and keywords')
    .argument('[query...]', 'what the code does, or names in it (a pasted bug report or stack trace works too)')
    .option('-n, --limit <n>', `results to show (1-${MAX_SEARCH_LIMIT})`, parseLimit, DEFAULT_SEARCH_LIMIT)
    .option('--offset <n>', 'skip this many results (paging)', parseOffset, 0)
    .option('-t, --type <language>', 'only this language, by name or rg\'s short name: py, ts, js, rs, go, c++, … (repeatable; --type-list lists them)', collect, [])
    .addOption(new Option('--lang <language>', 'same as --type').argParser(collect).default([]).hideHelp())
    .option('-g, --glob <glob>', 'only files matching this glob, relative to the project root; !GLOB excludes (repeatable)', collect, [])
    .addOption(new Option('-p, --path <glob>', 'same as --glob').argParser(collect).default([]).hideHelp())
    .option('-k, --kind <kind>', `only this kind of file: ${FILE_KINDS.join(', ')} (repeatable; default: all, code ranked first)`, collectKind, [])
    .option('--max-per-file <n>', `at most N hits per file, 0 = no cap (default: ${DEFAULT_MAX_PER_FILE} among the first hits, a file's others after)`, parseCount('--max-per-file'))
    .option('-m, --mode <mode>', `${SEARCH_MODES.join(' | ')}`, parseMode, 'hybrid' as SearchMode)
    .option('-C, --context <n>', 'lines of context around each hit\'s matching lines', parseCount('--context'), 0)
    .option('-l, --files-with-matches', 'print only the paths of files with hits, best first')
    .option('--files', 'rank files instead of chunks ("where should I look"): one line per file')
    .option('--weak', 'also show hits under the no-match floor')
    .option('--refresh', 'bring the index up to date before searching')
    .option('--type-list', 'list the language names -t accepts, then exit')
    .option('--json', 'print the daemon\'s result as JSON')
    .option('--no-color', 'never colour the output')
    .addHelpText('after', '\nExit status: 0 when something matched, 1 when nothing did (or on a failure), 2 on a usage error.')
    .action(runSearch);

  program
    .command('similar')
    .description('find code similar to a range of lines')
    .argument('<location>', 'FILE:START[-END], e.g. src/app.ts:10-30')
    .option('-n, --limit <n>', `results to show (1-${MAX_SEARCH_LIMIT})`, parseLimit, DEFAULT_SEARCH_LIMIT)
    .option('-C, --context <n>', 'lines of context around each hit\'s matching lines', parseCount('--context'), 0)
    .option('-l, --files-with-matches', 'print only the paths of files with hits, best first')
    .option('--json', 'print the daemon\'s result as JSON')
    .option('--no-color', 'never colour the output')
    .action(runSimilar);
}
