import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../log';
import { ChunkStore, type FileUpdate, type IndexedChunk, type StoredChunk } from './store';

const model = { modelId: 'test-model', dimension: 8 };

function vector(seed: number): Float32Array {
  const v = new Float32Array(model.dimension);
  for (let i = 0; i < v.length; i++) v[i] = Math.sin(seed * 31 + i);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function fileUpdate(path: string, version: number, chunkCount = 3): FileUpdate {
  const chunks: StoredChunk[] = [];
  for (let i = 0; i < chunkCount; i++) {
    const content = `function ${path.replace(/\W/g, '_')}_${i}_v${version}() { return ${i}; }`;
    chunks.push({
      path, language: 'typescript', startLine: i * 10 + 1, endLine: i * 10 + 5, symbol: `function f${i}`, content,
      hash: createHash('sha256').update(content).digest('hex'), vector: vector(version * 100 + i),
    });
  }
  return { path, chunks, record: { path, mtimeMs: 1000 + version, size: 100 * version, hash: `h${path}${version}`, language: 'typescript', chunkCount } };
}

function deletion(path: string): FileUpdate {
  return { path, record: null, chunks: [] };
}

/** A chunk as a test compares it: its text read back by offset, its vector as the stored codes say. */
function described(store: ChunkStore, chunk: IndexedChunk) {
  const codes = [...chunk.codes.subarray(chunk.codesAt, chunk.codesAt + model.dimension)];
  const text = store.readText(chunk.location, chunk.textOffset, chunk.textBytes);
  return { id: chunk.id, path: chunk.path, lines: `${chunk.startLine}-${chunk.endLine}`, symbol: chunk.symbol, text, codes, scale: chunk.scale };
}

/** Everything a reopened store must reproduce exactly, every text read by its offset. */
async function snapshot(store: ChunkStore) {
  const files = [...store.fileRecords().values()].sort((a, b) => a.path.localeCompare(b.path));
  const chunks: ReturnType<typeof described>[] = [];
  await store.loadChunks(true, (loaded) => {
    for (const chunk of loaded) {
      const entry = described(store, chunk);
      assert.equal(entry.text, chunk.content, 'the text read by offset is the text in the record');
      chunks.push(entry);
    }
  });
  return { files, chunks: chunks.sort((a, b) => a.id - b.id), lastIndexedAt: store.lastIndexedAt };
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ccc-store-'));
}

async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('seg-')).sort();
}

async function segmentBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await segmentFiles(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

test('apply returns the chunks with their texts on disk; close and reopen round-trips files, chunks, texts and vectors', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(store.rebuiltReason, null);
  assert.equal(store.lastIndexedAt, null);
  const updates = [fileUpdate('src/a.ts', 1), fileUpdate('src/b.ts', 1, 2)];
  const originals = updates.flatMap((update) => update.chunks);
  const indexed = await store.apply(updates);
  assert.equal(store.chunkCount, 5);
  assert.equal(new Set(indexed.map((c) => c.id)).size, 5, 'ids are unique');
  indexed.forEach((chunk, i) => {
    assert.equal(store.readText(chunk.location, chunk.textOffset, chunk.textBytes), originals[i].content);
    let cosine = 0;
    for (let d = 0; d < model.dimension; d++) cosine += chunk.codes[chunk.codesAt + d] * chunk.scale * originals[i].vector[d];
    assert.ok(Math.abs(cosine - 1) < 0.01, `the int8 vector stands for the float one (cosine ${cosine})`);
  });
  const before = await snapshot(store);
  assert.ok(before.lastIndexedAt !== null);
  assert.equal(before.files.find((f) => f.path === 'src/a.ts')!.chunkCount, 3);
  await store.close();

  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual(await snapshot(reopened), before);
  assert.ok(reopened.sizeOnDisk() > 0);
});

