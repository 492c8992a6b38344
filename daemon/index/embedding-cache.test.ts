import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EmbeddingCache, textHash } from './embedding-cache';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ccc-cache-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const vector = (seed: number, dimension = 4) => Float32Array.from({ length: dimension }, (_, i) => seed + i / 10);

test('textHash is the sha256 hex of the text', () => {
  assert.equal(textHash('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('put then get round-trips, and a reopened cache still has the vectors', async () => {
  const cache = await EmbeddingCache.open(dir, 'model-a', 4);
  const [a, b] = [textHash('alpha'), textHash('beta')];
  await cache.put([{ hash: a, vector: vector(1) }, { hash: b, vector: vector(2) }]);
  assert.deepEqual(cache.get([a, textHash('missing'), b]), [vector(1), undefined, vector(2)]);
  await cache.put([{ hash: a, vector: vector(9) }]); // already cached: kept as first written, not appended again
  await cache.close();

  const reopened = await EmbeddingCache.open(dir, 'model-a', 4);
  assert.equal(reopened.size, 2);
  assert.deepEqual(reopened.get([a, b]), [vector(1), vector(2)]);
  await reopened.close();
});

test('a torn last record is dropped and later appends stay aligned', async () => {
  const cache = await EmbeddingCache.open(dir, 'model-torn', 4);
  const whole = textHash('whole');
  await cache.put([{ hash: whole, vector: vector(3) }]);
  await cache.close();
  const [file] = readdirSync(dir).filter((f) => f.startsWith('model-torn'));
  appendFileSync(join(dir, file), Buffer.alloc(20, 7)); // a crash in the middle of writing the next record
  const reopened = await EmbeddingCache.open(dir, 'model-torn', 4);
  assert.equal(reopened.size, 1);
  assert.deepEqual(reopened.get([whole]), [vector(3)]);
  const after = textHash('after');
  await reopened.put([{ hash: after, vector: vector(4) }]);
  await reopened.close();
  assert.equal(statSync(join(dir, file)).size, 2 * (32 + 16));
  const again = await EmbeddingCache.open(dir, 'model-torn', 4);
  assert.deepEqual(again.get([whole, after]), [vector(3), vector(4)]);
  await again.close();
});

test('models and dimensions do not mix', async () => {
  const hash = textHash('same text');
  const a = await EmbeddingCache.open(dir, 'hf:org/model-x:4', 4);
  const b = await EmbeddingCache.open(dir, 'hf:org/model-y:4', 4);
  const c = await EmbeddingCache.open(dir, 'hf:org/model-x:4', 8);
  await a.put([{ hash, vector: vector(5) }]);
  assert.deepEqual(b.get([hash]), [undefined]);
  assert.deepEqual(c.get([hash]), [undefined]);
  await assert.rejects(c.put([{ hash, vector: vector(5) }]), /4 dimensions, expected 8/);
  await Promise.all([a.close(), b.close(), c.close()]);
});
