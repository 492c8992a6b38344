import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_FUSION, CONFIGURED_MODEL_FUSION, fuse, fusionWeightsFor, type Scored } from './fusion';

const keyword: Scored[] = [
  { slot: 1, score: 10 },
  { slot: 2, score: 6 },
];
const vector: Scored[] = [
  { slot: 3, score: 0.9 },
  { slot: 1, score: 0.5 },
  { slot: 2, score: 0.3 },
];

describe('fusion', () => {
  it('picks the weights by model: fitted ones for the built-in model, balanced ones for a configured model', () => {
    assert.equal(fusionWeightsFor('builtin-nbow128-v2'), BUILTIN_FUSION);
    assert.equal(fusionWeightsFor('hf:jinaai/jina-embeddings-v2-base-code:768'), CONFIGURED_MODEL_FUSION);
    assert.equal(fusionWeightsFor('local:/models/my-model:384'), CONFIGURED_MODEL_FUSION);
  });

  it('with the built-in weights, the best vector hit outranks a middling keyword hit', () => {
    const ranked = fuse(keyword, vector, BUILTIN_FUSION);
    assert.deepEqual(ranked.map((hit) => hit.slot), [1, 3, 2]);
    const { keyword: k, vector: v } = BUILTIN_FUSION;
    assert.ok(Math.abs(ranked[0].score - (k + v * (0.5 - 0.3) / (0.9 - 0.3)) / (k + v)) < 1e-6);
  });

  it('with a configured model, the best vector hit outranks a middling keyword hit; scores stay in [0, 1]', () => {
    const ranked = fuse(keyword, vector, CONFIGURED_MODEL_FUSION);
    assert.deepEqual(ranked.map((hit) => hit.slot), [1, 3, 2]);
    assert.ok(ranked.every((hit) => hit.score >= 0 && hit.score <= 1));
    assert.ok(Math.abs(ranked[1].score - 0.5) < 1e-9, 'the best cosine counts 1 after min-max, weighted 0.5');
  });
});