test('a second apply writes bytes in proportion to the change, and ids never repeat', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  const first = await store.apply(Array.from({ length: 200 }, (_, i) => fileUpdate(`src/f${i}.ts`, 1)));
  const afterFirst = await segmentBytes(dir);
  const second = await store.apply([fileUpdate('src/f7.ts', 2)]);
  const growth = (await segmentBytes(dir)) - afterFirst;
  assert.ok(growth > 0 && growth < afterFirst / 100, `one file changed: segments grew ${growth} of ${afterFirst} bytes`);
  const idsBefore = new Set(first.map((c) => c.id));
  for (const chunk of second) assert.ok(!idsBefore.has(chunk.id), 'new chunks get new ids');
  assert.equal(store.chunkCount, 600);
  await store.close();
});

test('delete removes the file and its chunks, also after reopen', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('a.ts', 1), fileUpdate('b.ts', 1)]);
  await store.apply([deletion('a.ts'), deletion('never-seen.ts')]);
  assert.deepEqual([...store.fileRecords().keys()], ['b.ts']);
  assert.equal(store.chunkCount, 3);
  await store.close();
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.deepEqual([...reopened.fileRecords().keys()], ['b.ts']);
  assert.equal((await snapshot(reopened)).chunks.length, 3);
});

test('a truncated segment or a corrupt manifest empties the store with a reason, without throwing', async () => {
  for (const damage of ['truncate', 'manifest', 'flip'] as const) {
    const dir = await tempDir();
    const store = await ChunkStore.open(dir, model, silentLogger);
    await store.apply([fileUpdate('a.ts', 1), fileUpdate('b.ts', 1)]);
    await store.close();
    const segment = join(dir, (await segmentFiles(dir))[0]);
    if (damage === 'truncate') await truncate(segment, (await stat(segment)).size - 10);
    if (damage === 'manifest') await writeFile(join(dir, 'manifest.json'), '{"format":3, "segm');
    if (damage === 'flip') {
      const data = await readFile(segment);
      data[data.length - 20] ^= 0xff;
      await writeFile(segment, data);
    }
    const reopened = await ChunkStore.open(dir, model, silentLogger);
    assert.ok(reopened.rebuiltReason, `${damage}: rebuiltReason is set`);
    assert.equal(reopened.chunkCount, 0);
    assert.equal(reopened.fileCount, 0);
    await reopened.apply([fileUpdate('c.ts', 1)]);
    await reopened.close();
    const again = await ChunkStore.open(dir, model, silentLogger);
    assert.equal(again.rebuiltReason, null, `${damage}: the rebuilt store loads cleanly`);
    assert.deepEqual([...again.fileRecords().keys()], ['c.ts']);
  }
});

test('another model or dimension rebuilds the store', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('a.ts', 1)]);
  await store.close();
  const otherId = await ChunkStore.open(dir, { ...model, modelId: 'other' }, silentLogger);
  assert.match(otherId.rebuiltReason!, /model changed/);
  assert.equal(otherId.chunkCount, 0);
  await otherId.close();
  const otherDim = await ChunkStore.open(dir, { modelId: 'other', dimension: 16 }, silentLogger);
  assert.match(otherDim.rebuiltReason!, /8-d\) to other \(16-d\)/);
});

test('a crash between segment write and manifest swap reloads the previous state exactly', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('a.ts', 1), fileUpdate('b.ts', 1)]);
  const before = await snapshot(store);
  await copyFile(join(dir, 'manifest.json'), join(dir, 'manifest.before'));
  await store.apply([fileUpdate('a.ts', 2), fileUpdate('c.ts', 1), deletion('b.ts')]);
  await store.close();
  // The batch's bytes are in the segment, but the manifest never moved past the first batch.
  await copyFile(join(dir, 'manifest.before'), join(dir, 'manifest.json'));
  const sizeWithTail = await segmentBytes(dir);
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual(await snapshot(reopened), before);
  assert.ok((await segmentBytes(dir)) < sizeWithTail, 'the unfinished tail is cut off');
  assert.ok(!(await readdir(dir)).includes('manifest.before'), 'stray files are removed');
  await reopened.apply([fileUpdate('d.ts', 1)]);
  await reopened.close();
  const again = await ChunkStore.open(dir, model, silentLogger);
  assert.deepEqual([...again.fileRecords().keys()].sort(), ['a.ts', 'b.ts', 'd.ts']);
});

