// One project root: its store of record, the search index built from it, its watcher and its state.
// Passes run one at a time; requests that arrive while one runs are merged into the single pass queued after it.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { resolveLanguageNames } from '../../grammars/language-names';
import type { Logger } from '../log';
import { projectIndexDir } from '../paths';
import {
  DEFAULT_MAX_PER_FILE,
  DEFAULT_SEARCH_LIMIT,
  MAX_QUERY_BYTES,
  ErrorCodes,
  FILE_KINDS,
  type FileKind,
  MAX_SEARCH_LIMIT,
  SEARCH_MODES,
  type IndexChangedParams,
  type IndexProgress,
  type IndexResult,
  type ProjectState,
  type ProjectStatus,
  type ProjectSummary,
  type SearchFilters,
  type SearchMode,
  type SearchParams,
  type SearchResult,
  type SimilarParams,
  type WatchMode,
} from '../protocol';
import type { Chunker } from './chunker';
import type { Embedder } from './embedder';
import type { EmbeddingCache } from './embedding-cache';
import { FULL_GC_AFTER_FILES, fullGc } from './full-gc';
import { fusionWeightsFor } from './fusion';
import { runIndexPass, type ProgressSink } from './indexer';
import { decodeChunkSnapshot, encodeChunkSnapshot } from './chunk-snapshot';
import { cutQuery } from './query-plan';
import { SearchIndex, type SearchQuery } from './search-index';
import { ChunkStore, type FileRecord } from './store';
import type { ProjectFilter } from './walker';
import { ProjectWatcher } from './watcher';

/** The parts every project shares: one model, one embedding cache, one parser worker per daemon. */
export interface Engine {
  embedder: Embedder;
  /** Opened on a pass's first need: a start that only searches does not read it. */
  cache: () => Promise<EmbeddingCache>;
  chunker: Chunker;
}

export interface ProjectOptions {
  root: string;
  home: string;
  log: Logger;
  engine: () => Promise<Engine>;
  onChanged: (change: IndexChangedParams) => void;
}

interface Loaded {
  engine: Engine;
  store: ChunkStore;
  searchIndex: SearchIndex;
}

/** Requests merged into one pass: `paths` null means the whole project. */
interface PendingPass {
  paths: Set<string> | null;
  force: boolean;
  sinks: ProgressSink[];
  done: Promise<IndexResult>;
  settle: (result: IndexResult | Error) => void;
}

export interface IndexRequestOptions {
  paths?: string[];
  force?: boolean;
}


export class Project {
  private state: ProjectState = 'notIndexed';
  private error: string | undefined;
  private progress: IndexProgress | undefined;
  private loading: Promise<Loaded> | null = null;
  private loaded: Loaded | null = null;
  private running: Promise<void> | null = null;
  private pending: PendingPass | null = null;
  private filter: ProjectFilter | null = null;
  private watcher: ProjectWatcher | null = null;
  private closing = false;
  /** The keyword snapshot being written, if any: one at a time. */
  private snapshotting: Promise<void> | null = null;
  /** True when the start read many records the chunk snapshot lacked (it was missing, damaged or old): write a new one. */
  private chunkSnapshotStale = false;
  /** The approximate vector index being trained and saved, if any: one at a time. */
  private training: Promise<void> | null = null;

  constructor(private readonly options: ProjectOptions) {}

  get root(): string {
    return this.options.root;
  }

  get busy(): boolean {
    return this.state === 'loading' || this.running !== null;
  }

  get watching(): WatchMode {
    return this.watcher?.mode ?? 'off';
  }

  summary(): ProjectSummary {
    return {
      root: this.root,
      state: this.state,
      files: this.loaded?.store.fileCount ?? 0,
      chunks: this.loaded?.store.chunkCount ?? 0,
      memoryBytes: this.loaded?.searchIndex.memoryBytes() ?? 0,
      indexBytes: this.loaded?.store.sizeOnDisk() ?? 0,
    };
  }

