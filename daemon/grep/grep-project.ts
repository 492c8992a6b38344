// `ccc/grep`: walks the project as the indexer does (same ignores and settings), reads each file as the indexer reads
// it, skips files that lack a token every match must contain, and parses the rest in two worker threads, reporting
// matches in small batches as they are found. It needs no index, and it does not wait for the walk: files are matched
// as the walk finds them, so on a large tree the first matches come while it still runs, as rg's do.
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
  /** Told once the walk has listed every file (how many): matches found before this came while it still ran. */
  walked?: (files: number) => void;
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
  const workers = new GrepWorkers(options.distDir, WORKERS);
  try {
    const patterns = new PatternCache(workers, pattern);
    // With a language given, a pattern that does not parse is refused before anything is walked.
    if (language) patterns.throwIfInvalid(await patterns.required(language));
    const queue = new FileQueue();
    const walk = listFiles(params.root, settings, params.paths ?? [], (file) => {
      if (!language || file.language === language) queue.push(file);
    }).then((listed) => {
      options.walked?.(listed);
      queue.close();
    }, (error: unknown) => {
      queue.close();
      throw error;
    });
    const batch = new Batch(options.report);
    const stopped = options.stopped ?? (() => false);
    const result = await matchFiles(workers, queue, patterns, settings, maxCount, batch, stopped);
    await walk;
    if (stopped()) options.log?.info(`ccc grep stopped after ${result.filesSearched} files (${queue.pushed} listed): its client left or cancelled`);
    batch.flush();
    await batch.sent();
    if (result.filesSearched > 0 || queue.pushed > 0) patterns.throwIfNoneParsed();
    return { ...result, languages: patterns.parsedLanguages(), tookMs: Math.round(performance.now() - started) };
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

/**
 * Hands each project file that a grammar parses to `onFile` as the walk finds it, and returns how many there were;
 * `paths` narrows the walk to those files and folders (a named file is searched even if ignored, as rg does).
 */
async function listFiles(root: string, settings: ProjectSettings, paths: string[], onFile: (file: GrepFile) => void): Promise<number> {
  const filter = await ProjectFilter.load(root, settings);
  const seen = new Set<string>();
  const found = ({ path, absPath }: { path: string; absPath: string }) => {
    if (seen.has(path)) return;
    seen.add(path);
    const language = languageForPath(path, settings.languageOverrides);
    if (languageSpec(language)?.grammar) onFile({ path, absPath, language });
  };
  const targets: { rel: string; isFile: boolean }[] = [];
  for (const given of paths.length > 0 ? paths : ['']) {
    const path = normalize(given || '.').replace(/\\/g, '/').replace(/\/+$/, '');
    if (isAbsolute(path) || path === '..' || path.startsWith('../')) invalid(`path "${given}" is outside the project ${root}`);
    const rel = path === '.' ? '' : path;
    const info = await stat(join(root, rel)).catch(() => null);
    if (!info) invalid(`path "${given}" does not exist in ${root}`);
    targets.push({ rel, isFile: info.isFile() });
  }
  for (const { rel, isFile } of targets) {
    if (isFile) found({ path: rel, absPath: join(root, rel) });
    else await walkFolder(filter, settings, rel, found);
  }
  return seen.size;
}

/** Files as the walk finds them, for the matching lanes; a lane waits for the next file or the walk's end. */
class FileQueue {
  private readonly files: GrepFile[] = [];
  private waiting: (() => void)[] = [];
  private closed = false;
  pushed = 0;

  push(file: GrepFile): void {
    this.files.push(file);
    this.pushed++;
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /** The next file, or undefined once the walk has ended and every file was taken. */
  async next(): Promise<GrepFile | undefined> {
    while (this.files.length === 0 && !this.closed) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.files.shift();
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

/**
 * The pattern compiled in every worker, per language, the first time a file of that language comes: the tokens its
 * matches must hold, or null where the language's grammar does not parse the pattern (the first such error is kept:
 * when no language parses it, that is the caller's error).
 */
class PatternCache {
  private readonly compiled = new Map<string, Promise<string[] | null>>();
  private firstError: { message: string; data: GrepPatternErrorData } | undefined;
  private readonly parsed = new Set<string>();

  constructor(private readonly workers: GrepWorkers, private readonly pattern: string) {}

  required(language: string): Promise<string[] | null> {
    let compiling = this.compiled.get(language);
    if (!compiling) {
      compiling = this.compile(language);
      this.compiled.set(language, compiling);
    }
    return compiling;
  }

  throwIfInvalid(required: string[] | null): void {
    if (required === null) this.throwIfNoneParsed();
  }

  throwIfNoneParsed(): void {
    if (this.parsed.size === 0 && this.firstError) invalid(this.firstError.message, this.firstError.data);
  }

  parsedLanguages(): string[] {
    return [...this.parsed].sort();
  }

  private async compile(language: string): Promise<string[] | null> {
    const grammar = languageSpec(language)!.grammar!;
    const replies = await Promise.all(
      Array.from({ length: this.workers.count }, (_, i) => this.workers.send(i, { kind: 'compile', language, grammar, pattern: this.pattern })),
    );
    const reply = replies[0];
    if (reply.kind === 'compiled') {
      this.parsed.add(language);
      return reply.required;
    }
    if (reply.kind === 'invalid') this.firstError ??= { message: reply.message, data: { language, line: reply.line, column: reply.column } };
    else if (reply.kind === 'failed') throw new Error(`the pattern could not be compiled for ${language}: ${reply.error}`);
    return null;
  }
}

async function matchFiles(
  workers: GrepWorkers,
  queue: FileQueue,
  patterns: PatternCache,
  settings: ProjectSettings,
  maxCount: number,
  batch: Batch,
  stopped: () => boolean,
): Promise<Pick<GrepResult, 'matches' | 'filesSearched' | 'filesMatched'>> {
  let filesSearched = 0;
  let filesMatched = 0;
  let matches = 0;
  const searchOne = async (file: GrepFile) => {
    const required = await patterns.required(file.language);
    if (required === null) return;
    const read = await readSourceFile(file.absPath, settings.maxFileSize);
    if (!read.ok) return;
    filesSearched++;
    if (!required.every((token) => read.text.includes(token))) return;
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
    for (let file = await queue.next(); file && !stopped(); file = await queue.next()) await searchOne(file);
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
