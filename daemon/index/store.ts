// The store of record of one project's index: every file's record, its chunks, their vectors and texts.
// Durable and incremental: each `apply` appends records to the active segment file and fsyncs it, then atomically
// replaces `manifest.json`, which names the live segments and how many bytes of each are valid. A crash before the
// manifest swap loses only that batch. Memory holds where each file's record is, never the chunks' texts: a text is read
// by offset when a hit is shown (`readText`). Compaction is per segment: the segment with the most dead bytes has its
// live records copied whole to the active segment and is deleted, so it needs at most one segment's worth of free disk.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from '../log';
import type { Chunk } from './chunker';
import { dequantise } from './quantise';
import { decodeCheckpoint, encodeCheckpoint, type StoreCheckpoint } from './store-checkpoint';
import {
  decodePayload, encodeDelete, encodeUpsert, isDeleteRecord, readFrame, recordPath, RECORD_HEAD, SEGMENT_MAGIC, segmentRecords, type ChunkMeta, type ChunkToWrite,
  type DecodedUpsert, type EncodedUpsert, type FileRecord,
} from './store-segment';

export type { FileRecord } from './store-segment';

/** A chunk as a pass hands it to the store. */
export type StoredChunk = Chunk & {
  /** sha256 (hex) of `content`. */
  hash: string;
  /** Unit vector of the store's dimension. */
  vector: Float32Array;
};

export interface FileUpdate {
  path: string;
  /** null deletes the file. */
  record: FileRecord | null;
  chunks: StoredChunk[];
}

/** Where a file's record lies. Compaction moves a live record by updating this object, so holders of it stay right. */
export interface RecordLocation {
  segment: number;
  offset: number;
  bytes: number;
}

/** A chunk as the search index takes it: everything but its text, which stays on disk (`readText`). */
export interface IndexedChunk {
  /** Unique within the project, never reused. */
  id: number;
  path: string;
  language: string;
  startLine: number;
  endLine: number;
  symbol: string;
  location: RecordLocation;
  textOffset: number;
  textBytes: number;
  /** The vector: `dimension` int8 codes at `codesAt`, times `scale`. */
  codes: Int8Array;
  codesAt: number;
  scale: number;
  /** The text, when it is in hand anyway (a pass, or a load that must tokenise it). */
  content?: string;
}

export interface StoreModel {
  modelId: string;
  dimension: number;
}

/** 3: chunk metadata binary, vectors int8, texts read by offset, ids numeric. */
const FORMAT_VERSION = 3;
const MANIFEST = 'manifest.json';
const MANIFEST_TEMP = 'manifest.json.tmp';
/** The store's own derived file: its state as of some commit, so an open replays only what came after (`store-checkpoint.ts`). */
const CHECKPOINT = 'checkpoint.bin';
/** Derived files the project keeps beside the segments (`writeSidecar`); anything else unknown is a crash's leftover. */
const SIDECARS = ['keywords.bin', 'vectors.bin', 'chunks.bin'];
/** A checkpoint is due once this share of the store was appended since the last one, or a segment it covers is gone. */
const CHECKPOINT_STALE_SHARE = 0.05;
/** A new segment is started once the active one passes this size, so no file grows without bound (tests set a smaller one). */
const SEGMENT_ROLL_BYTES = 64 * 1024 * 1024;
/** A segment is compacted once this share of it is dead (and it is over COMPACT_MIN_BYTES). */
const COMPACT_DEAD_SHARE = 0.5;
const COMPACT_MIN_BYTES = 1024 * 1024;
/** Compaction copies this much before yielding to the event loop. */
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

interface LiveFile {
  record: FileRecord;
  location: RecordLocation;
}

/** A record whose content is known by its hash: a live file's, or a dead one still on disk. */
interface KnownContent {
  language: string;
  location: RecordLocation;
}

function segmentName(n: number): string {
  return `seg-${String(n).padStart(6, '0')}.bin`;
}