  async status(): Promise<ProjectStatus> {
    const { store, engine } = await this.load();
    const languages: Record<string, number> = {};
    for (const record of store.fileRecords().values()) {
      languages[record.language] = (languages[record.language] ?? 0) + record.chunkCount;
    }
    return {
      ...this.summary(),
      languages,
      indexBytes: store.sizeOnDisk(),
      model: engine.embedder.modelId,
      dimension: engine.embedder.dimension,
      lastIndexedAt: store.lastIndexedAt,
      watching: this.watching,
      ...(this.state === 'indexing' && this.progress ? { progress: this.progress } : {}),
      ...(this.state === 'error' && this.error ? { error: this.error } : {}),
    };
  }

  /**
   * A copy of the stored file records for `ccc doctor` to compare with the disk. Taken as soon as the store is loaded,
   * before the catch-up pass that opening schedules can change it, so files changed while no daemon ran show as stale.
   */
  async storedFiles(): Promise<{ files: Map<string, FileRecord>; chunks: number; bytes: number; indexing: boolean }> {
    const { store } = await this.load();
    return { files: store.fileRecords(), chunks: store.chunkCount, bytes: store.sizeOnDisk(), indexing: this.running !== null || this.pending !== null };
  }

  /** Runs a pass, or joins the one queued behind the running pass (then `waited` is true). */
  async index(request: IndexRequestOptions, sink: ProgressSink): Promise<IndexResult> {
    await this.load();
    const waited = this.running !== null;
    const pass = (this.pending ??= newPendingPass());
    if (request.force) pass.force = true;
    if (!request.paths || request.force) pass.paths = null;
    else if (pass.paths) for (const path of request.paths) pass.paths.add(path);
    pass.sinks.push(sink);
    this.drain();
    return { ...(await pass.done), waited };
  }

  async search(params: SearchParams, sink: ProgressSink): Promise<SearchResult> {
    const started = Date.now();
    const { text: query, note } = cutQuery(checkQuery(params.query));
    const mode = checkMode(params.mode);
    const shape = checkShape(params);
    const { loaded, indexedFirst } = await this.loadIndexed(sink);
    const vector = mode === 'keyword' ? null : (await loaded.engine.embedder.embed([query], 'query'))[0];
    const outcome = loaded.searchIndex.search({ text: query, vector, mode, ...checkPaging(params), ...filters(params), ...shape });
    const indexing = this.running !== null || loaded.searchIndex.warming;
    return {
      query, mode, tookMs: Date.now() - started, results: outcome.hits, ...(outcome.files ? { files: outcome.files } : {}),
      noGoodMatch: outcome.noGoodMatch, weakHits: outcome.weakHits, ...(note ? { queryNote: note } : {}), indexedFirst, indexing,
    };
  }

  /** Chunks like the given lines of a file (the chunk itself left out) or like a piece of code. */
  async similar(params: SimilarParams): Promise<SearchResult> {
    const started = Date.now();
    const { loaded, indexedFirst } = await this.loadIndexed(() => {});
    const { text, exclude, label } = await this.similarSource(params, loaded);
    const vector = (await loaded.engine.embedder.embed([text], 'document'))[0];
    // Like-this searches have no words to judge by: every neighbour is shown, nearest first.
    const outcome = loaded.searchIndex.search({
      text: '', vector, mode: 'semantic', ...checkPaging(params), ...filters(params), exclude, includeWeak: true,
    });
    return {
      query: label, mode: 'semantic', tookMs: Date.now() - started, results: outcome.hits, indexedFirst, indexing: this.running !== null,
      noGoodMatch: false, weakHits: 0,
    };
  }

  /**
   * Stops the watcher and flushes the store without waiting for a running pass: the pass ends at its next step, and
   * what it had not landed is redone by the next pass (the store is crash-safe), so closing takes a moment even mid-pass.
   */
  async close(): Promise<void> {
    this.closing = true;
    await this.watcher?.close();
    this.watcher = null;
    await this.snapshotting;
    const loaded = await this.loading?.catch(() => null);
    await loaded?.store.close();
  }

  /** Closes the project and deletes its stored index. */
  async destroy(): Promise<void> {
    await this.close();
    await ChunkStore.destroy(this.indexDir());
  }

