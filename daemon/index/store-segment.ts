// The binary record format of the store's segment files.
// A segment is a header, then records; each record is `u32 length, u32 crc32, payload` so a torn or corrupt record is
// detected on replay. An upsert's payload is laid out so that loading reads no chunk text and a chunk's text can be read
// later by its offset from the record's start (records move whole when a segment is compacted, so the offset holds):
//   u8 kind, u32 headLength, head JSON (the file record without its chunks), u32 chunkCount,
//   per chunk: u32 id, u32 startLine, u32 endLine, u32 textBytes, u16 symbolBytes, symbol UTF-8,
//   per chunk its vector's f32 scale, then per chunk its int8 × dimension codes (x ≈ code × scale), so both copy in one go,
//   the chunks' texts as raw UTF-8, one after another.
// A delete's payload is the kind byte and the file's path in UTF-8.
import { crc32 } from 'node:zlib';
import { quantise } from './quantise';

export const SEGMENT_MAGIC = Buffer.from('CCCSEG03');
export const RECORD_HEAD = 8;
const KIND_UPSERT = 1;
const KIND_DELETE = 2;
const CHUNK_FIXED = 18;

/** A file's record: what the index knows about it as a whole. */
export interface FileRecord {
  path: string;
  mtimeMs: number;
  size: number;
  /** sha256 (hex) of the file's content. */
  hash: string;
  language: string;
  chunkCount: number;
}

/** A chunk as it is written: its text and float vector in hand. */
export interface ChunkToWrite {
  id: number;
  startLine: number;
  endLine: number;
  symbol: string;
  content: string;
  vector: Float32Array;
}

/** A chunk as it is read back: its text stays in the segment, at `textOffset` from its record's first byte. */
export interface ChunkMeta {
  id: number;
  startLine: number;
  endLine: number;
  symbol: string;
  textOffset: number;
  textBytes: number;
}

export interface DecodedUpsert {
  kind: 'upsert';
  record: FileRecord;
  chunks: ChunkMeta[];
  /** The record's vectors, `dimension` codes per chunk, and one scale per chunk. */
  codes: Int8Array;
  scales: Float32Array;
}

export type SegmentRecord = DecodedUpsert | { kind: 'delete'; path: string };

function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(RECORD_HEAD);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([head, payload]);
}

export interface EncodedUpsert {
  /** The framed record. */
  buffer: Buffer;
  /** Where each chunk's text starts relative to the record's first byte, and its length. */
  textOffsets: number[];
  textBytes: number[];
  /** The vectors as written: `dimension` codes per chunk, one scale per chunk. */
  codes: Int8Array;
  scales: number[];
}

export function encodeUpsert(record: FileRecord, chunks: ChunkToWrite[], dimension: number): EncodedUpsert {
  const head = Buffer.from(JSON.stringify(record));
  const symbols = chunks.map((chunk) => Buffer.from(chunk.symbol.slice(0, 2000)));
  const textBytes = chunks.map((chunk) => Buffer.byteLength(chunk.content));
  const metaBytes = chunks.reduce((sum, _, i) => sum + CHUNK_FIXED + symbols[i].length, 0);
  const vectorsAt = 1 + 4 + head.length + 4 + metaBytes;
  const textsAt = vectorsAt + chunks.length * (4 + dimension);
  const payload = Buffer.alloc(textsAt + textBytes.reduce((sum, n) => sum + n, 0));
  let at = payload.writeUInt8(KIND_UPSERT, 0);
  at = payload.writeUInt32LE(head.length, at);
  at += head.copy(payload, at);
  at = payload.writeUInt32LE(chunks.length, at);
  chunks.forEach((chunk, i) => {
    at = payload.writeUInt32LE(chunk.id, at);
    at = payload.writeUInt32LE(chunk.startLine, at);
    at = payload.writeUInt32LE(chunk.endLine, at);
    at = payload.writeUInt32LE(textBytes[i], at);
    at = payload.writeUInt16LE(symbols[i].length, at);
    at += symbols[i].copy(payload, at);
  });
  const codes = new Int8Array(payload.buffer, payload.byteOffset + at + 4 * chunks.length, chunks.length * dimension);
  const scales = chunks.map((chunk, i) => {
    if (chunk.vector.length !== dimension) {
      throw new Error(`chunk at line ${chunk.startLine} has a ${chunk.vector.length}-d vector, the index expects ${dimension}`);
    }
    const scale = quantise(chunk.vector, codes, i * dimension);
    payload.writeFloatLE(scale, at + 4 * i);
    return scale;
  });
  at += chunks.length * (4 + dimension);
  const textOffsets: number[] = [];
  for (const chunk of chunks) {
    textOffsets.push(RECORD_HEAD + at);
    at += payload.write(chunk.content, at, 'utf8');
  }
  return { buffer: frame(payload), textOffsets, textBytes, codes, scales };
}

