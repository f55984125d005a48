// Row gather / scatter over index lists: embedding lookup, its scatter-add gradient, segment sums and
// weighted graph aggregation (out[dst] += w · x[src]) all reduce to these three loops.
// An index pointer of 0 means the identity (row e for entry e); a weight pointer of 0 means weight 1.

/** out[e] = x[src[e]] for e < count. */
export function rowsCopy(out: usize, x: usize, dim: i32, src: usize, count: i32): void {
  const bytes = <usize>dim << 2;
  for (let e = 0; e < count; e++) {
    memory.copy(out + <usize>e * bytes, x + <usize>load<i32>(src + (<usize>e << 2)) * bytes, bytes);
  }
}

/**
 * out[dst[e]] += w[e] · x[src[e]] for e < count whose destination row is in [lo, hi), in entry order
 * (deterministic). Threads given disjoint row ranges of one scatter write disjoint rows, and each row
 * gets its additions in the same order as in one call over every row, so results do not depend on the
 * split. Accepted entries go in pairs whose row chunks interleave, so the two source rows' cache misses
 * overlap; a pair with one destination adds in entry order, so results equal the one-at-a-time loop bit
 * for bit.
 */
export function rowsAxpy(
  out: usize, x: usize, dim: i32, src: usize, dst: usize, w: usize, count: i32, lo: i32, hi: i32,
): void {
  const bytes = <usize>dim << 2;
  // Without a destination list entry e writes row e: the range is a range of entries.
  const first = dst ? 0 : max(lo, 0);
  const last = dst ? count : min(hi, count);
  let pending = -1;
  for (let e = first; e < last; e++) {
    if (dst) {
      const d = load<i32>(dst + (<usize>e << 2));
      if (d < lo || d >= hi) continue;
    }
    if (pending < 0) {
      pending = e;
      continue;
    }
    const p0 = <usize>pending << 2;
    const p1 = <usize>e << 2;
    const x0 = x + (src ? <usize>load<i32>(src + p0) : <usize>pending) * bytes;
    const x1 = x + (src ? <usize>load<i32>(src + p1) : <usize>e) * bytes;
    const o0 = out + (dst ? <usize>load<i32>(dst + p0) : <usize>pending) * bytes;
    const o1 = out + (dst ? <usize>load<i32>(dst + p1) : <usize>e) * bytes;
    const w0: f32 = w ? load<f32>(w + p0) : 1.0;
    const w1: f32 = w ? load<f32>(w + p1) : 1.0;
    axpyPair(o0, o1, x0, x1, w0, w1, dim);
    pending = -1;
  }
  if (pending >= 0) {
    const p0 = <usize>pending << 2;
    const xr = x + (src ? <usize>load<i32>(src + p0) : <usize>pending) * bytes;
    const or = out + (dst ? <usize>load<i32>(dst + p0) : <usize>pending) * bytes;
    axpyRow(or, xr, w ? load<f32>(w + p0) : 1.0, dim);
  }
}

function axpyPair(o0: usize, o1: usize, x0: usize, x1: usize, w0: f32, w1: f32, dim: i32): void {
  if (o0 == o1) {
    const v0 = f32x4.splat(w0);
    const v1 = f32x4.splat(w1);
    const body = dim & ~3;
    for (let c = 0; c < body; c += 4) {
      const o = <usize>c << 2;
      const a = v128.load(x0 + o);
      const b = v128.load(x1 + o);
      v128.store(o0 + o, f32x4.add(f32x4.add(v128.load(o0 + o), f32x4.mul(v0, a)), f32x4.mul(v1, b)));
    }
    for (let c = body; c < dim; c++) {
      const o = <usize>c << 2;
      store<f32>(o0 + o, load<f32>(o0 + o) + w0 * load<f32>(x0 + o) + w1 * load<f32>(x1 + o));
    }
    return;
  }
  const v0 = f32x4.splat(w0);
  const v1 = f32x4.splat(w1);
  const body = dim & ~3;
  for (let c = 0; c < body; c += 4) {
    const o = <usize>c << 2;
    const a = v128.load(x0 + o);
    const b = v128.load(x1 + o);
    v128.store(o0 + o, f32x4.add(v128.load(o0 + o), f32x4.mul(v0, a)));
    v128.store(o1 + o, f32x4.add(v128.load(o1 + o), f32x4.mul(v1, b)));
  }
  for (let c = body; c < dim; c++) {
    const o = <usize>c << 2;
    store<f32>(o0 + o, load<f32>(o0 + o) + w0 * load<f32>(x0 + o));
    store<f32>(o1 + o, load<f32>(o1 + o) + w1 * load<f32>(x1 + o));
  }
}

function axpyRow(or: usize, xr: usize, we: f32, dim: i32): void {
  const vw = f32x4.splat(we);
  const body = dim & ~3;
  for (let c = 0; c < body; c += 4) {
    const o = <usize>c << 2;
    v128.store(or + o, f32x4.add(v128.load(or + o), f32x4.mul(vw, v128.load(xr + o))));
  }
  for (let c = body; c < dim; c++) {
    const o = <usize>c << 2;
    store<f32>(or + o, load<f32>(or + o) + we * load<f32>(xr + o));
  }
}

/** out[e] = a[ia[e]] · b[ib[e]] for e < count. */
export function rowsDot(a: usize, ia: usize, b: usize, ib: usize, dim: i32, count: i32, out: usize): void {
  const bytes = <usize>dim << 2;
  const body = dim & ~3;
  for (let e = 0; e < count; e++) {
    const eo = <usize>e << 2;
    const ar = a + (ia ? <usize>load<i32>(ia + eo) : <usize>e) * bytes;
    const br = b + (ib ? <usize>load<i32>(ib + eo) : <usize>e) * bytes;
    let acc = f32x4.splat(0);
    for (let c = 0; c < body; c += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(ar + (<usize>c << 2)), v128.load(br + (<usize>c << 2))));
    let s = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    for (let c = body; c < dim; c++) s += load<f32>(ar + (<usize>c << 2)) * load<f32>(br + (<usize>c << 2));
    store<f32>(out + eo, s);
  }
}
