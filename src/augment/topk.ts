import { engine } from '../engine/index.js';

/** C = A · Bᵀ for row-major A [rows × dims] and B [cols × dims]; returns C [rows × cols]. */
export type InnerProducts = (
  a: Float32Array,
  rows: number,
  b: Float32Array,
  cols: number,
  dims: number,
) => Float32Array;

/** The item matrix stays on the engine heap between blocks: copying it once per block would dominate. */
let resident: { source: Float32Array; ptr: number } | undefined;

function residentPointer(b: Float32Array): number {
  const { heap } = engine();
  if (resident?.source !== b) {
    if (resident) heap.release(resident.ptr);
    const ptr = heap.alloc(b.length * 4);
    heap.f32(ptr, b.length).set(b);
    resident = { source: b, ptr };
  }
  return resident.ptr;
}

/** Frees the item matrix kept on the engine heap by engineInnerProducts. */
export function releaseEngineItems(): void {
  if (resident) engine().heap.release(resident.ptr);
  resident = undefined;
}

/** A·Bᵀ with the engine's wasm GEMM (the same kernel training uses). */
export const engineInnerProducts: InnerProducts = (a, rows, b, cols, dims) => {
  const { heap } = engine();
  const pb = residentPointer(b);
  const pa = heap.alloc(a.length * 4);
  const pc = heap.alloc(rows * cols * 4);
  try {
    heap.f32(pa, a.length).set(a);
    engine().gemm({
      transA: false,
      transB: true,
      m: rows,
      n: cols,
      k: dims,
      alpha: 1,
      a: pa,
      lda: dims,
      b: pb,
      ldb: dims,
      beta: 0,
      c: pc,
      ldc: cols,
    });
    return heap.f32(pc, rows * cols).slice();
  } finally {
    heap.release(pa);
    heap.release(pc);
  }
};

export interface TopKRow {
  /** Item indices, best first (ties: lower index first). */
  items: Int32Array;
  /** Inner products, aligned with `items`. */
  sims: Float32Array;
}

export interface TopKOptions {
  k: number;
  /** Items a query row may not return (e.g. those its context mentions). */
  excluded?: (row: number) => Iterable<number>;
  /** Query rows per block; bounds memory at blockRows × items floats. */
  blockRows?: number;
  innerProducts?: InnerProducts;
  /** Called after each block with the rows done so far. */
  onBlock?: (rowsDone: number) => void;
}

/**
 * Exact top-K by inner product: queries × itemsᵀ one block of rows at a time, then a bounded selection per
 * row (a size-K min-heap, O(items · log K)), so no row is ever fully sorted.
 */
export function topKInnerProduct(
  queries: Float32Array,
  queryRows: number,
  items: Float32Array,
  itemRows: number,
  dims: number,
  options: TopKOptions,
): TopKRow[] {
  const blockRows = options.blockRows ?? 1024;
  const product = options.innerProducts ?? engineInnerProducts;
  const out: TopKRow[] = [];
  try {
    for (let start = 0; start < queryRows; start += blockRows) {
      const rows = Math.min(blockRows, queryRows - start);
      const sims = product(
        queries.subarray(start * dims, (start + rows) * dims),
        rows,
        items,
        itemRows,
        dims,
      );
      for (let r = 0; r < rows; r++) {
        const row = sims.subarray(r * itemRows, (r + 1) * itemRows);
        out.push(selectTopK(row, options.k, new Set(options.excluded?.(start + r) ?? [])));
      }
      options.onBlock?.(start + rows);
    }
  } finally {
    if (!options.innerProducts) releaseEngineItems();
  }
  return out;
}

/** `a` ranks before `b`: higher similarity, then lower index (so results never depend on scan order). */
function before(simA: number, a: number, simB: number, b: number): boolean {
  return simA > simB || (simA === simB && a < b);
}

/**
 * The k best of one row. Items are scanned in index order, so every item already kept has a lower index
 * than the one at hand, and a tie with the worst kept item loses: once the heap is full, one comparison
 * with that item's similarity (the threshold) rejects almost every candidate, and the exclusion set is
 * only asked about the few that pass.
 */
export function selectTopK(scores: Float32Array, k: number, excluded: ReadonlySet<number>): TopKRow {
  if (k <= 0) return { items: new Int32Array(0), sims: new Float32Array(0) };
  const heapItems = new Int32Array(k);
  const heapSims = new Float32Array(k);
  let size = 0;
  // Min-heap on rank order: the root is the worst item kept so far.
  const worse = (i: number, j: number) => before(heapSims[j]!, heapItems[j]!, heapSims[i]!, heapItems[i]!);
  const swap = (i: number, j: number) => {
    const item = heapItems[i]!;
    heapItems[i] = heapItems[j]!;
    heapItems[j] = item;
    const sim = heapSims[i]!;
    heapSims[i] = heapSims[j]!;
    heapSims[j] = sim;
  };
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  let threshold = Number.NEGATIVE_INFINITY;
  const n = scores.length;
  for (let item = 0; item < n; item++) {
    const sim = scores[item]!;
    if (size === k && !(sim > threshold)) continue;
    if (excluded.has(item)) continue;
    if (size < k) {
      heapItems[size] = item;
      heapSims[size] = sim;
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    } else {
      heapItems[0] = item;
      heapSims[0] = sim;
      siftDown(0);
    }
    if (size === k) threshold = heapSims[0]!;
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((i, j) =>
    before(heapSims[i]!, heapItems[i]!, heapSims[j]!, heapItems[j]!) ? -1 : 1,
  );
  return {
    items: Int32Array.from(order, (i) => heapItems[i]!),
    sims: Float32Array.from(order, (i) => heapSims[i]!),
  };
}
