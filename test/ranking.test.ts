// Results a developer trusts (issue 10), end to end: the real daemon, model and grammars on `fixtures/crowding/`, a mail
// library whose tests, changelog, docs and example mention its API far more often than its `lib/` defines it.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ErrorCodes, IndexRequest, MAX_QUERY_BYTES, SEARCH_MODES, SearchRequest, type SearchParams, type SearchResult,
} from '../daemon/protocol';
import { connectRaw, makeTempHome, runCli, type RawConnection } from './support';

const FIXTURE = join(__dirname, 'fixtures', 'crowding');

describe('ranking, filters, floor and match windows on a crowded project', () => {
  const home = makeTempHome('ccc-rank-');
  let root = '';
  let raw: RawConnection;
  const search = (params: Omit<SearchParams, 'root'>): Promise<SearchResult> =>
    raw.connection.sendRequest(SearchRequest, { root, ...params });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ccc-crowding-'));
    cpSync(FIXTURE, root, { recursive: true });
    mkdirSync(join(root, '.git'));
    const started = await runCli(['daemon', 'start'], { home: home.dir, cwd: root });
    assert.equal(started.code, 0, started.stderr);
    raw = await connectRaw(home.dir, { client: 'cli' });
    await raw.connection.sendRequest(IndexRequest, { root });
  });
  after(async () => {
    raw?.close();
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('an identifier query puts its definition first, above tests, changelog, docs and example', async () => {
    for (const mode of ['hybrid', 'keyword'] as const) {
      for (const [query, line] of [['mailer.sendMail', 20], ['mailer.attach', 37]] as const) {
        const result = await search({ query, mode });
        const top = result.results[0];
        const order = result.results.map((h) => `${h.kind} ${h.path}:${h.startLine}`).join(', ');
        assert.equal(top.path, 'lib/mailer.js', `${mode} ${query}: ${order}`);
        assert.equal(top.kind, 'code');
        assert.equal(top.why.definition, true);
        assert.equal(top.bestLine, line, `${mode} ${query}: the line that defines it`);
        assert.ok(top.matchStart <= line && line <= top.matchEnd && top.matchEnd - top.matchStart <= 5);
        assert.deepEqual(top.why.terms, [query]);
        assert.ok(result.results.some((h) => h.kind === 'test') && result.results.some((h) => h.kind === 'docs'), 'the others still follow');
      }
    }
  });

  test('a description query puts the implementation above tests and changelog', async () => {
    for (const mode of SEARCH_MODES) {
      const result = await search({ query: 'send mail to recipients through the relay', mode });
      assert.equal(result.results[0].path, 'lib/mailer.js', `${mode}: ${result.results.map((h) => h.path).join(', ')}`);
      assert.equal(result.noGoodMatch, false);
    }
  });

  test('asking for tests, or filtering to them, ranks them first', async () => {
    assert.equal((await search({ query: 'tests for mailer.sendMail' })).results[0].kind, 'test');
    const byGlob = await search({ query: 'mailer.sendMail', paths: ['test/**'] });
    assert.ok(byGlob.results.length > 0 && byGlob.results.every((h) => h.kind === 'test'));
    const byKind = await search({ query: 'mailer.sendMail', kinds: ['docs'], maxPerFile: 0, limit: 50 });
    assert.deepEqual([...new Set(byKind.results.map((h) => h.path))].sort(), ['History.md', 'README.md', 'docs/guide.md']);
  });

  test('negated globs exclude, alone and mixed with positive ones', async () => {
    for (const mode of SEARCH_MODES) {
      const notTests = await search({ query: 'mailer.sendMail send mail', mode, paths: ['!test/**'], maxPerFile: 0, limit: 100, includeWeak: true });
      assert.ok(notTests.results.length > 0 && notTests.results.every((h) => !h.path.startsWith('test/')), mode);
      assert.ok(notTests.results.some((h) => h.path === 'History.md'), `${mode}: everything else stays`);
      const jsNotTests = await search({ query: 'mailer.sendMail send mail', mode, paths: ['**/*.js', '!test/**', '!examples/**'], maxPerFile: 0, limit: 100, includeWeak: true });
      const paths = new Set(jsNotTests.results.map((h) => h.path));
      assert.ok(paths.has('lib/mailer.js') && [...paths].every((path) => path.startsWith('lib/')), `${mode}: ${[...paths].join(', ')}`);
    }
  });

  test('language names: rg short names and aliases, any case; an unknown one is refused with the valid names', async () => {
    for (const name of ['js', 'JavaScript', 'JS', 'javascript']) {
      const result = await search({ query: 'mailer.sendMail', languages: [name] });
      assert.ok(result.results.length > 0 && result.results.every((h) => h.language === 'javascript'), name);
    }
    const md = await search({ query: 'mailer.sendMail', languages: ['md'] });
    assert.ok(md.results.length > 0 && md.results.every((h) => h.language === 'markdown'));
    await assert.rejects(search({ query: 'mailer.sendMail', languages: ['klingon'] }), (error: { code: number; message: string }) => {
      assert.equal(error.code, ErrorCodes.InvalidParams);
      assert.match(error.message, /^unknown language "klingon"; use one of: .*javascript.*typescript/);
      return true;
    });
  });

  test('nonsense gives noGoodMatch in every mode; weak hits come back only on request', async () => {
    for (const mode of SEARCH_MODES) {
      const nonsense = await search({ query: 'qqqzzzxxyy', mode });
      assert.equal(nonsense.noGoodMatch, true, mode);
      assert.deepEqual(nonsense.results, []);
      const real = await search({ query: 'attach a file to the message', mode });
      assert.equal(real.noGoodMatch, false, mode);
      assert.ok(real.results.length > 0);
    }
    const weak = await search({ query: 'qqqzzzxxyy', mode: 'semantic' });
    assert.ok(weak.weakHits > 0);
    const shown = await search({ query: 'qqqzzzxxyy', mode: 'semantic', includeWeak: true });
    assert.equal(shown.noGoodMatch, true);
    assert.equal(shown.weakHits, 0);
    assert.ok(shown.results.length > 0, 'includeWeak returns them');
  });

  test('the match window skips use strict and doc comments; a meaning-only hit shows its definition line', async () => {
    const result = await search({ query: 'exponential backoff', mode: 'hybrid' });
    const hit = result.results.find((h) => h.path === 'lib/mailer.js')!;
    assert.ok(hit, 'found');
    assert.ok(hit.bestLine >= 51, `best line ${hit.bestLine}, not the chunk head ${hit.startLine}`);
    assert.ok(hit.why.keyword > 0.5 && Math.abs(hit.why.keyword + hit.why.meaning - 1) < 1e-6);
  });

  test('the default per-file cap is soft: a one-file search returns all its chunks; explicit caps are hard', async () => {
    const all = await search({ query: 'mailer', paths: ['test/mailer.sendMail.js'], limit: 100, includeWeak: true, maxPerFile: 0 });
    assert.ok(all.results.length > 3, `${all.results.length} chunks`);
    const soft = await search({ query: 'mailer', paths: ['test/mailer.sendMail.js'], limit: 100, includeWeak: true });
    assert.equal(soft.results.length, all.results.length);
    const hard = await search({ query: 'mailer', paths: ['test/mailer.sendMail.js'], limit: 100, includeWeak: true, maxPerFile: 2 });
    assert.equal(hard.results.length, 2);
  });

  test('a pasted stack trace finds the code it names; a query over the limit is cut with a note', async () => {
    const report = `Since the upgrade our nightly job dies when it mails the report. It used to work and nothing changed in our
code as far as I can tell; we only bumped versions. The job builds the message, adds the csv file and sends it, and
the whole process crashes with the trace below. We tried a different relay host and node version without luck.
TypeError: Cannot read properties of undefined (reading 'push')
    at Object.attach (/srv/job/node_modules/mailer/lib/mailer.js:40:23)
    at sendNightly (/srv/job/index.js:12:10)
Thanks for any help with this, it blocks our release.`;
    const result = await search({ query: report });
    assert.equal(result.results[0].path, 'lib/mailer.js', result.results.map((h) => h.path).join(', '));
    assert.equal(result.results[0].why.definition, true);
    assert.equal(result.queryNote, undefined);
    const padding = 'and then it happened again the next day, we do not know why this keeps happening to us\n'.repeat(200);
    const long = await search({ query: `${padding}${report}` });
    assert.ok(Buffer.byteLength(`${padding}${report}`) > MAX_QUERY_BYTES);
    assert.match(long.queryNote ?? '', /^query cut from \d+ to \d+ bytes/);
    assert.ok(Buffer.byteLength(long.query) <= MAX_QUERY_BYTES && long.query.includes('TypeError: Cannot read'));
    assert.equal(long.results[0].path, 'lib/mailer.js');
  });

  test('files: true ranks files from their best chunks', async () => {
    const result = await search({ query: 'mailer.sendMail', files: true });
    assert.deepEqual(result.results, []);
    const files = result.files!;
    assert.equal(files[0].path, 'lib/mailer.js');
    assert.equal(files[0].bestLine, 20, 'where mailer.sendMail is defined');
    assert.equal(new Set(files.map((f) => f.path)).size, files.length, 'one entry per file');
    assert.ok(files.some((f) => f.path === 'test/mailer.sendMail.js' && f.kind === 'test' && f.chunks >= 1));
  });
});
