import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definitionMatcher } from './definitions';
import { lineTermWeights, matchedWords, matchWindow } from './match-window';
import { planQuery } from './query-plan';

const RESPONSE = `'use strict';

/**
 * Module dependencies.
 */

var contentDisposition = require('content-disposition');
var redirectHelper = require('./redirect');

/**
 * Redirect to the given url with optional response status.
 */

res.redirect = function redirect(url) {
  var address = url;
  var status = 302;
  this.location(address);
  this.statusCode = status;
  this.end();
};`;

function window(query: string, content: string, startLine = 100, symbol = '') {
  const plan = planQuery(query);
  return matchWindow(startLine, content, symbol, lineTermWeights(plan, () => 1), definitionMatcher(plan.names)).window;
}

test('the window centres on the definition of a queried identifier, not the chunk head', () => {
  const w = window('res.redirect', RESPONSE);
  assert.equal(w.bestLine, 100 + 13, 'res.redirect = function');
  assert.ok(w.matchStart <= w.bestLine && w.bestLine <= w.matchEnd);
  assert.ok(w.matchEnd - w.matchStart + 1 >= 3 && w.matchEnd - w.matchStart + 1 <= 6);
});

test('the window scores query terms line by line', () => {
  const w = window('status code', RESPONSE);
  assert.equal(w.bestLine, 100 + 17, 'this.statusCode = status');
  assert.ok(w.matchStart <= 116 && w.matchEnd >= 117);
});

test('a match by meaning alone lands on the symbol or the first real line, never on use strict or a doc comment', () => {
  assert.equal(window('move elsewhere', RESPONSE, 1, 'function res.redirect').bestLine, 14);
  assert.equal(window('move elsewhere', "'use strict';\n\n// A comment\n/* more */\nvar x = compute();\nreturn x;", 1).bestLine, 5);
});

test('the reason lists query words as spelled', () => {
  const plan = planQuery('res.redirect with Status');
  const terms = new Set(['res', 'redirect', 'status', 'location']);
  assert.deepEqual(matchedWords(plan, terms), ['res.redirect', 'Status']);
  assert.deepEqual(matchedWords(planQuery('qqqzzzxxyy'), terms), []);
});
