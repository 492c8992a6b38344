import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { pathKind, scoreHits, summarize, type HitLocation, type Outcome } from './real-score';

const hit = (path: string, startLine: number, endLine: number): HitLocation => ({ path, startLine, endLine });

describe('scoreHits', () => {
  const gold = [{ path: 'lib/response.js', startLine: 40, endLine: 60 }];

  it('ranks files by their first hit and counts a file once', () => {
    const score = scoreHits([hit('a.js', 1, 5), hit('a.js', 6, 9), hit('lib/response.js', 1, 10)], gold);
    assert.equal(score.fileRank, 2);
  });

  it('finds the definition only in a hit that overlaps the gold lines', () => {
    const score = scoreHits([hit('lib/response.js', 1, 39), hit('lib/response.js', 61, 80), hit('lib/response.js', 55, 70)], gold);
    assert.equal(score.fileRank, 1);
    assert.equal(score.definitionRank, 3);
  });

  it('says nothing of definitions when the gold is file-level', () => {
    const score = scoreHits([hit('lib/response.js', 1, 5)], [{ path: 'lib/response.js' }]);
    assert.equal(score.definitionRank, undefined);
    assert.equal(score.fileRank, 1);
  });

  it('flags a test or changelog above the definition, not below it', () => {
    assert.equal(scoreHits([hit('test/res.redirect.js', 1, 9), hit('lib/response.js', 40, 50)], gold).noiseAbove, true);
    assert.equal(scoreHits([hit('History.md', 1, 9), hit('lib/response.js', 40, 50)], gold).noiseAbove, true);
    assert.equal(scoreHits([hit('lib/response.js', 40, 50), hit('test/res.redirect.js', 1, 9)], gold).noiseAbove, false);
  });

  it('counts noise above a gold file whose definition was missed', () => {
    assert.equal(scoreHits([hit('lib/response.js', 1, 9), hit('CHANGELOG.md', 1, 9)], gold).noiseAbove, true);
  });

  it('misses when the gold is absent', () => {
    const score = scoreHits([hit('src/other.js', 1, 9)], gold);
    assert.equal(score.fileRank, null);
    assert.equal(score.definitionRank, null);
    assert.equal(score.noiseAbove, false);
  });
});

describe('pathKind', () => {
  it('knows the conventional test, docs, example and generated paths of each language', () => {
    for (const path of ['test/Route.js', 'tests/test_console.py', 'context_test.go', 'src/a.spec.ts', 'x/__tests__/y.js', 'testdata/a.txt']) {
      assert.equal(pathKind(path), 'test', path);
    }
    for (const path of ['History.md', 'CHANGELOG.md', 'docs/source/index.rst', 'README.md', 'CHANGES']) assert.equal(pathKind(path), 'docs', path);
    assert.equal(pathKind('examples/upload/main.go'), 'example');
    assert.equal(pathKind('dist/axios.js'), 'generated');
    for (const path of ['lib/response.js', 'rich/console.py', 'tree.go', 'src/testing_utils_are_code.rs']) assert.equal(pathKind(path), 'code', path);
  });
});

describe('summarize', () => {
  const outcome = (fileRank: number | null, definitionRank: number | null | undefined, noiseAbove = false): Outcome => ({
    project: 'p', language: 'go', kind: 'identifier', mode: 'hybrid', query: 'q', fileRank, definitionRank, noiseAbove,
  });

  it('averages hits, reciprocal ranks and noise over all queries, definitions over those with lines', () => {
    const s = summarize([outcome(1, 1), outcome(3, 6, true), outcome(null, undefined), outcome(6, null, true)]);
    assert.equal(s.hitAt1, 0.25);
    assert.equal(s.hitAt5, 0.5);
    assert.ok(Math.abs(s.mrr - (1 + 1 / 3 + 1 / 6) / 4) < 1e-9);
    assert.equal(s.definitionQueries, 3);
    assert.ok(Math.abs(s.definitionHitAt5 - 1 / 3) < 1e-9);
    assert.equal(s.noiseAbove, 0.5);
  });
});
