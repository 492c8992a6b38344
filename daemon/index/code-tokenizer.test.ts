import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeTermCounts, codeTokens } from './code-tokenizer';

test('splits camelCase, PascalCase, snake_case, kebab-case, digits, paths and dots, keeping whole identifiers', () => {
  assert.deepEqual(codeTokens('parseJsonConfig'), ['parsejsonconfig', 'parse', 'json', 'config']);
  assert.deepEqual(codeTokens('XMLHttpRequest'), ['xmlhttprequest', 'xml', 'http', 'request']);
  assert.deepEqual(codeTokens('MAX_RETRY_COUNT'), ['max_retry_count', 'max', 'retry', 'count']);
  assert.deepEqual(codeTokens('user-profile'), ['user-profile', 'user', 'profile']);
  assert.deepEqual(codeTokens('base64Decode2'), ['base64decode2', 'base', '64', 'decode']);
  assert.deepEqual(codeTokens('src/daemon/index.ts'), ['src', 'daemon', 'index', 'ts']);
  assert.deepEqual(codeTokens('os.path.join'), ['os', 'path', 'join']);
});

test('lower-cases, drops stop words, one-letter parts, duplicates and very long runs', () => {
  assert.deepEqual(codeTokens('return the Value of x'), ['value']);
  assert.deepEqual(codeTokens('value Value VALUE'), ['value']);
  assert.deepEqual(codeTokens('a'.repeat(65) + ' ok'), ['ok']);
});

test('light stemming: plural s, -ing and -ed meet their stem, short words and -ss/-us/-is stay', () => {
  assert.deepEqual(codeTokens('files parsing parsed readFiles'), ['file', 'pars', 'readfile', 'read']);
  assert.deepEqual(codeTokens('class status axis ids'), ['class', 'status', 'axis', 'ids']);
});

test('term counts count every occurrence, whole identifiers and their parts', () => {
  const { counts, length } = codeTermCounts('parseJson(text); parse(json); json');
  assert.equal(counts.get('parsejson'), 1);
  assert.equal(counts.get('parse'), 2);
  assert.equal(counts.get('json'), 3);
  assert.equal(counts.get('text'), 1);
  assert.equal(length, 7);
});
