import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileHit, SearchHit } from '../protocol';
import { formatFileHits, formatFilesWithMatches, formatHit, type Palette } from './format-hits';

const plain: Palette = { path: (t) => t, dim: (t) => t, symbol: (t) => t, match: (t) => t };
const marked: Palette = { ...plain, match: (t) => `[${t}]` };

/** A 40-line chunk from line 95 whose lines 120-123 mention `redirect`; imports at its head. */
function hit(overrides: Partial<SearchHit> = {}): SearchHit {
  const content = Array.from({ length: 40 }, (_, i) => {
    const line = 95 + i;
    if (line === 95) return "'use strict';";
    if (line >= 120 && line <= 123) return `  res.redirect(${line});`;
    return `  other(${line});`;
  }).join('\n');
  return {
    path: 'lib/response.js', language: 'javascript', startLine: 95, endLine: 134, symbol: 'res.redirect', score: 0.5, content,
    kind: 'code', bestLine: 121, matchStart: 120, matchEnd: 123,
    why: { terms: ['redirect'], keyword: 1, meaning: 0, definition: true },
    ...overrides,
  };
}

test('a hit shows its match window, not the head of the chunk: matching lines N:, context lines N-', () => {
  const lines = formatHit(hit(), { palette: plain, context: 0 }).split('\n');
  assert.equal(lines[0], 'lib/response.js:95-134  javascript  res.redirect  0.500');
  assert.deepEqual(lines.slice(1), ['120:   res.redirect(120);', '121:   res.redirect(121);', '122:   res.redirect(122);', '123:   res.redirect(123);']);
  assert.ok(!lines.join('\n').includes('use strict'));
});

test('-C widens the window on both sides, clamped to the chunk', () => {
  const lines = formatHit(hit(), { palette: plain, context: 2 }).split('\n');
  assert.equal(lines[1], '118-   other(118);');
  assert.equal(lines.at(-1), '125-   other(125);');
  const clamped = formatHit(hit({ matchStart: 95, matchEnd: 96, bestLine: 95 }), { palette: plain, context: 5 }).split('\n');
  assert.match(clamped[1], /^ 95: 'use strict';$/);
});

test('query terms are highlighted wherever they occur, in any case', () => {
  const text = formatHit(hit({ why: { terms: ['REDIRECT'], keyword: 1, meaning: 0, definition: true } }), { palette: marked, context: 0 });
  assert.match(text, /res\.\[redirect\]\(120\)/);
});

test('a non-code hit names its kind in the header', () => {
  assert.match(formatHit(hit({ kind: 'test', path: 'test/res.redirect.js' }), { palette: plain, context: 0 }), /^test\/res\.redirect\.js:95-134  javascript test  /);
});

test('-l prints each file once, in rank order', () => {
  const hits = [hit({ path: 'b.js' }), hit({ path: 'a.js' }), hit({ path: 'b.js' })];
  assert.equal(formatFilesWithMatches(hits, plain), 'b.js\na.js');
});

test('--files prints one line per file', () => {
  const files: FileHit[] = [{ path: 'lib/response.js', language: 'javascript', kind: 'code', score: 0.9, chunks: 3, bestLine: 121, symbol: 'res.redirect' }];
  assert.equal(formatFileHits(files, plain), '0.900  lib/response.js:121  javascript, 3 chunks  res.redirect');
});
