import { record, Tensor } from '../tensor.js';
import { around, normaliseAxis } from './shape.js';

/** Σ of all elements → scalar (accumulated in float64). */
export function sum(x: Tensor): Tensor {
  return total(x, 1);
}

/** Mean of all elements → scalar. */
export function mean(x: Tensor): Tensor {
  return total(x, 1 / x.size);
}

function total(x: Tensor, factor: number): Tensor {
  let s = 0;
  for (const v of x.data) s += v;
  const out = Tensor.from([s * factor], []);
  return record(out, [x], (r) => {
    const g = r.grad!.data[0]! * factor;
    const gx = x.gradBuffer().data;
    for (let i = 0; i < gx.length; i++) gx[i]! += g;
  });
}

/** Σ over one axis (removed from the shape), e.g. [B, L, D] → [B, D] for axis 1. */
export function sumAxis(x: Tensor, axis: number): Tensor {
  return reduceAxis(x, axis, false);
}

/** Mean over one axis (removed from the shape), e.g. token mean-pooling [B, L, D] → [B, D]. */
export function meanAxis(x: Tensor, axis: number): Tensor {
  return reduceAxis(x, axis, true);
}

function reduceAxis(x: Tensor, axis: number, average: boolean): Tensor {
  const ax = normaliseAxis(axis, x.rank);
  const { outer, len, inner } = around(x.shape, ax);
  const factor = average ? 1 / len : 1;
  const out = Tensor.zeros(x.shape.filter((_, i) => i !== ax));
  const xs = x.data;
  const o = out.data;
  for (let b = 0; b < outer; b++) {
    for (let l = 0; l < len; l++) {
      const src = (b * len + l) * inner;
      for (let j = 0; j < inner; j++) o[b * inner + j]! += xs[src + j]! * factor;
    }
  }
  return record(out, [x], (r) => {
    const g = r.grad!.data;
    const gx = x.gradBuffer().data;
    for (let b = 0; b < outer; b++) {
      for (let l = 0; l < len; l++) {
        const dst = (b * len + l) * inner;
        for (let j = 0; j < inner; j++) gx[dst + j]! += g[b * inner + j]! * factor;
      }
    }
  });
}
