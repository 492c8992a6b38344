// The search index's chunks as bytes (`chunks.bin` beside the store's segments): per file its path, language and where
// its record lay; per chunk its id, lines, text offset and length, symbol, scale and int8 codes, all in columns. A start
// places the chunks of every file whose record still lies there with a few bulk copies, instead of reading and decoding
// each record (seconds at a million chunks); the files that moved or changed since are read from the store.
// Layout: magic, u32 crc32 of the rest, u32 dimension, u32 files, u32 chunks, u32 JSON bytes, u32 symbol bytes, u32 sign
// bytes, JSON { paths, languages }, zero padding to 4, then u32 columns (per file: segment, offset, bytes, chunk count;
// then every chunk's id, every start line, end line, text offset, text bytes and symbol bytes, a column at a time so a
// load copies each in one go), f32 scales, int8 codes (`dimension` per chunk), the sign pass's bits, the symbols' UTF-8
// one after another. Derived data: bad bytes are refused and every record read instead.
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from('CCCCHS03');
const HEAD = MAGIC.length + 28;
const FILE_COLUMNS = 4;
/** The chunk columns, in the order they are laid out. */
export const CHUNK_COLUMNS = ['id', 'startLine', 'endLine', 'textOffset', 'textBytes', 'symbolBytes'] as const;

export interface ChunkSnapshot {
  paths: string[];
  languages: string[];
  /** Per file: its record's segment, offset and bytes, then its chunk count. */
  files: Uint32Array;
  /** Columns of the chunks in file order, one after another (`CHUNK_COLUMNS`). */
  chunks: Uint32Array;
  scales: Float32Array;
  /** `dimension` codes per chunk. */
  codes: Int8Array;
  /** The sign pass's bits of every chunk, one after another (`VectorIndex.exportRows`). */
  signs: Uint8Array;
  /** Each chunk's symbol in UTF-8, one after another (their lengths are the `symbolBytes` column). */
  symbols: Uint8Array;
}

export function encodeChunkSnapshot(snapshot: ChunkSnapshot, dimension: number): Buffer[] {
  const fileCount = snapshot.paths.length;
  const chunkCount = snapshot.scales.length;
  const json = Buffer.from(JSON.stringify({ paths: snapshot.paths, languages: snapshot.languages }));
  const head = Buffer.alloc(HEAD + json.length + padding(HEAD + json.length));
  MAGIC.copy(head, 0);
  let at = MAGIC.length + 4;
  at = head.writeUInt32LE(dimension, at);
  at = head.writeUInt32LE(fileCount, at);
  at = head.writeUInt32LE(chunkCount, at);
  at = head.writeUInt32LE(json.length, at);
  at = head.writeUInt32LE(snapshot.symbols.length, at);
  head.writeUInt32LE(snapshot.signs.length, at);
  json.copy(head, HEAD);
  const parts = [head, ...[snapshot.files, snapshot.chunks, snapshot.scales, snapshot.codes, snapshot.signs, snapshot.symbols].map(bytesOf)];
  let sum = crc32(head.subarray(MAGIC.length + 4));
  for (const part of parts.slice(1)) sum = crc32(part, sum);
  head.writeUInt32LE(sum, MAGIC.length);
  return parts;
}

/** The snapshot, its columns viewing `data`; throws one line on bad bytes. */
export function decodeChunkSnapshot(data: Buffer, dimension: number): ChunkSnapshot {
  const fail = (reason: string) => new Error(`chunk snapshot unreadable (${reason}): every record is read instead`);
  if (data.length < HEAD || !data.subarray(0, MAGIC.length).equals(MAGIC)) throw fail('not a chunk snapshot of this version');
  if (crc32(data.subarray(MAGIC.length + 4)) !== data.readUInt32LE(MAGIC.length)) throw fail('checksum mismatch');
  let at = MAGIC.length + 4;
  if (data.readUInt32LE(at) !== dimension) throw fail(`${data.readUInt32LE(at)}-d, the index is ${dimension}-d`);
  const fileCount = data.readUInt32LE(at + 4);
  const chunkCount = data.readUInt32LE(at + 8);
  const jsonBytes = data.readUInt32LE(at + 12);
  const symbolBytes = data.readUInt32LE(at + 16);
  const signBytes = data.readUInt32LE(at + 20);
  at = HEAD + jsonBytes + padding(HEAD + jsonBytes);
  const expected = at + 4 * (FILE_COLUMNS * fileCount + CHUNK_COLUMNS.length * chunkCount + chunkCount) + dimension * chunkCount + signBytes + symbolBytes;
  if (data.length !== expected) throw fail('its length does not match its counts');
  const { paths, languages } = JSON.parse(data.toString('utf8', HEAD, HEAD + jsonBytes)) as Pick<ChunkSnapshot, 'paths' | 'languages'>;
  if (paths.length !== fileCount || languages.length !== fileCount) throw fail('its names do not match its counts');
  // Typed views need aligned offsets: a buffer that does not start on a 4-byte boundary is copied once.
  const aligned = data.byteOffset % 4 === 0 ? data : Buffer.from(data);
  const view = <T>(Kind: new (buffer: ArrayBuffer, offset: number, length: number) => T, length: number, bytesEach: number): T => {
    const array = new Kind(aligned.buffer as ArrayBuffer, aligned.byteOffset + at, length);
    at += length * bytesEach;
    return array;
  };
  const files = view(Uint32Array, FILE_COLUMNS * fileCount, 4);
  const chunks = view(Uint32Array, CHUNK_COLUMNS.length * chunkCount, 4);
  const scales = view(Float32Array, chunkCount, 4);
  const codes = view(Int8Array, dimension * chunkCount, 1);
  const signs = view(Uint8Array, signBytes, 1);
  const symbols = view(Uint8Array, symbolBytes, 1);
  const snapshot = { paths, languages, files, chunks, scales, codes, signs, symbols };
  let total = 0;
  for (let f = 0; f < fileCount; f++) total += files[FILE_COLUMNS * f + 3];
  if (total !== chunkCount) throw fail('its files do not add up to its chunks');
  if (chunkColumn(snapshot, 'symbolBytes').reduce((sum, n) => sum + n, 0) !== symbolBytes) throw fail('its symbols do not add up');
  return snapshot;
}

/** One chunk column of a snapshot's `chunks`. */
export function chunkColumn(snapshot: ChunkSnapshot, column: (typeof CHUNK_COLUMNS)[number]): Uint32Array {
  const count = snapshot.scales.length;
  const at = CHUNK_COLUMNS.indexOf(column) * count;
  return snapshot.chunks.subarray(at, at + count);
}

function padding(bytes: number): number {
  return (4 - (bytes % 4)) % 4;
}

function bytesOf(array: Uint32Array | Float32Array | Int8Array | Uint8Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}
