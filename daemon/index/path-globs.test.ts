import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileGlob, passesGlobs } from './path-globs';

const PATHS = ['lib/response.js', 'lib/router/route.js', 'test/res.redirect.js', 'test/acceptance/auth.js', 'History.md', 'index.js'];

function pass(globs: string[]): string[] {
  const compiled = globs.map(compileGlob);
  return PATHS.filter((path) => passesGlobs(compiled, path));
}

test('a ! glob excludes, alone or mixed with positive globs', () => {
  assert.deepEqual(pass(['!test/**']), ['lib/response.js', 'lib/router/route.js', 'History.md', 'index.js']);
  assert.deepEqual(pass(['!test']), ['lib/response.js', 'lib/router/route.js', 'History.md', 'index.js'], 'a plain folder path');
  assert.deepEqual(pass(['*.js', '!test/**']), ['lib/response.js', 'lib/router/route.js', 'index.js']);
  assert.deepEqual(pass(['**/*.js', '!lib/router/**', '!index.js']), ['lib/response.js', 'test/res.redirect.js', 'test/acceptance/auth.js']);
  assert.deepEqual(pass(['test/**', '!test/acceptance/**']), ['test/res.redirect.js']);
  assert.deepEqual(pass([]), PATHS);
});

test('a ! glob never narrows the pre-filter: no folder or extension, never exact', () => {
  const negated = compileGlob('!test/**');
  assert.equal(negated.negated, true);
  assert.equal(negated.folder, null);
  assert.equal(negated.ext, null);
  assert.equal(negated.exact, false);
  assert.equal(negated.pattern, 'test/**');
  assert.equal(compileGlob('test/**').negated, false);
  assert.equal(compileGlob('test/**').folder, 'test');
  assert.throws(() => compileGlob('!'), /invalid path filter "!": it is empty/);
  assert.throws(() => compileGlob('!../x'), /"\.\." is not allowed/);
});
