// Shared SIMD helpers. RELAXED is a compile-time constant set by scripts/build-wasm.mjs (--use RELAXED=0|1),
// so the plain build never contains relaxed-SIMD opcodes.

/** c + a * b, fused on the relaxed build. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (RELAXED) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Horizontal sum of four lanes in a fixed order (deterministic). */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Horizontal max of four lanes. */
// @ts-ignore: decorator
@inline export function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/**
 * exp on four lanes: x = n·ln2 + r with |r| ≤ ln2/2, exp(r) by a degree-6 polynomial (Cephes expf
 * coefficients), 2^n by building the exponent bits. Relative error ≈ 1e-7 over the clamped range;
 * inputs below -87.3 give 0-ish, which softmax needs after the max shift.
 */
export function vexp(x: v128): v128 {
  const hi = f32x4.splat(88.3762626647949);
  const lo = f32x4.splat(-87.3365447505531);
  x = f32x4.pmax(f32x4.pmin(x, hi), lo);
  // n = x·log2(e) rounded to the nearest integer (ties to even): adding 1.5·2^23 leaves exactly that
  // integer in the low mantissa bits, so the same sum also gives n as an i32 without a float conversion.
  const magic = f32x4.splat(12582912.0);
  const shifted = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), magic);
  const n = f32x4.sub(shifted, magic);
  // Two-part ln2 keeps the reduction exact enough in f32.
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  const r2 = f32x4.mul(r, r);
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  p = madd(p, r2, f32x4.add(r, f32x4.splat(1.0)));
  const pow2n = i32x4.shl(i32x4.add(i32x4.sub(shifted, magic), i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2n);
}

/** exp of one value through the vector path, so scalar tails match the vector body bit for bit. */
export function sexp(x: f32): f32 {
  return f32x4.extract_lane(vexp(f32x4.splat(x)), 0);
}
