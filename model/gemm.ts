// The three matrix products of a training batch (B×B cosines and their gradients), run by onnxruntime's Gemm: its SIMD
// kernels are ~30× faster than a JavaScript loop here, and onnxruntime-node is already ccc's model runtime. Everything
// else in training stays plain typed-array code.
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';

const FLOAT = onnx.TensorProto.DataType.FLOAT;

function matrix(name: string, rows: string, columns: string): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: rows }, { dimParam: columns }] } } } };
}

function gemm(a: string, b: string, out: string, options: { transA?: boolean; transB?: boolean; alpha?: number }): onnx.INodeProto {
  const attribute: onnx.IAttributeProto[] = [];
  const int = onnx.AttributeProto.AttributeType.INT;
  if (options.transA) attribute.push({ name: 'transA', type: int, i: 1 });
  if (options.transB) attribute.push({ name: 'transB', type: int, i: 1 });
  if (options.alpha !== undefined) attribute.push({ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: options.alpha });
  return { opType: 'Gemm', input: [a, b], output: [out], name: out, attribute };
}

function model(nodes: onnx.INodeProto[], inputs: onnx.IValueInfoProto[], outputs: onnx.IValueInfoProto[]): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph: { name: 'g', node: nodes, input: inputs, output: outputs },
  })).finish();
}

export class BatchProducts {
  private constructor(private readonly forward: ort.InferenceSession, private readonly backward: ort.InferenceSession) {}

  /** `scale` multiplies the cosines. One thread: the machine is shared and the runs must repeat exactly. */
  static async create(scale: number): Promise<BatchProducts> {
    const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
    const forward = model([gemm('U', 'V', 'L', { transB: true, alpha: scale })], [matrix('U', 'b', 'd'), matrix('V', 'b', 'd')], [matrix('L', 'b', 'b')]);
    const backward = model(
      [gemm('G', 'V', 'dU', { alpha: scale }), gemm('G', 'U', 'dV', { transA: true, alpha: scale })],
      [matrix('G', 'b', 'b'), matrix('U', 'b', 'd'), matrix('V', 'b', 'd')],
      [matrix('dU', 'b', 'd'), matrix('dV', 'b', 'd')],
    );
    return new BatchProducts(await ort.InferenceSession.create(forward, options), await ort.InferenceSession.create(backward, options));
  }

  /** scale · U Vᵀ for U, V of `rows` × `dimension`. */
  async logits(u: Float32Array, v: Float32Array, rows: number, dimension: number): Promise<Float32Array> {
    const out = await this.forward.run({ U: new ort.Tensor('float32', u, [rows, dimension]), V: new ort.Tensor('float32', v, [rows, dimension]) });
    return out.L.data as Float32Array;
  }

  /** scale · G V and scale · Gᵀ U: the gradients of U and V from the gradient G of the logits. */
  async gradients(g: Float32Array, u: Float32Array, v: Float32Array, rows: number, dimension: number): Promise<{ du: Float32Array; dv: Float32Array }> {
    const out = await this.backward.run({
      G: new ort.Tensor('float32', g, [rows, rows]),
      U: new ort.Tensor('float32', u, [rows, dimension]),
      V: new ort.Tensor('float32', v, [rows, dimension]),
    });
    return { du: out.dU.data as Float32Array, dv: out.dV.data as Float32Array };
  }

  async close(): Promise<void> {
    await this.forward.release();
    await this.backward.release();
  }
}
