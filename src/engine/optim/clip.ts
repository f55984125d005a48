import { engine } from '../engine.js';
import { scaleInPlace } from '../parallel.js';
import type { Parameter } from '../parameter.js';
import { IndexBuffer } from '../tensor.js';

/**
 * Scales all gradients so their global L2 norm is at most maxNorm (torch.nn.utils.clip_grad_norm_,
 * including its 1e-6 in the divisor); returns the norm before clipping. Sparse parameters contribute
 * only their touched rows — the others are zero.
 */
export function clipGradNorm(params: readonly Parameter[], maxNorm: number): number {
  const k = engine().kernels;
  let squares = 0;
  const touched = new Map<Parameter, IndexBuffer>();
  for (const p of params) {
    if (!p.grad) continue;
    if (p.touchedRows) {
      const rows = new IndexBuffer(p.touchedRows.rows());
      touched.set(p, rows);
      squares += k.sumSquaresRows(p.grad.ptr, rows.ptr, rows.length, p.shape[1]!);
    } else squares += k.sumSquares(p.grad.ptr, p.size);
  }
  const norm = Math.sqrt(squares);
  const factor = maxNorm / (norm + 1e-6);
  for (const p of params) {
    if (!p.grad || factor >= 1) continue;
    const rows = touched.get(p);
    if (!rows) {
      scaleInPlace(p.grad.ptr, p.size, factor);
      continue;
    }
    const dim = p.shape[1]!;
    for (const r of rows.data) k.scaleInPlace(p.grad.ptr + r * dim * 4, dim, factor);
  }
  for (const rows of touched.values()) rows.free();
  return norm;
}
