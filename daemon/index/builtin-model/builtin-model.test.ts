// The shipped built-in model (model/builtin, copied to dist/model by `npm run build`) through transformers.js and the
// daemon's embedder, and the writer's int8 rows.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadEmbedder } from '../embedder';
import { quantizeRows } from './model-folder';

const shippedDir = resolve(__dirname, '../../../model/builtin');
const builtinModelDir = resolve('dist/model');
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);

interface Manifest {
  modelId: string;
  sha256: Record<string, string>;
}

test('the shipped model matches its manifest and is what the build copies', () => {
  const manifest = JSON.parse(readFileSync(join(shippedDir, 'manifest.json'), 'utf8')) as Manifest;
  assert.deepEqual(Object.keys(manifest.sha256).sort(), ['onnx/model_quantized.onnx', 'tokenizer.json']);
  for (const [file, sum] of Object.entries(manifest.sha256)) {
    assert.equal(createHash('sha256').update(readFileSync(join(shippedDir, file))).digest('hex'), sum, file);
    assert.deepEqual(readFileSync(join(builtinModelDir, file)), readFileSync(join(shippedDir, file)), `dist/model/${file} is stale: npm run build`);
  }
  assert.equal(JSON.parse(readFileSync(join(shippedDir, 'config.json'), 'utf8')).ccc_model_id, manifest.modelId);
});

test('the real transformers.js tokenizer splits identifiers, paths and abbreviations into words', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AutoTokenizer, env } = require('@huggingface/transformers') as typeof import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = resolve('dist');
  const tokenizer = await AutoTokenizer.from_pretrained('model');
  const words = (text: string) => tokenizer.tokenize(text).filter((t) => /\w/.test(t) && t !== '_');
  assert.deepEqual(words('parseHTTPResponse2json'), ['parse', 'http', 'response', '2', 'json']);
  assert.deepEqual(words('snake_case_name'), ['snake', 'case', 'name']);
  assert.deepEqual(words('src/utils/file-reader.ts'), ['src', 'utils', 'file', 'reader', 'ts']);
  assert.deepEqual(words('XMLHttpRequest getUserID'), ['xml', 'http', 'request', 'get', 'user', 'id']);
  const ids = (text: string) => tokenizer.encode(text, { add_special_tokens: false });
  const unknown = ids('[UNK]')[0];
  assert.ok(!ids('parse response name file reader ctx fn args').includes(unknown), 'words and code abbreviations have vectors');
  assert.deepEqual(ids('(){};'), Array(5).fill(unknown), 'punctuation has no vector');
});

// No word of the first query occurs in any function; the second shares only "json" with its loader.
const functions = {
  uniq: 'def uniq(items):\n    seen = set()\n    out = []\n    for x in items:\n        if x not in seen:\n            seen.add(x)\n            out.append(x)\n    return out',
  loadSettings: 'def load_settings(path):\n    with open(path) as fh:\n        return json.load(fh)',
  circleArea: 'def circle_area(radius):\n    return math.pi * radius ** 2',
  sendMail: 'def send_mail(server, to, body):\n    smtp = smtplib.SMTP(server)\n    smtp.sendmail("me", [to], body)\n    smtp.quit()',
  sortByAge: 'def by_age(people):\n    return sorted(people, key=lambda p: p.age)',
};

test('the shipped model finds code by what it does, with no word in common', async () => {
  const home = mkdtempSync(join(tmpdir(), 'ccc-builtin-'));
  const embedder = await loadEmbedder('builtin', { home, batchSize: 8, builtinModelDir });
  try {
    const names = Object.keys(functions);
    const codes = await embedder.embed(Object.values(functions), 'document');
    const [dedupe, readConfig] = await embedder.embed(['remove duplicate entries from a list', 'read a JSON config file'], 'query');
    const ranked = (query: Float32Array) => names.map((name, i) => ({ name, score: cosine(query, codes[i]) })).sort((a, b) => b.score - a.score);
    // Clear margins: GloVe's vectors put uniq first by only 0.05 and the mail sender above the JSON loader.
    const [first, second] = ranked(dedupe);
    assert.equal(first.name, 'uniq', JSON.stringify(ranked(dedupe)));
    assert.ok(first.score - second.score > 0.2, JSON.stringify(ranked(dedupe)));
    const scores = Object.fromEntries(ranked(readConfig).map(({ name, score }) => [name, score]));
    assert.equal(ranked(readConfig)[0].name, 'loadSettings', JSON.stringify(scores));
    assert.ok(scores.loadSettings > scores.circleArea + 0.3, JSON.stringify(scores));
  } finally {
    await embedder.close();
    rmSync(home, { recursive: true, force: true });
  }
});

test('int8 rows reproduce the float rows within half a step', () => {
  const vectors = Float32Array.from([0, 0, 0, 0.5, -1, 0.25, 3, 2, -3]);
  const { table, scales } = quantizeRows(vectors, 3);
  assert.equal(scales[0], 0);
  for (let i = 0; i < vectors.length; i++) {
    const scale = scales[Math.floor(i / 3)];
    assert.ok(Math.abs(table[i] * scale - vectors[i]) <= scale / 2 + 1e-7);
  }
});

test('summed in TypeScript, the built-in model gives the vectors transformers.js computes from its ONNX graph', async () => {
  const home = mkdtempSync(join(tmpdir(), 'ccc-static-'));
  const summed = await loadEmbedder('builtin', { home, batchSize: 4, builtinModelDir });
  // The same folder as a local model goes through transformers.js and onnxruntime.
  const graph = await loadEmbedder(builtinModelDir, { home, batchSize: 4 });
  try {
    const texts = [
      'def read_config(path):\n    with open(path) as f:\n        return json.load(f)',
      'remove duplicate entries from a list',
      'export function parseHTTPResponse2json(snake_case_name: string) { return XMLHttpRequest; }',
      'qqqzzzxxyy',
      'the the the the',
      'x'.repeat(50) + ' '.repeat(10) + 'socket '.repeat(3000),
    ];
    const [a, b] = [await summed.embed(texts, 'document'), await graph.embed(texts, 'document')];
    assert.equal(summed.dimension, graph.dimension);
    texts.forEach((text, i) => {
      const norm = Math.sqrt(cosine(b[i], b[i]));
      if (norm === 0) assert.equal(Math.sqrt(cosine(a[i], a[i])), 0, `${text.slice(0, 30)}: no known word, no vector`);
      else assert.ok(cosine(a[i], b[i]) > 0.99999, `${text.slice(0, 30)}: cosine ${cosine(a[i], b[i])}`);
    });
  } finally {
    await Promise.all([summed.close(), graph.close()]);
    rmSync(home, { recursive: true, force: true });
  }
});

test('loading the built-in model loads no ONNX runtime', () => {
  const probe = `
    const { loadEmbedder } = require(${JSON.stringify(resolve(__dirname, '../embedder.ts'))});
    loadEmbedder('builtin', { home: ${JSON.stringify(tmpdir())}, batchSize: 16, builtinModelDir: ${JSON.stringify(builtinModelDir)} })
      .then((embedder) => embedder.embed(['read a file'], 'query'))
      .then(() => console.log(JSON.stringify(Object.keys(require.cache).filter((file) => /onnxruntime|@huggingface/.test(file)))));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', probe], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)!), []);
});
