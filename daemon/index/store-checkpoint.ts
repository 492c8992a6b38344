// The store's in-memory state as bytes (`checkpoint.bin` beside the segments), so an open reads it and replays only the
// records appended since, instead of reading, checksumming and decoding every segment (seconds at a million chunks).
// It names the segments it covers and how many bytes of each; an open whose manifest no longer has one of them (it was
// compacted since) replays everything. Derived data: bad bytes are refused and the segments replayed.
// Layout: magic, u32 crc32 of the rest, then JSON with one array per field (arrays of strings and numbers parse fast).
import { crc32 } from 'node:zlib';
import type { FileRecord } from './store-segment';

const MAGIC = Buffer.from('CCCCKP02');
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
  /** Every language named below, once; the columns hold its index. */
  languages: string[];
  paths: string[];
  mtimes: number[];
  sizes: number[];
  hashes: string[];
  fileLanguages: number[];
  chunkCounts: number[];
  /** segment, offset, bytes per file. */
  locations: number[];
  /** Upsert records on disk of each live file's path. */
  fileUpserts: number[];
  /** Known content that is a live file's record, by file index: its hash and language are the file's. */
  knownFiles: number[];
  deadHashes: string[];
  deadLanguages: number[];
  /** segment, offset, bytes per dead known record. */
  deadLocations: number[];
  /** Paths with no live file but upserts on disk, and how many. */
  deadPaths: string[];
  deadUpserts: number[];
}

export function encodeCheckpoint(checkpoint: StoreCheckpoint): Buffer {
  const languages: string[] = [];
  const languageIndex = (language: string) => {
    const at = languages.indexOf(language);
    return at >= 0 ? at : languages.push(language) - 1;
  };
  const c: Columns = {
    segments: checkpoint.segments, languages, paths: [], mtimes: [], sizes: [], hashes: [], fileLanguages: [], chunkCounts: [], locations: [],
    fileUpserts: [], knownFiles: [], deadHashes: [], deadLanguages: [], deadLocations: [], deadPaths: [], deadUpserts: [],
  };
  const upserts = new Map(checkpoint.upserts);
  for (const { record, location } of checkpoint.files) {
    c.paths.push(record.path);
    c.mtimes.push(record.mtimeMs);
    c.sizes.push(record.size);
    c.hashes.push(record.hash);
    c.fileLanguages.push(languageIndex(record.language));
    c.chunkCounts.push(record.chunkCount);
    c.locations.push(location.segment, location.offset, location.bytes);
    c.fileUpserts.push(upserts.get(record.path) ?? 0);
    upserts.delete(record.path);
  }
  for (const known of checkpoint.known) {
    if (known.file >= 0) {
      c.knownFiles.push(known.file);
    } else {
      c.deadHashes.push(known.hash);
      c.deadLanguages.push(languageIndex(known.language));
      c.deadLocations.push(known.location!.segment, known.location!.offset, known.location!.bytes);
    }
  }
  for (const [path, count] of upserts) {
    c.deadPaths.push(path);
    c.deadUpserts.push(count);
  }
  const json = Buffer.from(JSON.stringify(c));
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
    record: { path, mtimeMs: c.mtimes[i], size: c.sizes[i], hash: c.hashes[i], language: c.languages[c.fileLanguages[i]], chunkCount: c.chunkCounts[i] },
    location: location(c.locations, i),
  }));
  const known = [
    ...c.knownFiles.map((file) => ({ hash: files[file].record.hash, language: files[file].record.language, file, location: null })),
    ...c.deadHashes.map((hash, i) => ({ hash, language: c.languages[c.deadLanguages[i]], file: -1, location: location(c.deadLocations, i) })),
  ];
  const upserts: [string, number][] = c.paths.map((path, i) => [path, c.fileUpserts[i]]);
  c.deadPaths.forEach((path, i) => upserts.push([path, c.deadUpserts[i]]));
  return { segments: c.segments, files, known, upserts: upserts.filter(([, count]) => count > 0) };
}
