import type { Rng } from '../../util/rng.js';
import { record, Tensor } from '../tensor.js';

/**
 * Inverted dropout: zeroes each element with probability p and scales survivors by 1/(1−p), so
 * evaluation needs no rescaling. The mask comes from the caller's seeded Rng; pass training=false
 * (or p=0) to get x back unchanged.
 */
export function dropout(x: Tensor, p: number, rng: Rng, training = true): Tensor {
  if (p < 0 || p >= 1) throw new Error(`dropout probability must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const keepScale = 1 / (1 - p);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() >= p ? keepScale : 0;
  const out = Tensor.empty(x.shape);
  const xs = x.data;
  const o = out.data;
  for (let i = 0; i < xs.length; i++) o[i] = xs[i]! * mask[i]!;
  return record(out, [x], (r) => {
    const g = r.grad!.data;
    const gx = x.gradBuffer().data;
    for (let i = 0; i < g.length; i++) gx[i]! += g[i]! * mask[i]!;
  });
}
