import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GrepMatch } from '../protocol';
import { formatMatch } from './grep-command';
import type { Palette } from './format-hits';

const marks: Palette = { path: (t) => `<${t}>`, dim: (t) => t, symbol: (t) => t, match: (t) => `[${t}]` };

function match(lines: string, start: [number, number], end: [number, number]): GrepMatch {
  return { path: 'a.ts', language: 'typescript', kind: 'code', startLine: start[0], startColumn: start[1], endLine: end[0], endColumn: end[1], lines, captures: {} };
}

describe('formatMatch', () => {
  it('highlights exactly the match on one line', () => {
    assert.equal(formatMatch(match('  x = f(a);', [3, 7], [3, 11]), 'src/a.ts', marks), '<src/a.ts:3:7>\n  x = [f(a)];');
  });

  it('highlights from the start column to the end column across lines', () => {
    const text = 'return fetch(u, {\n  method: "POST",\n}); // done';
    assert.equal(
      formatMatch(match(text, [4, 8], [6, 3]), 'a.ts', marks),
      '<a.ts:4:8>\nreturn [fetch(u, {]\n[  method: "POST",]\n[})]; // done',
    );
  });
});