  private indexDir(): string {
    return projectIndexDir(this.options.home, this.root);
  }

  private load(): Promise<Loaded> {
    if (this.closing) return Promise.reject(new ResponseError(ErrorCodes.ShuttingDown, `${this.root} is being closed; retry in a moment`));
    this.loading ??= this.open().catch((error) => {
      this.loading = null;
      this.setState('error', oneLine(error));
      throw error;
    });
    return this.loading;
  }

  private async open(): Promise<Loaded> {
    this.setState('loading');
    const engine = await this.options.engine();
    const model = { modelId: engine.embedder.modelId, dimension: engine.embedder.dimension };
    const store = await ChunkStore.open(this.indexDir(), model, this.options.log);
    const { searchIndex, warmed, chunkSnapshotStale } = await buildSearchIndex(store, model, this.options.log);
    this.chunkSnapshotStale = chunkSnapshotStale;
    const loaded = (this.loaded = { engine, store, searchIndex });
    void warmed.then(() => {
      this.saveSnapshotIfDue(loaded);
      this.trainVectorsIfDue(loaded);
    });
    this.options.log.info(`project ${this.root}: loaded ${store.fileCount} files, ${store.chunkCount} chunks`);
    this.setState(store.lastIndexedAt === null ? 'notIndexed' : 'ready');
    if (store.rebuiltReason) this.options.log.warn(`project ${this.root}: index dropped (${store.rebuiltReason}); running a full pass`);
    if (store.rebuiltReason || store.lastIndexedAt !== null) setImmediate(() => void this.catchUp());
    return this.loaded;
  }

  /**
   * Files may have changed while no daemon watched them (it was stopped, or the machine was off), so a stored index is
   * brought up to date by one pass when it is opened. The watcher starts first, so nothing that changes meanwhile is missed.
   */
  private async catchUp(): Promise<void> {
    try {
      await this.startWatcher();
      await this.index({}, () => {});
    } catch (error) {
      this.options.log.warn(`bringing ${this.root} up to date failed: ${oneLine(error)}`);
    }
  }

  /** The loaded project, indexed first when it never was. */
  private async loadIndexed(sink: ProgressSink): Promise<{ loaded: Loaded; indexedFirst: boolean }> {
    const loaded = await this.load();
    if (loaded.store.lastIndexedAt !== null) return { loaded, indexedFirst: false };
    await this.index({}, sink);
    return { loaded: await this.load(), indexedFirst: true };
  }

  /** Starts the pending pass unless one is running; when that one ends, the next pending pass starts. */
  private drain(): void {
    if (this.running || !this.pending) return;
    const pass = this.pending;
    this.pending = null;
    this.running = this.execute(pass).then(pass.settle, pass.settle).finally(() => {
      this.running = null;
      this.drain();
    });
  }

  private async execute(pass: PendingPass): Promise<IndexResult> {
    const loaded = await this.load();
    this.setState('indexing');
    const sink: ProgressSink = (progress) => {
      this.progress = progress;
      for (const each of pass.sinks) each(progress);
      if (progress.kind === 'report') this.notify(progress.percentage);
    };
    try {
      const { result, filter } = await runIndexPass(
        { root: this.root, log: this.options.log, ...loaded, ...loaded.engine, cache: await loaded.engine.cache(), shouldStop: () => this.closing },
        { paths: pass.paths ? [...pass.paths] : undefined, force: pass.force },
        sink,
      );
      // Stamps the pass even when it changed nothing, so a project with no files counts as indexed.
      if (!pass.paths) await loaded.store.apply([]);
      this.filter = filter;
      const { added, updated, deleted } = result.counts;
      // Passes that found nothing (catch-up, polling) are routine: logged only at debug level.
      const level = added + updated + deleted > 0 ? 'info' : 'debug';
      this.options.log[level](`project ${this.root}: pass done in ${result.tookMs} ms: ${JSON.stringify(result.counts)}`);
      // Before `ready`: a front end re-runs its partial search on `ready`, and an answer while this runs is still partial.
      if (added + updated + deleted >= FULL_GC_AFTER_FILES) await this.settleAfterBigPass(loaded);
      this.progress = undefined;
      this.setState('ready');
      void this.startWatcher();
      this.saveSnapshotIfDue(loaded);
      this.trainVectorsIfDue(loaded);
      return result;
    } catch (error) {
      this.progress = undefined;
      this.setState('error', oneLine(error));
      throw error;
    }
  }

