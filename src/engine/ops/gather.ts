import { gatherRows, rowDots, scatterRows } from '../parallel.js';
import { Parameter } from '../parameter.js';
import { type Indices, isGradEnabled, record, Tensor, toIndexBuffer } from '../tensor.js';

function checkIndices(indices: Int32Array, limit: number, what: string): void {
  for (let e = 0; e < indices.length; e++) {
    const i = indices[e]!;
    if (i < 0 || i >= limit) throw new Error(`${what}: index ${i} outside [0, ${limit})`);
  }
}

function markTouched(table: Tensor, indices: Int32Array): void {
  if (table instanceof Parameter && table.touchedRows && isGradEnabled()) {
    for (let e = 0; e < indices.length; e++) table.touchedRows.add(indices[e]!);
  }
}

/**
 * Embedding lookup: out[e] = table[indices[e]] → [count, dim]. The gradient scatter-adds into the
 * table's rows; a sparse Parameter records the rows touched (lazy AdamW).
 */
export function embedding(table: Tensor, indices: Indices): Tensor {
  const [rows, dim] = table.shape as [number, number];
  const idx = toIndexBuffer(indices);
  checkIndices(idx.data, rows, 'embedding');
  const out = Tensor.empty([idx.length, dim]);
  gatherRows(out.ptr, table.ptr, dim, idx.ptr, idx.length);
  markTouched(table, idx.data);
  return record(out, [table], (o) => {
    scatterRows(rows, table.gradBuffer().ptr, o.grad!.ptr, dim, 0, idx.ptr, 0, idx.length);
  });
}

/**
 * Weighted edge aggregation (R-GCN message passing): out[dst[e]] += w[e] · x[src[e]], out has
 * `outRows` rows. Gradients flow to x (and to the edge weights when they require one).
 */
export function aggregateEdges(
  x: Tensor,
  src: Indices,
  dst: Indices,
  outRows: number,
  weights?: Tensor,
): Tensor {
  const [rows, dim] = x.shape as [number, number];
  const s = toIndexBuffer(src);
  const d = toIndexBuffer(dst);
  if (s.length !== d.length)
    throw new Error(`aggregateEdges: ${s.length} sources but ${d.length} destinations`);
  if (weights && weights.size !== s.length)
    throw new Error(`aggregateEdges: ${weights.size} weights for ${s.length} edges`);
  checkIndices(s.data, rows, 'aggregateEdges source');
  checkIndices(d.data, outRows, 'aggregateEdges destination');
  const out = Tensor.zeros([outRows, dim]);
  const wp = weights?.ptr ?? 0;
  scatterRows(outRows, out.ptr, x.ptr, dim, s.ptr, d.ptr, wp, s.length);
  return record(out, weights ? [x, weights] : [x], (o) => {
    const g = o.grad!.ptr;
    if (x.requiresGrad) scatterRows(rows, x.gradBuffer().ptr, g, dim, d.ptr, s.ptr, wp, s.length);
    if (weights?.requiresGrad) {
      const dots = Tensor.empty([s.length]);
      rowDots(g, d.ptr, x.ptr, s.ptr, dim, s.length, dots.ptr);
      const gw = weights.gradBuffer().data;
      for (let e = 0; e < s.length; e++) gw[e]! += dots.data[e]!;
      dots.free();
    }
  });
}

/**
 * Bag-of-embeddings mean (torch EmbeddingBag mode='mean'): out[b] = mean of table rows indices[e] over
 * the entries with bags[e] = b → [count, dim], without materialising the looked-up rows.
 */
export function embeddingBagMean(table: Tensor, indices: Indices, bags: Indices, count: number): Tensor {
  const idx = toIndexBuffer(indices);
  const bag = toIndexBuffer(bags);
  checkIndices(bag.data, count, 'embeddingBagMean bag');
  const bagOf = bag.data;
  const sizes = new Float64Array(count);
  for (let e = 0; e < bagOf.length; e++) sizes[bagOf[e]!]! += 1;
  const w = Tensor.empty([idx.length]);
  const weight = w.data;
  for (let e = 0; e < weight.length; e++) weight[e] = 1 / sizes[bagOf[e]!]!;
  markTouched(table, idx.data);
  return aggregateEdges(table, idx, bag, count, w);
}

/** out[segments[r]] += x[r] over rows of x [rows, dim] → [count, dim]. */
export function segmentSum(x: Tensor, segments: Indices, count: number): Tensor {
  return segmentReduce(x, segments, count, false);
}

/** Mean of the rows of x in each segment → [count, dim]; empty segments give zeros. */
export function segmentMean(x: Tensor, segments: Indices, count: number): Tensor {
  return segmentReduce(x, segments, count, true);
}

function segmentReduce(x: Tensor, segments: Indices, count: number, mean: boolean): Tensor {
  const [rows, dim] = x.shape as [number, number];
  const seg = toIndexBuffer(segments);
  if (seg.length !== rows) throw new Error(`segment op: ${seg.length} segment ids for ${rows} rows`);
  checkIndices(seg.data, count, 'segment op');
  let weights = 0;
  if (mean) {
    const sizes = new Float64Array(count);
    for (let r = 0; r < rows; r++) sizes[seg.data[r]!]! += 1;
    const w = Tensor.empty([rows]);
    for (let r = 0; r < rows; r++) w.data[r] = 1 / sizes[seg.data[r]!]!;
    weights = w.ptr;
  }
  const out = Tensor.zeros([count, dim]);
  scatterRows(count, out.ptr, x.ptr, dim, 0, seg.ptr, weights, rows);
  return record(out, [x], (o) => {
    scatterRows(rows, x.gradBuffer().ptr, o.grad!.ptr, dim, seg.ptr, 0, weights, rows);
  });
}
