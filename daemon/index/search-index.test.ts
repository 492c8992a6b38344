import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ErrorCodes, type SearchHit, type SearchMode } from '../protocol';
import { decodeChunkSnapshot, encodeChunkSnapshot } from './chunk-snapshot';
import { codeTokens } from './code-tokenizer';
import { SearchIndex, type SearchQuery } from './search-index';
import { saveChunks, tempStore } from '../../test/support/stored-chunks';
import type { ChunkStore, StoredChunk } from './store';

const DIM = 64;

/** A bag-of-words embedding: each token a fixed pseudo-random direction, so texts sharing words are close. */
function embed(text: string): Float32Array {
  const v = new Float32Array(DIM);
  for (const token of codeTokens(text)) {
    const bytes = createHash('sha256').update(token).digest();
    for (let i = 0; i < DIM; i++) v[i] += (bytes[i % 32] - 127.5) / 127.5;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function chunk(path: string, language: string, startLine: number, symbol: string, content: string): StoredChunk {
  return {
    path, language, startLine, endLine: startLine + content.split('\n').length - 1, symbol, content,
    hash: createHash('sha256').update(content).digest('hex'), vector: embed(`${symbol} ${content}`),
  };
}

function corpus(): StoredChunk[] {
  const chunks = [
    chunk('src/config/parse-config.ts', 'typescript', 1, 'function parseJsonConfig',
      'export function parseJsonConfig(text: string): Config {\n  const raw = JSON.parse(text);\n  return validateConfig(raw);\n}'),
    chunk('src/config/parse-config.ts', 'typescript', 10, 'function validateConfig',
      'function validateConfig(raw: unknown): Config {\n  if (typeof raw !== "object") throw new Error("config must be an object");\n  return raw as Config;\n}'),
    chunk('src/server/handler.ts', 'typescript', 1, 'function handleReload',
      'async function handleReload(path: string) {\n  // parse json config again: parseJsonConfig reads the json config text\n  const config = parseJsonConfig(await readFile(path, "utf8"));\n  const again = parseJsonConfig(await readFile(path + ".local", "utf8"));\n  return merge(config, again);\n}'),
    chunk('src/server/handler.ts', 'typescript', 20, 'function handleRequest',
      'function handleRequest(req: Request) {\n  const body = parseBody(req);\n  return respond(body);\n}'),
    chunk('lib/util.py', 'python', 1, 'def load_json_file', 'def load_json_file(path):\n    with open(path) as f:\n        return json.load(f)'),
    chunk('lib/util.py', 'python', 10, 'def slugify', 'def slugify(text):\n    return re.sub(r"[^a-z0-9]+", "-", text.lower())'),
    chunk('lib/net/client.py', 'python', 1, 'class HttpClient', 'class HttpClient:\n    def get(self, url):\n        return requests.get(url, timeout=10)'),
  ];
  // Filler: many chunks in a few files, all about requests and handlers, so per-file caps and paging matter.
  const topics = ['request', 'handler', 'retry', 'timeout', 'socket', 'buffer', 'stream', 'cache'];
  for (let f = 0; f < 12; f++) {
    for (let c = 0; c < 6; c++) {
      const a = topics[(f + c) % topics.length];
      const b = topics[(f * 3 + c) % topics.length];
      chunks.push(chunk(`src/feature${f}/module${f}.ts`, 'typescript', c * 10 + 1, `function ${a}${b}${c}`,
        `function ${a}${b}${c}(input: string) {\n  // the ${a} uses a ${b} per request handler\n  return process${a}(input, ${c});\n}`));
    }
  }
  return chunks;
}

let store: ChunkStore;

/** An empty index over a fresh store in a temp folder, which `save` writes to. */
async function newIndex(): Promise<SearchIndex> {
  store = await tempStore(DIM);
  return SearchIndex.create(DIM, store);
}

function save(chunks: StoredChunk[]) {
  return saveChunks(store, chunks);
}

async function built(): Promise<SearchIndex> {
  const index = await newIndex();
  await index.add(await save(corpus()));
  return index;
}

/** Weak hits included: these tests are about ranking and filters; the floor has its own tests. */
function query(text: string, mode: SearchMode, more: Partial<SearchQuery> = {}): SearchQuery {
  return { text, vector: embed(text), mode, limit: 10, offset: 0, maxPerFile: 3, includeWeak: true, ...more };
}

function find(index: SearchIndex, q: SearchQuery): SearchHit[] {
  return index.search(q).hits;
}

test('an exact identifier query ranks its definition first, in keyword and hybrid mode', async () => {
  const index = await built();
  assert.equal(index.count, corpus().length);
  for (const mode of ['keyword', 'hybrid'] as const) {
    const hits = find(index, query('parseJsonConfig', mode));
    assert.equal(hits[0].symbol, 'function parseJsonConfig', `${mode}: ${hits.map((h) => h.symbol).join(', ')}`);
    assert.equal(hits[0].path, 'src/config/parse-config.ts');
    assert.equal(hits[0].startLine, 1);
    assert.ok(hits[0].score > 0 && hits[0].score <= 1);
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1].score >= hits[i].score, 'ordered by score');
  }
  const words = find(index, query('parse json config', 'keyword'));
  assert.ok(words.slice(0, 2).some((h) => h.symbol === 'function parseJsonConfig'), 'identifier parts match words');
});

