// Row-wise and elementwise kernels split across the engine's threads. Each split gives every thread
// whole output rows or an element range at a multiple of 16 elements (whole SIMD vectors, so no element
// moves between a vector body and a scalar tail), and each output element is computed by the same
// instructions as in one call: results are bit-identical for any thread count (test/engine/threads.test.ts).
import { engine } from './engine.js';
import type { KernelExports } from './kernels/load.js';

/** Below about this many floats touched, a thread hand-off (tens of µs) costs more than it saves. */
const MIN_SHARE_FLOATS = 1 << 15;
const VECTOR_UNIT = 16;

/** The minimum share, in units of `floatsPerUnit` floats, that is worth a thread. */
function minShare(floatsPerUnit: number): number {
  return Math.ceil(MIN_SHARE_FLOATS / Math.max(1, floatsPerUnit));
}

/** The rowsAxpy arguments without its destination range [lo, hi), which the split supplies. */
type ScatterArgs =
  Parameters<KernelExports['rowsAxpy']> extends [...infer Head, number, number] ? Head : never;

/**
 * out[dst[e]] += w[e] · x[src[e]] over `count` entries (index pointer 0: the identity, weight pointer 0:
 * weight 1), split by destination rows of out [outRows, dim]: each thread scans every entry and adds
 * those into its rows, in entry order.
 */
export function scatterRows(outRows: number, ...args: ScatterArgs): void {
  const [, , dim, , dst, , count] = args;
  // Work is per entry; spread it over rows at the entries' average density.
  const share = { minShare: minShare((count * dim) / Math.max(1, outRows)) };
  engine().split('rowsAxpy', dst ? outRows : count, share, (lo, hi) => [...args, lo, hi]);
}

/** out[e] = x[src[e]] for e < count (rows of dim floats), split by entries. */
export function gatherRows(out: number, x: number, dim: number, src: number, count: number): void {
  engine().split('rowsCopy', count, { minShare: minShare(dim) }, (start, end) => [
    out + start * dim * 4,
    x,
    dim,
    src + start * 4,
    end - start,
  ]);
}

/** out[e] = a[ia[e]] · b[ib[e]] for e < count (both index lists given), split by entries. */
export function rowDots(
  a: number,
  ia: number,
  b: number,
  ib: number,
  dim: number,
  count: number,
  out: number,
): void {
  engine().split('rowsDot', count, { minShare: minShare(2 * dim) }, (start, end) => [
    a,
    ia + start * 4,
    b,
    ib + start * 4,
    dim,
    end - start,
    out + start * 4,
  ]);
}

/** y ← y + a·x (accumulate) or y ← a·x over n floats. */
export function axpy(y: number, x: number, n: number, a: number, accumulate: boolean): void {
  engine().split('axpy', n, { unit: VECTOR_UNIT, minShare: minShare(1) }, (start, end) => [
    y + start * 4,
    x + start * 4,
    end - start,
    a,
    accumulate ? 1 : 0,
  ]);
}

/** x ← x · s over n floats. */
export function scaleInPlace(x: number, n: number, s: number): void {
  engine().split('scaleInPlace', n, { unit: VECTOR_UNIT, minShare: minShare(1) }, (start, end) => [
    x + start * 4,
    end - start,
    s,
  ]);
}

/** x ← 0 over n floats. */
export function zeroFill(x: number, n: number): void {
  engine().split('zeroFill', n, { unit: VECTOR_UNIT, minShare: minShare(1) }, (start, end) => [
    x + start * 4,
    end - start,
  ]);
}

/** AdamW's per-step constants: the adamw kernel's arguments after the four pointers and the count. */
export type AdamWHyper =
  Parameters<KernelExports['adamw']> extends [number, number, number, number, number, ...infer Rest]
    ? Rest
    : never;

/** The AdamW update of n contiguous parameters (see optim.as for the arguments). */
export function adamw(p: number, g: number, m: number, v: number, n: number, hyper: AdamWHyper): void {
  // Four streams read and three written per parameter: a smaller share already pays for a thread.
  engine().split('adamw', n, { unit: VECTOR_UNIT, minShare: minShare(7) }, (start, end) => [
    p + start * 4,
    g + start * 4,
    m + start * 4,
    v + start * 4,
    end - start,
    ...hyper,
  ]);
}

/** The AdamW update of the listed rows of [*, dim] tensors (distinct rows), split by rows of the list. */
export function adamwRows(...args: Parameters<KernelExports['adamwRows']>): void {
  const [p, g, m, v, rows, count, dim, ...hyper] = args;
  engine().split('adamwRows', count, { minShare: minShare(7 * dim) }, (start, end) => [
    p,
    g,
    m,
    v,
    rows + start * 4,
    end - start,
    dim,
    ...hyper,
  ]);
}

/** Zeroes the listed rows of a [*, dim] tensor, split by rows of the list. */
export function zeroRows(x: number, rows: number, count: number, dim: number): void {
  engine().split('zeroRows', count, { minShare: minShare(dim) }, (start, end) => [
    x,
    rows + start * 4,
    end - start,
    dim,
  ]);
}

/** out[r, c] = x[r, c] + s·b[c] over [rows, cols], split by rows. */
export function addRowVector(out: number, x: number, b: number, rows: number, cols: number, s: number): void {
  engine().split('addRowVector', rows, { minShare: minShare(cols) }, (start, end) => [
    out + start * cols * 4,
    x + start * cols * 4,
    b,
    end - start,
    cols,
    s,
  ]);
}

/** out[c] += s · Σ_r x[r, c] over [rows, cols] (a bias gradient), split by columns: each keeps the row order. */
export function sumRows(out: number, x: number, rows: number, cols: number, s: number): void {
  engine().split('sumRows', cols, { unit: VECTOR_UNIT, minShare: minShare(rows) }, (start, end) => [
    out + start * 4,
    x + start * 4,
    rows,
    end - start,
    cols,
    s,
  ]);
}

/** The fused softmax cross-entropy / KL kernel (losses.as), split by rows. */
export function softmaxXent(...args: Parameters<KernelExports['softmaxXent']>): void {
  const [x, rows, cols, invTemp, targets, probs, weights, gradScale, grad, loss, negEnt] = args;
  const at = (base: number, start: number, width: number) => (base ? base + start * width * 4 : 0);
  engine().split('softmaxXent', rows, { minShare: minShare(4 * cols) }, (start, end) => [
    x + start * cols * 4,
    end - start,
    cols,
    invTemp,
    at(targets, start, 1),
    at(probs, start, cols),
    at(weights, start, 1),
    gradScale,
    grad + start * cols * 4,
    loss + start * 4,
    at(negEnt, start, 1),
  ]);
}

/**
 * Exact top-k of each row of scores [rows, cols] (topk.as), split by rows: items / sims [rows, k] best
 * first, count [rows]; row r's excluded items are excluded[excludedStart[r] … excludedStart[r + 1]) (their
 * scores are overwritten with −∞).
 */
export function topkRows(...args: Parameters<KernelExports['topkRows']>): void {
  const [scores, rows, cols, k, excludedStart, excluded, items, sims, count] = args;
  engine().split('topkRows', rows, { minShare: minShare(cols) }, (start, end) => [
    scores + start * cols * 4,
    end - start,
    cols,
    k,
    excludedStart + start * 4,
    excluded,
    items + start * k * 4,
    sims + start * k * 4,
    count + start * 4,
  ]);
}
