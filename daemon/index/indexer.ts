// One index pass over a project: list the files (a full walk, or only the given paths), compare them with the
// store, re-chunk and embed what changed, and land the changes in the store and the search index in batches,
// so that a pass killed midway loses little and search sees new files while the pass runs.
import { lstat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { languageForPath } from '../../grammars/languages';
import type { Logger } from '../log';
import { type FileProblem, type IndexCounts, type IndexProgress, type IndexResult, type IndexTimings } from '../protocol';
import type { Chunk, Chunker, SourceFile } from './chunker';
import type { Embedder } from './embedder';
import { textHash, type EmbeddingCache } from './embedding-cache';
import { loadProjectSettings, type ProjectSettings } from './settings';
import type { ChunkStore, FileRecord, FileUpdate, RecordLocation, StoredChunk } from './store';
import type { SearchIndex } from './search-index';
import { ProjectFilter, readSourceFile, walkFolder, type WalkedFile } from './walker';

export type ProgressSink = (progress: IndexProgress) => void;

/** What a pass works with; the project owns all of it. */
export interface PassContext {
  root: string;
  log: Logger;
  store: ChunkStore;
  searchIndex: SearchIndex;
  embedder: Embedder;
  cache: EmbeddingCache;
  chunker: Chunker;
  /** Checked between batches: a closing daemon ends the pass early, keeping what already landed. */
  shouldStop: () => boolean;
}

export interface PassRequest {
  /** Only these files or folders (absolute or root-relative); omitted: the whole project. */
  paths?: string[];
  /**
   * Re-read and re-chunk every file as if new, replacing each file's chunks in place: searches keep the rest of the index
   * while the rebuild runs, where dropping the index first would leave them nothing to answer from.
   */
  force?: boolean;
}

export interface PassOutcome {
  result: IndexResult;
  /** The ignore rules this pass used, for the watcher. */
  filter: ProjectFilter;
}

/** Files per store write: small enough that a killed pass loses little, large enough to batch the embedder. */
const FILES_PER_BATCH = 100;
const BYTES_PER_BATCH = 1_000_000;
/** Files read at once. */
const READ_CONCURRENCY = 16;
const PROGRESS_INTERVAL_MS = 100;
const MAX_PROBLEMS = 200;

interface Listing {
  files: WalkedFile[];
  /** Root-relative paths to remove from the index. */
  deletions: string[];
  skipped: FileProblem[];
}

interface ChangedFile {
  file: WalkedFile;
  text: string;
  hash: string;
  language: string;
  isNew: boolean;
}

/** A file whose content the store already holds under some record: it takes that record's chunks. */
interface KnownFile {
  file: WalkedFile;
  hash: string;
  location: RecordLocation;
}

export async function runIndexPass(ctx: PassContext, request: PassRequest, progress: ProgressSink): Promise<PassOutcome> {
  const started = Date.now();
  // Read fresh every pass: an edited settings file takes effect without a restart; a bad one throws SettingsError.
  const settings = loadProjectSettings(ctx.root);
  const filter = await ProjectFilter.load(ctx.root, settings);
  const records = ctx.store.fileRecords();
  const listStarted = Date.now();
  const listing = request.paths
    ? await listPaths(ctx.root, request.paths, filter, settings, records)
    : await listProject(filter, settings, records);
  const pass = new Pass(ctx, settings, records, request.force ?? false, progress);
  pass.timings.walkMs += Date.now() - listStarted;
  await pass.run(listing);
  const result: IndexResult = {
    root: ctx.root,
    counts: pass.counts,
    chunks: ctx.store.chunkCount,
    problems: pass.problems,
    tookMs: Date.now() - started,
    waited: false,
    timings: pass.timings,
  };
  return { result, filter };
}

async function listProject(filter: ProjectFilter, settings: ProjectSettings, records: Map<string, FileRecord>): Promise<Listing> {
  const walk = await walkFolder(filter, settings, '');
  const listed = new Set(walk.files.map((file) => file.path));
  const deletions = [...records.keys()].filter((path) => !listed.has(path));
  return { files: walk.files, deletions, skipped: walk.skipped };
}

/** The files named by a watcher or a `paths` request, each checked against the ignore rules like the walk would. */
async function listPaths(
  root: string,
  paths: string[],
  filter: ProjectFilter,
  settings: ProjectSettings,
  records: Map<string, FileRecord>,
): Promise<Listing> {
  const listing: Listing = { files: [], deletions: [], skipped: [] };
  const seen = new Set<string>();
  const addFile = (file: WalkedFile) => {
    if (!seen.has(file.path)) listing.files.push(file);
    seen.add(file.path);
  };
  for (const given of paths) {
    const rel = toRelative(root, given);
    if (rel === null) continue;
    const absPath = rel === '' ? root : join(root, rel);
    const info = await lstat(absPath).catch(() => null);
    if (info?.isFile() && filter.accepts(rel, false)) {
      addFile({ path: rel, absPath, size: info.size, mtimeMs: info.mtimeMs });
    } else if (info?.isDirectory()) {
      const walk = await walkFolder(filter, settings, rel);
      walk.files.forEach(addFile);
      listing.skipped.push(...walk.skipped);
    }
  }
  // Whatever is stored under a named path and was not found again is gone or now ignored.
  for (const given of paths) {
    const rel = toRelative(root, given);
    if (rel === null) continue;
    for (const path of records.keys()) {
      if ((path === rel || rel === '' || path.startsWith(`${rel}/`)) && !seen.has(path)) listing.deletions.push(path);
    }
  }
  listing.deletions = [...new Set(listing.deletions)];
  return listing;
}

/** Root-relative with forward slashes, or null for a path outside the root. */
function toRelative(root: string, given: string): string | null {
  const rel = relative(root, isAbsolute(given) ? given : join(root, given));
  if (rel.startsWith('..') || isAbsolute(rel)) return null;
  const normalized = rel.split(sep).join('/');
  return normalized === '.git' || normalized.startsWith('.git/') ? null : normalized;
}

function zeroCounts(): IndexCounts {
  return { files: 0, added: 0, updated: 0, unchanged: 0, deleted: 0, skipped: 0, errors: 0, reused: 0, chunksEmbedded: 0 };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs `work` and adds its wall time to `timings[stage]`: the busy time of that stage, which may overlap another's. */
async function timed<T>(timings: IndexTimings, stage: keyof IndexTimings, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[stage] += Date.now() - started;
  }
}

/** The running state of one pass: counts, problems, the batch being filled, throttled progress. */
class Pass {
  readonly counts = zeroCounts();
  readonly problems: FileProblem[] = [];
  readonly timings: IndexTimings = { walkMs: 0, chunkMs: 0, embedMs: 0, storeMs: 0 };
  private changed: ChangedFile[] = [];
  private changedBytes = 0;
  /** Deletions: they need no chunking. */
  private plain: FileUpdate[] = [];
  /** Files whose content is known: the same under a new mtime, a copy, or a file restored. */
  private known: KnownFile[] = [];
  /** The batch being embedded and saved while the next one is read and chunked. */
  private landing: Promise<void> = Promise.resolve();
  private done = 0;
  private total = 0;
  private lastReport = 0;

  constructor(
    private readonly ctx: PassContext,
    private readonly settings: ProjectSettings,
    private readonly records: Map<string, FileRecord>,
    private readonly force: boolean,
    private readonly progress: ProgressSink,
  ) {}

  async run(listing: Listing): Promise<void> {
    this.counts.files = listing.files.length;
    this.total = listing.files.length;
    for (const problem of listing.skipped) this.skip(problem.path, problem.reason);
    this.progress({ kind: 'begin', title: 'Indexing', percentage: 0, counts: this.counts });
    for (const path of listing.deletions) this.plain.push({ path, record: null, chunks: [] });
    this.counts.deleted += listing.deletions.length;
    for (let at = 0; at < listing.files.length; at += READ_CONCURRENCY) {
      this.stopIfAsked();
      const group = listing.files.slice(at, at + READ_CONCURRENCY);
      await timed(this.timings, 'walkMs', () => Promise.all(group.map((file) => this.look(file))));
      this.done += group.length;
      if (this.changed.length >= FILES_PER_BATCH || this.changedBytes >= BYTES_PER_BATCH) await this.flush();
      this.report();
    }
    this.stopIfAsked();
    await this.flush();
    await this.landing;
    this.progress({ kind: 'end', message: summary(this.counts), percentage: 100, counts: this.counts });
  }

  /**
   * A closing daemon ends the pass here without landing what is still buffered: the store is crash-safe, and the files
   * not yet landed are redone by the next pass.
   */
  private stopIfAsked(): void {
    if (this.ctx.shouldStop()) throw new Error('the index pass was stopped because the daemon is shutting down; run ccc index again');
  }

  /** Decides what a file needs: nothing, a new mtime, a re-chunk, or removal because it can no longer be read. */
  private async look(file: WalkedFile): Promise<void> {
    const stored = this.records.get(file.path);
    // A forced pass treats every file as new; what is stored still counts for removing a file that became unreadable.
    const previous = this.force ? undefined : stored;
    if (previous && previous.mtimeMs === file.mtimeMs && previous.size === file.size) {
      this.counts.unchanged++;
      return;
    }
    const read = await readSourceFile(file.absPath, this.settings.maxFileSize);
    if (!read.ok) {
      this.skip(file.path, read.reason);
      if (stored) this.remove(file.path);
      return;
    }
    const hash = textHash(read.text);
    const language = languageForPath(file.path, this.settings.languageOverrides);
    const own = previous?.hash === hash ? this.ctx.store.locationOf(file.path) : undefined;
    if (own) {
      this.known.push({ file, hash, location: own });
      this.counts.unchanged++;
      return;
    }
    const location = this.force ? undefined : this.ctx.store.knownContent(hash, language);
    if (location) {
      this.known.push({ file, hash, location });
      this.counts.reused++;
      this.counts[previous ? 'updated' : 'added']++;
      return;
    }
    this.changed.push({ file, text: read.text, hash, language, isNew: !previous });
    this.changedBytes += read.text.length;
  }

  private skip(path: string, reason: string): void {
    this.counts.skipped++;
    this.problem(path, reason);
  }

  private problem(path: string, reason: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ path, reason });
  }

  private remove(path: string): void {
    this.plain.push({ path, record: null, chunks: [] });
    this.counts.deleted++;
  }

  /**
   * Hands the batch on: its chunking starts now, while the previous batch is still being embedded, and its embedding
   * and landing follow that batch's, so the store sees batches in order. Returns once the previous batch has landed.
   */
  private async flush(): Promise<void> {
    const batch = this.changed;
    const plain = this.plain;
    const known = this.known;
    this.changed = [];
    this.changedBytes = 0;
    this.plain = [];
    this.known = [];
    const chunked = timed(this.timings, 'chunkMs', () => this.chunkFiles(batch));
    const previous = this.landing;
    this.landing = (async () => {
      const chunks = await chunked;
      await previous;
      this.stopIfAsked();
      await this.land([...plain, ...(await this.knownUpdates(known)), ...(await this.embed(batch, chunks))]);
    })();
    // Awaited by the next flush or at the end of the pass; until then a failure must not count as unhandled.
    this.landing.catch(() => undefined);
    await previous;
  }

  /** Saves the updates (durable when this resolves), then makes them searchable, then lets the store compact. */
  private async land(updates: FileUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await timed(this.timings, 'storeMs', async () => {
      const chunks = await this.ctx.store.apply(updates);
      // The store gives every chunk it saves a new id, so even a touched file is replaced in the search index.
      for (const update of updates) this.ctx.searchIndex.removeFile(update.path);
      await this.ctx.searchIndex.add(chunks);
      await this.ctx.store.compact();
    });
    await yieldToEventLoop();
  }

  /** Files whose content is known take the chunks (texts and vectors) of the record that holds it; only their record is new. */
  private async knownUpdates(known: KnownFile[]): Promise<FileUpdate[]> {
    const updates: FileUpdate[] = [];
    for (const { file, hash, location } of known) {
      const { record, chunks } = await this.ctx.store.readChunks(location);
      const moved = chunks.map((chunk) => ({ ...chunk, path: file.path }));
      updates.push({ path: file.path, record: { ...record, path: file.path, mtimeMs: file.mtimeMs, size: file.size, hash }, chunks: moved });
    }
    return updates;
  }

  private async embed(batch: ChangedFile[], chunked: (Chunk[] | null)[]): Promise<FileUpdate[]> {
    if (batch.length === 0) return [];
    const hashes = chunked.map((chunks) => (chunks ?? []).map((chunk) => textHash(chunk.content)));
    const vectors = await timed(this.timings, 'embedMs', () => this.vectorsFor(chunked.flatMap((chunks) => chunks ?? []), hashes.flat()));
    const updates: FileUpdate[] = [];
    batch.forEach((changed, fileIndex) => {
      const chunks = chunked[fileIndex];
      if (!chunks) return;
      const path = changed.file.path;
      const stored: StoredChunk[] = chunks.map((chunk, i) => ({
        ...chunk,
        hash: hashes[fileIndex][i],
        vector: vectors.get(hashes[fileIndex][i])!,
      }));
      const record: FileRecord = {
        path,
        mtimeMs: changed.file.mtimeMs,
        size: changed.file.size,
        hash: changed.hash,
        language: changed.language,
        chunkCount: stored.length,
      };
      updates.push({ path, record, chunks: stored });
      if (changed.isNew) this.counts.added++;
      else this.counts.updated++;
    });
    return updates;
  }

  /** Chunks a batch; when the batch fails, each file alone, so one bad file costs only itself. */
  private async chunkFiles(batch: ChangedFile[]): Promise<(Chunk[] | null)[]> {
    if (batch.length === 0) return [];
    const sources: SourceFile[] = batch.map((changed) => ({ path: changed.file.path, language: changed.language, text: changed.text }));
    const parseFailed = (path: string, reason: string) => {
      this.counts.errors++;
      this.problem(path, reason);
    };
    try {
      return await this.ctx.chunker.chunk(sources, parseFailed);
    } catch (error) {
      this.ctx.log.warn(`chunking a batch of ${batch.length} files failed, retrying one by one: ${(error as Error).message}`);
    }
    const results: (Chunk[] | null)[] = [];
    for (const source of sources) {
      try {
        results.push((await this.ctx.chunker.chunk([source], parseFailed))[0]);
      } catch (error) {
        this.counts.errors++;
        this.problem(source.path, `could not be chunked: ${(error as Error).message}`);
        results.push(null);
      }
    }
    return results;
  }

  /** Vectors by text hash: from the embedding cache, else embedded now (each distinct text once) and cached. */
  private async vectorsFor(chunks: Chunk[], hashes: string[]): Promise<Map<string, Float32Array>> {
    const texts = new Map<string, string>();
    chunks.forEach((chunk, i) => texts.set(hashes[i], chunk.content));
    const hashesToFind = [...texts.keys()];
    const vectors = new Map<string, Float32Array>();
    this.ctx.cache.get(hashesToFind).forEach((vector, i) => vector && vectors.set(hashesToFind[i], vector));
    const missing = hashesToFind.filter((hash) => !vectors.has(hash));
    if (missing.length > 0) {
      const embedded = await this.ctx.embedder.embed(missing.map((hash) => texts.get(hash)!), 'document');
      const entries = missing.map((hash, i) => ({ hash, vector: embedded[i] }));
      for (const entry of entries) vectors.set(entry.hash, entry.vector);
      await this.ctx.cache.put(entries);
      this.counts.chunksEmbedded += missing.length;
    }
    return vectors;
  }

  private report(): void {
    const now = Date.now();
    if (now - this.lastReport < PROGRESS_INTERVAL_MS) return;
    this.lastReport = now;
    const percentage = this.total === 0 ? 100 : Math.floor((this.done / this.total) * 100);
    this.progress({ kind: 'report', message: `${this.done}/${this.total} files`, percentage, counts: { ...this.counts } });
  }
}

export function summary(counts: IndexCounts): string {
  return (
    `${counts.files} files: ${counts.added} added, ${counts.updated} updated, ${counts.unchanged} unchanged, ` +
    `${counts.deleted} deleted, ${counts.skipped} skipped, ${counts.errors} errors; ${counts.reused} reused, ${counts.chunksEmbedded} chunks embedded`
  );
}
