// The binary record format of the store's segment files.
// A segment is a header, then records; each record is `u32 length, u32 crc32, payload` so a torn or corrupt
// record is detected on replay. Payload: a kind byte, then for an upsert `u32 jsonLength, JSON, Float32 vectors`
// (one per chunk, in the JSON's order), for a delete the file's path in UTF-8.
import { crc32 } from 'node:zlib';
import type { FileRecord, StoredChunk } from './store';

export const SEGMENT_MAGIC = Buffer.from('CCCSEG01');
const RECORD_HEAD = 8;
const KIND_UPSERT = 1;
const KIND_DELETE = 2;

type ChunkMeta = Omit<StoredChunk, 'vector'>;

export type SegmentRecord =
  | { kind: 'upsert'; record: FileRecord; chunks: StoredChunk[] }
  | { kind: 'delete'; path: string };

function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(RECORD_HEAD);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([head, payload]);
}

export function encodeUpsert(record: FileRecord, chunks: StoredChunk[], dimension: number): Buffer {
  const metas: ChunkMeta[] = chunks.map(({ vector: _vector, ...meta }) => meta);
  const json = Buffer.from(JSON.stringify({ record, chunks: metas }));
  const payload = Buffer.alloc(5 + json.length + chunks.length * dimension * 4);
  payload.writeUInt8(KIND_UPSERT, 0);
  payload.writeUInt32LE(json.length, 1);
  json.copy(payload, 5);
  let at = 5 + json.length;
  for (const chunk of chunks) {
    if (chunk.vector.length !== dimension) {
      throw new Error(`chunk ${chunk.path}:${chunk.startLine} has a ${chunk.vector.length}-d vector, the index expects ${dimension}`);
    }
    Buffer.from(chunk.vector.buffer, chunk.vector.byteOffset, dimension * 4).copy(payload, at);
    at += dimension * 4;
  }
  return frame(payload);
}

export function encodeDelete(path: string): Buffer {
  return frame(Buffer.concat([Buffer.from([KIND_DELETE]), Buffer.from(path)]));
}

function decodePayload(payload: Buffer, dimension: number): SegmentRecord {
  const kind = payload.readUInt8(0);
  if (kind === KIND_DELETE) return { kind: 'delete', path: payload.subarray(1).toString() };
  if (kind !== KIND_UPSERT) throw new Error(`unknown record kind ${kind}`);
  const jsonLength = payload.readUInt32LE(1);
  const { record, chunks } = JSON.parse(payload.subarray(5, 5 + jsonLength).toString()) as { record: FileRecord; chunks: ChunkMeta[] };
  let at = 5 + jsonLength;
  if (payload.length !== at + chunks.length * dimension * 4) throw new Error('record length does not match its chunks');
  const stored = chunks.map((meta) => {
    const vector = new Float32Array(dimension);
    payload.copy(Buffer.from(vector.buffer), 0, at, at + dimension * 4);
    at += dimension * 4;
    return { ...meta, vector };
  });
  return { kind: 'upsert', record, chunks: stored };
}

/** Decodes `data[start, end)`; throws a one-line reason on a bad header, torn record or checksum mismatch. */
export function* decodeSegment(data: Buffer, end: number, dimension: number): Generator<{ record: SegmentRecord; bytes: number }> {
  if (end < SEGMENT_MAGIC.length || !data.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) throw new Error('bad segment header');
  let at = SEGMENT_MAGIC.length;
  while (at < end) {
    if (at + RECORD_HEAD > end) throw new Error('truncated record header');
    const length = data.readUInt32LE(at);
    const sum = data.readUInt32LE(at + 4);
    const payloadEnd = at + RECORD_HEAD + length;
    if (payloadEnd > end) throw new Error('truncated record');
    const payload = data.subarray(at + RECORD_HEAD, payloadEnd);
    if (crc32(payload) !== sum) throw new Error('record checksum mismatch');
    yield { record: decodePayload(payload, dimension), bytes: payloadEnd - at };
    at = payloadEnd;
  }
}