function segmentNumber(name: string): number {
  return Number(name.slice(4, 10));
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
  private readonly fileMap = new Map<string, LiveFile>();
  /** Records by content hash, dead ones included until their segment is compacted: a file that reappears keeps its chunks. */
  private readonly known = new Map<string, KnownContent>();
  /** Upsert records on disk per path, live or dead: a delete record must outlive every older upsert of its path. */
  private readonly upsertsOnDisk = new Map<string, number>();
  /** Live bytes per segment number. */
  private readonly liveBytes = new Map<number, number>();
  private liveChunks = 0;
  /** The live records as the open decoded them, kept for the first `loadChunks` so it need not read the segments again. */
  private decodedAtOpen: Map<string, { decoded: DecodedUpsert; location: RecordLocation }> | null = new Map();
  /** The checkpoint an open adopted, until its known contents and upsert counts are needed: a start that only searches does not. */
  private deferred: StoreCheckpoint | null = null;
  /** Sidecars read while the store opened, each handed out once by `readSidecar`. */
  private prefetched = new Map<string, Promise<Buffer | null>>();
  /** Open read handles by segment number, for `readText`. */
  private readonly readers = new Map<number, number>();
  /** The segments the last checkpoint covers, each with its bytes then; null while there is none. */
  private checkpointCovers: SegmentEntry[] | null = null;
  /** Segment bytes appended since the last checkpoint: what the next open would replay. */
  private appendedSinceCheckpoint = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private manifest: Manifest,
    /** Why the stored index was dropped on open, or null when it loaded (or there was none). */
    readonly rebuiltReason: string | null,
    private readonly rollBytes: number,
  ) {}

  /** Opens (or creates) the store in `dir`. Never throws for a bad store: it is emptied and `rebuiltReason` says why. */
  static async open(dir: string, model: StoreModel, log: Logger, rollBytes = SEGMENT_ROLL_BYTES): Promise<ChunkStore> {
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
      const store = new ChunkStore(dir, log, manifest, null, rollBytes);
      try {
        await store.restore();
        await store.removeStrayFiles();
        return store;
      } catch (error) {
        store.closeReaders();
        await Promise.all(store.prefetched.values());
        reason = `it is damaged (${oneLine(error)})`;
      }
    }
    if (reason) log.warn(`index at ${dir} is rebuilt from scratch: ${reason}`);
    await ChunkStore.destroy(dir);
    await mkdir(dir, { recursive: true });
    const store = new ChunkStore(dir, log, fresh(), reason, rollBytes);
    store.decodedAtOpen = null;
    await store.writeManifest(store.manifest);
    return store;
  }

  /** Deletes the store's folder. */
  static async destroy(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  get chunkCount(): number {
    return this.liveChunks;
  }

  get lastIndexedAt(): number | null {
    return this.manifest.lastIndexedAt;
  }

  get dimension(): number {
    return this.manifest.dimension;
  }

  get fileCount(): number {
    return this.fileMap.size;
  }

  /** A copy of every file's record, by path. */
  fileRecords(): Map<string, FileRecord> {
    return new Map([...this.fileMap].map(([path, live]) => [path, live.record]));
  }

  record(path: string): FileRecord | undefined {
    return this.fileMap.get(path)?.record;
  }

  /** Bytes of valid segment data plus the manifest. */
  sizeOnDisk(): number {
    return this.manifest.segments.reduce((sum, s) => sum + s.bytes, 0) + JSON.stringify(this.manifest).length;
  }

  /** True once the checkpoint lags enough that the next open would spend real time replaying (`writeCheckpoint`). */
  get checkpointDue(): boolean {
    if (this.appendedSinceCheckpoint === 0) return false;
    const covers = this.checkpointCovers;
    if (!covers || checkpointMismatch(covers, this.manifest.segments)) return true;
    return this.appendedSinceCheckpoint >= this.sizeOnDisk() * CHECKPOINT_STALE_SHARE;
  }

  /** Saves the store's state beside the segments, so the next open reads it and replays only the records appended after. */
  writeCheckpoint(): Promise<void> {
    return this.enqueue(async () => {
      const checkpoint = this.checkpointState();
      const appended = this.appendedSinceCheckpoint;
      await this.replaceFile(CHECKPOINT, [encodeCheckpoint(checkpoint)]);
      this.checkpointCovers = checkpoint.segments;
      this.appendedSinceCheckpoint -= appended;
    });
  }

  /**
   * Every live chunk, file by file (with its text when `withText`), but those of files `skip` says the caller has already;
   * `sink` may be async, and each file's chunks share one codes array. What the open decoded is used as it is, the rest
   * is read record by record; a damaged record is logged and its file dropped, so the next pass indexes it again.
   */
  async loadChunks(
    withText: boolean, sink: (chunks: IndexedChunk[]) => void | Promise<void>, skip?: (path: string) => boolean,
  ): Promise<void> {
    const decoded = withText ? null : this.decodedAtOpen;
    this.decodedAtOpen = null;
    const toRead: LiveFile[] = [];
    for (const live of [...this.fileMap.values()]) {
      if (skip?.(live.record.path)) continue;
      const opened = decoded?.get(live.record.path);
      if (opened && opened.location === live.location) await sink(this.indexedChunks(opened.decoded, live.location, null));
      else toRead.push(live);
    }
    for (const [segment, files] of groupBySegment(toRead)) {
      for await (const { live: { record, location }, payload } of this.readRecords(segment, files)) {
        if (payload instanceof Error) {
          this.log.warn(`the record of ${record.path} in the index at ${this.dir} is damaged (${payload.message}): it is indexed again`);
          this.drop(record.path);
          continue;
        }
        if (this.fileMap.get(record.path)?.location !== location) continue;
        await sink(this.indexedChunks(decodePayload(payload, this.manifest.dimension) as DecodedUpsert, location, withText ? payload : null));
      }
    }
  }

  /**
   * The payloads of these live files' records in one segment, checksums verified (an Error for a damaged one), in file
   * order: the whole segment read at once when they are much of it, else record by record.
   */
  private async *readRecords(segment: number, files: LiveFile[]): AsyncGenerator<{ live: LiveFile; payload: Buffer | Error }> {
    const handle = await open(join(this.dir, segmentName(segment)), 'r');
    try {
      const wanted = files.reduce((sum, live) => sum + live.location.bytes, 0);
      const whole = wanted * 4 >= (await handle.stat()).size ? await handle.readFile() : null;
      for (const live of files) {
        const { offset, bytes } = live.location;
        let frame = whole?.subarray(offset, offset + bytes);
        if (!frame) {
          frame = Buffer.alloc(bytes);
          frame = frame.subarray(0, (await handle.read(frame, 0, bytes, offset)).bytesRead);
        }
        try {
          yield { live, payload: readFrame(frame) };
        } catch (error) {
          yield { live, payload: error as Error };
        }
      }
    } finally {
      await handle.close();
    }
  }

  /** The chunks of a live file or of a known content (`knownContent`), texts and float vectors included. */
  async readChunks(location: RecordLocation): Promise<{ record: FileRecord; chunks: StoredChunk[] }> {
    const payload = await this.readPayload(location);
    const decoded = decodePayload(payload, this.manifest.dimension) as DecodedUpsert;
    const dimension = this.manifest.dimension;
    const chunks = decoded.chunks.map((chunk, i): StoredChunk => ({
      path: decoded.record.path,
      language: decoded.record.language,
      startLine: chunk.startLine,
      endLine: chunk.endLine,
      symbol: chunk.symbol,
      content: chunkText(payload, chunk),
      hash: '',
      vector: dequantise(decoded.codes, i * dimension, dimension, decoded.scales[i]),
    }));
    return { record: decoded.record, chunks };
  }

  /** Where a live file's record lies. */
  locationOf(path: string): RecordLocation | undefined {
    return this.fileMap.get(path)?.location;
  }

  /** Where a record with this content hash and language lies, if one is live or still on disk. */
  knownContent(hash: string, language: string): RecordLocation | undefined {
    this.adoptDeferred();
    const known = this.known.get(hash);
    return known && known.language === language && this.liveBytes.has(known.location.segment) ? known.location : undefined;
  }

  /** A chunk's text, read from its record; null when the record is gone (its file was re-indexed meanwhile). */
  readText(location: RecordLocation, textOffset: number, textBytes: number): string | null {
    const fd = this.reader(location.segment);
    if (fd === null || textOffset + textBytes > location.bytes) return null;
    const buffer = Buffer.allocUnsafe(textBytes);
    const read = readSync(fd, buffer, 0, textBytes, location.offset + textOffset);
    return read === textBytes ? buffer.toString('utf8') : null;
  }

  /**
   * Saves the updates; durable when it resolves, and returns the new chunks as the search index takes them (texts in hand).
   * Stamps `lastIndexedAt`, so `apply([])` records a pass that changed nothing. Rejects on a write error, keeping the previous state.
   */
  apply(updates: FileUpdate[]): Promise<IndexedChunk[]> {
    return this.enqueue(() => this.applyNow(updates));
  }

  /** Compacts the segments that are mostly dead, one at a time. */
  compact(): Promise<void> {
    return this.enqueue(() => this.compactNow());
  }

  /** Waits for pending writes; the store takes no more. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    this.closeReaders();
  }

  /** Writes a derived file (a search index snapshot) atomically beside the segments. */
  async writeSidecar(name: (typeof SIDECARS)[number], buffers: Buffer[]): Promise<void> {
    this.prefetched.delete(name);
    await this.replaceFile(name, buffers);
  }

  /** Writes a file beside the segments through a temp file and a rename, so a reader sees the old one or the new one. */
  private async replaceFile(name: string, buffers: Buffer[]): Promise<void> {
    const temp = join(this.dir, `${name}.tmp`);
    await writeAt(temp, 0, buffers, true);
    await rename(temp, join(this.dir, name));
  }

  async readSidecar(name: (typeof SIDECARS)[number]): Promise<Buffer | null> {
    const prefetched = this.prefetched.get(name);
    this.prefetched.delete(name);
    return prefetched ?? readFile(join(this.dir, name)).catch(() => null);
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the index store is closed'));
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(updates: FileUpdate[]): Promise<IndexedChunk[]> {
    // What the open decoded no longer tells the whole story: a later `loadChunks` reads the segments.
    this.decodedAtOpen = null;
    const next: Manifest = { ...this.manifest, segments: this.manifest.segments.map((s) => ({ ...s })), lastIndexedAt: Date.now() };
    const buffers: Buffer[] = [];
    const written: { update: FileUpdate; ids: number[]; encoded: EncodedUpsert; at: number; bytes: number }[] = [];
    const deletes: { path: string; at: number; bytes: number }[] = [];
    const writtenPaths = new Set<string>();
    let at = 0;
    for (const update of updates) {
      if (update.record) {
        const ids = update.chunks.map(() => next.nextChunkId++);
        const record = { ...update.record, chunkCount: update.chunks.length };
        update.record = record;
        const chunks: ChunkToWrite[] = update.chunks.map((chunk, i) => ({ ...chunk, id: ids[i] }));
        const encoded = encodeUpsert(record, chunks, next.dimension);
        written.push({ update, ids, encoded, at, bytes: encoded.buffer.length });
        writtenPaths.add(update.path);
        buffers.push(encoded.buffer);
        at += encoded.buffer.length;
      } else if (this.fileMap.has(update.path) || writtenPaths.has(update.path)) {
        const buffer = encodeDelete(update.path);
        deletes.push({ path: update.path, at, bytes: buffer.length });
        buffers.push(buffer);
        at += buffer.length;
      }
    }
    let base = { segment: 0, offset: 0 };
    try {
      if (buffers.length > 0) base = await this.append(next, buffers, false);
      await this.writeManifest(next);
    } catch (error) {
      throw saveError('save', this.dir, error);
    }
    this.manifest = next;
    const indexed: IndexedChunk[] = [];
    // In file order, so a file updated twice in one batch ends as its last update says.
    const events = [...written.map((w) => ({ ...w, kind: 'upsert' as const })), ...deletes.map((d) => ({ ...d, kind: 'delete' as const }))]
      .sort((a, b) => a.at - b.at);
    for (const event of events) {
      if (event.kind === 'delete') {
        this.drop(event.path);
        continue;
      }
      const { update, ids, encoded: { textOffsets, textBytes, codes, scales } } = event;
      const location: RecordLocation = { segment: base.segment, offset: base.offset + event.at, bytes: event.bytes };
      this.put(update.record!, location);
      this.upsertsOnDisk.set(update.path, (this.upsertsOnDisk.get(update.path) ?? 0) + 1);
      // The search index takes the codes the record was written with: a vector is quantised once.
      indexed.push(...update.chunks.map((chunk, i): IndexedChunk => ({
        id: ids[i], path: update.path, language: update.record!.language, startLine: chunk.startLine, endLine: chunk.endLine,
        symbol: chunk.symbol, location, textOffset: textOffsets[i], textBytes: textBytes[i], codes, codesAt: i * next.dimension,
        scale: scales[i], content: chunk.content,
      })));
    }
    // Chunks of a file replaced later in the same batch are not live.
    return indexed.filter((chunk) => this.fileMap.get(chunk.path)?.location === chunk.location);
  }

  /** Appends to the active segment (a new one when it is full or `roll`); returns where the first buffer landed. */
  private async append(next: Manifest, buffers: Buffer[], roll: boolean): Promise<{ segment: number; offset: number }> {
    let active = next.segments[next.segments.length - 1];
    const create = !active || active.bytes >= this.rollBytes || roll;
    if (create) {
      active = { name: segmentName(next.nextSegment++), bytes: SEGMENT_MAGIC.length };
      next.segments.push(active);
    }
    const offset = active.bytes;
    await writeAt(join(this.dir, active.name), create ? 0 : offset, create ? [SEGMENT_MAGIC, ...buffers] : buffers, create);
    const written = buffers.reduce((sum, b) => sum + b.length, 0);
    active.bytes += written;
    this.appendedSinceCheckpoint += written;
    const segment = segmentNumber(active.name);
    if (!this.liveBytes.has(segment)) this.liveBytes.set(segment, 0);
    return { segment, offset };
  }

  private async writeManifest(manifest: Manifest): Promise<void> {
    const temp = join(this.dir, MANIFEST_TEMP);
    await writeAt(temp, 0, [Buffer.from(JSON.stringify(manifest, null, 1))], true);
    await rename(temp, join(this.dir, MANIFEST));
    await fsyncDir(this.dir);
  }

  private put(record: FileRecord, location: RecordLocation): void {
    this.adoptDeferred();
    this.drop(record.path);
    this.fileMap.set(record.path, { record, location });
    this.known.set(record.hash, { language: record.language, location });
    this.liveBytes.set(location.segment, (this.liveBytes.get(location.segment) ?? 0) + location.bytes);
    this.liveChunks += record.chunkCount;
  }

  private drop(path: string): void {
    const old = this.fileMap.get(path);
    if (!old) return;
    this.fileMap.delete(path);
    this.liveBytes.set(old.location.segment, (this.liveBytes.get(old.location.segment) ?? 0) - old.location.bytes);
    this.liveChunks -= old.record.chunkCount;
  }

  /**
   * Loads the state: from the checkpoint when it still matches the manifest, then the records appended after it. The
   * sidecars are read meanwhile (they are large at scale), once the checkpoint is in.
   */
  private async restore(): Promise<void> {
    const data = await readFile(join(this.dir, CHECKPOINT)).catch(() => null);
    for (const name of SIDECARS) this.prefetched.set(name, readFile(join(this.dir, name)).catch(() => null));
    const checkpoint = data && this.usableCheckpoint(data);
    if (checkpoint) this.adoptCheckpoint(checkpoint);
    await this.replay(new Map((this.checkpointCovers ?? []).map((s) => [s.name, s.bytes])));
  }

  private usableCheckpoint(data: Buffer): StoreCheckpoint | null {
    try {
      const checkpoint = decodeCheckpoint(data);
      const mismatch = checkpointMismatch(checkpoint.segments, this.manifest.segments);
      if (mismatch) {
        this.log.info(`the checkpoint of the index at ${this.dir} is older than ${mismatch}: every segment is read`);
        return null;
      }
      this.checkpointCovers = checkpoint.segments;
      return checkpoint;
    } catch (error) {
      this.log.warn(`${oneLine(error)} in ${this.dir}: every segment is read`);
      return null;
    }
  }

  /** The live files now; known contents and upsert counts when first needed (`adoptDeferred`). */
  private adoptCheckpoint(checkpoint: StoreCheckpoint): void {
    for (const segment of this.manifest.segments) this.liveBytes.set(segmentNumber(segment.name), 0);
    for (const { record, location } of checkpoint.files) {
      this.fileMap.set(record.path, { record, location });
      this.liveBytes.set(location.segment, (this.liveBytes.get(location.segment) ?? 0) + location.bytes);
      this.liveChunks += record.chunkCount;
    }
    this.deferred = checkpoint;
  }

  /** Fills the known contents and upsert counts from the checkpoint the open adopted, before anything reads or changes them. */
  private adoptDeferred(): void {
    const checkpoint = this.deferred;
    if (!checkpoint) return;
    this.deferred = null;
    // A live file's known content shares that file's location, which compaction updates.
    for (const { hash, language, file, location } of checkpoint.known) {
      this.known.set(hash, { language, location: file >= 0 ? checkpoint.files[file].location : location! });
    }
    for (const [path, count] of checkpoint.upserts) this.upsertsOnDisk.set(path, count);
  }

  /** Replays each segment's records from where `covered` (the checkpoint) left off. */
  private async replay(covered: Map<string, number>): Promise<void> {
    for (const segment of this.manifest.segments) {
      const file = join(this.dir, segment.name);
      const number = segmentNumber(segment.name);
      if (!this.liveBytes.has(number)) this.liveBytes.set(number, 0);
      const from = covered.get(segment.name) ?? SEGMENT_MAGIC.length;
      if (from === segment.bytes && from > SEGMENT_MAGIC.length) {
        // Sync: the sidecars' reads fill the thread pool now, and an async stat would queue behind them.
        const size = statSync(file).size;
        if (size < segment.bytes) throw new Error(`${segment.name} is truncated`);
        if (size > segment.bytes) await truncate(file, segment.bytes);
        continue;
      }
      const data = await readFile(file);
      if (data.length < segment.bytes) throw new Error(`${segment.name} is truncated`);
      this.appendedSinceCheckpoint += segment.bytes - from;
      for (const { payload, offset, bytes } of segmentRecords(data, segment.bytes, from)) {
        const decoded = decodePayload(payload, this.manifest.dimension);
        if (decoded.kind === 'delete') {
          this.drop(decoded.path);
          this.decodedAtOpen?.delete(decoded.path);
          continue;
        }
        const location = { segment: number, offset, bytes };
        this.put(decoded.record, location);
        this.decodedAtOpen?.set(decoded.record.path, { decoded, location });
        this.upsertsOnDisk.set(decoded.record.path, (this.upsertsOnDisk.get(decoded.record.path) ?? 0) + 1);
      }
      // Bytes past the manifest's length belong to a batch that never committed.
      if (data.length > segment.bytes) await truncate(file, segment.bytes);
    }
  }

  /** The store's state for a checkpoint: every live file, every known content, every path's upserts on disk. */
  private checkpointState(): StoreCheckpoint {
    this.adoptDeferred();
    const fileOf = new Map<RecordLocation, number>();
    const files = [...this.fileMap.values()].map(({ record, location }, i) => {
      fileOf.set(location, i);
      return { record, location };
    });
    const known = [...this.known].map(([hash, { language, location }]) => {
      const file = fileOf.get(location) ?? -1;
      return { hash, language, file, location: file < 0 ? location : null };
    });
    return { segments: this.manifest.segments.map((s) => ({ ...s })), files, known, upserts: [...this.upsertsOnDisk] };
  }

  /** Files a crash left behind: segments not in the manifest (an unfinished compaction or batch) and temp files. */
  private async removeStrayFiles(): Promise<void> {
    const live = new Set([MANIFEST, CHECKPOINT, ...SIDECARS, ...this.manifest.segments.map((s) => s.name)]);
    for (const name of readdirSync(this.dir)) {
      if (!live.has(name)) await rm(join(this.dir, name), { force: true, recursive: true });
    }
  }

  /** The segment most worth compacting: the one with the most dead bytes, once enough of it is dead. */
  private compactionCandidate(): SegmentEntry | undefined {
    let best: SegmentEntry | undefined;
    let bestDead = 0;
    for (const segment of this.manifest.segments) {
      const size = segment.bytes - SEGMENT_MAGIC.length;
      const dead = size - (this.liveBytes.get(segmentNumber(segment.name)) ?? 0);
      if (size >= Math.min(COMPACT_MIN_BYTES, this.rollBytes / 4) && dead >= size * COMPACT_DEAD_SHARE && dead > bestDead) {
        best = segment;
        bestDead = dead;
      }
    }
    return best;
  }

  private async compactNow(): Promise<void> {
    for (let segment = this.compactionCandidate(); segment; segment = this.compactionCandidate()) {
      await this.compactSegment(segment);
    }
  }

  /**
   * Copies the segment's live records (and the delete records still needed) to the active segment, commits a manifest
   * without it, then deletes it. A crash before the commit leaves the copies past the manifest's length (dropped on open).
   */
  private async compactSegment(segment: SegmentEntry): Promise<void> {
    this.adoptDeferred();
    this.decodedAtOpen = null;
    const started = Date.now();
    const storeBytes = this.sizeOnDisk();
    const number = segmentNumber(segment.name);
    const data = await readFile(join(this.dir, segment.name));
    const moved: { location: RecordLocation; at: number }[] = [];
    const droppedUpserts: string[] = [];
    const upsertsHere = new Map<string, number>();
    const records = [...segmentRecords(data, segment.bytes)].map((entry) => ({ ...entry, path: recordPath(entry.payload) }));
    for (const { payload, path } of records) if (!isDeleteRecord(payload)) upsertsHere.set(path, (upsertsHere.get(path) ?? 0) + 1);
    const keep: Buffer[] = [];
    let at = 0;
    for (const { payload, offset, bytes, path } of records) {
      const frame = data.subarray(offset, offset + bytes);
      if (isDeleteRecord(payload)) {
        // A delete matters while an older upsert of its path is still on disk in another segment.
        if (!this.fileMap.has(path) && (this.upsertsOnDisk.get(path) ?? 0) > (upsertsHere.get(path) ?? 0)) keep.push(frame);
        else continue;
      } else {
        const live = this.fileMap.get(path);
        if (live && live.location.segment === number && live.location.offset === offset) {
          moved.push({ location: live.location, at });
          keep.push(frame);
        } else {
          droppedUpserts.push(path);
          continue;
        }
      }
      at += bytes;
    }
    const next: Manifest = { ...this.manifest, segments: this.manifest.segments.map((s) => ({ ...s })) };
    let base = { segment: 0, offset: 0 };
    try {
      if (keep.length > 0) {
        const isActive = next.segments[next.segments.length - 1].name === segment.name;
        base = await this.appendInSlices(next, keep, isActive);
      }
      next.segments = next.segments.filter((s) => s.name !== segment.name);
      await this.writeManifest(next);
    } catch (error) {
      throw saveError('compact', this.dir, error);
    }
    this.manifest = next;
    for (const { location, at: movedAt } of moved) {
      location.segment = base.segment;
      location.offset = base.offset + movedAt;
    }
    if (moved.length > 0) this.liveBytes.set(base.segment, (this.liveBytes.get(base.segment) ?? 0) + moved.reduce((sum, m) => sum + m.location.bytes, 0));
    this.liveBytes.delete(number);
    for (const path of droppedUpserts) {
      const left = (this.upsertsOnDisk.get(path) ?? 1) - 1;
      if (left > 0) this.upsertsOnDisk.set(path, left);
      else this.upsertsOnDisk.delete(path);
    }
    for (const [hash, known] of this.known) if (known.location.segment === number) this.known.delete(hash);
    this.closeReader(number);
    await rm(join(this.dir, segment.name), { force: true });
    // The copy sat beside the whole store until the old segment was deleted: that is all the free disk compaction needs.
    this.log.info(
      `compacted ${segment.name} of the index at ${this.dir}: ${segment.bytes} bytes, ${at} bytes copied beside a ` +
        `${storeBytes}-byte store, ${Date.now() - started} ms`,
    );
  }

  /** Appends `frames` (to a fresh segment when `roll`), a slice at a time, yielding between slices; contiguous. */
  private async appendInSlices(next: Manifest, frames: Buffer[], roll: boolean): Promise<{ segment: number; offset: number }> {
    let first: { segment: number; offset: number } | null = null;
    let slice: Buffer[] = [];
    let sliceBytes = 0;
    const flush = async () => {
      // One segment holds the whole copy, so the records' new offsets are contiguous: no roll in the middle.
      const active = next.segments[next.segments.length - 1];
      const landed = first === null
        ? await this.append(next, slice, roll)
        : (await writeAt(join(this.dir, active.name), active.bytes, slice, false), (active.bytes += sliceBytes), first);
      first ??= landed;
      slice = [];
      sliceBytes = 0;
      await yieldToLoop();
    };
    for (const frame of frames) {
      slice.push(frame);
      sliceBytes += frame.length;
      if (sliceBytes >= COMPACT_SLICE_BYTES) await flush();
    }
    if (slice.length > 0) await flush();
    return first!;
  }

  private indexedChunks(decoded: DecodedUpsert, location: RecordLocation, payload: Buffer | null): IndexedChunk[] {
    const dimension = this.manifest.dimension;
    return decoded.chunks.map((chunk, i) => ({
      id: chunk.id, path: decoded.record.path, language: decoded.record.language, startLine: chunk.startLine, endLine: chunk.endLine,
      symbol: chunk.symbol, location, textOffset: chunk.textOffset, textBytes: chunk.textBytes, codes: decoded.codes, codesAt: i * dimension,
      scale: decoded.scales[i],
      ...(payload ? { content: chunkText(payload, chunk) } : {}),
    }));
  }

  /** A record's payload, its checksum verified. */
  private async readPayload(location: RecordLocation): Promise<Buffer> {
    const handle = await open(join(this.dir, segmentName(location.segment)), 'r');
    try {
      const frame = Buffer.alloc(location.bytes);
      const { bytesRead } = await handle.read(frame, 0, location.bytes, location.offset);
      return readFrame(frame.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  }

  private reader(segment: number): number | null {
    let fd = this.readers.get(segment);
    if (fd === undefined) {
      if (!this.liveBytes.has(segment)) return null;
      try {
        fd = openSync(join(this.dir, segmentName(segment)), 'r');
      } catch {
        return null;
      }
      this.readers.set(segment, fd);
    }
    return fd;
  }

  private closeReader(segment: number): void {
    const fd = this.readers.get(segment);
    if (fd !== undefined) closeSync(fd);
    this.readers.delete(segment);
  }

  private closeReaders(): void {
    for (const segment of [...this.readers.keys()]) this.closeReader(segment);
  }
}

/** The files by the segment their record is in, each segment's in offset order. */
function groupBySegment(files: LiveFile[]): Map<number, LiveFile[]> {
  const groups = new Map<number, LiveFile[]>();
  for (const live of [...files].sort((a, b) => a.location.segment - b.location.segment || a.location.offset - b.location.offset)) {
    const group = groups.get(live.location.segment);
    if (group) group.push(live);
    else groups.set(live.location.segment, [live]);
  }
  return groups;
}

/** Why a checkpoint covering `covered` does not describe the store whose manifest lists `segments`; null when it does. */
function checkpointMismatch(covered: { name: string; bytes: number }[], segments: { name: string; bytes: number }[]): string | null {
  const now = new Map(segments.map((s) => [s.name, s.bytes]));
  for (const segment of covered) {
    const bytes = now.get(segment.name);
    if (bytes === undefined) return `a compaction of ${segment.name}`;
    if (bytes < segment.bytes) return `its manifest (${segment.name} is shorter)`;
  }
  const newest = Math.max(0, ...covered.map((s) => segmentNumber(s.name)));
  const missed = segments.find((s) => !covered.some((c) => c.name === s.name) && segmentNumber(s.name) < newest);
  return missed ? `its manifest (${missed.name} is not covered)` : null;
}

/** A chunk's text from its record's payload (offsets count from the record's frame, which the payload follows). */
function chunkText(payload: Buffer, chunk: ChunkMeta): string {
  const start = chunk.textOffset - RECORD_HEAD;
  return payload.toString('utf8', start, start + chunk.textBytes);
}
