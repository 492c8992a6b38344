// Embeddings by (model, text hash), on disk under CCC_HOME/cache/ and shared by every project, so a text is embedded once.
// One append-only file per model of fixed-size records `sha256 (32 bytes) + float32[dimension]`: an append that a crash cut
// short leaves a partial last record, which the next open drops. The whole file is read into memory at open.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readFile, rename, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbedRole } from './embedder';

const HASH_BYTES = 32;
/** Past this the oldest half of the vectors is dropped, keeping the daemon's memory bounded (~300k vectors at 100-d). */
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
    private vectors: Map<string, Float32Array>,
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
    const cache = new EmbeddingCache(file, dimension, parseRecords(data.subarray(0, whole), dimension), await open(file, 'a'));
    if (whole > MAX_BYTES) await cache.compact();
    return cache;
  }

  get size(): number {
    return this.vectors.size;
  }

  get(hashes: string[]): (Float32Array | undefined)[] {
    return hashes.map((hash) => this.vectors.get(hash));
  }

  /** Durable in the page cache when it resolves; a crash loses at most the records being written. */
  async put(entries: CacheEntry[]): Promise<void> {
    const wrong = entries.find((entry) => entry.vector.length !== this.dimension);
    if (wrong) throw new Error(`embedding cache: vector has ${wrong.vector.length} dimensions, expected ${this.dimension}`);
    const seen = new Set<string>();
    const fresh = entries.filter(({ hash }) => !this.vectors.has(hash) && !seen.has(hash) && seen.add(hash));
    if (fresh.length === 0) return;
    const recordBytes = HASH_BYTES + 4 * this.dimension;
    const buffer = Buffer.alloc(fresh.length * recordBytes);
    fresh.forEach(({ hash, vector }, i) => {
      const at = i * recordBytes;
      buffer.write(hash, at, HASH_BYTES, 'hex');
      Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(buffer, at + HASH_BYTES);
      this.vectors.set(hash, new Float32Array(vector));
    });
    await this.handle.write(buffer);
    if (this.vectors.size * recordBytes > MAX_BYTES) await this.compact();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /** Keeps the newest half of the vectors (a Map iterates in insertion order) and rewrites the file atomically. */
  private async compact(): Promise<void> {
    const recordBytes = HASH_BYTES + 4 * this.dimension;
    const keep = Math.floor(MAX_BYTES / recordBytes / 2);
    for (const hash of this.vectors.keys()) {
      if (this.vectors.size <= keep) break;
      this.vectors.delete(hash);
    }
    const buffer = Buffer.alloc(this.vectors.size * recordBytes);
    let at = 0;
    for (const [hash, vector] of this.vectors) {
      buffer.write(hash, at, HASH_BYTES, 'hex');
      Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(buffer, at + HASH_BYTES);
      at += recordBytes;
    }
    const partial = `${this.file}.compact`;
    const out = await open(partial, 'w');
    try {
      await out.write(buffer);
      await out.sync();
    } finally {
      await out.close();
    }
    await this.handle.close();
    await rename(partial, this.file);
    this.handle = await open(this.file, 'a');
    // Fresh arrays, so the dropped vectors' memory is actually freed.
    this.vectors = parseRecords(buffer, this.dimension);
  }
}

function parseRecords(data: Buffer, dimension: number): Map<string, Float32Array> {
  const recordBytes = HASH_BYTES + 4 * dimension;
  // One aligned copy holds every vector; the map's entries are views into it.
  const floats = new Float32Array((data.length / recordBytes) * dimension);
  const vectors = new Map<string, Float32Array>();
  for (let at = 0, row = 0; at < data.length; at += recordBytes, row++) {
    const vector = floats.subarray(row * dimension, (row + 1) * dimension);
    new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength).set(data.subarray(at + HASH_BYTES, at + recordBytes));
    vectors.set(data.toString('hex', at, at + HASH_BYTES), vector);
  }
  return vectors;
}
