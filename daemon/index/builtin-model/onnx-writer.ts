// Writes the ONNX graphs of a static embedding model: a token's output vector is one row of a table (ONNX Gather).
// transformers.js feeds `input_ids` and `attention_mask` and mean-pools `last_hidden_state` itself.
import { onnx } from 'onnx-proto';

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

function encodeModel(name: string, graph: Graph, dimension: number): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'ccc-builtin-model',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: [
        valueInfo('input_ids', DataType.INT64, ['batch_size', 'sequence_length']),
        // Unused by the graph; declared because transformers.js always feeds it to encoder models.
        valueInfo('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']),
      ],
      output: [valueInfo('last_hidden_state', DataType.FLOAT, ['batch_size', 'sequence_length', dimension])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** float32 table [rows × dimension] → one Gather. */
export function floatLookupModel(table: Float32Array, dimension: number): Uint8Array {
  const rows = table.length / dimension;
  return encodeModel('static_embedding', {
    initializers: [tensor('embeddings', DataType.FLOAT, [rows, dimension], table)],
    nodes: [node('Gather', ['embeddings', 'input_ids'], 'last_hidden_state', [intAttribute('axis', 0)])],
  }, dimension);
}

/** int8 table with one float scale per row → Gather both, Cast, Mul. */
export function quantizedLookupModel(table: Int8Array, scales: Float32Array, dimension: number): Uint8Array {
  const rows = scales.length;
  return encodeModel('static_embedding_q8', {
    initializers: [
      tensor('embeddings_q8', DataType.INT8, [rows, dimension], table),
      tensor('row_scales', DataType.FLOAT, [rows, 1], scales),
    ],
    nodes: [
      node('Gather', ['embeddings_q8', 'input_ids'], 'rows_q8', [intAttribute('axis', 0)]),
      node('Gather', ['row_scales', 'input_ids'], 'rows_scale', [intAttribute('axis', 0)]),
      node('Cast', ['rows_q8'], 'rows_float', [intAttribute('to', DataType.FLOAT)]),
      node('Mul', ['rows_float', 'rows_scale'], 'last_hidden_state'),
    ],
  }, dimension);
}
