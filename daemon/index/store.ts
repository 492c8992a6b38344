// The store of record of one project's index: every file's record, its chunks and their vectors.
// Durable and incremental: each `apply` appends records to a segment file and fsyncs it, then atomically replaces
// `manifest.json`, which names the live segments and how many bytes of each are valid. A crash before the manifest
// swap loses only that batch. Dead records (replaced or deleted files) are dropped by compaction, which rewrites
// the live state into one new segment in slices that yield to the event loop.
import { mkdir, open, readdir, readFile, rename, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from '../log';
import type { Chunk } from './chunker';
import { decodeSegment, encodeDelete, encodeUpsert, SEGMENT_MAGIC } from './store-segment';

export type StoredChunk = Chunk & {
  /** Unique within the project; assigned by `ChunkStore.apply`. */
  id: string;
  /** sha256 (hex) of `content`. */
  hash: string;
  /** Unit vector of the store's dimension. */
  vector: Float32Array;
};

export interface FileRecord {
  path: string;
  mtimeMs: number;
  size: number;
  /** sha256 (hex) of the file's content. */
  hash: string;
  language: string;
  chunkIds: string[];
}

export interface FileUpdate {
  path: string;
  /** null deletes the file. */
  record: FileRecord | null;
  chunks: StoredChunk[];
}

export interface StoreModel {
  modelId: string;
  dimension: number;
}

/** 2: chunk contents stored as raw UTF-8 outside the record's JSON. */
const FORMAT_VERSION = 2;
const MANIFEST = 'manifest.json';
const MANIFEST_TEMP = 'manifest.json.tmp';
/** A new segment is started once the active one passes this size, so no file grows without bound. */
const SEGMENT_ROLL_BYTES = 64 * 1024 * 1024;
/** Compaction runs when dead bytes exceed live bytes (over this floor) or segments pile up. */
const COMPACT_MIN_BYTES = 1024 * 1024;
const COMPACT_MAX_SEGMENTS = 8;
/** Compaction writes this much before yielding to the event loop. */
const COMPACT_SLICE_BYTES = 2 * 1024 * 1024;

interface SegmentEntry {
  name: string;
  /** Valid bytes, header included; anything after is an unfinished batch. */
  bytes: number;
}

interface Manifest {
  format: number;
  modelId: string;
  dimension: number;
  segments: SegmentEntry[];
  nextSegment: number;
  nextChunkId: number;
  lastIndexedAt: number | null;
}

function segmentName(n: number): string {
  return `seg-${String(n).padStart(6, '0')}.bin`;
}

async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeAt(file: string, position: number, buffers: Buffer[], create: boolean): Promise<void> {
  const handle = await open(file, create ? 'w' : 'r+');
  try {
    for (const buffer of buffers) {
      await handle.write(buffer, 0, buffer.length, position);
      position += buffer.length;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/** A write error as one line a user can act on; a full disk says so plainly. */
function saveError(what: 'save' | 'compact', dir: string, error: unknown): Error {
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
    return new Error(`the disk is full: could not ${what} the index in ${dir}; free some space, then run ccc index again`);
  }
  return new Error(`could not ${what} the index in ${dir}: ${oneLine(error)}`);
}

export class ChunkStore {
  private readonly fileMap = new Map<string, FileRecord>();
  private readonly chunkMap = new Map<string, StoredChunk>();
  /** Bytes of each file's live record, to know how much of the segments is dead. */
  private readonly liveBytes = new Map<string, number>();
  private liveTotal = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private manifest: Manifest,
    /** Why the stored index was dropped on open, or null when it loaded (or there was none). */
    readonly rebuiltReason: string | null,
  ) {}

  /** Opens (or creates) the store in `dir`. Never throws for a bad store: it is emptied and `rebuiltReason` says why. */
  static async open(dir: string, model: StoreModel, log: Logger): Promise<ChunkStore> {
    await mkdir(dir, { recursive: true });
    const fresh = (): Manifest => ({
      format: FORMAT_VERSION, modelId: model.modelId, dimension: model.dimension, segments: [], nextSegment: 1, nextChunkId: 1, lastIndexedAt: null,
    });
    let manifest: Manifest | null = null;
    let reason: string | null = null;
    try {
      manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') reason = `its manifest is unreadable (${oneLine(error)})`;
    }
    if (manifest && manifest.format !== FORMAT_VERSION) reason = `it was written in format ${manifest.format}, this ccc reads ${FORMAT_VERSION}`;
    else if (manifest && (manifest.modelId !== model.modelId || manifest.dimension !== model.dimension)) {
      reason = `the embedding model changed from ${manifest.modelId} (${manifest.dimension}-d) to ${model.modelId} (${model.dimension}-d)`;
    }
    if (manifest && !reason) {
      const store = new ChunkStore(dir, log, manifest, null);
      try {
        await store.replay();
        await store.removeStrayFiles();
        return store;
      } catch (error) {
        reason = `it is damaged (${oneLine(error)})`;
      }
    }
    if (reason) log.warn(`index at ${dir} is rebuilt from scratch: ${reason}`);
    await ChunkStore.destroy(dir);
    await mkdir(dir, { recursive: true });
    const store = new ChunkStore(dir, log, fresh(), reason);
    await store.writeManifest(store.manifest);
    return store;
  }

  /** Deletes the store's folder. */
  static async destroy(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  get chunkCount(): number {
    return this.chunkMap.size;
  }

  get lastIndexedAt(): number | null {
    return this.manifest.lastIndexedAt;
  }

  files(): ReadonlyMap<string, FileRecord> {
    return this.fileMap;
  }

  chunks(): IterableIterator<StoredChunk> {
    return this.chunkMap.values();
  }

  getChunk(id: string): StoredChunk | undefined {
    return this.chunkMap.get(id);
  }

  /** Bytes of valid segment data plus the manifest. */
  sizeOnDisk(): number {
    return this.manifest.segments.reduce((sum, s) => sum + s.bytes, 0) + JSON.stringify(this.manifest).length;
  }

  /**
   * Saves and applies the updates; durable when it resolves. Assigns each chunk's `id` and fills `record.chunkIds`.
   * Stamps `lastIndexedAt`, so `apply([])` records a pass that changed nothing. Rejects on a write error, keeping the previous state.
   */
  apply(updates: FileUpdate[]): Promise<void> {
    return this.enqueue(async () => {
      await this.applyNow(updates);
      if (this.needsCompaction()) await this.compactNow();
    });
  }

  /** Rewrites the live state into one segment, dropping dead records. */
  compact(): Promise<void> {
    return this.enqueue(() => this.compactNow());
  }

  /** Waits for pending writes; the store takes no more. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the index store is closed'));
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(updates: FileUpdate[]): Promise<void> {
    const next: Manifest = { ...this.manifest, segments: this.manifest.segments.map((s) => ({ ...s })), lastIndexedAt: Date.now() };
    const buffers: Buffer[] = [];
    const sizes = new Map<string, number>();
    for (const update of updates) {
      if (update.record) {
        update.record.chunkIds = update.chunks.map((chunk) => (chunk.id = (next.nextChunkId++).toString(36)));
        const buffer = encodeUpsert(update.record, update.chunks, next.dimension);
        sizes.set(update.path, buffer.length);
        buffers.push(buffer);
      } else if (this.fileMap.has(update.path) || sizes.has(update.path)) {
        sizes.set(update.path, 0);
        buffers.push(encodeDelete(update.path));
      }
    }
    try {
      if (buffers.length > 0) await this.append(next, buffers);
      await this.writeManifest(next);
    } catch (error) {
      throw saveError('save', this.dir, error);
    }
    this.manifest = next;
    for (const update of updates) {
      if (update.record) this.put(update.record, update.chunks, sizes.get(update.path)!);
      else this.drop(update.path);
    }
  }

  private async append(next: Manifest, buffers: Buffer[]): Promise<void> {
    let active = next.segments[next.segments.length - 1];
    const create = !active || active.bytes >= SEGMENT_ROLL_BYTES;
    if (create) {
      active = { name: segmentName(next.nextSegment++), bytes: SEGMENT_MAGIC.length };
      next.segments.push(active);
      buffers = [SEGMENT_MAGIC, ...buffers];
    }
    await writeAt(join(this.dir, active.name), create ? 0 : active.bytes, buffers, create);
    active.bytes += buffers.reduce((sum, b) => sum + b.length, 0) - (create ? SEGMENT_MAGIC.length : 0);
  }

  private async writeManifest(manifest: Manifest): Promise<void> {
    const temp = join(this.dir, MANIFEST_TEMP);
    await writeAt(temp, 0, [Buffer.from(JSON.stringify(manifest, null, 1))], true);
    await rename(temp, join(this.dir, MANIFEST));
    await fsyncDir(this.dir);
  }

  private put(record: FileRecord, chunks: StoredChunk[], bytes: number): void {
    this.drop(record.path);
    this.fileMap.set(record.path, record);
    for (const chunk of chunks) this.chunkMap.set(chunk.id, chunk);
    this.liveBytes.set(record.path, bytes);
    this.liveTotal += bytes;
  }

  private drop(path: string): void {
    const old = this.fileMap.get(path);
    if (!old) return;
    for (const id of old.chunkIds) this.chunkMap.delete(id);
    this.fileMap.delete(path);
    this.liveTotal -= this.liveBytes.get(path) ?? 0;
    this.liveBytes.delete(path);
  }

  private async replay(): Promise<void> {
    for (const segment of this.manifest.segments) {
      const file = join(this.dir, segment.name);
      const data = await readFile(file);
      if (data.length < segment.bytes) throw new Error(`${segment.name} is truncated`);
      for (const { record, bytes } of decodeSegment(data, segment.bytes, this.manifest.dimension)) {
        if (record.kind === 'upsert') this.put(record.record, record.chunks, bytes);
        else this.drop(record.path);
      }
      // Bytes past the manifest's length belong to a batch that never committed.
      if (data.length > segment.bytes) await truncate(file, segment.bytes);
    }
  }

  /** Files a crash left behind: segments not in the manifest (an unfinished compaction or batch) and a temp manifest. */
  private async removeStrayFiles(): Promise<void> {
    const live = new Set([MANIFEST, ...this.manifest.segments.map((s) => s.name)]);
    for (const name of await readdir(this.dir)) {
      if (!live.has(name)) await rm(join(this.dir, name), { force: true, recursive: true });
    }
  }

  private needsCompaction(): boolean {
    const total = this.manifest.segments.reduce((sum, s) => sum + s.bytes - SEGMENT_MAGIC.length, 0);
    const dead = total - this.liveTotal;
    return (total > COMPACT_MIN_BYTES && dead > total / 2) || this.manifest.segments.length > COMPACT_MAX_SEGMENTS;
  }

  private async compactNow(): Promise<void> {
    const started = Date.now();
    const next: Manifest = { ...this.manifest, segments: [] };
    const name = segmentName(next.nextSegment++);
    const file = join(this.dir, name);
    const handle = await open(file, 'w');
    let position = 0;
    const sizes = new Map<string, number>();
    try {
      await handle.write(SEGMENT_MAGIC, 0, SEGMENT_MAGIC.length, position);
      position += SEGMENT_MAGIC.length;
      let slice: Buffer[] = [];
      let sliceBytes = 0;
      const flush = async () => {
        const data = Buffer.concat(slice);
        await handle.write(data, 0, data.length, position);
        position += data.length;
        slice = [];
        sliceBytes = 0;
        await yieldToLoop();
      };
      for (const record of this.fileMap.values()) {
        const chunks = record.chunkIds.map((id) => this.chunkMap.get(id)!);
        const buffer = encodeUpsert(record, chunks, next.dimension);
        sizes.set(record.path, buffer.length);
        slice.push(buffer);
        sliceBytes += buffer.length;
        if (sliceBytes >= COMPACT_SLICE_BYTES) await flush();
      }
      await flush();
      await handle.sync();
    } catch (error) {
      // A half-written segment would hold on to the space a full disk needs back.
      await handle.close();
      await rm(file, { force: true });
      throw saveError('compact', this.dir, error);
    }
    await handle.close();
    next.segments = [{ name, bytes: position }];
    try {
      await this.writeManifest(next);
    } catch (error) {
      await rm(file, { force: true });
      throw saveError('compact', this.dir, error);
    }
    const old = this.manifest.segments;
    this.manifest = next;
    this.liveBytes.clear();
    this.liveTotal = 0;
    for (const [path, bytes] of sizes) {
      this.liveBytes.set(path, bytes);
      this.liveTotal += bytes;
    }
    for (const segment of old) await rm(join(this.dir, segment.name), { force: true });
    this.log.info(`compacted index at ${this.dir}: ${old.length} segments → 1, ${position} bytes, ${Date.now() - started} ms`);
  }
}

