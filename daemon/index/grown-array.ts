// Typed arrays indexed by document or slot number grow by doubling, like a vector: amortised O(1) per new number.
type NumberArray = Int32Array | Uint32Array | Uint8Array;

/** A copy of `array` with room for index `index` (twice that, 1,024 at least); new entries hold `fill`. */
export function grownArray<T extends NumberArray>(array: T, index: number, fill = 0): T {
  const bigger = new (array.constructor as new (length: number) => T)(Math.max(1024, (index + 1) * 2));
  bigger.set(array);
  if (fill !== 0) bigger.fill(fill, array.length);
  return bigger;
}
