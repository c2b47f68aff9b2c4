/**
 * bf16 rounding in TypeScript, independent of the native conversion: what a bf16 product
 * sees of a float32 (the oracle of the bf16 kernels' tests).
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * x rounded to bf16 (round to nearest, ties to even), as a number: float32 subnormals
 * flush to a signed zero and NaN stays NaN, as VCVTNE2PS2BF16 does.
 */
export function roundToBf16(x: number): number {
  f32[0] = x;
  const u = u32[0];
  const exponent = u & 0x7f800000;
  if (exponent === 0) u32[0] = u & 0x80000000;
  else if (exponent === 0x7f800000) u32[0] = u & 0x7fffff ? (u | 0x400000) & 0xffff0000 : u;
  else u32[0] = ((u + 0x7fff + ((u >>> 16) & 1)) & 0xffff0000) >>> 0;
  return f32[0];
}

/** A copy of a with every element rounded to bf16. */
export function roundArrayToBf16(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, roundToBf16);
}
