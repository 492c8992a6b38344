import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchProducts } from './gemm';
import { bagsOf, batchStep, initialTable, train, type TrainParams, type TrainingSet } from './nbow';

const params: TrainParams = { dimension: 4, epochs: 30, batchSize: 4, learningRate: 0.05, scale: 5, initStd: 1, seed: 7, blockSize: 1 };
// Rows 0–1 are reserved (padding, unknown); docs and codes share no token, so only training can tie them.
const set: TrainingSet = {
  docs: bagsOf([[2, 3], [4, 4, 5], [6], [7, 3]]),
  codes: bagsOf([[8, 9, 9], [10], [11, 12], [13, 8]]),
  rows: 14,
};

test('the analytic gradient matches finite differences of the loss', async () => {
  const products = await BatchProducts.create(params.scale);
  const table = initialTable(set.rows, params, 2);
  const batch = Int32Array.from([0, 1, 2, 3]);
  const gradient = new Float32Array(table.length);
  await batchStep(table, set, batch, params, gradient, products);
  const scratch = new Float32Array(table.length);
  const h = 1e-3;
  for (const i of [8, 13, 17, 33, 40, 47, 52]) {
    const saved = table[i];
    table[i] = saved + h;
    const up = await batchStep(table, set, batch, params, scratch, products);
    table[i] = saved - h;
    const down = await batchStep(table, set, batch, params, scratch, products);
    table[i] = saved;
    assert.ok(Math.abs((up - down) / (2 * h) - gradient[i]) < 2e-3, `weight ${i}: ${(up - down) / (2 * h)} vs ${gradient[i]}`);
  }
  await products.close();
});

test('training lowers the loss, leaves the reserved rows zero and repeats exactly with the same seed', async () => {
  const losses: number[] = [];
  const table = await train(set, params, 2, ({ loss }) => losses.push(loss));
  assert.ok(losses[losses.length - 1] < losses[0] / 2, `${losses[0]} → ${losses[losses.length - 1]}`);
  assert.ok(table.subarray(0, 2 * params.dimension).every((x) => x === 0));
  assert.deepEqual(await train(set, params, 2), table);
});
