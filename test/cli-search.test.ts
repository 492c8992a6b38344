// `ccc search` as rg users expect it (issue 10), end to end on `fixtures/crowding/`: -t with rg's names and --type-list,
// -g with ! negation, -k, the per-file cap, previews of the matching lines, -l and --files, and "No good match".
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SearchResult } from '../daemon/protocol';
import { cliJson, makeTempHome, runCli } from './support';

const FIXTURE = join(__dirname, 'fixtures', 'crowding');

describe('ccc search flags and output', () => {
  const home = makeTempHome('ccc-clis-');
  let root = '';
  const cli = (args: string[]) => runCli(['search', ...args], { home: home.dir, cwd: root });
  const json = (args: string[]) => cliJson<SearchResult>(['search', ...args, '--json'], { home: home.dir, cwd: root });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ccc-clis-proj-'));
    cpSync(FIXTURE, root, { recursive: true });
    mkdirSync(join(root, '.git'));
    // One file with many chunks that all match: the per-file cap must not hide them.
    // Each handler is long enough (~1,000 chars) to be a chunk of its own rather than merged with its neighbours.
    const body = (i: number) => Array.from({ length: 24 }, (_, j) => `  const step${j} = request.headers['x-step-${j}'] ?? ${i * 100 + j};`).join('\n');
    const handlers = Array.from({ length: 8 }, (_, i) => `function handler${i}(request) {\n${body(i)}\n  const route = routeTable.lookup(request.path, ${i});\n  return route.run(request);\n}\n`);
    writeFileSync(join(root, 'lib', 'handlers.js'), handlers.join('\n'));
    const indexed = await runCli(['index', root], { home: home.dir, cwd: root });
    assert.equal(indexed.code, 0, indexed.stderr);
  });
  after(async () => {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('-t takes language names and rg short names in any case; an unknown one is a usage error listing the names', async () => {
    for (const name of ['js', 'JavaScript', 'JS']) {
      const result = await json(['mailer', '-t', name, '-n', '20']);
      assert.ok(result.results.length > 0, name);
      assert.ok(result.results.every((hit) => hit.language === 'javascript'), `${name}: ${result.results.map((h) => h.language)}`);
    }
    const markdown = await json(['mailer', '-t', 'md']);
    assert.ok(markdown.results.length > 0 && markdown.results.every((hit) => hit.language === 'markdown'));
    const unknown = await cli(['mailer', '-t', 'klingon']);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /unknown language "klingon"; use one of: .*javascript.*python/);
    const list = await runCli(['search', '--type-list'], { home: home.dir, cwd: root });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^javascript: .*\bjs\b/m);
    assert.match(list.stdout, /^cpp: .*c\+\+/m);
  });

  test('-g !GLOB excludes, alone and mixed with a positive glob (-p still works)', async () => {
    const all = await json(['mailer', '-n', '50', '--max-per-file', '0']);
    assert.ok(all.results.some((hit) => hit.path.startsWith('test/')), 'the fixture has tests that match');
    const noTests = await json(['mailer', '-n', '50', '--max-per-file', '0', '-g', '!test/**']);
    assert.ok(noTests.results.length > 0);
    assert.ok(noTests.results.every((hit) => !hit.path.startsWith('test/')), noTests.results.map((h) => h.path).join(', '));
    const mixed = await json(['mailer', '-n', '50', '-g', '**/*.js', '-p', '!test/**']);
    assert.ok(mixed.results.length > 0);
    assert.ok(mixed.results.every((hit) => hit.path.endsWith('.js') && !hit.path.startsWith('test/')), mixed.results.map((h) => h.path).join(', '));
  });

  test('-k keeps one kind of file; each hit names its kind', async () => {
    const tests = await json(['mailer', '-k', 'test', '-n', '20']);
    assert.ok(tests.results.length > 0);
    assert.ok(tests.results.every((hit) => hit.kind === 'test' && hit.path.startsWith('test/')));
    const bad = await cli(['mailer', '-k', 'tests']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown kind "tests"; use one of: code, test, docs, example, generated/);
  });

  test('no hidden cap: a large limit on one file returns every chunk of it; --max-per-file N is a hard cap', async () => {
    const every = await json(['routeTable', '-g', 'lib/handlers.js', '-n', '100']);
    assert.equal(every.results.length, 8, 'all 8 handlers, not 3');
    const mixed = await json(['routeTable lookup', '-n', '100']);
    assert.equal(mixed.results.filter((hit) => hit.path === 'lib/handlers.js').length, 8, 'the soft cap reorders, it does not drop');
    const capped = await json(['routeTable', '-g', 'lib/handlers.js', '-n', '100', '--max-per-file', '2']);
    assert.equal(capped.results.length, 2);
  });

  test('a hit shows its matching lines, with the term marked, not the head of its chunk; -C adds context', async () => {
    const result = await cli(['mailer.sendMail', '-n', '1']);
    assert.equal(result.code, 0, result.stderr);
    const [header, ...lines] = result.stdout.trimEnd().split('\n');
    assert.match(header, /^lib\/mailer\.js:\d+-\d+  javascript  /);
    assert.ok(lines.length >= 1 && lines.length <= 6, `a window of lines, not the chunk: ${lines.length}`);
    assert.ok(lines.some((line) => /^\s*\d+: .*sendMail/.test(line)), result.stdout);
    const wider = await cli(['mailer.sendMail', '-n', '1', '-C', '2']);
    assert.ok(wider.stdout.trimEnd().split('\n').length > lines.length + 1, wider.stdout);
    assert.doesNotMatch(result.stdout, /\x1b\[/, 'no colour when stdout is not a terminal');
  });

  test('-l prints each file once; --files ranks files one per line', async () => {
    const paths = await cli(['mailer', '-l', '-n', '30']);
    assert.equal(paths.code, 0, paths.stderr);
    const listed = paths.stdout.trim().split('\n');
    assert.equal(new Set(listed).size, listed.length);
    assert.equal(listed[0], 'lib/mailer.js');
    const files = await cli(['send mail to recipients', '--files']);
    assert.equal(files.code, 0, files.stderr);
    assert.match(files.stdout.split('\n')[0], /^\d\.\d{3}  lib\/mailer\.js:\d+  javascript, \d+ chunks?/);
    const filesJson = await json(['send mail to recipients', '--files']);
    assert.equal(filesJson.files?.[0].path, 'lib/mailer.js');
  });

  test('nonsense says "No good match" and exits 1 in every mode; --weak shows what was left out', async () => {
    for (const mode of ['hybrid', 'semantic', 'keyword']) {
      const result = await cli(['qqqzzzxxyy', '-m', mode]);
      assert.equal(result.code, 1, `${mode}: ${result.stdout}`);
      assert.match(result.stdout, /^No good match for "qqqzzzxxyy"/, mode);
      const data = await json(['qqqzzzxxyy', '-m', mode]);
      assert.equal(data.noGoodMatch, true);
      assert.deepEqual(data.results, []);
    }
    const weak = await json(['qqqzzzxxyy', '-m', 'semantic', '--weak']);
    assert.ok(weak.results.length > 0, 'the weak hits are there on request');
  });
});
