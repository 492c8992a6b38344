// Turns chunk texts into unit vectors: the built-in model (a bag of words the build copies into dist/model/) summed in
// TypeScript, or a transformers.js feature-extraction model: a local model folder, or a Hugging Face model id downloaded
// once into CCC_HOME/models.
import { existsSync, readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import { homePaths } from '../paths';
import { readStaticModel, staticVector } from './builtin-model/static-embedder';

/** What a text is: a search query, or code and documents to be found. Models trained with two towers or prefixes tell them apart. */
export type EmbedRole = 'query' | 'document';

export interface Embedder {
  /** Names the model, and the prefix of its documents when it has one: stores and the embedding cache are keyed by it. */
  modelId: string;
  dimension: number;
  /** One unit vector per text, in order; a text with no known word gets the zero vector. */
  embed(texts: string[], role: EmbedRole): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export interface EmbedderOptions {
  home: string;
  batchSize: number;
  /** Where the built-in model lives; defaults to `model/` beside the bundle (dist/model). */
  builtinModelDir?: string;
  /** Put before every query / document text; undefined: the known default of the model's family (`rolePrefixes`). */
  queryPrefix?: string;
  documentPrefix?: string;
}

export interface RolePrefixes {
  query: string;
  document: string;
}

/**
 * The prefixes a model family was trained with, by its name: e5 (`query: ` / `passage: `), nomic-embed
 * (`search_query: ` / `search_document: `), BGE English v1.5 and v1 (an instruction before queries only). None for others.
 */
export function defaultPrefixes(model: string): RolePrefixes {
  const name = model.toLowerCase();
  if (/(^|[/_-])e5([_-]|$)/.test(name)) return { query: 'query: ', document: 'passage: ' };
  if (name.includes('nomic-embed')) return { query: 'search_query: ', document: 'search_document: ' };
  if (/bge-[a-z]+-en/.test(name)) return { query: 'Represent this sentence for searching relevant passages: ', document: '' };
  return { query: '', document: '' };
}

type Transformers = typeof import('@huggingface/transformers');
type Dtype = 'q8' | 'fp32';

interface ModelSource {
  /** What transformers.js is asked for: a folder name under `modelRoot`, or a hub id. */
  name: string;
  modelRoot: string;
  remote: boolean;
  modelId: (dimension: number) => string;
}

function sourceFor(model: string, options: EmbedderOptions): ModelSource {
  if (isAbsolute(model)) {
    if (!existsSync(join(model, 'config.json'))) throw new Error(`embedding.model: ${model} is not a model folder (no config.json)`);
    return { name: basename(model), modelRoot: dirname(model), remote: false, modelId: (d) => `local:${model}:${d}` };
  }
  const models = homePaths(options.home).models;
  return { name: model, modelRoot: models, remote: true, modelId: (d) => `hf:${model}:${d}` };
}

function rolePrefixes(model: string, options: EmbedderOptions): RolePrefixes {
  const defaults = defaultPrefixes(model);
  return { query: options.queryPrefix ?? defaults.query, document: options.documentPrefix ?? defaults.document };
}

/** Stored vectors are of prefixed documents: another prefix makes them stale, as another model would. */
function withDocumentPrefix(modelId: string, prefixes: RolePrefixes): string {
  return prefixes.document ? `${modelId}|${prefixes.document}` : modelId;
}

/** The built-in model, summed in TypeScript (`builtin-model/static-embedder.ts`): no ONNX runtime is loaded for it. */
function loadBuiltin(options: EmbedderOptions): Embedder {
  const dir = options.builtinModelDir ?? join(__dirname, 'model');
  const modelId = builtinModelId(dir);
  const model = readStaticModel(dir);
  const prefixes = rolePrefixes('builtin', options);
  const batchSize = Math.max(1, options.batchSize);
  return {
    modelId: withDocumentPrefix(modelId, prefixes),
    dimension: model.dimension,
    async embed(texts, role) {
      const prefix = prefixes[role];
      const out: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        for (const text of texts.slice(start, start + batchSize)) out.push(staticVector(model, prefix + text));
        // Searches are answered between batches.
        if (start + batchSize < texts.length) await new Promise((resolve) => setImmediate(resolve));
      }
      return out;
    },
    close: async () => undefined,
  };
}

function builtinModelId(dir: string): string {
  const configFile = join(dir, 'config.json');
  if (!existsSync(configFile)) throw new Error(`The built-in model is missing at ${dir}: rebuild ccc (npm run build)`);
  const id = JSON.parse(readFileSync(configFile, 'utf8')).ccc_model_id;
  if (typeof id !== 'string') throw new Error(`${configFile} has no ccc_model_id: rebuild ccc (npm run build)`);
  return id;
}

function transformers(): Transformers {
  // Required here, on first use, so that only a configured model loads it (`transformers-runtime.ts`).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./transformers-runtime') as Transformers;
}

// transformers.js keeps its settings in one global `env`, so loads take turns.
let loading: Promise<unknown> = Promise.resolve();

export function loadEmbedder(model: string, options: EmbedderOptions): Promise<Embedder> {
  const next = loading.then(() => load(model, options));
  loading = next.catch(() => undefined);
  return next;
}

async function load(model: string, options: EmbedderOptions): Promise<Embedder> {
  if (model === 'builtin') return loadBuiltin(options);
  const source = sourceFor(model, options);
  const { env, pipeline } = transformers();
  env.allowLocalModels = true;
  env.allowRemoteModels = source.remote;
  env.localModelPath = source.modelRoot;
  env.cacheDir = source.modelRoot;
  env.useFSCache = source.remote;
  const endpoint = process.env.CCC_HF_ENDPOINT || process.env.HF_ENDPOINT;
  if (source.remote && endpoint) env.remoteHost = endpoint.endsWith('/') ? endpoint : `${endpoint}/`;

  const extractor = await openPipeline(pipeline, source, model);
  const [probe] = await embedBatch(extractor, ['probe']);
  const dimension = probe.length;
  const batchSize = Math.max(1, options.batchSize);
  const prefixes = rolePrefixes(model, options);
  const modelId = withDocumentPrefix(source.modelId(dimension), prefixes);
  return {
    modelId,
    dimension,
    async embed(rawTexts, role) {
      const prefix = prefixes[role];
      const texts = prefix ? rawTexts.map((text) => prefix + text) : rawTexts;
      // A batch is padded to its longest text, so texts of similar length go together.
      const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
      const out: Float32Array[] = new Array(texts.length);
      for (let start = 0; start < order.length; start += batchSize) {
        const batch = order.slice(start, start + batchSize);
        const vectors = await embedBatch(extractor, batch.map((i) => texts[i]));
        batch.forEach((textIndex, row) => (out[textIndex] = vectors[row]));
        // Searches are answered between batches: tokenising runs on the daemon's main thread.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return out;
    },
    close: () => extractor.dispose(),
  };
}

/**
 * The pipeline's own tokenizer and model, with the input tensors built and the pooling done here. transformers.js
 * builds each int64 tensor through an array of BigInts (about a third of a batch's time with the built-in model) and
 * converts the attention mask from BigInt once per token *and dimension* while pooling (~350 ms per batch of long
 * chunks, blocking the event loop). A model that pools in its graph (`sentence_embedding`: the built-in model,
 * sentence-transformers exports) gives one vector per text; otherwise the unmasked token vectors are averaged, as the
 * feature-extraction pipeline's mean pooling does. Either way each vector is scaled to unit length.
 */
async function embedBatch(extractor: FeatureExtractionPipeline, texts: string[]): Promise<Float32Array[]> {
  const encoded = extractor.tokenizer(texts, { padding: true, truncation: true, return_tensor: false }) as unknown as Record<string, number[][]>;
  const inputs = Object.fromEntries(Object.entries(encoded).map(([name, rows]) => [name, int64Tensor(rows)]));
  const outputs = await extractor.model(inputs);
  const pooled = outputs.sentence_embedding;
  const hidden = pooled ?? outputs.last_hidden_state ?? outputs.logits ?? outputs.token_embeddings;
  const data = hidden.data as Float32Array;
  const vectors = pooled ? pooledRows(data, hidden.dims as number[]) : meanPooled(data, hidden.dims as number[], encoded.attention_mask);
  const units = vectors.map(unit);
  hidden.dispose();
  return units;
}

function pooledRows(data: Float32Array, [rows, dimension]: number[]): Float32Array[] {
  return Array.from({ length: rows }, (_, row) => data.subarray(row * dimension, (row + 1) * dimension));
}

function meanPooled(data: Float32Array, [rows, tokens, dimension]: number[], mask: number[][]): Float32Array[] {
  const vectors: Float32Array[] = [];
  for (let row = 0; row < rows; row++) {
    const sum = new Float32Array(dimension);
    for (let token = 0; token < tokens; token++) {
      if (mask[row][token] === 0) continue;
      const offset = (row * tokens + token) * dimension;
      for (let k = 0; k < dimension; k++) sum[k] += data[offset + k];
    }
    vectors.push(sum);
  }
  return vectors;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** Equal-length rows of small non-negative integers (token ids, masks) as an int64 tensor, without a BigInt per value. */
function int64Tensor(rows: number[][]): InstanceType<Transformers['Tensor']> {
  const width = rows[0].length;
  const data = new BigInt64Array(rows.length * width);
  if (LITTLE_ENDIAN) {
    // The low 32-bit half of each int64 holds the value; the high half stays 0.
    const halves = new Int32Array(data.buffer);
    rows.forEach((row, r) => row.forEach((value, i) => (halves[2 * (r * width + i)] = value)));
  } else {
    rows.forEach((row, r) => row.forEach((value, i) => (data[r * width + i] = BigInt(value))));
  }
  return new (transformers().Tensor)('int64', data, [rows.length, width]);
}

/** int8 weights where the model has them (smaller, faster on a CPU), else float32. */
async function openPipeline(pipeline: Transformers['pipeline'], source: ModelSource, model: string): Promise<FeatureExtractionPipeline> {
  const dtypes: Dtype[] = source.remote || existsSync(join(source.modelRoot, source.name, 'onnx', 'model_quantized.onnx')) ? ['q8', 'fp32'] : ['fp32'];
  let lastError: unknown;
  for (const dtype of dtypes) {
    try {
      return (await pipeline('feature-extraction', source.name, { dtype })) as FeatureExtractionPipeline;
    } catch (error) {
      lastError = error;
    }
  }
  const reason = lastError instanceof Error ? lastError.message.split('\n')[0] : String(lastError);
  const hint = source.remote ? ' (a hub model is downloaded once into CCC_HOME/models: be online, or set HF_ENDPOINT to a mirror)' : '';
  throw new Error(`Cannot load embedding model "${model}": ${reason}${hint}`);
}

/** A copy scaled to length 1; the zero vector (a text with no known word) stays zero rather than NaN. */
function unit(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const x of vector) sum += x * x;
  const out = new Float32Array(vector);
  if (sum === 0) return out;
  const scale = 1 / Math.sqrt(sum);
  for (let k = 0; k < out.length; k++) out[k] *= scale;
  return out;
}
