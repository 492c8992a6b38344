import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definitionMatcher } from './definitions';

test('definitions of a name are told from uses, across syntaxes', () => {
  const redirect = definitionMatcher(['res.redirect', 'redirect']);
  const defines = [
    'res.redirect = function redirect(url) {\n  var address = url;\n}',
    "'use strict';\n\nres.location = function location(url) {};\n\nres.redirect = function redirect(url) {}",
    'def redirect(self, url):\n    pass',
    'function redirect(url) {}',
    'export async function redirect(url: string): Promise<void> {}',
    'class Response {\n  redirect(url: string): void {\n    this.url = url;\n  }\n}',
    'func (r *Response) redirect(url string) {}',
    'pub fn redirect(&self, url: &str) {}',
    'export const redirect = (url) => url;',
    "Object.defineProperty(res, 'redirect', { get: function () {} });",
    'res.contentType = res.redirect = function (type) {}',
  ];
  for (const content of defines) assert.equal(redirect.defines('', content), true, content);
  const uses = [
    "res.redirect('/login');",
    "it('should redirect', function (done) {\n  app.use(function (req, res) {\n    res.redirect('http://google.com');\n  });\n});",
    '  var redirect = res.redirect;',
    "var redirect = require('./redirect');",
    'if (redirect) { return; }',
    'return redirect(url);',
    '    res.redirect(url, function (err) {',
    "  else redirect(message, function () { console.log('again'); });",
  ];
  for (const content of uses) assert.equal(redirect.defines('', content), false, content);
});

test('a symbol naming the identifier counts, and the definition line is found', () => {
  const cookie = definitionMatcher(['res.cookie', 'cookie']);
  assert.equal(cookie.defines('function res.cookie, function res.location', ''), true);
  assert.equal(cookie.defines('class Jar > method cookie', ''), true);
  assert.equal(cookie.defines('function res.clearCookie', "res.cookie('a', 'b');"), false);
  assert.equal(cookie.definitionLine("/**\n * Set cookie.\n */\n\nres.cookie = function (name, value, options) {"), 4);
  assert.equal(cookie.definitionLine("res.cookie('a');"), -1);
  assert.equal(definitionMatcher([]).defines('function cookie', 'function cookie() {}'), false);
});

test('the text is asked for only when the symbol does not settle it', () => {
  const cookie = definitionMatcher(['res.cookie']);
  let asked = 0;
  const text = () => {
    asked++;
    return 'res.cookie = function (name, value) {';
  };
  assert.equal(cookie.defines('function res.cookie', text), true);
  assert.equal(asked, 0);
  assert.equal(cookie.defines('function res.location', text), true);
  assert.equal(asked, 1);
  assert.equal(cookie.defines('function res.location', () => 'res.cookie(name, value);'), false);
});
