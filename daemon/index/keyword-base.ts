// The frozen tier of the keyword index: every structure is a typed array, so it costs a few bytes per posting, holds no
// JS object per term, and is written to and read from bytes as is (no tokenising, no hashing at load).
//
// - Terms: their UTF-8 bytes back to back in `termText` (`termTextStart[id]` to `termTextStart[id + 1]`), found through
//   an open-addressing table (`table`: slot → term id or -1, linear probing on `termHash`).
// - Postings: term `id` owns `postings[termPostStart[id], termPostStart[id + 1])`: a header of six varints (df and byte
//   length for content, symbol, path), then each field's pairs. A pair is one varint `docDelta * 2 + (tf === 1)` and, when
//   tf is not 1, a second varint with tf: most terms occur once in a chunk, so a posting is 1–2 bytes.
// - Per document: its key (the store's chunk id; `DEAD_KEY` for one removed before the snapshot) and its three lengths.

/** Content, symbol, path: `TEXT_FIELDS` of keyword-index.ts, in that order. */
export const FIELD_COUNT = 3;

/** A document's key in a snapshot when it was removed before `toBytes`. */
export const DEAD_KEY = 0xffffffff;

const MAGIC = 0x3157_4b43; // "CKW1", little-endian
/** 1: varint postings with a 6-varint header per term, FNV-1a + fmix32 term hash, FNV word checksum. */
export const KEYWORD_FORMAT_VERSION = 1;
const HEADER_WORDS = 8;

export class KeywordBase {
  /** Set by `locate`: the byte range of one term's postings in one field, and how many documents it lists. */
  spanStart = 0;
  spanEnd = 0;
  spanDf = 0;

  constructor(
    readonly docs: number,
    readonly keys: Uint32Array,
    /** `lengths[field * docs + doc]`: term occurrences of the document's field. */
    readonly lengths: Uint32Array,
    readonly termText: Uint8Array,
    readonly termTextStart: Uint32Array,
    readonly termPostStart: Uint32Array,
    readonly table: Int32Array,
    readonly postings: Uint8Array,
  ) {}

  static empty(): KeywordBase {
    return new KeywordBase(0, new Uint32Array(0), new Uint32Array(0), new Uint8Array(0), new Uint32Array(1),
      new Uint32Array(1), new Int32Array(1).fill(-1), new Uint8Array(0));
  }

  get termCount(): number {
    return this.termTextStart.length - 1;
  }