test('semantic mode ranks by vector and needs a vector', async () => {
  const index = await built();
  const hits = find(index, query('load json file path open', 'semantic'));
  assert.equal(hits[0].symbol, 'def load_json_file');
  assert.throws(() => find(index, { ...query('x', 'semantic'), vector: null }), (e: { code?: number }) => e.code === ErrorCodes.InvalidParams);
  const keywordOnly = find(index, { ...query('slugify', 'hybrid'), vector: null });
  assert.equal(keywordOnly[0].symbol, 'def slugify', 'hybrid without a vector falls back to keywords');
});

test('language and path filters return only matching chunks, in every mode', async () => {
  const index = await built();
  for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
    const python = find(index, query('json request get', mode, { languages: ['python'] }));
    assert.ok(python.length > 0);
    assert.ok(python.every((h) => h.language === 'python'), `${mode}: python only`);

    const server = find(index, query('request handler config', mode, { paths: ['src/server/**'] }));
    assert.ok(server.length > 0);
    assert.ok(server.every((h) => h.path.startsWith('src/server/')), `${mode}: src/server/** only`);

    const py = find(index, query('json request get', mode, { paths: ['*.py'] }));
    assert.deepEqual([...new Set(py.map((h) => h.path))].sort(), ['lib/net/client.py', 'lib/util.py']);

    const inexact = find(index, query('request handler', mode, { paths: ['src/**/module1*.ts', 'lib/*.py'], maxPerFile: 0, limit: 100 }));
    assert.ok(inexact.some((h) => h.path === 'src/feature1/module1.ts') && inexact.some((h) => h.path === 'src/feature10/module10.ts'));
    assert.ok(inexact.every((h) => /^src\/.*module1[^/]*\.ts$|^lib\/[^/]*\.py$/.test(h.path)), `${mode}: exact glob check`);

    const file = find(index, query('request handler', mode, { paths: ['src/server/handler.ts'], languages: ['typescript'] }));
    assert.ok(file.length > 0 && file.every((h) => h.path === 'src/server/handler.ts'), `${mode}: a plain file path`);

    assert.deepEqual(find(index, query('request', mode, { languages: ['rust'] })), []);
  }
});

test('offset pages do not overlap and maxPerFile caps hits per file', async () => {
  const index = await built();
  for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
    const all = find(index, query('request handler timeout', mode, { limit: 10, maxPerFile: 0 }));
    const first = find(index, query('request handler timeout', mode, { limit: 5, maxPerFile: 0 }));
    const second = find(index, query('request handler timeout', mode, { limit: 5, offset: 5, maxPerFile: 0 }));
    assert.equal(all.length, 10);
    assert.deepEqual([...first, ...second], all, `${mode}: two pages make the whole`);

    const capped = find(index, query('request handler timeout', mode, { limit: 30, maxPerFile: 1 }));
    assert.equal(new Set(capped.map((h) => h.path)).size, capped.length, `${mode}: one per file`);
    const uncapped = find(index, query('request handler timeout', mode, { limit: 30, maxPerFile: 0 }));
    assert.ok(uncapped.length > new Set(uncapped.map((h) => h.path)).size, `${mode}: without a cap files repeat`);
  }
});

