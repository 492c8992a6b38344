// The built-in model run in plain TypeScript. Its ONNX graph is a bag of words (each known word's int8 row times the
// row's scale, summed, then scaled to unit length), so nothing needs the ONNX runtime: reading the table out of the
// model file and summing rows gives the very vectors transformers.js computes (a test holds them equal), without the
// ~170 MB that loading onnxruntime-node and transformers.js adds to the daemon, and without tensors to build per batch.
// Models the user configures still run in transformers.js (embedder.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { modelWords } from './model-words';
import { MAX_TOKENS } from './tokenizer-json';

export interface StaticModel {
  dimension: number;
  /** Vocabulary id of each word the model knows. */
  idOf: Map<string, number>;
  /** int8 rows, `dimension` values each, and one scale per row. */
  table: Int8Array;
  scales: Float32Array;
}

/** Reads the table, the row scales and the vocabulary of a model folder written by `model-folder.ts`. */
export function readStaticModel(dir: string): StaticModel {
  const model = onnx.ModelProto.decode(readFileSync(join(dir, 'onnx', 'model_quantized.onnx')));
  const initializer = (name: string) => {
    const tensor = model.graph?.initializer?.find((each) => each.name === name);
    if (!tensor?.rawData || !tensor.dims) throw new Error(`${dir}: the model has no ${name} table; rebuild ccc (npm run build)`);
    return tensor;
  };
  const rows = initializer('embeddings_q8');
  const raw = rows.rawData!;
  const table = new Int8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const scaleBytes = initializer('row_scales').rawData!;
  const scales = new Float32Array(scaleBytes.buffer.slice(scaleBytes.byteOffset, scaleBytes.byteOffset + scaleBytes.byteLength));
  const dimension = Number(rows.dims![1]);
  const vocab = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')).model.vocab as Record<string, number>;
  return { dimension, idOf: new Map(Object.entries(vocab)), table, scales };
}

/** The unit vector of one text: as the tokenizer truncates it (its first MAX_TOKENS tokens, [CLS] and [SEP] included). */
export function staticVector(model: StaticModel, text: string): Float32Array {
  const { dimension, table, scales } = model;
  const sum = new Float32Array(dimension);
  for (const word of modelWords(text).slice(0, MAX_TOKENS - 2)) {
    const id = model.idOf.get(word);
    if (id === undefined) continue;
    const scale = scales[id];
    if (scale === 0) continue;
    const offset = id * dimension;
    for (let k = 0; k < dimension; k++) sum[k] += table[offset + k] * scale;
  }
  let norm = 0;
  for (let k = 0; k < dimension; k++) norm += sum[k] * sum[k];
  if (norm > 0) {
    const inverse = 1 / Math.sqrt(norm);
    for (let k = 0; k < dimension; k++) sum[k] *= inverse;
  }
  return sum;
}