export function encodeDelete(path: string): Buffer {
  return frame(Buffer.concat([Buffer.from([KIND_DELETE]), Buffer.from(path)]));
}

export function isDeleteRecord(payload: Buffer): boolean {
  return payload.readUInt8(0) === KIND_DELETE;
}

/** The path a record is about, read without decoding the rest. */
export function recordPath(payload: Buffer): string {
  const kind = payload.readUInt8(0);
  if (kind === KIND_DELETE) return payload.toString('utf8', 1);
  if (kind !== KIND_UPSERT) throw new Error(`unknown record kind ${kind}`);
  const headLength = payload.readUInt32LE(1);
  return (JSON.parse(payload.toString('utf8', 5, 5 + headLength)) as FileRecord).path;
}

export function decodePayload(payload: Buffer, dimension: number): SegmentRecord {
  const kind = payload.readUInt8(0);
  if (kind === KIND_DELETE) return { kind: 'delete', path: payload.toString('utf8', 1) };
  if (kind !== KIND_UPSERT) throw new Error(`unknown record kind ${kind}`);
  const headLength = payload.readUInt32LE(1);
  const record = JSON.parse(payload.toString('utf8', 5, 5 + headLength)) as FileRecord;
  let at = 5 + headLength;
  const count = payload.readUInt32LE(at);
  at += 4;
  if (count !== record.chunkCount) throw new Error('record length does not match its chunks');
  const chunks: ChunkMeta[] = [];
  for (let i = 0; i < count; i++) {
    const symbolBytes = payload.readUInt16LE(at + 16);
    chunks.push({
      id: payload.readUInt32LE(at),
      startLine: payload.readUInt32LE(at + 4),
      endLine: payload.readUInt32LE(at + 8),
      textBytes: payload.readUInt32LE(at + 12),
      symbol: payload.toString('utf8', at + CHUNK_FIXED, at + CHUNK_FIXED + symbolBytes),
      textOffset: 0,
    });
    at += CHUNK_FIXED + symbolBytes;
  }
  if (at + count * (4 + dimension) > payload.length) throw new Error('record length does not match its chunks');
  const scales = new Float32Array(count);
  new Uint8Array(scales.buffer).set(payload.subarray(at, at + 4 * count));
  at += 4 * count;
  const codes = new Int8Array(count * dimension);
  new Uint8Array(codes.buffer).set(payload.subarray(at, at + count * dimension));
  at += count * dimension;
  for (const chunk of chunks) {
    chunk.textOffset = RECORD_HEAD + at;
    at += chunk.textBytes;
  }
  if (at !== payload.length) throw new Error('record length does not match its chunks');
  return { kind: 'upsert', record, chunks, codes, scales };
}

/** The payload of one framed record read on its own; throws a one-line reason when it is torn or its checksum mismatches. */
export function readFrame(frame: Buffer): Buffer {
  if (frame.length < RECORD_HEAD || frame.readUInt32LE(0) !== frame.length - RECORD_HEAD) throw new Error('truncated record');
  const payload = frame.subarray(RECORD_HEAD);
  if (crc32(payload) !== frame.readUInt32LE(4)) throw new Error('record checksum mismatch');
  return payload;
}

/**
 * Each record of `data[from, end)` with its position (`from`: the first record's offset, by default the first after the
 * header); throws a one-line reason on a bad header, torn record or checksum mismatch.
 */
export function* segmentRecords(data: Buffer, end: number, from = SEGMENT_MAGIC.length): Generator<{ payload: Buffer; offset: number; bytes: number }> {
  if (end < SEGMENT_MAGIC.length || !data.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) throw new Error('bad segment header');
  let at = from;
  while (at < end) {
    if (at + RECORD_HEAD > end) throw new Error('truncated record header');
    const length = data.readUInt32LE(at);
    const sum = data.readUInt32LE(at + 4);
    const payloadEnd = at + RECORD_HEAD + length;
    if (payloadEnd > end) throw new Error('truncated record');
    const payload = data.subarray(at + RECORD_HEAD, payloadEnd);
    if (crc32(payload) !== sum) throw new Error('record checksum mismatch');
    yield { payload, offset: at, bytes: payloadEnd - at };
    at = payloadEnd;
  }
}