test('exclude drops the query chunk itself (find-similar)', async () => {
  const index = await built();
  const [target] = corpus().filter((c) => c.symbol === 'function handleReload');
  const own = { ...query('', 'semantic'), vector: target.vector };
  assert.equal(find(index, own)[0].symbol, 'function handleReload');
  const similar = find(index, { ...own, exclude: { path: target.path, startLine: target.startLine + 1, endLine: target.startLine + 2 } });
  assert.ok(similar.length > 0);
  assert.ok(similar.every((h) => !(h.path === target.path && h.startLine === target.startLine)));
});

test('an invalid glob is an InvalidParams error with one line', async () => {
  const index = await built();
  for (const glob of ['src/[abc', '/etc/**', '../x/**', '  ', 'src/{a,b']) {
    assert.throws(
      () => find(index, query('request', 'hybrid', { paths: [glob] })),
      (e: Error & { code?: number }) => e.code === ErrorCodes.InvalidParams && !e.message.includes('\n') && e.message.includes('path filter'),
      glob,
    );
  }
});

test('removeFile drops a file from results; re-adding reuses its slots', async () => {
  const index = await built();
  const before = index.count;
  index.removeFile('src/config/parse-config.ts');
  assert.equal(index.count, before - 2);
  for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
    assert.ok(find(index, query('parseJsonConfig validateConfig', mode, { limit: 100, maxPerFile: 0 })).every((h) => h.path !== 'src/config/parse-config.ts'));
  }
  await index.add(await save([chunk('src/config/parse-config.ts', 'typescript', 1, 'function parseYamlConfig', 'export function parseYamlConfig(text: string) {}')]));
  assert.equal(index.count, before - 1);
  assert.equal(find(index, query('parseYamlConfig', 'hybrid'))[0].symbol, 'function parseYamlConfig');
  assert.deepEqual(find(index, query('parseJsonConfig', 'keyword', { paths: ['src/config/**'] })).map((h) => h.symbol), ['function parseYamlConfig']);
});

test('searches are answered while a large add is building', async () => {
  const index = await newIndex();
  const many = Array.from({ length: 3000 }, (_, i) => chunk(`gen/f${i % 300}.ts`, 'typescript', i, `function gen${i}`, `function gen${i}() { return fetchRecord(${i}); }`));
  const building = index.add(await save(many));
  let answeredDuring = -1;
  setImmediate(() => {
    answeredDuring = find(index, query('fetchRecord', 'keyword', { maxPerFile: 0, limit: 100 })).length;
  });
  await building;
  assert.ok(answeredDuring > 0 && index.count === 3000, `a search between batches saw ${answeredDuring} hits`);
});

test('words that are Object.prototype keys are searchable', async () => {
  const index = await newIndex();
  await index.add(await save([chunk('a.ts', 'typescript', 1, 'class Point', 'class Point {\n  constructor(x) { this.x = x; }\n  toString() { return String(this.x); }\n}')]));
  for (const mode of ['keyword', 'hybrid'] as const) {
    assert.equal(find(index, query('constructor toString', mode))[0]?.symbol, 'class Point', mode);
    assert.equal(find(index, query('hasOwnProperty', mode)).length, mode === 'keyword' ? 0 : 1);
  }
});

test('vectors answer at once while the keyword index builds; a file removed meanwhile never shows up', async () => {
  const index = await newIndex();
  const many = Array.from({ length: 3000 }, (_, i) => chunk(`warm/f${i % 300}.ts`, 'typescript', i, `function warm${i}`, `function warm${i}() { return loadRecord${i}(); }`));
  const last = many[many.length - 1];
  const building = index.add(await save(many));
  assert.equal(index.warming, true);
  assert.equal(index.count, 3000);
  const semantic = find(index, { ...query('', 'semantic'), vector: last.vector });
  assert.equal(semantic[0].symbol, last.symbol, 'the last chunk queued is already found by its vector');
  const early = find(index, query('loadRecord2999', 'keyword', { limit: 100, maxPerFile: 0 }));
  assert.ok(early.length > 0 && early.every((h) => h.symbol !== last.symbol), 'its text is not indexed yet, earlier batches are');
  index.removeFile(last.path);
  await building;
  assert.equal(index.warming, false);
  assert.equal(index.count, 2990);
  assert.equal(find(index, query('loadRecord2998', 'keyword'))[0]?.symbol, 'function warm2998');
  for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
    assert.ok(find(index, query('loadRecord2999 warm2999', mode, { limit: 100, maxPerFile: 0 })).every((h) => h.path !== last.path), mode);
  }
});