  /**
   * Gives back what a pass over many files grew: the parse worker goes, the keyword index's recent part is frozen (so
   * its Maps and the merge's garbage die now, not after the collection), then a compacting full GC.
   */
  private async settleAfterBigPass(loaded: Loaded): Promise<void> {
    loaded.engine.chunker.release();
    // A failed freeze leaves the keyword index whole and answering; the snapshot's freeze tries again.
    await loaded.searchIndex.freezeKeywords().catch((error) => this.options.log.warn(`project ${this.root}: keyword freeze failed: ${oneLine(error)}`));
    this.options.log.info(`keyword index frozen; full GC after the pass took ${fullGc()} ms`);
  }

  /**
   * Writes, in the background, the snapshots the next start loads instead of reading every record and tokenising every
   * chunk, once much changed since the last ones: the store's checkpoint with the chunk snapshot, and the keyword
   * index's. A failure costs only that time at the next start, so it is logged, not raised.
   */
  private saveSnapshotIfDue(loaded: Loaded): void {
    const { store, searchIndex } = loaded;
    const checkpoint = store.checkpointDue || this.chunkSnapshotStale;
    const keywords = searchIndex.snapshotDue;
    if (this.snapshotting || this.closing || !(checkpoint || keywords)) return;
    this.chunkSnapshotStale = false;
    const save = async (what: string, write: () => Promise<void>) => {
      const started = Date.now();
      try {
        await write();
        this.options.log.info(`project ${this.root}: ${what} saved in ${Date.now() - started} ms`);
      } catch (error) {
        this.options.log.warn(`project ${this.root}: could not save the ${what}: ${oneLine(error)}`);
      }
    };
    this.snapshotting = (async () => {
      if (checkpoint) {
        await save('chunk snapshot', () => store.writeSidecar('chunks.bin', encodeChunkSnapshot(searchIndex.chunkSnapshot(), store.dimension)));
        await save('store checkpoint', () => store.writeCheckpoint());
      }
      if (keywords) await save('keyword snapshot', async () => store.writeSidecar('keywords.bin', await searchIndex.keywordSnapshot()));
    })().finally(() => (this.snapshotting = null));
  }

  /**
   * Trains the approximate vector index when the chunk count calls for it (in slices; searches scan exactly meanwhile)
   * and saves its lists, so the next start adopts them.
   */
  private trainVectorsIfDue(loaded: Loaded): void {
    if (this.training || this.closing) return;
    const started = Date.now();
    this.training = loaded.searchIndex
      .maintainVectors()
      .then(async (bytes) => {
        if (!bytes || this.closing) return;
        await loaded.store.writeSidecar('vectors.bin', [bytes]);
        this.options.log.info(`project ${this.root}: approximate vector index trained and saved in ${Date.now() - started} ms`);
      })
      .catch((error) => this.options.log.warn(`project ${this.root}: could not train the approximate vector index: ${oneLine(error)}`))
      .finally(() => (this.training = null));
  }

  private async startWatcher(): Promise<void> {
    if (this.watcher || this.closing) return;
    const watcher = new ProjectWatcher({
      root: this.root,
      home: this.options.home,
      log: this.options.log,
      accepts: (relPath, isDir) => this.filter?.accepts(relPath, isDir) ?? true,
      onChanges: (paths, rulesChanged) => {
        this.index(rulesChanged ? {} : { paths }, () => {}).catch((error) =>
          this.options.log.warn(`indexing changes in ${this.root} failed: ${oneLine(error)}`),
        );
      },
    });
    this.watcher = watcher;
    await watcher.start();
  }