/** Content long enough that a handful of files fill a small segment. */
function bulky(path: string, version: number): FileUpdate {
  const update = fileUpdate(path, version, 4);
  for (const chunk of update.chunks) chunk.content = `${chunk.content}\n${`// ${path} v${version} ünïcödé\n`.repeat(150)}`;
  return update;
}

test('compaction rewrites only the mostly dead segment; texts by offset stay exact across it and a reopen', async () => {
  const dir = await tempDir();
  const roll = 200_000;
  const store = await ChunkStore.open(dir, model, silentLogger, roll);
  // Segment 1: ten files, eight of which are later replaced or deleted. Segment 2 onwards: what replaced them.
  await store.apply(Array.from({ length: 10 }, (_, i) => bulky(`old/f${i}.ts`, 1)));
  await store.apply([bulky('filler.ts', 1)]);
  const [first] = await segmentFiles(dir);
  for (let i = 0; i < 6; i++) await store.apply([bulky(`old/f${i}.ts`, 2)]);
  await store.apply([deletion('old/f6.ts'), deletion('old/f7.ts')]);
  const live = await snapshot(store);
  const others = (await segmentFiles(dir)).filter((name) => name !== first);
  const untouched = await Promise.all(others.map(async (name) => (await stat(join(dir, name))).mtimeMs));
  assert.ok(others.length >= 1);

  await store.compact();
  const after = await segmentFiles(dir);
  assert.ok(!after.includes(first), 'the mostly dead segment is gone');
  assert.deepEqual(await Promise.all(others.map(async (name) => (await stat(join(dir, name))).mtimeMs)).then((times) => times.slice(0, -1)), untouched.slice(0, -1), 'sealed segments are not rewritten');
  assert.deepEqual(await snapshot(store), live, 'the same chunks, and every text read by its new offset');
  await store.close();

  const reopened = await ChunkStore.open(dir, model, silentLogger, roll);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual(await snapshot(reopened), live);
  assert.ok(!reopened.fileRecords().has('old/f6.ts'), 'a deleted file does not come back');
});

test('a delete record outlives the segment it was in while an older version of its file is still on disk', async () => {
  const dir = await tempDir();
  const roll = 150_000;
  const store = await ChunkStore.open(dir, model, silentLogger, roll);
  await store.apply([bulky('keep/a.ts', 1)]);
  await store.apply([bulky('gone.ts', 1)]);
  // Fill segment 1 with live data so it is never worth compacting, then delete gone.ts in a later segment.
  await store.apply(Array.from({ length: 8 }, (_, i) => bulky(`keep/b${i}.ts`, 1)));
  await store.apply([deletion('gone.ts')]);
  // Churn in the segment that holds the delete record, so that segment is the one compacted.
  for (let v = 2; v < 12; v++) await store.apply([bulky('churn.ts', v)]);
  await store.compact();
  await store.close();
  const reopened = await ChunkStore.open(dir, model, silentLogger, roll);
  assert.equal(reopened.rebuiltReason, null);
  assert.ok(!reopened.fileRecords().has('gone.ts'), 'gone.ts stays deleted');
  assert.ok(reopened.fileRecords().has('keep/a.ts'));
});

test('a deleted file\'s content is known until its segment is compacted: its chunks come back without re-chunking', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  const update = fileUpdate('src/a.ts', 1);
  await store.apply([update, fileUpdate('src/b.ts', 1)]);
  const hash = update.record!.hash;
  await store.apply([deletion('src/a.ts')]);
  const location = store.knownContent(hash, 'typescript');
  assert.ok(location, 'the dead record is still known by its hash');
  assert.equal(store.knownContent(hash, 'python'), undefined, 'only for the same language');
  const { chunks } = await store.readChunks(location);
  assert.deepEqual(chunks.map((c) => c.content), update.chunks.map((c) => c.content));
  assert.deepEqual(chunks.map((c) => c.startLine), update.chunks.map((c) => c.startLine));
});

