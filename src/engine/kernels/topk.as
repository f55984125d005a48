// Exact top-k per row of a score matrix (retrieval candidates): a size-k min-heap per row, fed in item
// order by a SIMD scan that tests sixteen values at a time and looks only at those that can matter.

import { hmax } from './simd';

/**
 * For each of `rows` rows of scores [rows, cols]: the k best items, best first (ties: lower index first),
 * into items / sims [rows, k], and how many there were into count [rows] (fewer than k when the row has
 * fewer items left). Row r skips the items excluded[excludedStart[r] … excludedStart[r + 1]), whose
 * scores the kernel overwrites with −∞.
 * Items are scanned in index order, so every kept item has a lower index than the one at hand and a tie
 * with the worst kept one loses: once the heap is full, one comparison with the worst kept value (the
 * threshold) rejects almost every item. Before that, a lower bound on the k-th best value (lowerBound)
 * keeps hopeless items out of the heap. The result is the same as selectTopK's in src/augment/topk.ts,
 * NaNs included (tested).
 */
export function topkRows(
  scores: usize, rows: i32, cols: i32, k: i32, excludedStart: usize, excluded: usize,
  items: usize, sims: usize, count: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const first = load<i32>(excludedStart + (<usize>r << 2));
    const last = load<i32>(excludedStart + (<usize>(r + 1) << 2));
    const n = selectRow(
      scores + ((<usize>r * cols) << 2), cols, k, excluded + (<usize>first << 2), last - first,
      items + ((<usize>r * k) << 2), sims + ((<usize>r * k) << 2),
    );
    store<i32>(count + (<usize>r << 2), n);
  }
}

function selectRow(row: usize, cols: i32, k: i32, ex: usize, exCount: i32, items: usize, sims: usize): i32 {
  if (k <= 0) return 0;
  const floor = lowerBound(row, cols, k, ex, exCount);
  // Without a usable bound (a NaN in the row) every item is a candidate while the heap fills.
  const filter = floor == floor;
  let size = 0;
  let threshold: f32 = 0;
  let item = 0;
  // Sixteen values per test; the bits of a mask say which values to look at: while the heap fills, those
  // not below the bound; once it is full, those above its worst kept value (the threshold as it was at
  // the test: each is checked again against the threshold as it moves).
  for (; item + 16 <= cols; item += 16) {
    const p = row + (<usize>item << 2);
    let mask = size < k ? (filter ? notBelow(p, floor) : 0xffff) : above(p, threshold);
    while (mask) {
      const i = item + ctz(mask);
      mask &= mask - 1;
      if (size < k) {
        if (!(filter && load<f32>(row + (<usize>i << 2)) < floor)) size = push(row, i, ex, exCount, sims, items, size);
        if (size == k) threshold = load<f32>(sims);
      } else threshold = offer(row, i, threshold, ex, exCount, sims, items, size);
    }
  }
  for (; item < cols; item++) {
    if (size < k) {
      if (!(filter && load<f32>(row + (<usize>item << 2)) < floor)) size = push(row, item, ex, exCount, sims, items, size);
      if (size == k) threshold = load<f32>(sims);
    } else threshold = offer(row, item, threshold, ex, exCount, sims, items, size);
  }
  // Heap sort in place: moving the worst to the end, one by one, leaves the best first.
  for (let end = size - 1; end > 0; end--) {
    swap(sims, items, 0, end);
    siftDown(sims, items, end, 0);
  }
  return size;
}

/** Adds a not excluded item to a heap that is not full; returns the new size. */
// @ts-ignore: decorator
@inline function push(row: usize, item: i32, ex: usize, exCount: i32, sims: usize, items: usize, size: i32): i32 {
  if (isExcluded(ex, exCount, item)) return size;
  store<i32>(items + (<usize>size << 2), item);
  store<f32>(sims + (<usize>size << 2), load<f32>(row + (<usize>item << 2)));
  siftUp(sims, items, size);
  return size + 1;
}

/**
 * A value no top-k item is below: split the row into k chunks (the last one takes the rest) and take the
 * smallest chunk maximum, which k distinct items reach. Excluded items are first set to −∞ in the row so
 * that they count in no maximum. −∞ when there are fewer than 16 items per chunk; NaN when the row holds
 * a NaN (then no value is a safe bound).
 */
function lowerBound(row: usize, cols: i32, k: i32, ex: usize, exCount: i32): f32 {
  for (let i = 0; i < exCount; i++) {
    const item = load<i32>(ex + (<usize>i << 2));
    if (item >= 0 && item < cols) store<f32>(row + (<usize>item << 2), -Infinity);
  }
  const chunk = cols / k;
  if (chunk < 16) return -Infinity;
  let bound: f32 = Infinity;
  let nan = v128.splat<i32>(0);
  for (let c = 0; c < k; c++) {
    const start = c * chunk;
    const end = c == k - 1 ? cols : start + chunk;
    // Four chains of pmax (one instruction each); the chunk's last 16 values overlap the loop's (a
    // maximum does not mind repeats).
    let m0 = f32x4.splat(-Infinity);
    let m1 = m0;
    let m2 = m0;
    let m3 = m0;
    for (let i = start; i < end; i += 16) {
      const p = row + (<usize>min(i, end - 16) << 2);
      const v0 = v128.load(p);
      const v1 = v128.load(p, 16);
      const v2 = v128.load(p, 32);
      const v3 = v128.load(p, 48);
      m0 = f32x4.pmax(m0, v0);
      m1 = f32x4.pmax(m1, v1);
      m2 = f32x4.pmax(m2, v2);
      m3 = f32x4.pmax(m3, v3);
      nan = v128.or(nan, v128.or(v128.or(f32x4.ne(v0, v0), f32x4.ne(v1, v1)), v128.or(f32x4.ne(v2, v2), f32x4.ne(v3, v3))));
    }
    bound = min(bound, hmax(f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3))));
  }
  return v128.any_true(nan) ? NaN : bound;
}

