// The search index's chunks as bytes (`chunks.bin` beside the store's segments): per file its path, language and where
// its record lay; per chunk its id, lines, text offset and length, symbol, scale and int8 codes, all in columns. A start
// places the chunks of every file whose record still lies there with a few bulk copies, instead of reading and decoding
// each record (seconds at a million chunks); the files that moved or changed since are read from the store.
// Layout: magic, u32 crc32 of the rest, u32 dimension, u32 files, u32 chunks, u32 JSON bytes, JSON { paths, languages,
// symbols }, zero padding to 4, then u32 columns (per file: segment, offset, bytes, chunk count; then every chunk's id,
// every start line, end line, text offset and text bytes, a column at a time so a load copies each in one go), f32
// scales, int8 codes (`dimension` per chunk). Derived data: bad bytes are refused and every record read instead.
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from('CCCCHS01');
const HEAD = MAGIC.length + 20;
const FILE_COLUMNS = 4;
/** The chunk columns, in the order they are laid out. */
export const CHUNK_COLUMNS = ['id', 'startLine', 'endLine', 'textOffset', 'textBytes'] as const;

export interface ChunkSnapshot {
  paths: string[];
  languages: string[];
  /** Per file: its record's segment, offset and bytes, then its chunk count. */
  files: Uint32Array;
  /** Columns of the chunks in file order, one after another (`CHUNK_COLUMNS`). */
  chunks: Uint32Array;
  symbols: string[];
  scales: Float32Array;
  /** `dimension` codes per chunk. */
  codes: Int8Array;
}

export function encodeChunkSnapshot(snapshot: ChunkSnapshot, dimension: number): Buffer[] {
  const fileCount = snapshot.paths.length;
  const chunkCount = snapshot.symbols.length;
  const json = Buffer.from(JSON.stringify({ paths: snapshot.paths, languages: snapshot.languages, symbols: snapshot.symbols }));
  const head = Buffer.alloc(HEAD + json.length + padding(HEAD + json.length));
  MAGIC.copy(head, 0);
  let at = MAGIC.length + 4;
  at = head.writeUInt32LE(dimension, at);
  at = head.writeUInt32LE(fileCount, at);
  at = head.writeUInt32LE(chunkCount, at);
  head.writeUInt32LE(json.length, at);
  json.copy(head, HEAD);
  const parts = [head, bytesOf(snapshot.files), bytesOf(snapshot.chunks), bytesOf(snapshot.scales), bytesOf(snapshot.codes)];
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
  at = HEAD + jsonBytes + padding(HEAD + jsonBytes);
  const expected = at + 4 * (FILE_COLUMNS * fileCount + CHUNK_COLUMNS.length * chunkCount + chunkCount) + dimension * chunkCount;
  if (data.length !== expected) throw fail('its length does not match its counts');
  const { paths, languages, symbols } = JSON.parse(data.toString('utf8', HEAD, HEAD + jsonBytes)) as Pick<ChunkSnapshot, 'paths' | 'languages' | 'symbols'>;
  if (paths.length !== fileCount || languages.length !== fileCount || symbols.length !== chunkCount) throw fail('its names do not match its counts');
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
  let total = 0;
  for (let f = 0; f < fileCount; f++) total += files[FILE_COLUMNS * f + 3];
  if (total !== chunkCount) throw fail('its files do not add up to its chunks');
  return { paths, languages, files, chunks, symbols, scales, codes };
}

/** One chunk column of a snapshot's `chunks`. */
export function chunkColumn(snapshot: ChunkSnapshot, column: (typeof CHUNK_COLUMNS)[number]): Uint32Array {
  const count = snapshot.symbols.length;
  const at = CHUNK_COLUMNS.indexOf(column) * count;
  return snapshot.chunks.subarray(at, at + count);
}

function padding(bytes: number): number {
  return (4 - (bytes % 4)) % 4;
}

function bytesOf(array: Uint32Array | Float32Array | Int8Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}
