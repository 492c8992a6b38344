import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFrameGuard, MAX_MESSAGE_BYTES } from './frame-guard';

function feed(chunks: string[]): string[] {
  const reasons: string[] = [];
  const guard = createFrameGuard((reason) => reasons.push(reason));
  for (const chunk of chunks) guard(Buffer.from(chunk));
  return reasons;
}

const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

test('well-formed frames pass, however the bytes are split', () => {
  const stream = frame('{"jsonrpc":"2.0","id":1,"method":"a"}') + frame('{"jsonrpc":"2.0","id":2,"method":"bé"}');
  assert.deepEqual(feed([stream]), []);
  assert.deepEqual(feed(stream.split('')), []);
});

test('a Content-Length above the limit is a violation, reported once', () => {
  const reasons = feed([`Content-Length: ${MAX_MESSAGE_BYTES + 1}\r\n\r\n`, 'x'.repeat(100), frame('{}')]);
  assert.equal(reasons.length, 1);
  assert.match(reasons[0], /exceeds/);
});

test('a body is skipped whole: header-like text inside it is not parsed', () => {
  const body = JSON.stringify({ text: `Content-Length: ${MAX_MESSAGE_BYTES * 2}\r\n\r\n` });
  assert.deepEqual(feed([frame(body), frame('{}')]), []);
});

test('a header that never ends is a violation', () => {
  assert.match(feed(['x'.repeat(9000)])[0], /header longer/);
});