test('keyword scores are BM25 with term frequency and length normalisation', async () => {
  const index = await newIndex();
  const filler = 'const a = b + c; let d = e * f; const g = h - i;';
  await index.add(await save([
    chunk('once.ts', 'typescript', 1, 'function one', `function one() { retryBackoff(); ${filler} }`),
    chunk('thrice.ts', 'typescript', 1, 'function two', `function two() { retryBackoff(); retryBackoff(); retryBackoff(); ${filler} }`),
    chunk('long.ts', 'typescript', 1, 'function three', `function three() { retryBackoff(); ${filler.repeat(20)} }`),
  ]));
  assert.deepEqual(find(index, query('retryBackoff', 'keyword', { maxPerFile: 0 })).map((h) => h.path), ['thrice.ts', 'once.ts', 'long.ts']);
});

test('removed chunks never score again, also after the postings are compacted', async () => {
  const index = await newIndex();
  const many = Array.from({ length: 9000 }, (_, i) => chunk(`gone/f${i}.ts`, 'typescript', 1, `function gone${i}`, `function gone${i}() { return sharedWord(${i}); }`));
  await index.add(await save(many));
  await index.add(await save([chunk('kept.ts', 'typescript', 1, 'function kept', 'function kept() { return sharedWord(1); }')]));
  for (let i = 0; i < 9000; i++) index.removeFile(`gone/f${i}.ts`);
  assert.deepEqual(find(index, query('sharedWord', 'keyword', { limit: 100, maxPerFile: 0 })).map((h) => h.path), ['kept.ts']);
  await index.add(await save([chunk('new.ts', 'typescript', 1, 'function fresh', 'function fresh() { return sharedWord(2) + sharedWord(3); }')]));
  assert.deepEqual(find(index, query('sharedWord', 'keyword', { limit: 100, maxPerFile: 0 })).map((h) => h.path), ['new.ts', 'kept.ts']);
});

/** A small project where tests and a changelog mention an API far more often than its definition does. */
async function crowded(): Promise<SearchIndex> {
  const index = await newIndex();
  const mentions = Array.from({ length: 6 }, (_, i) => `  it('sends ${i}', () => { res.sendReport(${i}); res.sendReport(${i}); })`).join('\n');
  await index.add(await save([
    chunk('lib/report.js', 'javascript', 1, '', "'use strict';\nvar fs = require('fs');\nvar path = require('path');"),
    chunk('lib/report.js', 'javascript', 5, 'function res.sendReport',
      '/**\n * Send a report.\n */\nres.sendReport = function sendReport(report) {\n  var body = format(report);\n  this.end(body);\n};'),
    chunk('lib/report.js', 'javascript', 20, 'function format', 'function format(report) {\n  return JSON.stringify(report);\n}'),
    chunk('test/res.sendReport.js', 'javascript', 1, '', `describe('res.sendReport', () => {\n${mentions}\n});`),
    chunk('test/res.sendReport.js', 'javascript', 20, '', `describe('res.sendReport again', () => {\n${mentions}\n});`),
    chunk('History.md', 'markdown', 1, '4.0.0', '4.0.0\n=====\n  * res.sendReport: faster\n  * res.sendReport: fix res.sendReport with empty report'),
  ]));
  return index;
}

