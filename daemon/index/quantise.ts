// Vectors are kept as int8 codes with one float scale each (x ≈ code × scale): a quarter of float32's memory and disk,
// and the built-in model's rows are int8 already. The scale maps the largest component to ±127.

/** Writes `vector`'s codes into `codes` at `at` and returns its scale (0 for a zero vector). */
export function quantise(vector: Float32Array, codes: Int8Array, at: number): number {
  let max = 0;
  for (let i = 0; i < vector.length; i++) max = Math.max(max, Math.abs(vector[i]));
  const scale = max / 127;
  for (let i = 0; i < vector.length; i++) codes[at + i] = scale === 0 ? 0 : Math.round(vector[i] / scale);
  return scale;
}

/** The float vector a slot's codes stand for. */
export function dequantise(codes: Int8Array, at: number, dimension: number, scale: number): Float32Array {
  const vector = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) vector[i] = codes[at + i] * scale;
  return vector;
}
