// Vector loops behind gradient accumulation and bias broadcasting.

/** y ← y + a·x (accumulate = 1) or y ← a·x (accumulate = 0) over n values. */
export function axpy(y: usize, x: usize, n: i32, a: f32, accumulate: i32): void {
  const va = f32x4.splat(a);
  const body = n & ~3;
  if (accumulate) {
    for (let i = 0; i < body; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
    }
    for (let i = body; i < n; i++) store<f32>(y + (<usize>i << 2), load<f32>(y + (<usize>i << 2)) + a * load<f32>(x + (<usize>i << 2)));
  } else {
    for (let i = 0; i < body; i += 4) v128.store(y + (<usize>i << 2), f32x4.mul(va, v128.load(x + (<usize>i << 2))));
    for (let i = body; i < n; i++) store<f32>(y + (<usize>i << 2), a * load<f32>(x + (<usize>i << 2)));
  }
}

/** out[r, c] = x[r, c] + s·b[c] for a [rows, cols] x and a [cols] b (bias broadcast). */
export function addRowVector(out: usize, x: usize, b: usize, rows: i32, cols: i32, s: f32): void {
  const vs = f32x4.splat(s);
  const body = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const base = (<usize>r * cols) << 2;
    for (let c = 0; c < body; c += 4) {
      const o = <usize>c << 2;
      v128.store(out + base + o, f32x4.add(v128.load(x + base + o), f32x4.mul(vs, v128.load(b + o))));
    }
    for (let c = body; c < cols; c++) {
      const o = <usize>c << 2;
      store<f32>(out + base + o, load<f32>(x + base + o) + s * load<f32>(b + o));
    }
  }
}

/**
 * out[c] += s · Σ_r x[r, c] for the columns c < cols of a [rows, stride] x (the gradient of a broadcast
 * bias), summing rows in order; a column range of a wider x is one thread's share.
 */
export function sumRows(out: usize, x: usize, rows: i32, cols: i32, stride: i32, s: f32): void {
  const vs = f32x4.splat(s);
  const body = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const base = (<usize>r * stride) << 2;
    for (let c = 0; c < body; c += 4) {
      const o = <usize>c << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), f32x4.mul(vs, v128.load(x + base + o))));
    }
    for (let c = body; c < cols; c++) {
      const o = <usize>c << 2;
      store<f32>(out + o, load<f32>(out + o) + s * load<f32>(x + base + o));
    }
  }
}
