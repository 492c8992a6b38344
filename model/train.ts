// `npm run model:train`: trains the built-in model on the corpus from `npm run model:corpus`, prints the training curve
// and the CoSQA dev retrieval after each epoch, and writes the model folder the daemon loads plus its manifest.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeModelFolder } from '../daemon/index/builtin-model/model-folder';
import { SPECIAL_TOKENS } from '../daemon/index/builtin-model/tokenizer-json';
import { CORPUS_DIR, type Pair, type SourceRecord } from './corpus';
import { loadCosqaDev, retrieval, type Retrieval } from './cosqa-eval';
import { bagsOf, encode, train, type TrainParams } from './nbow';
import { isMeaningful, modelWords } from '../daemon/index/builtin-model/model-words';
import { buildVocabulary, tokenIds, type Vocabulary } from './vocabulary';

export const SHIPPED_MODEL_DIR = join(__dirname, 'builtin');
/** Stores and the embedding cache are keyed by it: a new id whenever the shipped vectors change. */
export const MODEL_ID = 'builtin-nbow128-v2';

export interface ModelParams extends TrainParams {
  minCount: number;
  maxWords: number;
  /** 1: each pair also trains with its doc cut to a query (first sentence, lower case, no articles or final stop). */
  augment: number;
  /**
   * 1: pairs are ordered by their doc's rarest word (highest inverse document frequency), so with `blockSize` > 1 a
   * batch holds runs of pairs whose docs share a rare word: keyword-hard negatives.
   */
  rareWordGroups: number;
}

export const DEFAULT_PARAMS: ModelParams = {
  dimension: 128, epochs: 2, batchSize: 1000, learningRate: 5e-3, scale: 10, initStd: 0.1, seed: 1, blockSize: 1, minCount: 3, maxWords: 60_000, augment: 1, rareWordGroups: 0,
};

export interface EpochResult {
  epoch: number;
  loss: number;
  seconds: number;
  cosqa?: Retrieval;
}

export interface TrainedModel {
  vocabulary: Vocabulary;
  table: Float32Array;
  curve: EpochResult[];
  pairsUsed: number;
}

/** Vectors of texts under a float table, as the daemon would compute them (up to int8 rounding). */
export function embedTexts(table: Float32Array, dimension: number, vocabulary: Vocabulary, texts: string[]): Float32Array[] {
  const bags = bagsOf(texts.map((text) => tokenIds(vocabulary, text)));
  return texts.map((_, i) => {
    const out = new Float32Array(dimension);
    encode(table, dimension, bags, i, out);
    return out;
  });
}

export async function trainModel(pairs: Pair[], params: ModelParams, evaluate = false, log: (line: string) => void = () => {}): Promise<TrainedModel> {
  const vocabulary = buildVocabulary(pairs.flatMap((pair) => [pair.doc, pair.code]), params.minCount, params.maxWords);
  if (params.rareWordGroups) pairs = byRarestDocWord(pairs);
  // Each copy right after its original (the shipped model's order). With rareWordGroups a block would then hold a pair
  // and its copy (one code, a false negative); that experiment put the copies after all originals instead.
  if (params.augment) pairs = pairs.flatMap((pair) => [pair, { ...pair, doc: queryLike(pair.doc) }]);
  const encoded = pairs.map((pair) => ({ doc: tokenIds(vocabulary, pair.doc), code: tokenIds(vocabulary, pair.code) }))
    .filter((pair) => pair.doc.length > 0 && pair.code.length > 0);
  log(`${encoded.length} pairs, ${vocabulary.tokens.length} tokens`);
  const set = { docs: bagsOf(encoded.map((p) => p.doc)), codes: bagsOf(encoded.map((p) => p.code)), rows: vocabulary.tokens.length };
  const dev = evaluate ? loadCosqaDev() : undefined;
  const curve: EpochResult[] = [];
  const table = await train(set, params, SPECIAL_TOKENS.length, ({ epoch, loss, seconds, table: current }) => {
    const result: EpochResult = { epoch, loss, seconds };
    if (dev) {
      const queries = embedTexts(current, params.dimension, vocabulary, dev.queries.map((q) => q.doc));
      result.cosqa = retrieval(queries, embedTexts(current, params.dimension, vocabulary, dev.functions), dev.queries);
    }
    curve.push(result);
    const cosqa = result.cosqa ? `  CoSQA dev semantic MRR ${result.cosqa.mrr.toFixed(4)} R@10 ${(result.cosqa.recallAt10 * 100).toFixed(1)}%` : '';
    log(`epoch ${epoch}  loss ${loss.toFixed(4)}  ${seconds.toFixed(1)} s${cosqa}`);
  });
  return { vocabulary, table, curve, pairsUsed: encoded.length };
}

