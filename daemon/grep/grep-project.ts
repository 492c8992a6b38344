// `ccc/grep`: walks the project as the indexer does (same ignores and settings), reads each file as the indexer reads
// it, skips files that lack a token every match must contain, and parses the rest in two worker threads, reporting
// matches in small batches as they are found. It needs no index.
import { stat } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { languageForPath, languageSpec } from '../../grammars/languages';
import type { Logger } from '../log';
import { ErrorCodes, type GrepMatch, type GrepParams, type GrepPatternErrorData, type GrepResult } from '../protocol';
import { loadProjectSettings, type ProjectSettings } from '../index/settings';
import { ProjectFilter, readSourceFile, walkFolder } from '../index/walker';
import { fileKind } from '../index/file-kind';
import { grepLanguage, grepLanguages } from './grep-language';
import { GrepWorkers } from './grep-workers';

/** Two parsing threads: the machines ccc targets have few cores, and the daemon's own thread reads and filters. */
const WORKERS = 2;
/** Files read or waiting in a worker at once: enough that neither worker ever waits for the disk. */
const IN_FLIGHT = 8;
/** Matches are sent when this many are waiting, or this long after the first of them was found. */
const BATCH_MATCHES = 32;
const BATCH_MS = 15;
/** Batches written but not yet flushed to the socket before the search waits for the client to read. */
const BATCHES_UNSENT = 8;

export interface GrepOptions {
  /** Holds grep-worker.js and grammars/. */
  distDir: string;
  /** Sends a batch; settles when it is written, so a client that does not read holds the search back. */
  report: (matches: GrepMatch[]) => Promise<void>;
  /** True once the client is gone or cancelled: the search stops at the next file. */
  stopped?: () => boolean;
  log?: Logger;
}

interface GrepFile {
  path: string;
  absPath: string;
  language: string;
}

export async function grepProject(params: GrepParams, options: GrepOptions): Promise<GrepResult> {
  const started = performance.now();
  const { pattern, language, maxCount } = checkParams(params);
  const settings = loadProjectSettings(params.root);
  const files = (await listFiles(params.root, settings, params.paths ?? [])).filter((file) => !language || file.language === language);
  const workers = new GrepWorkers(options.distDir, WORKERS);
  try {
    const required = await compileAll(workers, pattern, language ? [language] : byFrequency(files));
    const batch = new Batch(options.report);
    const searched = files.filter((file) => required.has(file.language));
    const stopped = options.stopped ?? (() => false);
    const result = await matchFiles(workers, searched, required, settings, maxCount, batch, stopped);
    if (stopped()) options.log?.info(`ccc grep stopped after ${result.filesSearched} of ${searched.length} files: its client left or cancelled`);
    batch.flush();
    await batch.sent();
    return { ...result, languages: [...required.keys()].sort(), tookMs: Math.round(performance.now() - started) };
  } finally {
    await workers.close();
  }
}

function checkParams(params: GrepParams): { pattern: string; language?: string; maxCount: number } {
  if (typeof params.pattern !== 'string' || !params.pattern.trim()) invalid('the pattern is empty: write code, with $NAME where any node may stand');
  let language: string | undefined;
  if (params.language !== undefined && params.language !== '') {
    language = grepLanguage(String(params.language));
    if (!language) invalid(`ccc cannot parse language "${params.language}"; use one of: ${grepLanguages().join(', ')}`);
  }
  const maxCount = params.maxCount ?? Infinity;
  if (!(maxCount === Infinity || (Number.isInteger(maxCount) && maxCount >= 1))) invalid(`maxCount must be a whole number of at least 1, got ${params.maxCount}`);
  if (params.paths !== undefined && !(Array.isArray(params.paths) && params.paths.every((path) => typeof path === 'string'))) {
    invalid('paths must be a list of files or folders relative to the root');
  }
  return { pattern: params.pattern, language, maxCount };
}

function invalid(message: string, data?: GrepPatternErrorData): never {
  throw new ResponseError(ErrorCodes.InvalidParams, message, data);
}

