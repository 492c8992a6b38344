// The binary record format of the store's segment files.
// A segment is a header, then records; each record is `u32 length, u32 crc32, payload` so a torn or corrupt
// record is detected on replay. Payload: a kind byte, then for an upsert `u32 jsonLength, JSON, contents, vectors`:
// the JSON holds the file record, each chunk's other fields and each content's UTF-8 byte length; the contents follow
// as raw UTF-8 (decoding them is much cheaper than unescaping them from JSON), then one Float32 vector per chunk, in
// the JSON's order. For a delete the payload is the file's path in UTF-8.
import { crc32 } from 'node:zlib';
import type { FileRecord, StoredChunk } from './store';

export const SEGMENT_MAGIC = Buffer.from('CCCSEG02');
const RECORD_HEAD = 8;
const KIND_UPSERT = 1;
const KIND_DELETE = 2;

/** A chunk's fields besides its content and vector; `path` is left out when it is the file's (always, in practice). */
type ChunkMeta = Omit<StoredChunk, 'vector' | 'content' | 'path'> & { path?: string };

interface UpsertJson {
  record: FileRecord;
  chunks: ChunkMeta[];
  contentBytes: number[];
}

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
  const metas: ChunkMeta[] = chunks.map(({ vector: _vector, content: _content, path, ...meta }) => (path === record.path ? meta : { ...meta, path }));
  const contentBytes = chunks.map((chunk) => Buffer.byteLength(chunk.content));
  const json = Buffer.from(JSON.stringify({ record, chunks: metas, contentBytes } satisfies UpsertJson));
  const contentTotal = contentBytes.reduce((sum, n) => sum + n, 0);
  const payload = Buffer.alloc(5 + json.length + contentTotal + chunks.length * dimension * 4);
  payload.writeUInt8(KIND_UPSERT, 0);
  payload.writeUInt32LE(json.length, 1);
  json.copy(payload, 5);
  let at = 5 + json.length;
  for (const chunk of chunks) at += payload.write(chunk.content, at, 'utf8');
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
  if (kind === KIND_DELETE) return { kind: 'delete', path: payload.toString('utf8', 1) };
  if (kind !== KIND_UPSERT) throw new Error(`unknown record kind ${kind}`);
  const jsonLength = payload.readUInt32LE(1);
  const { record, chunks, contentBytes } = JSON.parse(payload.toString('utf8', 5, 5 + jsonLength)) as UpsertJson;
  let at = 5 + jsonLength;
  const vectorsAt = at + contentBytes.reduce((sum, n) => sum + n, 0);
  if (contentBytes.length !== chunks.length || payload.length !== vectorsAt + chunks.length * dimension * 4) {
    throw new Error('record length does not match its chunks');
  }
  // One copy of the record's vectors (the payload need not be 4-byte aligned); each chunk gets a view, not its own buffer.
  const vectors = new Float32Array(chunks.length * dimension);
  new Uint8Array(vectors.buffer).set(payload.subarray(vectorsAt));
  const stored = chunks as StoredChunk[];
  for (let i = 0; i < stored.length; i++) {
    stored[i].content = payload.toString('utf8', at, (at += contentBytes[i]));
    stored[i].vector = vectors.subarray(i * dimension, (i + 1) * dimension);
    // Every chunk of a file shares the record's path string.
    stored[i].path ??= record.path;
  }
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
