import type { Rng } from '../../util/rng.js';
import type { Tensor } from '../tensor.js';

/**
 * Seeded parameter initialisers. Fans follow this engine's layout: a weight [in, out] multiplies from
 * the right (y = x·W), so fanIn = shape[0] and fanOut = shape[1] (the reverse of torch's [out, in]).
 */
function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.rank < 2) return { fanIn: t.size, fanOut: t.size };
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[0]! * receptive, fanOut: t.shape[1]! * receptive };
}

export function uniform<T extends Tensor>(t: T, rng: Rng, low: number, high: number): T {
  for (let i = 0; i < t.size; i++) t.data[i] = low + (high - low) * rng.next();
  return t;
}

export function normal<T extends Tensor>(t: T, rng: Rng, std: number, meanValue = 0): T {
  for (let i = 0; i < t.size; i++) t.data[i] = meanValue + std * rng.normal();
  return t;
}

/** Glorot/Xavier uniform: U(−a, a), a = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform<T extends Tensor>(t: T, rng: Rng, gain = 1): T {
  const { fanIn, fanOut } = fans(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, rng, -a, a);
}

/** He/Kaiming normal for ReLU layers: N(0, 2 / fanIn). */
export function kaimingNormal<T extends Tensor>(t: T, rng: Rng): T {
  return normal(t, rng, Math.sqrt(2 / fans(t).fanIn));
}

/** Kaiming uniform with a = √5, torch.nn.Linear's default: U(−1/√fanIn, 1/√fanIn). */
export function kaimingUniform<T extends Tensor>(t: T, rng: Rng): T {
  const bound = 1 / Math.sqrt(fans(t).fanIn);
  return uniform(t, rng, -bound, bound);
}

export function constant<T extends Tensor>(t: T, value: number): T {
  t.data.fill(value);
  return t;
}
