import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_QUERY_BYTES } from '../protocol';
import { cutQuery, planQuery } from './query-plan';

test('identifiers in a query name what to define; prose does not', () => {
  assert.deepEqual(planQuery('res.redirect').names, ['res.redirect', 'redirect']);
  assert.deepEqual(planQuery('parseJsonConfig').names, ['parseJsonConfig']);
  assert.deepEqual(planQuery('redirect').names, ['redirect'], 'one plain word may be a name');
  assert.deepEqual(planQuery('where is parse_args() called').names, ['parse_args']);
  assert.deepEqual(planQuery('send a file to the client').names, []);
  assert.ok(planQuery('res.redirect').words[0].identifier);
});

test('words that ask for tests, docs or examples are noticed', () => {
  assert.deepEqual([...planQuery('tests for res.redirect').askedKinds], ['test']);
  assert.deepEqual([...planQuery('changelog entry for cookies').askedKinds], ['docs']);
  assert.deepEqual([...planQuery('example of a session').askedKinds], ['example']);
  assert.deepEqual([...planQuery('send a file').askedKinds], []);
  assert.deepEqual([...planQuery('constructor toString __proto__').askedKinds], [], 'Object.prototype keys are plain words');
});

const STACK_TRACE = `I upgraded and now every request fails. It worked fine last week on my laptop and I did not change anything in
the app itself, just bumped the dependencies, the server starts but then the first page load throws this and the whole
process goes down, which is really annoying because we deploy tonight and the team is waiting for me to fix it:

TypeError: Cannot read properties of undefined (reading 'renderTemplate')
    at View.lookupEngine (/home/me/app/node_modules/lib/view.js:75:20)
    at Application.render (/home/me/app/node_modules/lib/application.js:540:12)
Any idea? Thanks a lot for the help, and sorry for the long message.`;

test('a long pasted report weights identifiers, paths and error lines above prose', () => {
  const plan = planQuery(STACK_TRACE);
  assert.equal(plan.long, true);
  const weight = (term: string) => plan.terms.find((t) => t.term === term)?.weight;
  assert.equal(weight('rendertemplate'), 1);
  assert.equal(weight('lookupengine'), 1);
  assert.equal(weight('view'), 1, 'a word of a path');
  assert.equal(weight('laptop'), 0.3);
  assert.equal(weight('cannot'), 0.6, 'a word of the error line');
  assert.ok(plan.names.includes('lookupEngine') && plan.names.includes('renderTemplate'));
  assert.equal(planQuery('send a file to the client').terms.every((t) => t.weight === 1), true, 'a short query weighs all words alike');
});

test('a query over the limit is cut to it, keeping error lines and identifiers first, with a note', () => {
  const prose = Array.from({ length: 400 }, (_, i) => `line ${i} of a long story about nothing in particular, really nothing.`);
  const text = [...prose.slice(0, 200), 'TypeError: renderTemplate is not a function', ...prose.slice(200), 'see lib/view.js and View.lookupEngine'].join('\n');
  assert.ok(Buffer.byteLength(text) > MAX_QUERY_BYTES);
  const { text: cut, note } = cutQuery(text);
  assert.ok(Buffer.byteLength(cut) <= MAX_QUERY_BYTES);
  assert.ok(cut.includes('TypeError: renderTemplate is not a function'));
  assert.ok(cut.includes('see lib/view.js and View.lookupEngine'));
  assert.ok(cut.indexOf('line 0 of') < cut.indexOf('TypeError'), 'kept lines stay in order');
  assert.match(note!, /^query cut from \d+ to \d+ bytes \(limit 10240\): kept 1 error lines, 1 lines naming paths/);
  const oneLine = 'word '.repeat(5000);
  assert.ok(Buffer.byteLength(cutQuery(oneLine).text) > MAX_QUERY_BYTES / 2, 'a single huge line is cut, not dropped');
  assert.deepEqual(cutQuery('short query'), { text: 'short query' });
});

test('a prose word also looks for the abbreviation code uses for it, at half weight', () => {
  const terms = Object.fromEntries(planQuery('where are route parameters parsed').terms.map((t) => [t.term, t.weight]));
  assert.equal(terms.parameter, 1);
  assert.equal(terms.param, 0.5);
  assert.equal(planQuery('parameterList').terms.some((t) => t.term === 'param'), false, 'identifiers are taken as spelled');
});
