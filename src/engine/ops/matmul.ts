import { engine } from '../engine.js';
import { record, Tensor } from '../tensor.js';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

/** One GEMM on sub-blocks of heap tensors: C = alpha·op(A)·op(B) + beta·C, with A, B, C given by pointer. */
function gemmAt(
  a: number,
  b: number,
  c: number,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  beta: number,
): void {
  engine().gemm({
    transA,
    transB,
    m,
    n,
    k,
    alpha: 1,
    a,
    lda: transA ? m : k,
    b,
    ldb: transB ? k : n,
    beta,
    c,
    ldc: n,
  });
}

/**
 * op(a) · op(b). 2-D: [M,K]·[K,N] → [M,N]. 3-D batched: [B,M,K]·[B,K,N] → [B,M,N]; a 2-D b is shared by
 * every batch entry (a linear layer over a sequence). The transposes act on the last two axes.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  if (a.rank < 2 || a.rank > 3 || b.rank < 2 || b.rank > a.rank) {
    throw new Error(`matmul: unsupported ranks [${a.shape}] · [${b.shape}]`);
  }
  const batch = a.rank === 3 ? a.shape[0]! : 1;
  const sharedB = b.rank === 2;
  if (!sharedB && b.shape[0] !== batch)
    throw new Error(`matmul: batch sizes differ, [${a.shape}] · [${b.shape}]`);
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const kb = transB ? bc : br;
  const n = transB ? br : bc;
  if (k !== kb)
    throw new Error(
      `matmul: inner sizes differ, [${a.shape}]${transA ? 'ᵀ' : ''} · [${b.shape}]${transB ? 'ᵀ' : ''}`,
    );
  // A batch of activations times one weight matrix is a single tall GEMM when A is not transposed.
  if (batch > 1 && sharedB && !transA) {
    return matmulFlat(a, b, batch * m, n, k, transB);
  }
  const out = Tensor.empty(a.rank === 3 ? [batch, m, n] : [m, n]);
  const sa = m * k * 4;
  const sb = sharedB ? 0 : k * n * 4;
  const sc = m * n * 4;
  for (let i = 0; i < batch; i++)
    gemmAt(a.ptr + i * sa, b.ptr + i * sb, out.ptr + i * sc, m, n, k, transA, transB, 0);
  return record(out, [a, b], (o) => {
    const g = o.grad!;
    const ta = a.requiresGrad ? a.gradTarget() : null;
    const tb = b.requiresGrad ? b.gradTarget() : null;
    for (let i = 0; i < batch; i++) {
      const gp = g.ptr + i * sc;
      if (ta) {
        const ga = ta.ptr + i * sa;
        // dA = dC·op(B)ᵀ (or its transpose when A was used transposed).
        if (transA) gemmAt(b.ptr + i * sb, gp, ga, k, m, n, transB, true, ta.beta);
        else gemmAt(gp, b.ptr + i * sb, ga, m, k, n, false, !transB, ta.beta);
      }
      if (tb) {
        const gb = tb.ptr + i * sb;
        // dB = op(A)ᵀ·dC (or its transpose when B was used transposed); a shared B sums over the batch.
        const beta = sharedB && i > 0 ? 1 : tb.beta;
        if (transB) gemmAt(gp, a.ptr + i * sa, gb, n, k, m, true, transA, beta);
        else gemmAt(a.ptr + i * sa, gp, gb, k, n, m, !transA, false, beta);
      }
    }
  });
}

/** [B,M,K]·W for a shared 2-D W, as one [B·M,K]·W GEMM (and the same for its gradients). */
function matmulFlat(a: Tensor, b: Tensor, rows: number, n: number, k: number, transB: boolean): Tensor {
  const out = Tensor.empty([...a.shape.slice(0, -1), n]);
  gemmAt(a.ptr, b.ptr, out.ptr, rows, n, k, false, transB, 0);
  return record(out, [a, b], (o) => {
    const g = o.grad!;
    if (a.requiresGrad) {
      const ta = a.gradTarget();
      gemmAt(g.ptr, b.ptr, ta.ptr, rows, k, n, false, !transB, ta.beta);
    }
    if (b.requiresGrad) {
      const tb = b.gradTarget();
      if (transB) gemmAt(g.ptr, a.ptr, tb.ptr, n, k, rows, true, false, tb.beta);
      else gemmAt(a.ptr, g.ptr, tb.ptr, k, n, rows, true, false, tb.beta);
    }
  });
}
