// Writes the ONNX graph of a static embedding model: a token's vector is one row of a table (ONNX Gather). The built-in
// model also pools in the graph (the sum of the unmasked token vectors, `sentence_embedding`), so only one vector per
// text leaves the runtime: copying every token's vector out to JavaScript and pooling there took a third of the
// embedder's time. A model with `last_hidden_state` instead (as most Hugging Face exports) is pooled by the embedder.
import { onnx } from 'onnx-proto';

/** What the model outputs: each token's vector, or one pooled vector per text. */
export type ModelOutput = 'tokens' | 'pooled';

const DataType = onnx.TensorProto.DataType;
const OPSET = 13;

interface Graph {
  nodes: onnx.INodeProto[];
  initializers: onnx.ITensorProto[];
}

function tensor(name: string, dataType: number, dims: number[], data: ArrayBufferView): onnx.ITensorProto {
  return { name, dataType, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function node(opType: string, input: string[], output: string, attribute: onnx.IAttributeProto[] = []): onnx.INodeProto {
  return { opType, input, output: [output], name: output, attribute };
}

function intAttribute(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

function valueInfo(name: string, elemType: number, dims: (string | number)[]): onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function int64Tensor(name: string, values: number[]): onnx.ITensorProto {
  return tensor(name, DataType.INT64, [values.length], BigInt64Array.from(values.map(BigInt)));
}

/** `token_vectors` [batch, tokens, dimension] → the declared output. */
function outputNodes(output: ModelOutput): Graph {
  if (output === 'tokens') return { nodes: [node('Identity', ['token_vectors'], 'last_hidden_state')], initializers: [] };
  return {
    initializers: [int64Tensor('axis_tokens', [1]), int64Tensor('axis_dimension', [2])],
    nodes: [
      node('Cast', ['attention_mask'], 'mask_float', [intAttribute('to', DataType.FLOAT)]),
      node('Unsqueeze', ['mask_float', 'axis_dimension'], 'mask_3d'),
      node('Mul', ['token_vectors', 'mask_3d'], 'masked_vectors'),
      node('ReduceSum', ['masked_vectors', 'axis_tokens'], 'sentence_embedding', [intAttribute('keepdims', 0)]),
    ],
  };
}

/** int8 table with one float scale per row → Gather both, Cast, Mul; then the output nodes. */
export function quantizedLookupModel(table: Int8Array, scales: Float32Array, dimension: number, output: ModelOutput): Uint8Array {
  const rows = scales.length;
  const tail = outputNodes(output);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'ccc-builtin-model',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'static_embedding_q8',
      initializer: [
        tensor('embeddings_q8', DataType.INT8, [rows, dimension], table),
        tensor('row_scales', DataType.FLOAT, [rows, 1], scales),
        ...tail.initializers,
      ],
      node: [
        node('Gather', ['embeddings_q8', 'input_ids'], 'rows_q8', [intAttribute('axis', 0)]),
        node('Gather', ['row_scales', 'input_ids'], 'rows_scale', [intAttribute('axis', 0)]),
        node('Cast', ['rows_q8'], 'rows_float', [intAttribute('to', DataType.FLOAT)]),
        node('Mul', ['rows_float', 'rows_scale'], 'token_vectors'),
        ...tail.nodes,
      ],
      input: [
        valueInfo('input_ids', DataType.INT64, ['batch_size', 'sequence_length']),
        // transformers.js always feeds it to encoder models; the pooled graph uses it.
        valueInfo('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']),
      ],
      output: [
        output === 'tokens'
          ? valueInfo('last_hidden_state', DataType.FLOAT, ['batch_size', 'sequence_length', dimension])
          : valueInfo('sentence_embedding', DataType.FLOAT, ['batch_size', dimension]),
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
