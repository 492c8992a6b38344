import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { previewWindow, termSegments } from './preview';

const chunk = (startLine: number, endLine: number, bestLine: number, matchStart: number, matchEnd: number) =>
  ({ startLine, endLine, bestLine, matchStart, matchEnd });

describe('the preview window', () => {
  it('shows the match window when it is 3–6 lines', () => {
    assert.deepEqual(previewWindow(chunk(10, 60, 31, 30, 34)), { start: 30, end: 34 });
  });

  it('grows a one-line match to 3 lines inside the chunk', () => {
    assert.deepEqual(previewWindow(chunk(10, 60, 31, 31, 31)), { start: 30, end: 32 });
    assert.deepEqual(previewWindow(chunk(10, 60, 60, 60, 60)), { start: 58, end: 60 });
    assert.deepEqual(previewWindow(chunk(10, 60, 10, 10, 10)), { start: 10, end: 12 });
  });

  it('cuts a long match window to 6 lines that hold the best line', () => {
    assert.deepEqual(previewWindow(chunk(1, 100, 50, 20, 80)), { start: 48, end: 53 });
    assert.deepEqual(previewWindow(chunk(1, 100, 79, 20, 80)), { start: 75, end: 80 });
    assert.deepEqual(previewWindow(chunk(1, 100, 20, 20, 80)), { start: 20, end: 25 });
  });

  it('never leaves the chunk, and shows a short chunk whole', () => {
    assert.deepEqual(previewWindow(chunk(5, 6, 5, 5, 5)), { start: 5, end: 6 });
    assert.deepEqual(previewWindow(chunk(5, 20, 40, 1, 90)), { start: 15, end: 20 });
  });

  it('centres on the best line when the daemon\'s window does not hold it', () => {
    assert.deepEqual(previewWindow(chunk(1, 40, 30, 2, 4)), { start: 29, end: 31 });
  });
});

describe('query terms in a line', () => {
  it('marks every term, case-insensitively, longest first', () => {
    assert.deepEqual(termSegments('function parseConfig(path) { return parse(path); }', ['parse', 'parseconfig']), [
      { text: 'function ', term: false },
      { text: 'parseConfig', term: true },
      { text: '(path) { return ', term: false },
      { text: 'parse', term: true },
      { text: '(path); }', term: false },
    ]);
  });

  it('takes terms as text, not as patterns, and ignores one-letter terms', () => {
    assert.deepEqual(termSegments('a.b(x) + a*b', ['a.b(', 'x', '']), [
      { text: 'a.b(', term: true },
      { text: 'x) + a*b', term: false },
    ]);
  });

  it('leaves a line without terms whole', () => {
    assert.deepEqual(termSegments('  return total;', []), [{ text: '  return total;', term: false }]);
    assert.deepEqual(termSegments('  return total;', ['sum']), [{ text: '  return total;', term: false }]);
  });
});