/** The project's files that a grammar parses; `paths` narrows the walk to those files and folders (a named file is searched even if ignored, as rg does). */
async function listFiles(root: string, settings: ProjectSettings, paths: string[]): Promise<GrepFile[]> {
  const filter = await ProjectFilter.load(root, settings);
  const found = new Map<string, { path: string; absPath: string }>();
  for (const given of paths.length > 0 ? paths : ['']) {
    const path = normalize(given || '.').replace(/\\/g, '/').replace(/\/+$/, '');
    if (isAbsolute(path) || path === '..' || path.startsWith('../')) invalid(`path "${given}" is outside the project ${root}`);
    const rel = path === '.' ? '' : path;
    const absPath = join(root, rel);
    const info = await stat(absPath).catch(() => null);
    if (!info) invalid(`path "${given}" does not exist in ${root}`);
    if (info.isFile()) found.set(rel, { path: rel, absPath });
    else for (const file of (await walkFolder(filter, settings, rel)).files) found.set(file.path, file);
  }
  const files: GrepFile[] = [];
  for (const { path, absPath } of found.values()) {
    const language = languageForPath(path, settings.languageOverrides);
    if (languageSpec(language)?.grammar) files.push({ path, absPath, language });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function byFrequency(files: GrepFile[]): string[] {
  const counts = new Map<string, number>();
  for (const file of files) counts.set(file.language, (counts.get(file.language) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([language]) => language);
}

/**
 * Compiles the pattern in every worker for each language; returns the tokens each language's matches must contain.
 * Languages whose grammar does not parse the pattern are left out; when none parses it, that is the caller's error.
 */
async function compileAll(workers: GrepWorkers, pattern: string, languages: string[]): Promise<Map<string, string[]>> {
  const required = new Map<string, string[]>();
  let firstError: { message: string; data: GrepPatternErrorData } | undefined;
  for (const language of languages) {
    const grammar = languageSpec(language)!.grammar!;
    const replies = await Promise.all(
      Array.from({ length: workers.count }, (_, i) => workers.send(i, { kind: 'compile', language, grammar, pattern })),
    );
    const reply = replies[0];
    if (reply.kind === 'compiled') required.set(language, reply.required);
    else if (reply.kind === 'invalid') firstError ??= { message: reply.message, data: { language, line: reply.line, column: reply.column } };
    else if (reply.kind === 'failed') throw new Error(`the pattern could not be compiled for ${language}: ${reply.error}`);
  }
  if (required.size === 0 && firstError) invalid(firstError.message, firstError.data);
  return required;
}

async function matchFiles(
  workers: GrepWorkers,
  files: GrepFile[],
  required: Map<string, string[]>,
  settings: ProjectSettings,
  maxCount: number,
  batch: Batch,
  stopped: () => boolean,
): Promise<Pick<GrepResult, 'matches' | 'filesSearched' | 'filesMatched'>> {
  let next = 0;
  let filesSearched = 0;
  let filesMatched = 0;
  let matches = 0;
  const searchOne = async (file: GrepFile) => {
    const read = await readSourceFile(file.absPath, settings.maxFileSize);
    if (!read.ok) return;
    filesSearched++;
    if (!required.get(file.language)!.every((token) => read.text.includes(token))) return;
    const reply = await workers.send(workers.leastBusy(), { kind: 'match', language: file.language, text: read.text, maxCount });
    if (reply.kind === 'failed') throw new Error(`${file.path}: ${reply.error}`);
    if (reply.kind !== 'matches' || reply.matches.length === 0) return;
    filesMatched++;
    matches += reply.matches.length;
    const kind = fileKind(file.path);
    batch.add(reply.matches.map((match) => ({ path: file.path, language: file.language, kind, ...match })));
    await batch.writable();
  };
  const lane = async () => {
    while (next < files.length && !stopped()) await searchOne(files[next++]);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return { matches, filesSearched, filesMatched };
}

/** Gathers matches into a few notifications: one per match would cost more than the matching on a busy tree. */
class Batch {
  private waiting: GrepMatch[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly unsent = new Set<Promise<void>>();

  constructor(private readonly send: (matches: GrepMatch[]) => Promise<void>) {}

  add(matches: GrepMatch[]): void {
    this.waiting.push(...matches);
    if (this.waiting.length >= BATCH_MATCHES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length === 0) return;
    const sending = this.send(this.waiting).finally(() => this.unsent.delete(sending));
    this.unsent.add(sending);
    this.waiting = [];
  }

  /** Resolves once few enough batches wait to be written. */
  async writable(): Promise<void> {
    while (this.unsent.size >= BATCHES_UNSENT) await Promise.race(this.unsent);
  }

  /** Resolves when every batch is written, so the response comes after the last of them. */
  async sent(): Promise<void> {
    await Promise.all(this.unsent);
  }
}
