import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CHARS, SourceLines, TARGET_CHARS, splitText } from './text-splitter';

describe('splitText', () => {
  it('breaks at blank lines, keeps every chunk within the target and exact to its lines', () => {
    const paragraphs = Array.from({ length: 20 }, (_, i) => Array.from({ length: 4 }, (_, j) => `paragraph ${i} line ${j} ${'x'.repeat(60)}`).join('\n'));
    const text = paragraphs.join('\n\n') + '\n';
    const chunks = splitText({ path: 'notes.txt', language: 'text', text });
    const lines = text.split('\n');
    assert.ok(chunks.length > 1);
    for (const chunk of chunks) {
      assert.ok(chunk.content.length <= TARGET_CHARS);
      assert.equal(chunk.content, lines.slice(chunk.startLine - 1, chunk.endLine).join('\n'));
      assert.match(chunk.content, /^paragraph \d+ line 0/);
      assert.match(chunk.content, /line 3 x+$/);
    }
    assert.equal(chunks[0].startLine, 1);
    assert.equal(chunks.at(-1)!.endLine, lines.length - 1);
  });

  it('cuts a long line into pieces that add up to it, without splitting a surrogate pair', () => {
    const long = '😀'.repeat(5000);
    const text = `before\n${long}\nafter`;
    const chunks = splitText({ path: 'x', language: 'text', text });
    const pieces = chunks.filter((c) => c.startLine === 2);
    assert.equal(pieces.map((c) => c.content).join(''), long);
    assert.ok(pieces.every((c) => c.content.length <= MAX_CHARS && c.endLine === 2 && !/^[\udc00-\udfff]/.test(c.content)));
    assert.deepEqual([chunks[0].content, chunks.at(-1)!.content], ['before', 'after']);
  });

  it('counts CRLF lines like LF lines and keeps the \\r in the content', () => {
    const lines = new SourceLines('a\r\nb\r\n\r\nc');
    assert.equal(lines.count, 4);
    assert.equal(lines.slice(0, 1), 'a\r\nb\r');
    assert.ok(lines.isBlank(2));
  });

  it('gives an empty or blank file no chunks', () => {
    assert.deepEqual(splitText({ path: 'x', language: 'text', text: '' }), []);
    assert.deepEqual(splitText({ path: 'x', language: 'text', text: '\n  \n\n' }), []);
  });
});