test('a definition ranks above tests and a changelog that mention it more, unless the query or a filter asks for them', async () => {
  const index = await crowded();
  for (const mode of ['keyword', 'hybrid'] as const) {
    const hits = find(index, query('res.sendReport', mode));
    assert.equal(hits[0].symbol, 'function res.sendReport', `${mode}: ${hits.map((h) => `${h.path}:${h.startLine}`).join(', ')}`);
    assert.equal(hits[0].kind, 'code');
    assert.equal(hits[0].why.definition, true);
    assert.equal(hits[0].bestLine, 8, 'the line that defines it');
    assert.deepEqual(hits[0].why.terms, ['res.sendReport']);
    assert.deepEqual(Object.fromEntries(hits.map((h) => [h.path, h.kind])), { 'lib/report.js': 'code', 'test/res.sendReport.js': 'test', 'History.md': 'docs' });
    assert.equal(find(index, query('tests for res.sendReport', mode))[0].kind, 'test', `${mode}: the query asks for tests`);
    assert.equal(find(index, query('res.sendReport', mode, { paths: ['test/**'] }))[0].kind, 'test');
    assert.equal(find(index, query('res.sendReport in the history', mode))[0].path, 'History.md');
    const docs = find(index, query('res.sendReport', mode, { kinds: ['docs'] }));
    assert.deepEqual([...new Set(docs.map((h) => h.path))], ['History.md'], `${mode}: the kinds filter`);
    const codeAndTests = find(index, query('res.sendReport', mode, { kinds: ['code', 'test'] }));
    assert.deepEqual([...new Set(codeAndTests.map((h) => h.kind))].sort(), ['code', 'test']);
  }
});

test('negated globs exclude, alone and mixed with positive globs, in every mode', async () => {
  const index = await crowded();
  for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
    const notTests = find(index, query('res.sendReport report', mode, { paths: ['!test/**'], limit: 100, maxPerFile: 0 }));
    assert.deepEqual([...new Set(notTests.map((h) => h.path))].sort(), ['History.md', 'lib/report.js'], mode);
    const jsNotTests = find(index, query('res.sendReport report', mode, { paths: ['*.js', '!test/**'], limit: 100, maxPerFile: 0 }));
    assert.deepEqual([...new Set(jsNotTests.map((h) => h.path))], ['lib/report.js'], mode);
    const folderNotMd = find(index, query('res.sendReport report', mode, { paths: ['lib/**', 'test/**', '!**/*.md', '!test/**'], limit: 100, maxPerFile: 0 }));
    assert.deepEqual([...new Set(folderNotMd.map((h) => h.path))], ['lib/report.js'], mode);
  }
});

test('the no-match floor: nonsense gives noGoodMatch in every mode, weak hits only on request', async () => {
  const index = await crowded();
  for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
    const nonsense = index.search({ ...query('qqqzzzxxyy', mode), includeWeak: false, vector: new Float32Array(DIM) });
    assert.equal(nonsense.noGoodMatch, true, mode);
    assert.deepEqual(nonsense.hits, []);
    if (mode !== 'keyword') {
      assert.ok(nonsense.weakHits > 0, `${mode}: the vector side had candidates`);
      const weak = index.search({ ...query('qqqzzzxxyy', mode), includeWeak: true, vector: new Float32Array(DIM) });
      assert.equal(weak.noGoodMatch, true);
      assert.equal(weak.hits.length, weak.hits.length > 0 ? weak.hits.length : -1, `${mode}: includeWeak returns them`);
    }
    const real = index.search({ ...query('res.sendReport', mode), includeWeak: false });
    assert.equal(real.noGoodMatch, false, mode);
    assert.ok(real.hits.length > 0);
  }
  const bigger = await built();
  const partial = bigger.search({ ...query('slugify qqqzzzxxyy', 'keyword'), includeWeak: false });
  assert.equal(partial.noGoodMatch, false, 'one real word of two still matches');
  const mostlyNonsense = bigger.search({ ...query('request qqqzzzxxyy wwwvvvuuu pppooonnn', 'keyword'), includeWeak: false });
  assert.equal(mostlyNonsense.noGoodMatch, true, 'a common word among made-up ones is not a match');
});

test('without maxPerFile a file\'s further hits follow the other files\' hits; explicit caps are hard', async () => {
  const index = await built();
  for (const mode of ['keyword', 'hybrid'] as const) {
    const soft = find(index, query('request handler timeout', mode, { limit: 100, maxPerFile: undefined }));
    const hard = find(index, query('request handler timeout', mode, { limit: 100, maxPerFile: 3 }));
    const none = find(index, query('request handler timeout', mode, { limit: 100, maxPerFile: 0 }));
    assert.equal(soft.length, none.length, `${mode}: the soft cap drops nothing`);
    assert.ok(hard.length < soft.length);
    assert.deepEqual(soft.slice(0, hard.length), hard, `${mode}: the first hits are the capped ones`);
    const oneFile = find(index, query('request', mode, { limit: 100, maxPerFile: undefined, paths: ['src/feature1/module1.ts'] }));
    assert.equal(oneFile.length, 6, `${mode}: a filter to one file returns all its chunks`);
  }
});

