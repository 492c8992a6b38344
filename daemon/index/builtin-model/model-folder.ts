// Writes a static embedding model as the folder transformers.js loads: the int8 table behind an ONNX graph, the
// tokenizer files and a config that names the model's ccc id.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quantizedLookupModel, type ModelOutput } from './onnx-writer';
import { MAX_TOKENS, tokenizerConfigJson, tokenizerJson } from './tokenizer-json';

export interface StaticTable {
  /** Row i of `vectors` belongs to `tokens[i]`; the special tokens come first and are zero. */
  tokens: string[];
  dimension: number;
  vectors: Float32Array;
}

/** Symmetric int8 per row: each row keeps its own scale, so rare and frequent words lose the same relative precision. */
export function quantizeRows(vectors: Float32Array, dimension: number): { table: Int8Array; scales: Float32Array } {
  const rows = vectors.length / dimension;
  const table = new Int8Array(vectors.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let k = 0; k < dimension; k++) max = Math.max(max, Math.abs(vectors[r * dimension + k]));
    scales[r] = max / 127;
    for (let k = 0; k < dimension; k++) table[r * dimension + k] = max === 0 ? 0 : Math.round(vectors[r * dimension + k] / scales[r]);
  }
  return { table, scales };
}

/** `output: 'tokens'` gives a model shaped like most Hugging Face exports (tests). */
export function writeModelFolder(outDir: string, table: StaticTable, modelId: string, output: ModelOutput = 'pooled', description = ''): void {
  const { tokens, dimension, vectors } = table;
  mkdirSync(join(outDir, 'onnx'), { recursive: true });
  const { table: q8, scales } = quantizeRows(vectors, dimension);
  writeFileSync(join(outDir, 'onnx', 'model_quantized.onnx'), quantizedLookupModel(q8, scales, dimension, output));
  writeFileSync(join(outDir, 'tokenizer.json'), JSON.stringify(tokenizerJson(tokens)));
  writeFileSync(join(outDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfigJson(), null, 2));
  // model_type "bert" sends transformers.js down its encoder path (inputs input_ids + attention_mask).
  const config = {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: dimension,
    vocab_size: tokens.length,
    max_position_embeddings: MAX_TOKENS,
    ccc_model_id: modelId,
    _comment: description || 'Static lookup table (a bag of words), not a transformer.',
  };
  writeFileSync(join(outDir, 'config.json'), JSON.stringify(config, null, 2));
}