function byRarestDocWord(pairs: Pair[]): Pair[] {
  const words = pairs.map((pair) => [...new Set(modelWords(pair.doc).filter(isMeaningful))]);
  const df = new Map<string, number>();
  for (const list of words) for (const word of list) df.set(word, (df.get(word) ?? 0) + 1);
  const key = words.map((list) => list.filter((w) => df.get(w)! >= 2).sort((a, b) => df.get(a)! - df.get(b)! || (a < b ? -1 : 1))[0] ?? '');
  return pairs.map((pair, i) => ({ pair, key: key[i], i })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i)).map(({ pair }) => pair);
}

/** Web queries are short and plain: "Return the last element of the list." → "return last element of list". */
export function queryLike(doc: string): string {
  const sentence = /^(.+?[.!?])(\s|$)/.exec(doc)?.[1] ?? doc;
  return sentence.toLowerCase().replace(/[.!?]$/, '').replace(/\b(the|a|an|given|specified)\s+/g, '').trim();
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function readPairs(): Pair[] {
  return readFileSync(join(CORPUS_DIR, 'pairs.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Pair);
}

function parseArgs(argv: string[]): { params: ModelParams; out: string } {
  const params = { ...DEFAULT_PARAMS };
  let out = SHIPPED_MODEL_DIR;
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--out') out = value;
    else if (flag.startsWith('--') && flag.slice(2) in params && Number.isFinite(Number(value))) {
      (params as unknown as Record<string, number>)[flag.slice(2)] = Number(value);
    } else throw new Error(`unknown option ${flag} (options: --out DIR, ${Object.keys(params).map((k) => `--${k} N`).join(', ')})`);
  }
  return { params, out };
}

async function main(): Promise<void> {
  const started = Date.now();
  const { params, out } = parseArgs(process.argv.slice(2));
  const pairs = readPairs();
  const sources = JSON.parse(readFileSync(join(CORPUS_DIR, 'sources.json'), 'utf8')) as SourceRecord[];
  const model = await trainModel(pairs, params, true, console.log);
  writeModelFolder(out, { tokens: model.vocabulary.tokens, dimension: params.dimension, vectors: model.table }, MODEL_ID);
  const files = ['onnx/model_quantized.onnx', 'tokenizer.json'];
  const manifest = {
    modelId: MODEL_ID,
    architecture: 'neural bag-of-words: normalised sum of token rows; symmetric in-batch softmax contrastive loss; Adam',
    hyperparameters: params,
    tokens: model.vocabulary.tokens.length,
    pairs: { extracted: pairs.length, trainingExamples: model.pairsUsed, byLanguage: countBy(pairs, (p) => p.language) },
    sources: sources.map(({ name, kind, version, license, pairs: n, pairsByLanguage }) => ({ name, kind, version, license, pairs: n, pairsByLanguage })),
    evaluation: { cosqaDevSemantic: model.curve[model.curve.length - 1].cosqa, note: 'in process, float table; npm run eval measures the int8 model through the daemon' },
    trainingCurve: model.curve,
    trainingSeconds: Math.round((Date.now() - started) / 1000),
    sha256: Object.fromEntries(files.map((file) => [file, sha256(join(out, file))])),
  };
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${out} in ${manifest.trainingSeconds} s`);
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`model train: ${error.message}`);
    process.exit(1);
  });
}
