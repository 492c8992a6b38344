// The embedder with the real built-in model (run `npm run build` first: it generates dist/model/).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeModelFolder, type StaticTable } from './builtin-model/model-folder';
import { SPECIAL_TOKENS } from './builtin-model/tokenizer-json';
import { defaultPrefixes, loadEmbedder } from './embedder';

const builtinModelDir = resolve('dist/model');
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ccc-embedder-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('built-in model', () => {
  test('loads and embeds with every network call made to throw', () => {
    const blockNetwork = join(tmp, 'block-network.cjs');
    writeFileSync(blockNetwork, `
      const blocked = () => { throw new Error('network blocked by test'); };
      for (const mod of [require('node:net'), require('node:tls')]) { mod.connect = blocked; mod.createConnection = blocked; }
      require('node:net').Socket.prototype.connect = blocked;
      for (const mod of [require('node:http'), require('node:https')]) { mod.request = blocked; mod.get = blocked; }
      globalThis.fetch = blocked;
    `);
    const child = join(tmp, 'embed-offline.ts');
    writeFileSync(child, `
      import { loadEmbedder } from ${JSON.stringify(resolve(__dirname, 'embedder'))};
      (async () => {
        let fetchBlocked = false;
        try { await fetch('http://127.0.0.1:9/'); } catch { fetchBlocked = true; }
        const embedder = await loadEmbedder('builtin', { home: ${JSON.stringify(tmp)}, batchSize: 4, builtinModelDir: ${JSON.stringify(builtinModelDir)} });
        const vectors = await embedder.embed(['read a json file', 'parse the config'], 'query');
        await embedder.close();
        console.log(JSON.stringify({ fetchBlocked, modelId: embedder.modelId, lengths: vectors.map((v) => v.length) }));
      })().catch((error) => { console.error(error); process.exit(1); });
    `);
    const output = execFileSync(process.execPath, ['--require', blockNetwork, '--import', 'tsx', child], { encoding: 'utf8' });
    const result = JSON.parse(output.trim().split('\n').pop()!);
    assert.deepEqual(result, { fetchBlocked: true, modelId: 'builtin-nbow128-v2', lengths: [128, 128] });
  });

  test('gives 128-d unit vectors and ranks the matching snippet first', async () => {
    const embedder = await loadEmbedder('builtin', { home: tmp, batchSize: 2, builtinModelDir });
    assert.equal(embedder.dimension, 128);
    const [query, match, unrelated, noWords] = await embedder.embed([
      'read a json file',
      'function loadConfig(path) { return JSON.parse(fs.readFileSync(path)) }',
      'function slugify(title) { return title.toLowerCase().replace(/\\s+/g, "-") }',
      '{}();',
    ], 'document');
    for (const v of [query, match, unrelated]) assert.ok(Math.abs(cosine(v, v) - 1) < 1e-5);
    assert.ok(cosine(query, match) > cosine(query, unrelated) + 0.1, `${cosine(query, match)} vs ${cosine(query, unrelated)}`);
    assert.ok(noWords.every((x) => x === 0), 'a text of punctuation only has no direction');
    // Batching must not change a text's vector.
    const [alone] = await embedder.embed(['read a json file'], 'document');
    assert.ok(cosine(alone, query) > 0.9999);
    await embedder.close();
  });

  test('a missing built-in model names the fix', async () => {
    await assert.rejects(
      loadEmbedder('builtin', { home: tmp, batchSize: 8, builtinModelDir: join(tmp, 'nowhere') }),
      /npm run build/,
    );
  });
});

describe('pooling', () => {
  // A toy static model written twice: with token vectors out (as most Hugging Face exports) and pooled in the graph
  // (as the built-in model). Both must give transformers.js's own mean-pooled vectors.
  const words = ['read', 'json', 'file', 'parse', 'config', 'sort', 'items', 'seen', 'set', 'return'];
  const dimension = 8;
  const table: StaticTable = {
    tokens: [...SPECIAL_TOKENS, ...words],
    dimension,
    vectors: Float32Array.from({ length: (SPECIAL_TOKENS.length + words.length) * dimension }, (_, i) =>
      i < SPECIAL_TOKENS.length * dimension ? 0 : Math.sin(i * 12.9898) * 3,
    ),
  };
  const texts = ['sort', 'read a json file', 'parseConfig(file) { return JSON.parse(file) }', 'def uniq(items):\n    seen = set()\n'.repeat(40)];

  test('token vectors averaged here, or pooled in the model: both equal the pipeline\'s mean pooling', async () => {
    const tokensDir = join(tmp, 'toy-tokens');
    const pooledDir = join(tmp, 'toy-pooled');
    writeModelFolder(tokensDir, table, 'toy', 'tokens');
    writeModelFolder(pooledDir, table, 'toy', 'pooled');
    const { env, pipeline } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.localModelPath = tmp;
    const reference = await pipeline('feature-extraction', 'toy-tokens', { dtype: 'q8' });
    const expected: Float32Array[] = [];
    for (const text of texts) expected.push((await reference(text, { pooling: 'mean', normalize: true })).data as Float32Array);
    await reference.dispose();
    for (const dir of [tokensDir, pooledDir]) {
      const embedder = await loadEmbedder(dir, { home: tmp, batchSize: 4 });
      assert.equal(embedder.dimension, dimension);
      const ours = await embedder.embed(texts, 'document');
      await embedder.close();
      ours.forEach((vector, i) => assert.ok(cosine(vector, expected[i]) > 0.99999, `${dir}, text ${i}: cosine ${cosine(vector, expected[i])}`));
    }
  });
});

