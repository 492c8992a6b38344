// The store's in-memory state as bytes (`checkpoint.bin` beside the segments), so an open reads it and replays only the
// records appended since, instead of reading, checksumming and decoding every segment (seconds at a million chunks).
// It names the segments it covers and how many bytes of each; an open whose manifest no longer has one of them (it was
// compacted since) replays everything. Derived data: bad bytes are refused and the segments replayed.
// Layout: magic, u32 crc32 of the rest, then JSON with one array per field (arrays of strings and numbers parse fast).
import { crc32 } from 'node:zlib';
import type { FileRecord } from './store-segment';

const MAGIC = Buffer.from('CCCCKP01');
const HEAD = MAGIC.length + 4;

export interface CheckpointLocation {
  segment: number;
  offset: number;
  bytes: number;
}

export interface StoreCheckpoint {
  /** The segments covered, each up to `bytes`. */
  segments: { name: string; bytes: number }[];
  files: { record: FileRecord; location: CheckpointLocation }[];
  /** Content known by hash: `file` is the index of the live file whose record it is, or -1 for a dead record at `location`. */
  known: { hash: string; language: string; file: number; location: CheckpointLocation | null }[];
  /** Upsert records on disk per path, live or dead. */
  upserts: [path: string, count: number][];
}

interface Columns {
  segments: { name: string; bytes: number }[];
  paths: string[];
  mtimes: number[];
  sizes: number[];
  hashes: string[];
  languages: string[];
  chunkCounts: number[];
  /** segment, offset, bytes per file. */
  locations: number[];
  knownHashes: string[];
  knownLanguages: string[];
  knownFiles: number[];
  /** segment, offset, bytes per known record that is not a live file's. */
  knownLocations: number[];
  upsertPaths: string[];
  upsertCounts: number[];
}

export function encodeCheckpoint(checkpoint: StoreCheckpoint): Buffer {
  const columns: Columns = {
    segments: checkpoint.segments, paths: [], mtimes: [], sizes: [], hashes: [], languages: [], chunkCounts: [], locations: [],
    knownHashes: [], knownLanguages: [], knownFiles: [], knownLocations: [], upsertPaths: [], upsertCounts: [],
  };
  for (const { record, location } of checkpoint.files) {
    columns.paths.push(record.path);
    columns.mtimes.push(record.mtimeMs);
    columns.sizes.push(record.size);
    columns.hashes.push(record.hash);
    columns.languages.push(record.language);
    columns.chunkCounts.push(record.chunkCount);
    columns.locations.push(location.segment, location.offset, location.bytes);
  }
  for (const known of checkpoint.known) {
    columns.knownHashes.push(known.hash);
    columns.knownLanguages.push(known.language);
    columns.knownFiles.push(known.file);
    if (known.file < 0) columns.knownLocations.push(known.location!.segment, known.location!.offset, known.location!.bytes);
  }
  for (const [path, count] of checkpoint.upserts) {
    columns.upsertPaths.push(path);
    columns.upsertCounts.push(count);
  }
  const json = Buffer.from(JSON.stringify(columns));
  const data = Buffer.alloc(HEAD + json.length);
  MAGIC.copy(data, 0);
  json.copy(data, HEAD);
  data.writeUInt32LE(crc32(json), MAGIC.length);
  return data;
}

/** Throws one line on bad bytes. */
export function decodeCheckpoint(data: Buffer): StoreCheckpoint {
  const fail = (reason: string) => new Error(`store checkpoint unreadable (${reason})`);
  if (data.length < HEAD || !data.subarray(0, MAGIC.length).equals(MAGIC)) throw fail('not a store checkpoint of this version');
  const json = data.subarray(HEAD);
  if (crc32(json) !== data.readUInt32LE(MAGIC.length)) throw fail('checksum mismatch');
  const c = JSON.parse(json.toString('utf8')) as Columns;
  const location = (values: number[], i: number): CheckpointLocation => ({ segment: values[3 * i], offset: values[3 * i + 1], bytes: values[3 * i + 2] });
  const files = c.paths.map((path, i) => ({
    record: { path, mtimeMs: c.mtimes[i], size: c.sizes[i], hash: c.hashes[i], language: c.languages[i], chunkCount: c.chunkCounts[i] },
    location: location(c.locations, i),
  }));
  let dead = 0;
  const known = c.knownHashes.map((hash, i) => {
    const file = c.knownFiles[i];
    return { hash, language: c.knownLanguages[i], file, location: file < 0 ? location(c.knownLocations, dead++) : null };
  });
  const upserts = c.upsertPaths.map((path, i): [string, number] => [path, c.upsertCounts[i]]);
  return { segments: c.segments, files, known, upserts };
}
