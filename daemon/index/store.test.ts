import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../log';
import { ChunkStore, type FileUpdate, type StoredChunk } from './store';

const model = { modelId: 'test-model', dimension: 8 };

function vector(seed: number): Float32Array {
  const v = new Float32Array(model.dimension);
  for (let i = 0; i < v.length; i++) v[i] = Math.sin(seed * 31 + i);
  return v;
}

function fileUpdate(path: string, version: number, chunkCount = 3): FileUpdate {
  const chunks: StoredChunk[] = [];
  for (let i = 0; i < chunkCount; i++) {
    const content = `function ${path.replace(/\W/g, '_')}_${i}_v${version}() { return ${i}; }`;
    chunks.push({
      id: '', path, language: 'typescript', startLine: i * 10 + 1, endLine: i * 10 + 5, symbol: `function f${i}`, content,
      hash: createHash('sha256').update(content).digest('hex'), vector: vector(version * 100 + i),
    });
  }
  return { path, chunks, record: { path, mtimeMs: 1000 + version, size: 100 * version, hash: `h${version}`, language: 'typescript', chunkIds: [] } };
}

/** Everything a reopened store must reproduce exactly. */
function snapshot(store: ChunkStore) {
  const files = [...store.files().values()].map((f) => ({ ...f })).sort((a, b) => a.path.localeCompare(b.path));
  const chunks = [...store.chunks()].map((c) => ({ ...c, vector: [...c.vector] })).sort((a, b) => a.id.localeCompare(b.id));
  return { files, chunks, lastIndexedAt: store.lastIndexedAt };
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ccc-store-'));
}

async function segmentBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) if (name.startsWith('seg-')) total += (await stat(join(dir, name))).size;
  return total;
}

test('apply, close and reopen round-trips files, chunks, vectors and lastIndexedAt', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(store.rebuiltReason, null);
  assert.equal(store.lastIndexedAt, null);
  await store.apply([fileUpdate('src/a.ts', 1), fileUpdate('src/b.ts', 1, 2)]);
  assert.equal(store.chunkCount, 5);
  const a = store.files().get('src/a.ts')!;
  assert.equal(a.chunkIds.length, 3);
  assert.equal(new Set([...store.chunks()].map((c) => c.id)).size, 5, 'ids are unique');
  assert.equal(store.getChunk(a.chunkIds[1])!.startLine, 11);
  const before = snapshot(store);
  assert.ok(before.lastIndexedAt !== null);
  await store.close();

  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual(snapshot(reopened), before);
  assert.ok(reopened.getChunk(a.chunkIds[0])!.vector instanceof Float32Array);
  assert.ok(reopened.sizeOnDisk() > 0);
});

test('a second apply writes bytes in proportion to the change, and ids never repeat', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  const many = Array.from({ length: 200 }, (_, i) => fileUpdate(`src/f${i}.ts`, 1));
  await store.apply(many);
  const idsBefore = new Set([...store.chunks()].map((c) => c.id));
  const afterFirst = await segmentBytes(dir);
  await store.apply([fileUpdate('src/f7.ts', 2)]);
  const growth = (await segmentBytes(dir)) - afterFirst;
  assert.ok(growth > 0 && growth < afterFirst / 100, `one file changed: segments grew ${growth} of ${afterFirst} bytes`);
  for (const id of store.files().get('src/f7.ts')!.chunkIds) assert.ok(!idsBefore.has(id), 'new chunks get new ids');
  assert.equal(store.chunkCount, 600);
  await store.close();
});

test('delete removes the file and its chunks, also after reopen', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('a.ts', 1), fileUpdate('b.ts', 1)]);
  const goneIds = store.files().get('a.ts')!.chunkIds;
  await store.apply([{ path: 'a.ts', record: null, chunks: [] }, { path: 'never-seen.ts', record: null, chunks: [] }]);
  assert.deepEqual([...store.files().keys()], ['b.ts']);
  assert.equal(store.chunkCount, 3);
  for (const id of goneIds) assert.equal(store.getChunk(id), undefined);
  await store.close();
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.deepEqual([...reopened.files().keys()], ['b.ts']);
  assert.equal(reopened.chunkCount, 3);
});

