import { axpy } from '../parallel.js';
import { record, Tensor } from '../tensor.js';

/** Splits a shape around `axis`: `outer` blocks, each `len · inner` contiguous values. */
export function around(
  shape: readonly number[],
  axis: number,
): { outer: number; len: number; inner: number } {
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length)
    throw new Error(`axis ${axis} out of range for [${shape}]`);
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, len: shape[axis]!, inner };
}

export function normaliseAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Joins tensors along `axis` (negative counts from the end); all other axes must agree. */
export function concat(parts: readonly Tensor[], axis = -1): Tensor {
  if (parts.length === 0) throw new Error('concat: nothing to join');
  const first = parts[0]!;
  const ax = normaliseAxis(axis, first.rank);
  for (const p of parts) {
    if (p.rank !== first.rank || p.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new Error(`concat: [${p.shape}] does not match [${first.shape}] outside axis ${ax}`);
    }
  }
  const total = parts.reduce((n, p) => n + p.shape[ax]!, 0);
  const shape = first.shape.map((d, i) => (i === ax ? total : d));
  const out = Tensor.empty(shape);
  const { outer, inner } = around(shape, ax);
  const block = total * inner;
  let offset = 0;
  const offsets: number[] = [];
  for (const p of parts) {
    offsets.push(offset);
    const w = p.shape[ax]! * inner;
    for (let o = 0; o < outer; o++) out.data.set(p.data.subarray(o * w, (o + 1) * w), o * block + offset);
    offset += w;
  }
  return record(out, parts, (r) => {
    const g = r.grad!.ptr;
    parts.forEach((p, i) => {
      if (!p.requiresGrad) return;
      const w = p.shape[ax]! * inner;
      // The blocks cover the whole part, so a fresh gradient needs no zero fill.
      const target = p.gradTarget();
      for (let o = 0; o < outer; o++) {
        axpy(target.ptr + o * w * 4, g + (o * block + offsets[i]!) * 4, w, 1, target.beta === 1);
      }
    });
  });
}

/** x[..., start:end, ...] along `axis` (negative counts from the end). */
export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  const ax = normaliseAxis(axis, x.rank);
  const { outer, len, inner } = around(x.shape, ax);
  if (start < 0 || end > len || start > end)
    throw new Error(`slice: [${start}, ${end}) outside axis of length ${len}`);
  const shape = x.shape.map((d, i) => (i === ax ? end - start : d));
  const out = Tensor.empty(shape);
  const w = (end - start) * inner;
  for (let o = 0; o < outer; o++) {
    out.data.set(x.data.subarray(o * len * inner + start * inner, o * len * inner + end * inner), o * w);
  }
  return record(out, [x], (r) => {
    const g = r.grad!.ptr;
    const gx = x.gradBuffer().ptr;
    for (let o = 0; o < outer; o++) axpy(gx + (o * len + start) * inner * 4, g + o * w * 4, w, 1, true);
  });
}

/**
 * x[:, columns] for a 2-D x → [rows, columns.length] (e.g. the item columns of entity logits). Columns
 * may repeat; their gradients add up.
 */
export function gatherColumns(x: Tensor, columns: ArrayLike<number>): Tensor {
  if (x.rank !== 2) throw new Error(`gatherColumns: x must be 2-D, got [${x.shape}]`);
  const [rows, cols] = x.shape as [number, number];
  const picked = Int32Array.from(columns);
  for (const c of picked)
    if (c < 0 || c >= cols) throw new Error(`gatherColumns: column ${c} outside [0, ${cols})`);
  const width = picked.length;
  const out = Tensor.empty([rows, width]);
  const xs = x.data;
  const o = out.data;
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < width; j++) o[r * width + j] = xs[r * cols + picked[j]!]!;
  return record(out, [x], (res) => {
    const g = res.grad!.data;
    const gx = x.gradBuffer().data;
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < width; j++) gx[r * cols + picked[j]!]! += g[r * width + j]!;
  });
}

/**
 * Reorders axes: out.shape[i] = x.shape[order[i]] (torch permute), e.g. [B, L, H, d] → [B, H, L, d]
 * with order [0, 2, 1, 3] to split attention heads. Copies; the gradient is permuted back.
 */
export function permute(x: Tensor, order: readonly number[]): Tensor {
  const rank = x.rank;
  if (order.length !== rank || [...order].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new Error(`permute: [${order}] is not an order of ${rank} axes`);
  }
  const shape = order.map((a) => x.shape[a]!);
  const inStrides = stridesOf(x.shape);
  // Stride in x of each output axis, so one odometer walk over the output visits x in the right order.
  const strides = order.map((a) => inStrides[a]!);
  const source = new Int32Array(x.size);
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < x.size; i++) {
    source[i] = offset;
    for (let ax = rank - 1; ax >= 0; ax--) {
      index[ax]!++;
      offset += strides[ax]!;
      if (index[ax]! < shape[ax]!) break;
      offset -= strides[ax]! * shape[ax]!;
      index[ax] = 0;
    }
  }
  const out = Tensor.empty(shape);
  const xs = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = xs[source[i]!]!;
  return record(out, [x], (r) => {
    const g = r.grad!.data;
    const gx = x.gradBuffer().data;
    for (let i = 0; i < g.length; i++) gx[source[i]!]! += g[i]!;
  });
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  return strides;
}
