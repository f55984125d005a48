// Fused row softmax + cross-entropy (hard or soft targets) and plain row softmax. One pass computes the
// loss and the logits gradient, so backward only has to scale it.
import { hmax, hsum, vexp, sexp } from './simd';

/**
 * For each row r of x [rows x cols], with z = x · invTemp and q the target distribution (one-hot of
 * targets[r] when targets != 0, else row r of probs):
 *   loss[r]       = Σ_c q_c (lse(z) − z_c)            (unweighted)
 *   grad[r, c]    = (softmax(z)_c · Σq − q_c) · gradScale · (weights ? weights[r] : 1)
 *   negEnt[r]     = Σ_c q_c log q_c                    (only when negEnt != 0 and probs are given)
 * Targets < 0 mark ignored rows (loss 0, gradient 0).
 */
export function softmaxXent(
  x: usize, rows: i32, cols: i32, invTemp: f32, targets: usize, probs: usize, weights: usize,
  gradScale: f32, grad: usize, loss: usize, negEnt: usize,
): void {
  const vt = f32x4.splat(invTemp);
  const body = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * cols) << 2);
    const gr = grad + ((<usize>r * cols) << 2);
    const target = targets ? load<i32>(targets + (<usize>r << 2)) : 0;
    if (targets && target < 0) {
      memory.fill(gr, 0, <usize>cols << 2);
      store<f32>(loss + (<usize>r << 2), 0);
      continue;
    }
    let m = rowMax(xr, body);
    for (let c = body; c < cols; c++) m = max(m, load<f32>(xr + (<usize>c << 2)));
    m *= invTemp;
    const vmax = f32x4.splat(m);
    let vs = f32x4.splat(0);
    for (let c = 0; c < body; c += 4) {
      const e = vexp(f32x4.sub(f32x4.mul(v128.load(xr + (<usize>c << 2)), vt), vmax));
      v128.store(gr + (<usize>c << 2), e);
      vs = f32x4.add(vs, e);
    }
    let s = hsum(vs);
    for (let c = body; c < cols; c++) {
      const e = sexp(load<f32>(xr + (<usize>c << 2)) * invTemp - m);
      store<f32>(gr + (<usize>c << 2), e);
      s += e;
    }
    const lse = m + Mathf.log(s);
    const scale: f32 = gradScale * (weights ? load<f32>(weights + (<usize>r << 2)) : <f32>1.0);
    if (targets) {
      store<f32>(loss + (<usize>r << 2), lse - load<f32>(xr + (<usize>target << 2)) * invTemp);
      scaleRow(gr, cols, scale / s);
      const gt = gr + (<usize>target << 2);
      store<f32>(gt, load<f32>(gt) - scale);
      continue;
    }
    // Soft targets: Σq and Σ q·z in one sweep, then grad = (p·Σq − q)·scale.
    const qr = probs + ((<usize>r * cols) << 2);
    let vq = f32x4.splat(0);
    let vqz = f32x4.splat(0);
    for (let c = 0; c < body; c += 4) {
      const q = v128.load(qr + (<usize>c << 2));
      vq = f32x4.add(vq, q);
      vqz = f32x4.add(vqz, f32x4.mul(q, f32x4.mul(v128.load(xr + (<usize>c << 2)), vt)));
    }
    let qsum = hsum(vq);
    let qz = hsum(vqz);
    for (let c = body; c < cols; c++) {
      const q = load<f32>(qr + (<usize>c << 2));
      qsum += q;
      qz += q * load<f32>(xr + (<usize>c << 2)) * invTemp;
    }
    store<f32>(loss + (<usize>r << 2), lse * qsum - qz);
    const pScale = f32x4.splat((scale * qsum) / s);
    const vscale = f32x4.splat(scale);
    for (let c = 0; c < body; c += 4) {
      const p = gr + (<usize>c << 2);
      v128.store(p, f32x4.sub(f32x4.mul(v128.load(p), pScale), f32x4.mul(v128.load(qr + (<usize>c << 2)), vscale)));
    }
    for (let c = body; c < cols; c++) {
      const p = gr + (<usize>c << 2);
      store<f32>(p, (load<f32>(p) * scale * qsum) / s - load<f32>(qr + (<usize>c << 2)) * scale);
    }
    if (negEnt) {
      let h: f32 = 0;
      for (let c = 0; c < cols; c++) {
        const q = load<f32>(qr + (<usize>c << 2));
        if (q > 0) h += q * Mathf.log(q);
      }
      store<f32>(negEnt + (<usize>r << 2), h);
    }
  }
}

/** out[r] = softmax(x[r] · invTemp) for each row. */
export function softmaxRows(x: usize, rows: i32, cols: i32, invTemp: f32, out: usize): void {
  const vt = f32x4.splat(invTemp);
  const body = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * cols) << 2);
    const or = out + ((<usize>r * cols) << 2);
    let m = rowMax(xr, body);
    for (let c = body; c < cols; c++) m = max(m, load<f32>(xr + (<usize>c << 2)));
    m *= invTemp;
    const vmax = f32x4.splat(m);
    let vs = f32x4.splat(0);
    for (let c = 0; c < body; c += 4) {
      const e = vexp(f32x4.sub(f32x4.mul(v128.load(xr + (<usize>c << 2)), vt), vmax));
      v128.store(or + (<usize>c << 2), e);
      vs = f32x4.add(vs, e);
    }
    let s = hsum(vs);
    for (let c = body; c < cols; c++) {
      const e = sexp(load<f32>(xr + (<usize>c << 2)) * invTemp - m);
      store<f32>(or + (<usize>c << 2), e);
      s += e;
    }
    scaleRow(or, cols, <f32>1.0 / s);
  }
}

/**
 * max over the first `body` (a multiple of 4) values, in four independent chains (the order of a max
 * changes nothing). pmax is one instruction where V8 spends eight on max's NaN and signed-zero rules;
 * here they do not matter: a NaN makes the row's sum NaN either way, and ±0 as the shift gives the same
 * exponentials.
 */
function rowMax(x: usize, body: i32): f32 {
  let m0 = f32x4.splat(-Infinity);
  let m1 = m0;
  let m2 = m0;
  let m3 = m0;
  const wide = body & ~15;
  for (let c = 0; c < wide; c += 16) {
    const p = x + (<usize>c << 2);
    m0 = f32x4.pmax(m0, v128.load(p));
    m1 = f32x4.pmax(m1, v128.load(p, 16));
    m2 = f32x4.pmax(m2, v128.load(p, 32));
    m3 = f32x4.pmax(m3, v128.load(p, 48));
  }
  for (let c = wide; c < body; c += 4) m0 = f32x4.pmax(m0, v128.load(x + (<usize>c << 2)));
  return hmax(f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3)));
}

function scaleRow(p: usize, cols: i32, s: f32): void {
  const vs = f32x4.splat(s);
  const body = cols & ~3;
  for (let c = 0; c < body; c += 4) v128.store(p + (<usize>c << 2), f32x4.mul(v128.load(p + (<usize>c << 2)), vs));
  for (let c = body; c < cols; c++) store<f32>(p + (<usize>c << 2), load<f32>(p + (<usize>c << 2)) * s);
}