describe('query and document roles', () => {
  // A two-tower toy: the e5 family's prefix words point along their own axes, so a vector shows which prefix it got.
  const words = ['query', 'passage', 'sort', 'items'];
  const table: StaticTable = {
    tokens: [...SPECIAL_TOKENS, ...words],
    dimension: 3,
    vectors: Float32Array.from([...Array(SPECIAL_TOKENS.length * 3).fill(0), 10, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 1]),
  };

  test('each role gets its prefix: the family default, or the one set', async () => {
    const dir = join(tmp, 'toy-e5-small');
    writeModelFolder(dir, table, 'toy', 'pooled');
    const byDefault = await loadEmbedder(dir, { home: tmp, batchSize: 4 });
    const [query] = await byDefault.embed(['sort items'], 'query');
    const [document] = await byDefault.embed(['sort items'], 'document');
    await byDefault.close();
    assert.ok(query[0] > 0.9 && document[1] > 0.9, `query ${query}, document ${document}`);
    assert.equal(byDefault.modelId, `local:${dir}:3|passage: `);

    const unprefixed = await loadEmbedder(dir, { home: tmp, batchSize: 4, queryPrefix: '', documentPrefix: '' });
    const [plainQuery] = await unprefixed.embed(['sort items'], 'query');
    const [plainDocument] = await unprefixed.embed(['sort items'], 'document');
    await unprefixed.close();
    assert.deepEqual(plainQuery, plainDocument);
    assert.ok(plainQuery[2] > 0.99);
    assert.equal(unprefixed.modelId, `local:${dir}:3`);
  });

  test('known families have their prefixes; others none', () => {
    assert.deepEqual(defaultPrefixes('intfloat/e5-small-v2'), { query: 'query: ', document: 'passage: ' });
    assert.deepEqual(defaultPrefixes('Xenova/multilingual-e5-base'), { query: 'query: ', document: 'passage: ' });
    assert.deepEqual(defaultPrefixes('nomic-ai/nomic-embed-text-v1.5'), { query: 'search_query: ', document: 'search_document: ' });
    assert.equal(defaultPrefixes('BAAI/bge-small-en-v1.5').query, 'Represent this sentence for searching relevant passages: ');
    assert.equal(defaultPrefixes('BAAI/bge-small-en-v1.5').document, '');
    assert.deepEqual(defaultPrefixes('Xenova/all-MiniLM-L6-v2'), { query: '', document: '' });
    assert.deepEqual(defaultPrefixes('builtin'), { query: '', document: '' });
  });
});

describe('Hugging Face model id', () => {
  let server: Server;
  const requests: string[] = [];
  before(async () => {
    // Serves the built-in model folder the way the hub does: /<org>/<name>/resolve/<revision>/<file>.
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const match = /^\/test-org\/tiny-model\/resolve\/main\/(.+)$/.exec(req.url ?? '');
      const file = match && join(builtinModelDir, decodeURIComponent(match[1]));
      if (!file || !file.startsWith(builtinModelDir) || !existsSync(file) || statSync(file).isDirectory()) {
        res.writeHead(404).end();
        return;
      }
      const body = readFileSync(file);
      res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    process.env.CCC_HF_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    delete process.env.CCC_HF_ENDPOINT;
    server.close();
  });

  test('downloads once into CCC_HOME/models, then loads with the server gone', async () => {
    const home = join(tmp, 'hf-home');
    const first = await loadEmbedder('test-org/tiny-model', { home, batchSize: 8 });
    assert.equal(first.modelId, 'hf:test-org/tiny-model:128');
    const [online] = await first.embed(['open a socket'], 'query');
    await first.close();
    assert.ok(requests.some((r) => r.includes('/onnx/model_quantized.onnx')), requests.join('\n'));
    assert.ok(existsSync(join(home, 'models', 'test-org', 'tiny-model', 'onnx', 'model_quantized.onnx')));

    await new Promise<void>((done) => server.close(() => done()));
    const second = await loadEmbedder('test-org/tiny-model', { home, batchSize: 8 });
    const [offline] = await second.embed(['open a socket'], 'query');
    await second.close();
    assert.ok(cosine(online, offline) > 0.9999);
  });
});
