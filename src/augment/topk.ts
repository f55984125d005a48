import { engine, topkRows } from '../engine/index.js';

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

/** C [rows × cols] = A·Bᵀ on engine heap pointers (A [rows × dims], B [cols × dims]). */
function productsOnHeap(pa: number, rows: number, pb: number, cols: number, dims: number, pc: number): void {
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
}

/** A·Bᵀ with the engine's wasm GEMM (the same kernel training uses). */
export const engineInnerProducts: InnerProducts = (a, rows, b, cols, dims) => {
  const { heap } = engine();
  const pb = residentPointer(b);
  const pa = heap.alloc(a.length * 4);
  const pc = heap.alloc(rows * cols * 4);
  try {
    heap.f32(pa, a.length).set(a);
    productsOnHeap(pa, rows, pb, cols, dims, pc);
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
  /** Products to select from instead of the engine's (then the selection runs in TypeScript). */
  innerProducts?: InnerProducts;
  /** Called after each block with the rows done so far. */
  onBlock?: (rowsDone: number) => void;
}

/** The top-K rows of one block of queries; `excluded[r]` lists row r's excluded items. */
type BlockTopK = (
  block: Float32Array,
  rows: number,
  items: Float32Array,
  itemRows: number,
  dims: number,
  k: number,
  excluded: number[][],
) => TopKRow[];

/**
 * Exact top-K by inner product: queries × itemsᵀ one block of rows at a time, then a bounded selection per
 * row (a size-K min-heap, O(items · log K)), so no row is ever fully sorted. On the engine, products and
 * selection both stay in wasm memory and run on the engine's threads (rows split between them).
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
  const select = options.innerProducts ? selectFrom(options.innerProducts) : selectOnEngine;
  const out: TopKRow[] = [];
  try {
    for (let start = 0; start < queryRows; start += blockRows) {
      const rows = Math.min(blockRows, queryRows - start);
      const excluded = Array.from({ length: rows }, (_, r) => [...(options.excluded?.(start + r) ?? [])]);
      const block = queries.subarray(start * dims, (start + rows) * dims);
      for (const row of select(block, rows, items, itemRows, dims, options.k, excluded)) out.push(row);
      options.onBlock?.(start + rows);
    }
  } finally {
    if (!options.innerProducts) releaseEngineItems();
  }
  return out;
}

/** Given products, selected row by row in TypeScript. */
function selectFrom(product: InnerProducts): BlockTopK {
  return (block, rows, items, itemRows, dims, k, excluded) => {
    const sims = product(block, rows, items, itemRows, dims);
    return excluded.map((ex, r) =>
      selectTopK(sims.subarray(r * itemRows, (r + 1) * itemRows), k, new Set(ex)),
    );
  };
}

/** Engine GEMM into the heap, then the topkRows kernel (the same selection as selectTopK) on every thread. */
const selectOnEngine: BlockTopK = (block, rows, items, itemRows, dims, k, excluded) => {
  const { heap } = engine();
  // More than itemRows can never be found; the kernel reserves `kept` slots per row.
  const kept = Math.max(0, Math.min(k, itemRows));
  const excludedCount = excluded.reduce((n, ex) => n + ex.length, 0);
  const pb = residentPointer(items);
  const blocks = [
    block.length * 4,
    rows * itemRows * 4,
    (rows + 1) * 4,
    excludedCount * 4,
    rows * kept * 4,
    rows * kept * 4,
    rows * 4,
  ].map((bytes) => heap.alloc(Math.max(4, bytes)));
  const [pa, pc, pStart, pExcluded, pItems, pSims, pCount] = blocks as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  try {
    heap.f32(pa, block.length).set(block);
    const starts = heap.i32(pStart, rows + 1);
    const list = heap.i32(pExcluded, excludedCount);
    let at = 0;
    excluded.forEach((ex, r) => {
      starts[r] = at;
      list.set(ex, at);
      at += ex.length;
    });
    starts[rows] = at;
    productsOnHeap(pa, rows, pb, itemRows, dims, pc);
    topkRows(pc, rows, itemRows, kept, pStart, pExcluded, pItems, pSims, pCount);
    const found = heap.i32(pCount, rows);
    const itemsOut = heap.i32(pItems, rows * kept);
    const simsOut = heap.f32(pSims, rows * kept);
    return Array.from({ length: rows }, (_, r) => ({
      items: itemsOut.slice(r * kept, r * kept + found[r]!),
      sims: simsOut.slice(r * kept, r * kept + found[r]!),
    }));
  } finally {
    for (const ptr of blocks) heap.release(ptr);
  }
};

/**
 * The k best of one row. Items are scanned in index order, so every item already kept has a lower index
 * than the one at hand, and a tie with the worst kept item loses: once the heap is full, one comparison
 * with that item's similarity (the threshold) rejects almost every candidate, and the exclusion set is
 * only asked about the few that pass. The heap is plain typed arrays and functions without closures,
 * which the JIT keeps tight; the kept items are then heap-sorted in place, best first.
 */
export function selectTopK(scores: Float32Array, k: number, excluded: ReadonlySet<number>): TopKRow {
  if (k <= 0) return { items: new Int32Array(0), sims: new Float32Array(0) };
  const heapItems = new Int32Array(k);
  const heapSims = new Float32Array(k);
  const n = scores.length;
  let size = 0;
  let item = 0;
  for (; item < n && size < k; item++) {
    if (excluded.has(item)) continue;
    heapItems[size] = item;
    heapSims[size] = scores[item]!;
    siftUp(heapSims, heapItems, size++);
  }
  let threshold = heapSims[0]!;
  for (; item < n; item++) {
    const sim = scores[item]!;
    if (!(sim > threshold) || excluded.has(item)) continue;
    heapItems[0] = item;
    heapSims[0] = sim;
    siftDown(heapSims, heapItems, size, 0);
    threshold = heapSims[0]!;
  }
  // Heap sort in place: moving the worst to the end, one by one, leaves the best first.
  for (let end = size - 1; end > 0; end--) {
    swap(heapSims, heapItems, 0, end);
    siftDown(heapSims, heapItems, end, 0);
  }
  return { items: heapItems.subarray(0, size), sims: heapSims.subarray(0, size) };
}

/** Heap entry i ranks below entry j (the min-heap's order: the root is the worst kept). */
function worse(sims: Float32Array, items: Int32Array, i: number, j: number): boolean {
  return sims[i]! < sims[j]! || (sims[i] === sims[j] && items[i]! > items[j]!);
}

function swap(sims: Float32Array, items: Int32Array, i: number, j: number): void {
  const item = items[i]!;
  items[i] = items[j]!;
  items[j] = item;
  const sim = sims[i]!;
  sims[i] = sims[j]!;
  sims[j] = sim;
}

function siftUp(sims: Float32Array, items: Int32Array, start: number): void {
  let i = start;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worse(sims, items, i, parent)) return;
    swap(sims, items, i, parent);
    i = parent;
  }
}

function siftDown(sims: Float32Array, items: Int32Array, size: number, start: number): void {
  let i = start;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < size && worse(sims, items, l, m)) m = l;
    if (r < size && worse(sims, items, r, m)) m = r;
    if (m === i) return;
    swap(sims, items, i, m);
    i = m;
  }
}
