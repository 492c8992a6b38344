import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sphericalKMeans, TimeSlicer, twoLevelKMeans } from './kmeans';
import { seededRandom } from './seeded-random';

const DIM = 16;

/** `perCluster` points close to each of `clusters` axis directions (cosine > 0.95 with it), row-major. */
function separated(clusters: number, perCluster: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const points = new Float32Array(clusters * perCluster * DIM);
  for (let c = 0; c < clusters; c++) {
    for (let p = 0; p < perCluster; p++) {
      const row = (c * perCluster + p) * DIM;
      let norm = 0;
      for (let d = 0; d < DIM; d++) {
        points[row + d] = (d === c ? 1 : 0) + (random() - 0.5) * 0.1;
        norm += points[row + d] ** 2;
      }
      for (let d = 0; d < DIM; d++) points[row + d] /= Math.sqrt(norm);
    }
  }
  return points;
}

test('spherical k-means finds well-separated clusters, each centroid a unit vector', async () => {
  const points = separated(8, 50, 1);
  const centroids = await sphericalKMeans(points, DIM, 8, { iterations: 10, random: seededRandom(2), slicer: new TimeSlicer() });
  for (let c = 0; c < 8; c++) {
    const row = centroids.subarray(c * DIM, (c + 1) * DIM);
    assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-5);
  }
  // Every axis has a centroid near it.
  for (let axis = 0; axis < 8; axis++) {
    let best = -1;
    for (let c = 0; c < 8; c++) best = Math.max(best, centroids[c * DIM + axis]);
    assert.ok(best > 0.95, `axis ${axis}: best centroid component ${best}`);
  }
});

test('two-level k-means: every point lands in a list with only its own cluster', async () => {
  const perCluster = 40;
  const points = separated(12, perCluster, 3);
  const centroids = await twoLevelKMeans(points, DIM, 24, { iterations: 10, random: seededRandom(4), slicer: new TimeSlicer() });
  assert.ok(centroids.count >= 12 && centroids.count <= 30, `${centroids.count} lists`);
  const clusterOfList = new Map<number, number>();
  for (let i = 0; i < points.length / DIM; i++) {
    const list = centroids.nearest(points, i);
    const cluster = Math.floor(i / perCluster);
    assert.equal(clusterOfList.get(list) ?? cluster, cluster, `list ${list} mixes clusters`);
    clusterOfList.set(list, cluster);
  }
  assert.equal(new Set(clusterOfList.values()).size, 12);
});

test('a time slicer yields once its slice is used up, not before', async () => {
  const slicer = new TimeSlicer(1_000);
  assert.equal(slicer.due(), false);
  const busy = new TimeSlicer(0);
  let turned = false;
  setImmediate(() => (turned = true));
  await busy.maybeYield();
  assert.ok(turned, 'the loop turned during the yield');
});