/** Bits of the 16 values at p that are not below the bound (a NaN is not below anything). */
// @ts-ignore: decorator
@inline function notBelow(p: usize, bound: f32): i32 {
  const b = f32x4.splat(bound);
  const below =
    i32x4.bitmask(f32x4.lt(v128.load(p), b)) |
    (i32x4.bitmask(f32x4.lt(v128.load(p, 16), b)) << 4) |
    (i32x4.bitmask(f32x4.lt(v128.load(p, 32), b)) << 8) |
    (i32x4.bitmask(f32x4.lt(v128.load(p, 48), b)) << 12);
  return ~below & 0xffff;
}

/** Bits of the 16 values at p that are above the threshold. */
// @ts-ignore: decorator
@inline function above(p: usize, threshold: f32): i32 {
  const t = f32x4.splat(threshold);
  return (
    i32x4.bitmask(f32x4.gt(v128.load(p), t)) |
    (i32x4.bitmask(f32x4.gt(v128.load(p, 16), t)) << 4) |
    (i32x4.bitmask(f32x4.gt(v128.load(p, 32), t)) << 8) |
    (i32x4.bitmask(f32x4.gt(v128.load(p, 48), t)) << 12)
  );
}

/** Puts item into a full heap when it beats the threshold and is not excluded; returns the new threshold. */
// @ts-ignore: decorator
@inline function offer(
  row: usize, item: i32, threshold: f32, ex: usize, exCount: i32, sims: usize, items: usize, size: i32,
): f32 {
  const sim = load<f32>(row + (<usize>item << 2));
  if (!(sim > threshold) || isExcluded(ex, exCount, item)) return threshold;
  store<i32>(items, item);
  store<f32>(sims, sim);
  siftDown(sims, items, size, 0);
  return load<f32>(sims);
}

function isExcluded(ex: usize, exCount: i32, item: i32): bool {
  for (let i = 0; i < exCount; i++) if (load<i32>(ex + (<usize>i << 2)) == item) return true;
  return false;
}

/** Entry i ranks below entry j (the min-heap's order: the root is the worst kept). */
// @ts-ignore: decorator
@inline function worse(sims: usize, items: usize, i: i32, j: i32): bool {
  const si = load<f32>(sims + (<usize>i << 2));
  const sj = load<f32>(sims + (<usize>j << 2));
  return si < sj || (si == sj && load<i32>(items + (<usize>i << 2)) > load<i32>(items + (<usize>j << 2)));
}

// @ts-ignore: decorator
@inline function swap(sims: usize, items: usize, i: i32, j: i32): void {
  const pi = <usize>i << 2;
  const pj = <usize>j << 2;
  const item = load<i32>(items + pi);
  store<i32>(items + pi, load<i32>(items + pj));
  store<i32>(items + pj, item);
  const sim = load<f32>(sims + pi);
  store<f32>(sims + pi, load<f32>(sims + pj));
  store<f32>(sims + pj, sim);
}

function siftUp(sims: usize, items: usize, start: i32): void {
  let i = start;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worse(sims, items, i, parent)) return;
    swap(sims, items, i, parent);
    i = parent;
  }
}

/**
 * Moves entry `start` down to its place. The entry rides in registers and each level compares exactly
 * what a swap at every level would have (so ties and NaNs come out alike), with half the memory traffic.
 */
function siftDown(sims: usize, items: usize, size: i32, start: i32): void {
  let i = start;
  const sim = load<f32>(sims + (<usize>i << 2));
  const item = load<i32>(items + (<usize>i << 2));
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    let mSim = sim;
    let mItem = item;
    if (l < size) {
      const lSim = load<f32>(sims + (<usize>l << 2));
      const lItem = load<i32>(items + (<usize>l << 2));
      if (lSim < mSim || (lSim == mSim && lItem > mItem)) {
        m = l;
        mSim = lSim;
        mItem = lItem;
      }
    }
    if (r < size) {
      const rSim = load<f32>(sims + (<usize>r << 2));
      const rItem = load<i32>(items + (<usize>r << 2));
      if (rSim < mSim || (rSim == mSim && rItem > mItem)) {
        m = r;
        mSim = rSim;
        mItem = rItem;
      }
    }
    if (m == i) break;
    store<f32>(sims + (<usize>i << 2), mSim);
    store<i32>(items + (<usize>i << 2), mItem);
    i = m;
  }
  store<f32>(sims + (<usize>i << 2), sim);
  store<i32>(items + (<usize>i << 2), item);
}
