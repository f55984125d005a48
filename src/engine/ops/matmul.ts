import { engine } from '../engine.js';
import { sumRows } from '../parallel.js';
import { record, Tensor } from '../tensor.js';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

/** Byte strides between the products of a batch, in operand order (A, B, C). */
type Strides = [number, number, number];

/**
 * C = op(A)·op(B) + beta·C on heap pointers, for `count` products spaced by `strides` (the engine spreads
 * a batch over its threads). Exported for bench/engine/step-kernels.ts, which times the calls the ops make.
 */
export function gemmAt(
  a: number,
  b: number,
  c: number,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  beta: number,
  count = 1,
  strides: Strides = [0, 0, 0],
  bias = 0,
): void {
  engine().gemm(
    {
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
      bias,
    },
    { count, strideA: strides[0], strideB: strides[1], strideC: strides[2] },
  );
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
  gemmAt(a.ptr, b.ptr, out.ptr, m, n, k, transA, transB, 0, batch, [sa, sb, sc]);
  return record(out, [a, b], (o) => {
    const g = o.grad!.ptr;
    if (a.requiresGrad) {
      // dA = dC·op(B)ᵀ (or its transpose when A was used transposed).
      const ta = a.gradTarget();
      if (transA) gemmAt(b.ptr, g, ta.ptr, k, m, n, transB, true, ta.beta, batch, [sb, sc, sa]);
      else gemmAt(g, b.ptr, ta.ptr, m, k, n, false, !transB, ta.beta, batch, [sc, sb, sa]);
    }
    if (b.requiresGrad) {
      // dB = op(A)ᵀ·dC (or its transpose when B was used transposed). A shared B sums over the batch:
      // the first product sets (or adds to) the gradient, the rest add in batch order.
      const tb = b.gradTarget();
      const dB = (first: number, count: number, beta: number): void => {
        const ap = a.ptr + first * sa;
        const gp = g + first * sc;
        const bp = tb.ptr + first * sb;
        if (transB) gemmAt(gp, ap, bp, n, k, m, true, transA, beta, count, [sc, sa, sb]);
        else gemmAt(ap, gp, bp, k, n, m, !transA, false, beta, count, [sa, sc, sb]);
      };
      if (sharedB && batch > 1) {
        dB(0, 1, tb.beta);
        dB(1, batch - 1, 1);
      } else dB(0, batch, tb.beta);
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

/**
 * x·W + b for x [..., in], W [in, out], b [out] (a linear layer): the GEMM adds the bias as it stores the
 * product (no pass of its own), and the bias gradient is the column sums of the output gradient, which
 * the weight and input gradients read directly (an add op after matmul would copy the output and its
 * gradient once more). The same values as add(matmul(x, W), b).
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const [k, n] = weight.shape as [number, number];
  if (weight.rank !== 2 || x.shape[x.rank - 1] !== k || bias.size !== n || bias.rank !== 1) {
    throw new Error(`linear: [${x.shape}] · [${weight.shape}] + [${bias.shape}] do not fit`);
  }
  const rows = x.size / k;
  const out = Tensor.empty([...x.shape.slice(0, -1), n]);
  gemmAt(x.ptr, weight.ptr, out.ptr, rows, n, k, false, false, 0, 1, [0, 0, 0], bias.ptr);
  return record(out, [x, weight, bias], (o) => {
    const g = o.grad!.ptr;
    if (x.requiresGrad) {
      const tx = x.gradTarget();
      gemmAt(g, weight.ptr, tx.ptr, rows, k, n, false, true, tx.beta);
    }
    if (weight.requiresGrad) {
      const tw = weight.gradTarget();
      gemmAt(x.ptr, g, tw.ptr, k, n, rows, true, false, tw.beta);
    }
    if (bias.requiresGrad) sumRows(bias.gradBuffer().ptr, g, rows, n, 1);
  });
}
