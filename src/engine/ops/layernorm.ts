import { engine } from '../engine.js';
import { record, Tensor } from '../tensor.js';

/** LayerNorm over the last axis with affine gamma/beta [D] (torch.nn.LayerNorm, biased variance). */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const dim = x.shape[x.rank - 1]!;
  if (gamma.size !== dim || beta.size !== dim)
    throw new Error(`layerNorm: gamma/beta must have ${dim} elements`);
  const rows = x.size / dim;
  const k = engine().kernels;
  const out = Tensor.empty(x.shape);
  const stats = Tensor.empty([2, rows]);
  const mean = stats.ptr;
  const rstd = stats.ptr + rows * 4;
  k.layerNormForward(x.ptr, rows, dim, gamma.ptr, beta.ptr, eps, out.ptr, mean, rstd);
  return record(out, [x, gamma, beta], (o) => {
    k.layerNormBackward(
      x.ptr,
      o.grad!.ptr,
      rows,
      dim,
      gamma.ptr,
      mean,
      rstd,
      x.requiresGrad ? x.gradBuffer().ptr : 0,
      gamma.requiresGrad ? gamma.gradBuffer().ptr : 0,
      beta.requiresGrad ? beta.gradBuffer().ptr : 0,
    );
  });
}