  private async similarSource(params: SimilarParams, loaded: Loaded): Promise<{ text: string; exclude?: SearchQuery['exclude']; label: string }> {
    if (typeof params.code === 'string') {
      const code = params.code.trim();
      if (!code) throw invalid('code is empty: pass the code to find similar chunks for');
      return { text: code.slice(0, MAX_QUERY_BYTES), label: firstLine(code) };
    }
    const { path, startLine, endLine } = params;
    if (typeof path !== 'string' || !path) throw invalid('give either code or a path with startLine and endLine');
    if (!Number.isInteger(startLine) || !Number.isInteger(endLine) || startLine! < 1 || endLine! < startLine!) {
      throw invalid(`startLine and endLine must be line numbers with 1 <= startLine <= endLine (got ${startLine}-${endLine})`);
    }
    const rel = relative(this.root, isAbsolute(path) ? path : join(this.root, path)).split(sep).join('/');
    const label = `${rel}:${startLine}-${endLine}`;
    const location = loaded.store.locationOf(rel);
    const stored = location ? (await loaded.store.readChunks(location)).chunks : [];
    const overlapping = stored.filter((chunk) => chunk.startLine <= endLine! && chunk.endLine >= startLine!);
    if (overlapping.length > 0) {
      const text = overlapping.map((chunk) => chunk.content).join('\n').slice(0, MAX_QUERY_BYTES);
      return { text, exclude: { path: rel, startLine: startLine!, endLine: endLine! }, label };
    }
    const text = await readFile(join(this.root, rel), 'utf8').catch(() => {
      throw invalid(`cannot read ${rel}: give a file inside ${this.root}`);
    });
    const lines = text.split('\n').slice(startLine! - 1, endLine!).join('\n').trim();
    if (!lines) throw invalid(`${label} holds no text`);
    return { text: lines.slice(0, MAX_QUERY_BYTES), exclude: { path: rel, startLine: startLine!, endLine: endLine! }, label };
  }

  private setState(state: ProjectState, error?: string): void {
    this.state = state;
    this.error = error;
    this.notify();
  }

  private notify(percentage?: number): void {
    const change: IndexChangedParams = { ...this.summary(), ...(percentage !== undefined ? { percentage } : {}) };
    if (this.error) change.error = this.error;
    this.options.onChanged(change);
  }
}

function newPendingPass(): PendingPass {
  let settle!: (result: IndexResult | Error) => void;
  const done = new Promise<IndexResult>((resolve, reject) => {
    settle = (result) => (result instanceof Error ? reject(result) : resolve(result));
  });
  // A pass nobody awaits (the watcher's) must not crash the daemon when it fails.
  done.catch(() => undefined);
  return { paths: new Set(), force: false, sinks: [], done, settle };
}

/**
 * The search index of a loaded store. Vectors and filters are searchable once the chunks are placed; the keyword index
 * fills in the background (`SearchIndex.warming`, reported as `indexing`) from its snapshot, tokenising only the chunks
 * the snapshot lacks, so a large project answers its first search in a moment.
 */
async function buildSearchIndex(
  store: ChunkStore, model: { modelId: string; dimension: number }, log: Logger,
): Promise<{ searchIndex: SearchIndex; warmed: Promise<void>; chunkSnapshotStale: boolean }> {
  const exactVectors = process.env.CCC_EXACT_VECTORS === '1';
  const searchIndex = await SearchIndex.create(model.dimension, store, fusionWeightsFor(model.modelId), exactVectors);
  const started = Date.now();
  // Read at once: the files are large at scale, and reading overlaps with placing the chunks.
  const reads = { chunks: store.readSidecar('chunks.bin'), keywords: store.readSidecar('keywords.bin'), vectors: store.readSidecar('vectors.bin') };
  const adopted = adoptChunkSnapshot(await reads.chunks, searchIndex, store, model.dimension, log);
  await store.loadChunks(false, (chunks) => void searchIndex.place(chunks), (path) => adopted.has(path));
  log.info(`${searchIndex.count} chunks placed in ${Date.now() - started} ms (${adopted.size} of ${store.fileCount} files from the chunk snapshot)`);
  const snapshots = { keywords: await reads.keywords, vectors: await reads.vectors };
  const warmed = searchIndex
    .warm(snapshots, (message) => log.info(message), (message) => log.warn(message))
    .then(() => log.info(`keyword index of ${searchIndex.count} chunks ready in ${((Date.now() - started) / 1000).toFixed(1)} s`))
    .catch((error) => log.error(`keyword index build failed: ${oneLine(error)}`));
  return { searchIndex, warmed, chunkSnapshotStale: adopted.size < store.fileCount * (1 - STALE_SNAPSHOT_SHARE) };
}