test('a truncated segment or a corrupt manifest empties the store with a reason, without throwing', async () => {
  for (const damage of ['truncate', 'manifest', 'flip'] as const) {
    const dir = await tempDir();
    const store = await ChunkStore.open(dir, model, silentLogger);
    await store.apply([fileUpdate('a.ts', 1), fileUpdate('b.ts', 1)]);
    await store.close();
    const segment = join(dir, (await readdir(dir)).find((n) => n.startsWith('seg-'))!);
    if (damage === 'truncate') await truncate(segment, (await stat(segment)).size - 10);
    if (damage === 'manifest') await writeFile(join(dir, 'manifest.json'), '{"format":1, "segm');
    if (damage === 'flip') {
      const data = await readFile(segment);
      data[data.length - 20] ^= 0xff;
      await writeFile(segment, data);
    }
    const reopened = await ChunkStore.open(dir, model, silentLogger);
    assert.ok(reopened.rebuiltReason, `${damage}: rebuiltReason is set`);
    assert.equal(reopened.chunkCount, 0);
    assert.equal(reopened.files().size, 0);
    await reopened.apply([fileUpdate('c.ts', 1)]);
    await reopened.close();
    const again = await ChunkStore.open(dir, model, silentLogger);
    assert.equal(again.rebuiltReason, null, `${damage}: the rebuilt store loads cleanly`);
    assert.deepEqual([...again.files().keys()], ['c.ts']);
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
  const before = snapshot(store);
  await copyFile(join(dir, 'manifest.json'), join(dir, 'manifest.before'));
  await store.apply([fileUpdate('a.ts', 2), fileUpdate('c.ts', 1), { path: 'b.ts', record: null, chunks: [] }]);
  await store.close();
  // The batch's bytes are in the segment, but the manifest never moved past the first batch.
  await copyFile(join(dir, 'manifest.before'), join(dir, 'manifest.json'));
  const sizeWithTail = await segmentBytes(dir);
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual(snapshot(reopened), before);
  assert.ok((await segmentBytes(dir)) < sizeWithTail, 'the unfinished tail is cut off');
  assert.ok(!(await readdir(dir)).includes('manifest.before'), 'stray files are removed');
  await reopened.apply([fileUpdate('d.ts', 1)]);
  await reopened.close();
  const again = await ChunkStore.open(dir, model, silentLogger);
  assert.deepEqual([...again.files().keys()].sort(), ['a.ts', 'b.ts', 'd.ts']);
});

test('compaction keeps exactly the live chunks and shrinks the files', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('keep.ts', 1), fileUpdate('gone.ts', 1)]);
  for (let v = 2; v <= 20; v++) await store.apply([fileUpdate('churn.ts', v)]);
  await store.apply([{ path: 'gone.ts', record: null, chunks: [] }]);
  const live = snapshot(store);
  const before = await segmentBytes(dir);
  await store.compact();
  assert.deepEqual(snapshot(store), live);
  assert.ok((await segmentBytes(dir)) < before / 5, 'dead records are dropped');
  assert.equal((await readdir(dir)).filter((n) => n.startsWith('seg-')).length, 1);
  await store.apply([fileUpdate('after.ts', 1)]);
  await store.close();
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual([...reopened.files().keys()].sort(), ['after.ts', 'churn.ts', 'keep.ts']);
  assert.deepEqual(snapshot(reopened).chunks.filter((c) => c.path !== 'after.ts'), live.chunks);
});

test('compaction starts by itself once most of the segment bytes are dead', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  const big = (v: number) => {
    const update = fileUpdate('big.ts', v, 50);
    for (const chunk of update.chunks) chunk.content = chunk.content.padEnd(2000, ' x');
    return update;
  };
  for (let v = 1; v <= 30; v++) await store.apply([big(v)]);
  assert.ok((await segmentBytes(dir)) < 3 * 120_000, 'the dead versions of big.ts were compacted away');
  assert.equal(store.chunkCount, 50);
});

test('a kill during compaction (half-written new segment) loads the old state', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('a.ts', 1), fileUpdate('b.ts', 1)]);
  const before = snapshot(store);
  await store.close();
  const [segment] = (await readdir(dir)).filter((n) => n.startsWith('seg-'));
  const data = await readFile(segment ? join(dir, segment) : '');
  await writeFile(join(dir, 'seg-000099.bin'), data.subarray(0, data.length / 2));
  await writeFile(join(dir, 'manifest.json.tmp'), '{"format":1');
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual(snapshot(reopened), before);
  assert.deepEqual((await readdir(dir)).sort(), ['manifest.json', segment]);
});

test('a write error rejects apply with one line and the previous state still loads', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('a.ts', 1)]);
  const before = snapshot(store);
  // A directory where the manifest's temp file goes makes the write fail like a full disk would.
  await mkdir(join(dir, 'manifest.json.tmp'));
  await assert.rejects(store.apply([fileUpdate('b.ts', 1)]), (error: Error) => /^could not save the index in .*: /.test(error.message) && !error.message.includes('\n'));
  assert.deepEqual(snapshot(store), before, 'memory keeps the previous state');
  await store.close();
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual(snapshot(reopened), before);
});

test('contents in any script and the vectors of a file round-trip exactly; a file\'s vectors share one buffer', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  const update = fileUpdate('src/ünïcode.ts', 1);
  update.chunks[0].content = 'const größe = "naïve café"; // 日本語のコメント 🚀\n';
  update.chunks[1].content = '';
  update.chunks[2].content = '\u0000 "quotes" \\ backslash\r\n\ttab';
  update.chunks[2].path = 'src/other.ts';
  await store.apply([update]);
  const before = snapshot(store);
  await store.close();
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.equal(reopened.rebuiltReason, null);
  assert.deepEqual(snapshot(reopened), before);
  const buffers = new Set([...reopened.chunks()].map((c) => c.vector.buffer));
  assert.equal(buffers.size, 1, 'one vector buffer per file, not one per chunk');
});

test('a store written in an older format is rebuilt with a reason', async () => {
  const dir = await tempDir();
  const store = await ChunkStore.open(dir, model, silentLogger);
  await store.apply([fileUpdate('a.ts', 1)]);
  await store.close();
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, format: 1 }));
  const reopened = await ChunkStore.open(dir, model, silentLogger);
  assert.match(reopened.rebuiltReason!, /format 1, this ccc reads 2/);
  assert.equal(reopened.chunkCount, 0);
});