test('files: true ranks files from their best chunks', async () => {
  const index = await crowded();
  const outcome = index.search({ ...query('res.sendReport', 'hybrid'), files: true, includeWeak: false });
  assert.deepEqual(outcome.hits, []);
  const files = outcome.files!;
  assert.deepEqual(files.map((f) => f.path), ['lib/report.js', 'test/res.sendReport.js', 'History.md']);
  assert.equal(files[0].bestLine, 8, 'the best chunk\'s best line: the definition');
  assert.equal(files[0].symbol, 'function res.sendReport');
  assert.equal(files[1].chunks, 2);
  assert.ok(files.every((f, i) => f.score > 0 && f.score <= 1 && (i === 0 || files[i - 1].score >= f.score)));
});

test('a start that adopts the chunk snapshot searches exactly like the index it was taken from; moved files come from the store', async () => {
  const index = await built();
  const snapshot = decodeChunkSnapshot(Buffer.concat(encodeChunkSnapshot(index.chunkSnapshot(), DIM)), DIM);
  const queries = [
    query('parseJsonConfig', 'hybrid'), query('retry timeout handler', 'keyword'), query('load a json file', 'semantic'),
    query('request handler', 'hybrid', { languages: ['python'] }), query('socket buffer', 'hybrid', { paths: ['src/feature3/**'] }),
    query('stream cache', 'hybrid', { kinds: ['code'], files: true }),
  ];
  // Hits of equal score keep their order by slot, which differs for the file placed from the store: compared sorted.
  const outcomes = (from: SearchIndex) => queries.map((q) => {
    const outcome = from.search(q);
    const order = (a: { score: number; path: string }, b: { score: number; path: string }) => b.score - a.score || a.path.localeCompare(b.path);
    return { ...outcome, hits: [...outcome.hits].sort((a, b) => order(a, b) || a.startLine - b.startLine), files: outcome.files && [...outcome.files].sort(order) };
  });
  const expected = outcomes(index);

  // Where the store now has each record; handler.ts's record "moved" (re-indexed since the snapshot was taken).
  const moved = 'src/server/handler.ts';
  const locationOf = (path: string) => (path === moved ? { segment: 999, offset: 0, bytes: 1 } : store.locationOf(path));
  const restarted = await SearchIndex.create(DIM, store);
  const adopted = restarted.adopt(snapshot, locationOf);
  assert.equal(adopted.size, new Set(corpus().map((c) => c.path)).size - 1);
  assert.ok(!adopted.has(moved));
  await store.loadChunks(false, (chunks) => void restarted.place(chunks), (path) => adopted.has(path));
  await restarted.warm({ keywords: null, vectors: null }, () => {}, assert.fail);
  assert.equal(restarted.count, index.count);
  assert.deepEqual(outcomes(restarted), expected);

  // An adopted file (whose filter document was deferred) can be removed, and filters still see the rest.
  const pythonFiles = (text: string) => [...new Set(restarted.search(query(text, 'keyword', { languages: ['python'] })).hits.map((hit) => hit.path))];
  assert.deepEqual(pythonFiles('json file'), ['lib/util.py']);
  restarted.removeFile('lib/util.py');
  assert.deepEqual(pythonFiles('json file'), []);
  assert.deepEqual(pythonFiles('requests get url'), ['lib/net/client.py']);
});

test('a damaged chunk snapshot is refused with one line', async () => {
  const index = await built();
  const bytes = Buffer.concat(encodeChunkSnapshot(index.chunkSnapshot(), DIM));
  bytes[bytes.length - 5] ^= 0xff;
  assert.throws(() => decodeChunkSnapshot(bytes, DIM), /^Error: chunk snapshot unreadable \(checksum mismatch\): every record is read instead$/);
  assert.throws(() => decodeChunkSnapshot(bytes.subarray(0, 100), DIM), /chunk snapshot unreadable/);
  assert.throws(() => decodeChunkSnapshot(Buffer.concat(encodeChunkSnapshot(index.chunkSnapshot(), DIM)), DIM * 2), /64-d, the index is 128-d/);
});
