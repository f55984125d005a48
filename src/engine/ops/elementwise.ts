import { addRowVector, axpy, sumRows } from '../parallel.js';
import { record, Tensor } from '../tensor.js';

/** b broadcasts over a when b's shape equals a's trailing axes (e.g. a bias [N] over [M, N]). */
function broadcastPeriod(a: Tensor, b: Tensor, op: string): number {
  const tail = a.shape.slice(a.rank - b.rank);
  if (b.rank > a.rank || tail.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${op}: shape [${b.shape}] does not broadcast over [${a.shape}]`);
  }
  return b.size;
}

/** a + b, with b the same shape as a or broadcast over a's leading axes. */
export function add(a: Tensor, b: Tensor): Tensor {
  return addScaled(a, b, 1, 'add');
}

/** a − b, broadcasting like add. */
export function sub(a: Tensor, b: Tensor): Tensor {
  return addScaled(a, b, -1, 'sub');
}

function addScaled(a: Tensor, b: Tensor, sign: number, op: string): Tensor {
  const period = broadcastPeriod(a, b, op);
  const rows = a.size / period;
  const out = Tensor.empty(a.shape);
  addRowVector(out.ptr, a.ptr, b.ptr, rows, period, sign);
  return record(out, [a, b], (r) => {
    const g = r.grad!;
    if (a.requiresGrad) a.accumulateGrad(g);
    if (!b.requiresGrad) return;
    if (rows === 1) b.accumulateGrad(g, sign);
    else sumRows(b.gradBuffer().ptr, g.ptr, rows, period, sign);
  });
}

/** Elementwise a · b, broadcasting like add. */
export function mul(a: Tensor, b: Tensor): Tensor {
  const period = broadcastPeriod(a, b, 'mul');
  const out = Tensor.empty(a.shape);
  const x = a.data;
  const y = b.data;
  const o = out.data;
  for (let base = 0; base < x.length; base += period) {
    for (let j = 0; j < period; j++) o[base + j] = x[base + j]! * y[j]!;
  }
  return record(out, [a, b], (r) => {
    const g = r.grad!.data;
    if (a.requiresGrad) {
      const ga = a.gradBuffer().data;
      for (let base = 0; base < g.length; base += period)
        for (let j = 0; j < period; j++) ga[base + j]! += g[base + j]! * y[j]!;
    }
    if (b.requiresGrad) {
      const gb = b.gradBuffer().data;
      for (let base = 0; base < g.length; base += period)
        for (let j = 0; j < period; j++) gb[j]! += g[base + j]! * x[base + j]!;
    }
  });
}

/** a · s for a constant s. */
export function scale(a: Tensor, s: number): Tensor {
  const out = Tensor.empty(a.shape);
  axpy(out.ptr, a.ptr, a.size, s, false);
  return record(out, [a], (r) => a.accumulateGrad(r.grad!, s));
}

/**
 * An elementwise function y = f(x) whose derivative is expressed through x and y
 * (so sigmoid and tanh reuse their output).
 */
function unary(x: Tensor, f: (v: number) => number, df: (v: number, y: number) => number): Tensor {
  const out = Tensor.empty(x.shape);
  const xs = x.data;
  const ys = out.data;
  for (let i = 0; i < xs.length; i++) ys[i] = f(xs[i]!);
  return record(out, [x], (r) => {
    const g = r.grad!.data;
    const gx = x.gradBuffer().data;
    for (let i = 0; i < g.length; i++) gx[i]! += g[i]! * df(xs[i]!, ys[i]!);
  });
}

export function relu(x: Tensor): Tensor {
  return unary(
    x,
    (v) => Math.max(v, 0),
    (v) => (v > 0 ? 1 : 0),
  );
}

export function tanh(x: Tensor): Tensor {
  return unary(x, Math.tanh, (_v, y) => 1 - y * y);
}

export function sigmoid(x: Tensor): Tensor {
  return unary(
    x,
    (v) => 1 / (1 + Math.exp(-v)),
    (_v, y) => y * (1 - y),
  );
}

const GELU_C = Math.sqrt(2 / Math.PI);

/**
 * GELU with the tanh approximation (torch.nn.GELU(approximate='tanh'), as in BERT/GPT-2):
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 */
export function gelu(x: Tensor): Tensor {
  return unary(
    x,
    (v) => 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v))),
    (v) => {
      const t = Math.tanh(GELU_C * (v + 0.044715 * v * v * v));
      return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * v * v);
    },
  );
}
