import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DocPairExtractor } from './doc-pairs';

const extractor = new DocPairExtractor();

test('a Python docstring becomes the doc, its first paragraph only, and leaves the code; a decorated function counts once', async () => {
  const pairs = await extractor.pairs('class A:\n    @property\n    def foo(self, a):\n        """Return the foo of a thing.\n\n        :param a: x\n        """\n        return a + 1\n\ndef bar():\n    "short"\n', 'python');
  assert.deepEqual(pairs.map(({ doc, code }) => ({ doc, code })), [{ doc: 'Return the foo of a thing.', code: '@property\n    def foo(self, a):\n        return a + 1' }]);
});

test('Go, Rust and JSDoc comments above a function are its doc; Go drops the leading name, sections end the summary', async () => {
  const [go] = await extractor.pairs('package x\n\n// ReadFile reads the named file and returns\n// the contents.\nfunc ReadFile(name string) ([]byte, error) {\n\treturn nil, nil\n}\n', 'go');
  assert.equal(go.doc, 'reads the named file and returns the contents.');
  const [rust] = await extractor.pairs('/// Returns the number of `elements` in the vector.\n///\n/// # Examples\n#[inline]\npub fn len(&self) -> usize { self.len }\n', 'rust');
  assert.deepEqual([rust.doc, rust.code], ['Returns the number of elements in the vector.', 'pub fn len(&self) -> usize { self.len }']);
  const [js] = await extractor.pairs('/**\n * Creates an array of unique values, in order.\n * @param {Array} a\n */\nexport function uniq(a) { return [...new Set(a)]; }\n// plain comment\nfunction f() {}\n', 'javascript');
  assert.deepEqual([js.doc, js.code], ['Creates an array of unique values, in order.', 'function uniq(a) { return [...new Set(a)]; }']);
});
