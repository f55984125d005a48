// AdamW update (dense and per touched row), and the reductions gradient clipping needs.

/**
 * Decoupled-weight-decay Adam on n contiguous values, matching torch.optim.AdamW:
 *   p ← p·(1 − decay);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  p ← p − stepSize · m / (√v · invSqrtBc2 + eps)
 * with decay = lr·wd, stepSize = lr / (1 − β1^t), invSqrtBc2 = 1 / √(1 − β2^t).
 */
export function adamw(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  beta1: f32, beta2: f32, eps: f32, decay: f32, stepSize: f32, invSqrtBc2: f32,
): void {
  const vb1 = f32x4.splat(beta1);
  const vb1c = f32x4.splat(1 - beta1);
  const vb2 = f32x4.splat(beta2);
  const vb2c = f32x4.splat(1 - beta2);
  const veps = f32x4.splat(eps);
  const vkeep = f32x4.splat(1 - decay);
  const vstep = f32x4.splat(stepSize);
  const vbc2 = f32x4.splat(invSqrtBc2);
  const body = n & ~3;
  for (let i = 0; i < body; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vb1c, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vb2c, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vi), vbc2), veps);
    const pi = f32x4.mul(v128.load(p + o), vkeep);
    v128.store(p + o, f32x4.sub(pi, f32x4.div(f32x4.mul(vstep, mi), denom)));
  }
  for (let i = body; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    const denom = Mathf.sqrt(vi) * invSqrtBc2 + eps;
    store<f32>(p + o, load<f32>(p + o) * (1 - decay) - (stepSize * mi) / denom);
  }
}

/** adamw on the listed rows of [*, dim] tensors only (lazy update of embedding rows touched in a step). */
export function adamwRows(
  p: usize, g: usize, m: usize, v: usize, rows: usize, nrows: i32, dim: i32,
  beta1: f32, beta2: f32, eps: f32, decay: f32, stepSize: f32, invSqrtBc2: f32,
): void {
  for (let i = 0; i < nrows; i++) {
    const o = (<usize>load<i32>(rows + (<usize>i << 2)) * dim) << 2;
    adamw(p + o, g + o, m + o, v + o, dim, beta1, beta2, eps, decay, stepSize, invSqrtBc2);
  }
}

/** Σ x² over n values, accumulated in f64 lanes in a fixed order. */
export function sumSquares(x: usize, n: i32): f64 {
  let acc = f64x2.splat(0);
  const body = n & ~3;
  for (let i = 0; i < body; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const sq = f32x4.mul(v, v);
    acc = f64x2.add(acc, f64x2.promote_low_f32x4(sq));
    acc = f64x2.add(acc, f64x2.promote_low_f32x4(i32x4.shuffle(sq, sq, 2, 3, 0, 1)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (let i = body; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

/** Σ x² over the listed rows of a [*, dim] tensor. */
export function sumSquaresRows(x: usize, rows: usize, nrows: i32, dim: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < nrows; i++) s += sumSquares(x + ((<usize>load<i32>(rows + (<usize>i << 2)) * dim) << 2), dim);
  return s;
}

/** x ← x · s on n values. */
export function scaleInPlace(x: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  const body = n & ~3;
  for (let i = 0; i < body; i += 4) v128.store(x + (<usize>i << 2), f32x4.mul(v128.load(x + (<usize>i << 2)), vs));
  for (let i = body; i < n; i++) store<f32>(x + (<usize>i << 2), load<f32>(x + (<usize>i << 2)) * s);
}

/** Zero the listed rows of a [*, dim] tensor. */
export function zeroRows(x: usize, rows: usize, nrows: i32, dim: i32): void {
  for (let i = 0; i < nrows; i++) memory.fill(x + ((<usize>load<i32>(rows + (<usize>i << 2)) * dim) << 2), 0, <usize>dim << 2);
}

/** Zero n contiguous values. */
export function zeroFill(x: usize, n: i32): void {
  memory.fill(x, 0, <usize>n << 2);
}