/** The share of files a start may read from their records, rather than the chunk snapshot, before it writes a new one. */
const STALE_SNAPSHOT_SHARE = 0.05;

/** Places the chunks of `chunks.bin` whose records have not moved since it was saved; the paths of their files. */
function adoptChunkSnapshot(data: Buffer | null, searchIndex: SearchIndex, store: ChunkStore, dimension: number, log: Logger): Set<string> {
  if (!data) return new Set();
  try {
    return searchIndex.adopt(decodeChunkSnapshot(data, dimension), (path) => store.locationOf(path));
  } catch (error) {
    log.warn(oneLine(error));
    return new Set();
  }
}

function invalid(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, message);
}

function checkQuery(query: unknown): string {
  const text = typeof query === 'string' ? query.trim() : '';
  if (!text) throw invalid('query is empty: type what you are looking for');
  return text;
}

function checkShape(params: SearchParams): { includeWeak: boolean; files: boolean } {
  const flag = (value: unknown, name: string): boolean => {
    if (value === undefined) return false;
    if (typeof value !== 'boolean') throw invalid(`${name} must be true or false (got ${JSON.stringify(value)})`);
    return value;
  };
  return { includeWeak: flag(params.includeWeak, 'includeWeak'), files: flag(params.files, 'files') };
}

function checkMode(mode: unknown): SearchMode {
  if (mode === undefined) return 'hybrid';
  if (!SEARCH_MODES.includes(mode as SearchMode)) throw invalid(`mode must be one of ${SEARCH_MODES.join(', ')} (got ${JSON.stringify(mode)})`);
  return mode as SearchMode;
}

/** Out-of-range values are refused, not clamped, so a caller learns that its limit was not honoured. */
function checkPaging(params: { limit?: number; offset?: number; maxPerFile?: number }): { limit: number; offset: number; maxPerFile?: number } {
  const { limit = DEFAULT_SEARCH_LIMIT, offset = 0, maxPerFile } = params;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
    throw invalid(`limit must be a whole number from 1 to ${MAX_SEARCH_LIMIT} (got ${JSON.stringify(limit)})`);
  }
  if (!Number.isInteger(offset) || offset < 0) throw invalid(`offset must be a whole number >= 0 (got ${JSON.stringify(offset)})`);
  if (maxPerFile !== undefined && (!Number.isInteger(maxPerFile) || maxPerFile < 0)) {
    const why = `omit it for the default (${DEFAULT_MAX_PER_FILE} first, the rest after other files' hits)`;
    throw invalid(`maxPerFile must be a whole number >= 0 (got ${JSON.stringify(maxPerFile)}); ${why}`);
  }
  return { limit, offset, ...(maxPerFile !== undefined ? { maxPerFile } : {}) };
}

function filters(params: SearchFilters): Required<SearchFilters> {
  const list = (value: unknown, name: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw invalid(`${name} must be a list of strings`);
    return value;
  };
  const kinds = list(params.kinds, 'kinds');
  const unknown = kinds.find((kind) => !(FILE_KINDS as readonly string[]).includes(kind));
  if (unknown !== undefined) throw invalid(`unknown file kind "${unknown}"; use one of: ${FILE_KINDS.join(', ')}`);
  let languages: string[];
  try {
    languages = resolveLanguageNames(list(params.languages, 'languages'));
  } catch (error) {
    throw invalid((error as Error).message);
  }
  return { languages, paths: list(params.paths, 'paths'), kinds: kinds as FileKind[] };
}

function firstLine(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
