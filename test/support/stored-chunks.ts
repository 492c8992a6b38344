// Chunks saved in a real store in a temp folder, as the search index takes them: for unit tests and benches of the
// search index, which reads chunk texts back from the store.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../daemon/log';
import { ChunkStore, type FileUpdate, type IndexedChunk, type StoredChunk } from '../../daemon/index/store';

export async function tempStore(dimension: number): Promise<ChunkStore> {
  return ChunkStore.open(mkdtempSync(join(tmpdir(), 'ccc-chunks-')), { modelId: 'test-model', dimension }, silentLogger);
}

/** Saves the chunks, one record per file (in first-seen order); a file saved again replaces its record. */
export async function saveChunks(store: ChunkStore, chunks: StoredChunk[]): Promise<IndexedChunk[]> {
  const byFile = new Map<string, StoredChunk[]>();
  for (const chunk of chunks) {
    const list = byFile.get(chunk.path);
    if (list) list.push(chunk);
    else byFile.set(chunk.path, [chunk]);
  }
  const updates: FileUpdate[] = [...byFile].map(([path, fileChunks]) => ({
    path,
    record: { path, mtimeMs: 0, size: 0, hash: `${path}:${fileChunks.length}`, language: fileChunks[0].language, chunkCount: fileChunks.length },
    chunks: fileChunks,
  }));
  return store.apply(updates);
}
