import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SearchHit } from '../protocol';
import { formatHit, formatHits } from './format-hits';

const plain = { path: (t: string) => t, dim: (t: string) => t, symbol: (t: string) => t };

function hit(lines: number): SearchHit {
  const content = Array.from({ length: lines }, (_, i) => `line ${i + 1}`).join('\n');
  return { path: 'src/a.ts', language: 'typescript', startLine: 95, endLine: 95 + lines - 1, symbol: 'function a', score: 0.5, content,
    kind: 'code', bestLine: 95, matchStart: 95, matchEnd: 99, why: { terms: [], keyword: 1, meaning: 0, definition: false } };
}

test('a hit is a header, then its lines numbered from its start line, aligned', () => {
  const lines = formatHit(hit(6), plain).split('\n');
  assert.equal(lines[0], 'src/a.ts:95-100  typescript  function a  0.500');
  assert.equal(lines[1], ' 95  line 1');
  assert.equal(lines[6], '100  line 6');
});

test('long chunks are cut to 15 lines with a note of what is left', () => {
  const lines = formatHit(hit(40), plain).split('\n');
  assert.equal(lines.length, 1 + 15 + 1);
  assert.equal(lines[15], '109  line 15');
  assert.equal(lines[16].trim(), '… 25 more lines');
});

test('no hits is one plain line', () => {
  assert.equal(formatHits([], plain), 'No results.');
});