test('a kill during compaction (copies past the manifest, a stray segment) loads the old state', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('a.ts', 1), fileUpdate('b.ts', 1)]);
  const before = await snapshot(store);
  await store.close();
  const [segment] = await segmentFiles(dir);
  const data = await readFile(join(dir, segment));
  await writeFile(join(dir, 'seg-000099.bin'), data.subarray(0, data.length / 2));
  await writeFile(join(dir, segment), Buffer.concat([data, data.subarray(8, 200)]));
  await writeFile(join(dir, 'manifest.json.tmp'), '{"format":3');
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual(await snapshot(reopened), before);
  assert.deepEqual((await readdir(dir)).sort(), ['manifest.json', segment]);
  assert.equal((await stat(join(dir, segment))).size, data.length, 'the uncommitted copies are cut off');
});

test('a write error rejects apply with one line and the previous state still loads', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('a.ts', 1)]);
  const before = await snapshot(store);
  // A directory where the manifest's temp file goes makes the write fail like a full disk would.
  await mkdir(join(dir, 'manifest.json.tmp'));
  await assert.rejects(store.apply([fileUpdate('b.ts', 1)]), (error: Error) => /^could not save the index in .*: /.test(error.message) && !error.message.includes('\n'));
  assert.deepEqual(await snapshot(store), before, 'memory keeps the previous state');
  await store.close();
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual(await snapshot(reopened), before);
});

test('texts in any script round-trip exactly, read by offset', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  const update = fileUpdate('src/ünïcode.ts', 1);
  update.chunks[0].content = 'const größe = "naïve café"; // 日本語のコメント 🚀\n';
  update.chunks[1].content = '';
  update.chunks[2].content = '\u0000 "quotes" \\ backslash\r\n\ttab';
  update.chunks[2].symbol = 'função 🚀';
  const indexed = await store.apply([update]);
  assert.deepEqual(indexed.map((c) => store.readText(c.location, c.textOffset, c.textBytes)), update.chunks.map((c) => c.content));
  const before = await snapshot(store);
  await store.close();
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual(await snapshot(reopened), before);
  assert.equal(before.chunks[2].symbol, 'função 🚀');
});

test('a store written in an older format is rebuilt with a reason, never misread', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('a.ts', 1)]);
  await store.close();
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, format: 2 }));
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.match(reopened.rebuiltReason!, /format 2, this ccc reads 3/);
  assert.equal(reopened.chunkCount, 0);
  assert.deepEqual(await segmentFiles(dir), []);
});

/** A logger that keeps its lines, to see which path an open took. */
function recordingLogger(): { log: typeof silentLogger; lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string) => void lines.push(message);
  return { log: { debug: keep, info: keep, warn: keep, error: keep }, lines };
}

test('a checkpoint plus the records appended after it reopens to exactly the replayed state, known content included', async () => {
  const dir = await tempDir();
  const roll = 150_000;
  const store = await ChunkStore.open(dir, model, silentLogger, roll);
  await store.apply(Array.from({ length: 6 }, (_, i) => bulky(`src/f${i}.ts`, 1)));
  const gone = fileUpdate('src/gone.ts', 1);
  await store.apply([gone]);
  await store.apply([deletion('src/gone.ts')]);
  assert.ok(store.checkpointDue, 'a store with no checkpoint is due one');
  await store.writeCheckpoint();
  assert.equal(store.checkpointDue, false);
  // After the checkpoint: a new file, a changed one and a deleted one, which the open replays from the segments.
  await store.apply([bulky('src/new.ts', 1), bulky('src/f1.ts', 2), deletion('src/f2.ts')]);
  const expected = await snapshot(store);
  const known = store.knownContent(gone.record!.hash, 'typescript');
  await store.close();

  const { log, lines } = recordingLogger();
  const reopened = await ChunkStore.open(dir, model, log, roll);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual(lines, [], 'the checkpoint was used without complaint');
  assert.deepEqual(await snapshot(reopened), expected);
  assert.deepEqual(reopened.knownContent(gone.record!.hash, 'typescript'), known, 'a dead record is still known by its hash');
  assert.equal(reopened.fileCount, expected.files.length);
  assert.equal(reopened.chunkCount, expected.chunks.length);
  // More appends, a compaction and a reopen still agree.
  for (let v = 3; v < 9; v++) await reopened.apply([bulky('src/f1.ts', v)]);
  await reopened.compact();
  const compacted = await snapshot(reopened);
  await reopened.close();
  const again = await ChunkStore.open(dir, model, silentLogger, roll);
  assert.deepEqual(await snapshot(again), compacted);
});