  /** The term id of `term` (UTF-8 bytes, `hash` = `termHash(term)`), or -1. */
  find(term: Uint8Array, hash: number): number {
    const { table, termText, termTextStart } = this;
    const mask = table.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const id = table[i];
      if (id < 0) return -1;
      const start = termTextStart[id];
      if (termTextStart[id + 1] - start !== term.length) continue;
      let same = true;
      for (let j = 0; j < term.length && same; j++) same = termText[start + j] === term[j];
      if (same) return id;
    }
  }

  /** Points `spanStart`/`spanEnd`/`spanDf` at term `id`'s postings in `field`. */
  locate(id: number, field: number): void {
    const cursor = new VarintCursor(this.postings, this.termPostStart[id]);
    let start = 0;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const df = cursor.next();
      const length = cursor.next();
      if (f < field) start += length;
      else if (f === field) {
        this.spanDf = df;
        this.spanStart = start;
        this.spanEnd = start + length;
      }
    }
    this.spanStart += cursor.pos;
    this.spanEnd += cursor.pos;
  }

  /** Bytes held. */
  byteSize(): number {
    return this.keys.byteLength + this.lengths.byteLength + this.termText.byteLength + this.termTextStart.byteLength +
      this.termPostStart.byteLength + this.table.byteLength + this.postings.byteLength;
  }

  /** The snapshot: a header, then each array's bytes (4-byte aligned, little-endian as typed arrays are in memory). */
  toBytes(keys: Uint32Array): Buffer[] {
    const parts = [keys, this.lengths, this.termTextStart, this.termPostStart, this.table, this.termText, this.postings]
      .map((array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    const header = new Uint32Array([MAGIC, KEYWORD_FORMAT_VERSION, this.docs, this.termCount, this.table.length,
      this.termText.length, this.postings.length, checksum(parts)]);
    return [Buffer.from(header.buffer), ...parts.flatMap((part) => {
      const bytes = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
      return bytes.length % 4 === 0 ? [bytes] : [bytes, Buffer.alloc(4 - (bytes.length % 4))];
    })];
  }

  /** Reads a snapshot written by `toBytes`; the arrays are views into `data` (copied once if it is not 4-byte aligned). */
  static fromBytes(data: Buffer): { base: KeywordBase; keys: Uint32Array } {
    if (data.length < HEADER_WORDS * 4) throw snapshotError(`${data.length} bytes, shorter than its header`);
    const aligned = data.byteOffset % 4 === 0 ? data : Buffer.from(data);
    const header = new Uint32Array(aligned.buffer, aligned.byteOffset, HEADER_WORDS);
    const [magic, version, docs, termCount, tableSize, textBytes, postingBytes, sum] = header;
    if (magic !== MAGIC) throw snapshotError('not a keyword index snapshot');
    if (version !== KEYWORD_FORMAT_VERSION) throw snapshotError(`format ${version}, this version reads ${KEYWORD_FORMAT_VERSION}`);
    if (tableSize === 0 || (tableSize & (tableSize - 1)) !== 0) throw snapshotError(`hash table of ${tableSize} slots`);
    const words = [docs, FIELD_COUNT * docs, termCount + 1, termCount + 1, tableSize];
    const wordBytes = words.reduce((sum, n) => sum + 4 * n, 0);
    const expected = HEADER_WORDS * 4 + wordBytes + padded(textBytes) + padded(postingBytes);
    if (aligned.length !== expected) throw snapshotError(`${aligned.length} bytes where its header says ${expected}`);
    let offset = aligned.byteOffset + HEADER_WORDS * 4;
    const [keys, lengths, termTextStart, termPostStart] = words.slice(0, 4).map((n) => {
      const array = new Uint32Array(aligned.buffer, offset, n);
      offset += 4 * n;
      return array;
    });
    const table = new Int32Array(aligned.buffer, offset, tableSize);
    offset += 4 * tableSize;
    const termText = new Uint8Array(aligned.buffer, offset, textBytes);
    offset += padded(textBytes);
    const postings = new Uint8Array(aligned.buffer, offset, postingBytes);
    const parts = [keys, lengths, termTextStart, termPostStart, table, termText, postings]
      .map((array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    if (checksum(parts) !== sum) throw snapshotError('checksum mismatch');
    if (termTextStart[termCount] !== textBytes || termPostStart[termCount] !== postingBytes) {
      throw snapshotError('term offsets do not match the data');
    }
    return { base: new KeywordBase(docs, keys, lengths, termText, termTextStart, termPostStart, table, postings), keys };
  }
}

/** Reads varints (7 bits a byte, low first) from `pos` on. */
export class VarintCursor {
  constructor(readonly bytes: Uint8Array, public pos: number) {}

  next(): number {
    const bytes = this.bytes;
    let b = bytes[this.pos++];
    let value = b & 127;
    for (let shift = 7; b >= 128; shift += 7) {
      b = bytes[this.pos++];
      value += (b & 127) * 2 ** shift;
    }
    return value;
  }
}

/** FNV-1a over the term's UTF-8 bytes, then murmur3's finaliser so the low bits that pick a table slot are well mixed. */
export function termHash(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** An open-addressing table (twice the terms, a power of two) of the term ids by hash. */
export function termTable(hashes: Uint32Array, count: number): Int32Array {
  let size = 2;
  while (size < 2 * count) size *= 2;
  const table = new Int32Array(size).fill(-1);
  const mask = size - 1;
  for (let id = 0; id < count; id++) {
    let i = hashes[id] & mask;
    while (table[i] >= 0) i = (i + 1) & mask;
    table[i] = id;
  }
  return table;
}

/**
 * FNV-style over each part's 32-bit words (its last 1–3 bytes as one more word): each step is a bijection of the running
 * value, so any single changed word changes the result; ~20× faster in JS than a byte-wise CRC, which Node 20's zlib
 * does not expose.
 */
function checksum(parts: Uint8Array[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const whole = part.byteLength >> 2;
    const aligned = part.byteOffset % 4 === 0 ? part : part.slice();
    const words = new Uint32Array(aligned.buffer, aligned.byteOffset, whole);
    for (let i = 0; i < whole; i++) h = Math.imul(h ^ words[i], 0x01000193);
    let tail = 0;
    for (let i = 4 * whole; i < part.byteLength; i++) tail = tail * 256 + part[i];
    if (4 * whole < part.byteLength) h = Math.imul(h ^ tail, 0x01000193);
  }
  return h >>> 0;
}

function padded(bytes: number): number {
  return Math.ceil(bytes / 4) * 4;
}

function snapshotError(reason: string): Error {
  return new Error(`keyword index snapshot unreadable (${reason}): rebuild it from the chunk text`);
}
