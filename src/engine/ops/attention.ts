import { record, Tensor } from '../tensor.js';

/**
 * Masked attention pooling: for each batch row b, a = softmax over the positions l with mask[b·L + l] ≠ 0
 * of scores [B, L], and out[b] = Σ_l a_l · values[b, l] → [B, D]. Rows with no unmasked position give
 * zeros. Gradients flow to both scores and values.
 */
export function maskedAttentionPool(scores: Tensor, values: Tensor, mask: ArrayLike<number>): Tensor {
  const [batch, len] = scores.shape as [number, number];
  const dim = values.shape[2]!;
  if (scores.rank !== 2 || values.rank !== 3 || values.shape[0] !== batch || values.shape[1] !== len) {
    throw new Error(
      `maskedAttentionPool: scores [${scores.shape}] and values [${values.shape}] do not match`,
    );
  }
  if (mask.length !== batch * len)
    throw new Error(`maskedAttentionPool: mask has ${mask.length} entries, need ${batch * len}`);
  const weights = new Float32Array(batch * len);
  const s = scores.data;
  for (let b = 0; b < batch; b++) {
    let max = -Infinity;
    for (let l = 0; l < len; l++) if (mask[b * len + l]) max = Math.max(max, s[b * len + l]!);
    if (max === -Infinity) continue;
    let z = 0;
    for (let l = 0; l < len; l++) {
      if (!mask[b * len + l]) continue;
      const e = Math.exp(s[b * len + l]! - max);
      weights[b * len + l] = e;
      z += e;
    }
    for (let l = 0; l < len; l++) weights[b * len + l]! /= z;
  }
  const out = Tensor.zeros([batch, dim]);
  const v = values.data;
  const o = out.data;
  for (let b = 0; b < batch; b++) {
    for (let l = 0; l < len; l++) {
      const a = weights[b * len + l]!;
      if (a === 0) continue;
      const base = (b * len + l) * dim;
      for (let j = 0; j < dim; j++) o[b * dim + j]! += a * v[base + j]!;
    }
  }
  return record(out, [scores, values], (r) => {
    const g = r.grad!.data;
    const gv = values.requiresGrad ? values.gradBuffer().data : null;
    const gs = scores.requiresGrad ? scores.gradBuffer().data : null;
    for (let b = 0; b < batch; b++) {
      // da_l = g·v_l; dscore_l = a_l (da_l − Σ a·da).
      let weighted = 0;
      const da = new Float64Array(len);
      for (let l = 0; l < len; l++) {
        const a = weights[b * len + l]!;
        if (a === 0) continue;
        const base = (b * len + l) * dim;
        let dot = 0;
        for (let j = 0; j < dim; j++) {
          dot += g[b * dim + j]! * v[base + j]!;
          if (gv) gv[base + j]! += a * g[b * dim + j]!;
        }
        da[l] = dot;
        weighted += a * dot;
      }
      if (gs) for (let l = 0; l < len; l++) gs[b * len + l]! += weights[b * len + l]! * (da[l]! - weighted);
    }
  });
}
