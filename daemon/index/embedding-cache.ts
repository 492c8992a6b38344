// Embeddings by (model, text hash), on disk under CCC_HOME/cache/ and shared by every project, so a text is embedded once.
// One append-only file per model of fixed-size records `sha256 (32 bytes) + float32[dimension]`: an append that a crash cut
// short leaves a partial last record, which the next open drops. Memory holds only a hash table from the first 8 bytes of
// each hash to its record number (12 bytes an entry); a hit reads its record from the file and checks the whole hash.
import { createHash } from 'node:crypto';
import { mkdirSync, readSync } from 'node:fs';
import { open, readFile, rename, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbedRole } from './embedder';

const HASH_BYTES = 32;
/** Past this the oldest half of the records is dropped, keeping the file (and the table) bounded (~240k vectors at 128-d). */
const MAX_BYTES = 128 * 1024 * 1024;

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface CacheEntry {
  hash: string;
  vector: Float32Array;
}

export class EmbeddingCache {
  private constructor(
    private readonly file: string,
    private readonly dimension: number,
    private table: RecordTable,
    private records: number,
    private handle: FileHandle,
  ) {}

  /**
   * Opens (or creates) the cache file of one model and role; vectors of another model, role or dimension live in another
   * file (a query and a document of the same text may have different vectors).
   */
  static async open(dir: string, modelId: string, dimension: number, role: EmbedRole = 'document'): Promise<EmbeddingCache> {
    mkdirSync(dir, { recursive: true });
    const slug = modelId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
    const file = join(dir, `${slug}-${textHash(`${role}\u0000${modelId}`).slice(0, 12)}-${dimension}d.vectors`);
    const recordBytes = HASH_BYTES + 4 * dimension;
    const data = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return Buffer.alloc(0);
      throw error;
    });
    const whole = data.length - (data.length % recordBytes);
    if (whole !== data.length) await truncate(file, whole);
    const records = whole / recordBytes;
    const table = RecordTable.of(data, records, recordBytes);
    const cache = new EmbeddingCache(file, dimension, table, records, await open(file, 'a+'));
    if (whole > MAX_BYTES) await cache.compact();
    return cache;
  }

  get size(): number {
    return this.table.size;
  }

  get(hashes: string[]): (Float32Array | undefined)[] {
    const recordBytes = HASH_BYTES + 4 * this.dimension;
    const buffer = Buffer.alloc(recordBytes);
    return hashes.map((hash) => {
      const wanted = Buffer.from(hash, 'hex');
      for (const record of this.table.candidates(wanted)) {
        readSync(this.handle.fd, buffer, 0, recordBytes, record * recordBytes);
        if (!buffer.subarray(0, HASH_BYTES).equals(wanted)) continue;
        const vector = new Float32Array(this.dimension);
        new Uint8Array(vector.buffer).set(buffer.subarray(HASH_BYTES));
        return vector;
      }
      return undefined;
    });
  }

  /** Durable in the page cache when it resolves; a crash loses at most the records being written. */
  async put(entries: CacheEntry[]): Promise<void> {
    const wrong = entries.find((entry) => entry.vector.length !== this.dimension);
    if (wrong) throw new Error(`embedding cache: vector has ${wrong.vector.length} dimensions, expected ${this.dimension}`);
    const known = new Set(this.get(entries.map((entry) => entry.hash)).flatMap((vector, i) => (vector ? [entries[i].hash] : [])));
    const seen = new Set<string>();
    const fresh = entries.filter(({ hash }) => !known.has(hash) && !seen.has(hash) && seen.add(hash));
    if (fresh.length === 0) return;
    const recordBytes = HASH_BYTES + 4 * this.dimension;
    const buffer = Buffer.alloc(fresh.length * recordBytes);
    fresh.forEach(({ hash, vector }, i) => {
      const at = i * recordBytes;
      buffer.write(hash, at, HASH_BYTES, 'hex');
      Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(buffer, at + HASH_BYTES);
    });
    await this.handle.write(buffer);
    fresh.forEach((_, i) => (this.table = this.table.with(buffer.subarray(i * recordBytes), this.records + i)));
    this.records += fresh.length;
    if (this.records * recordBytes > MAX_BYTES) await this.compact();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /** Keeps the newest half of the records and rewrites the file atomically. */
  private async compact(): Promise<void> {
    const recordBytes = HASH_BYTES + 4 * this.dimension;
    const keep = Math.min(this.records, Math.floor(MAX_BYTES / recordBytes / 2));
    const data = await readFile(this.file);
    const kept = data.subarray((this.records - keep) * recordBytes, this.records * recordBytes);
    const partial = `${this.file}.compact`;
    const out = await open(partial, 'w');
    try {
      await out.write(kept);
      await out.sync();
    } finally {
      await out.close();
    }
    await this.handle.close();
    await rename(partial, this.file);
    this.handle = await open(this.file, 'a+');
    this.records = keep;
    this.table = RecordTable.of(kept, keep, recordBytes);
  }
}

/**
 * Open addressing from a hash's first 8 bytes to record numbers. Two texts whose hashes share 8 bytes both stay findable:
 * a lookup yields every record under that key and the caller compares the whole hash.
 */
class RecordTable {
  private constructor(
    private readonly keys: Uint32Array,
    private readonly values: Int32Array,
    private count: number,
  ) {}

  static of(data: Buffer, records: number, recordBytes: number): RecordTable {
    let table = RecordTable.empty(records);
    for (let record = 0; record < records; record++) table = table.with(data.subarray(record * recordBytes), record);
    return table;
  }

  private static empty(records: number): RecordTable {
    let capacity = 1024;
    while (capacity < records * 2) capacity *= 2;
    return new RecordTable(new Uint32Array(capacity * 2), new Int32Array(capacity).fill(-1), 0);
  }

  get size(): number {
    return this.count;
  }

  /** The table with `record` added under the hash at the start of `hash` (itself, or a bigger copy when it is half full). */
  with(hash: Uint8Array, record: number): RecordTable {
    if ((this.count + 1) * 2 > this.values.length) {
      const bigger = RecordTable.empty(this.values.length);
      for (let i = 0; i < this.values.length; i++) {
        if (this.values[i] >= 0) bigger.insert(this.keys[2 * i], this.keys[2 * i + 1], this.values[i]);
      }
      return bigger.with(hash, record);
    }
    this.insert(readKey(hash, 0), readKey(hash, 4), record);
    return this;
  }

  *candidates(hash: Uint8Array): Generator<number> {
    const a = readKey(hash, 0);
    const b = readKey(hash, 4);
    const mask = this.values.length - 1;
    for (let i = a & mask; this.values[i] >= 0; i = (i + 1) & mask) {
      if (this.keys[2 * i] === a && this.keys[2 * i + 1] === b) yield this.values[i];
    }
  }

  private insert(a: number, b: number, record: number): void {
    const mask = this.values.length - 1;
    let i = a & mask;
    while (this.values[i] >= 0) i = (i + 1) & mask;
    this.keys[2 * i] = a;
    this.keys[2 * i + 1] = b;
    this.values[i] = record;
    this.count++;
  }
}

function readKey(hash: Uint8Array, at: number): number {
  return (hash[at] | (hash[at + 1] << 8) | (hash[at + 2] << 16) | (hash[at + 3] << 24)) >>> 0;
}