test('an open with a checkpoint reads no covered record: a damaged one is found when its chunks are read, and its file dropped', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('a.ts', 1), fileUpdate('b.ts', 1)]);
  await store.writeCheckpoint();
  const location = store.locationOf('a.ts')!;
  await store.close();
  const [segment] = await segmentFiles(dir);
  const data = await readFile(join(dir, segment));
  data[location.offset + location.bytes - 3] ^= 0xff;
  await writeFile(join(dir, segment), data);

  const { log, lines } = recordingLogger();
  const reopened = await ChunkStore.open(dir, model, log);
  assert.equal(reopened.rebuiltReason, null, 'the open trusted the checkpoint and did not checksum the records it covers');
  const loaded: string[] = [];
  await reopened.loadChunks(false, (chunks) => void loaded.push(...new Set(chunks.map((chunk) => chunk.path))));
  assert.deepEqual(loaded, ['b.ts']);
  assert.match(lines.join('\n'), /the record of a\.ts in the index at .* is damaged \(record checksum mismatch\): it is indexed again/);
  assert.equal(reopened.record('a.ts'), undefined, 'the next pass sees a.ts as new and indexes it again');
});

test('a checkpoint older than a compaction, or damaged, is passed over with a log line: every segment is read', async () => {
  const dir = await tempDir();
  const roll = 150_000;
  const store = await ChunkStore.open(dir, model, silentLogger, roll);
  await store.apply(Array.from({ length: 6 }, (_, i) => bulky(`src/f${i}.ts`, 1)));
  await store.writeCheckpoint();
  for (let v = 2; v < 9; v++) await store.apply(Array.from({ length: 6 }, (_, i) => bulky(`src/f${i}.ts`, v)));
  await store.compact();
  assert.ok(store.checkpointDue, 'a compaction of a covered segment makes the checkpoint due');
  const expected = await snapshot(store);
  await store.close();

  const stale = recordingLogger();
  const reopened = await ChunkStore.open(dir, model, stale.log, roll);
  assert.match(stale.lines.join('\n'), /checkpoint of the index at .* is older than a compaction of seg-000001\.bin: every segment is read/);
  assert.deepEqual(await snapshot(reopened), expected);
  await reopened.writeCheckpoint();
  await reopened.close();

  const file = join(dir, 'checkpoint.bin');
  const data = await readFile(file);
  data[data.length >> 1] ^= 0xff;
  await writeFile(file, data);
  const damaged = recordingLogger();
  const last = await ChunkStore.open(dir, model, damaged.log, roll);
  assert.match(damaged.lines.join('\n'), /store checkpoint unreadable \(checksum mismatch\) in .*: every segment is read/);
  assert.equal(last.rebuiltReason, null);
  assert.deepEqual(await snapshot(last), expected);
});

test('a segment cut short under a checkpoint that covers it empties the store with a reason', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('a.ts', 1), fileUpdate('b.ts', 1)]);
  await store.writeCheckpoint();
  await store.close();
  const [segment] = await segmentFiles(dir);
  await truncate(join(dir, segment), (await stat(join(dir, segment))).size - 10);
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.match(reopened.rebuiltReason ?? '', /seg-000001\.bin is truncated/);
  assert.equal(reopened.fileCount, 0);
});
