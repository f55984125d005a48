// Layer normalisation over the last dimension, forward and backward.
import { hsum } from './simd';

/** y = (x − mean) · rstd · gamma + beta per row; saves mean and rstd = 1/√(var + eps) for backward. */
export function layerNormForward(
  x: usize, rows: i32, dim: i32, gamma: usize, beta: usize, eps: f32, y: usize, mean: usize, rstd: usize,
): void {
  const body = dim & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * dim) << 2);
    const yr = y + ((<usize>r * dim) << 2);
    let vs = f32x4.splat(0);
    for (let c = 0; c < body; c += 4) vs = f32x4.add(vs, v128.load(xr + (<usize>c << 2)));
    let s = hsum(vs);
    for (let c = body; c < dim; c++) s += load<f32>(xr + (<usize>c << 2));
    const mu = s / <f32>dim;
    const vmu = f32x4.splat(mu);
    let vq = f32x4.splat(0);
    for (let c = 0; c < body; c += 4) {
      const d = f32x4.sub(v128.load(xr + (<usize>c << 2)), vmu);
      vq = f32x4.add(vq, f32x4.mul(d, d));
    }
    let q = hsum(vq);
    for (let c = body; c < dim; c++) {
      const d = load<f32>(xr + (<usize>c << 2)) - mu;
      q += d * d;
    }
    const rs: f32 = 1.0 / Mathf.sqrt(q / <f32>dim + eps);
    store<f32>(mean + (<usize>r << 2), mu);
    store<f32>(rstd + (<usize>r << 2), rs);
    const vrs = f32x4.splat(rs);
    for (let c = 0; c < body; c += 4) {
      const o = <usize>c << 2;
      const xhat = f32x4.mul(f32x4.sub(v128.load(xr + o), vmu), vrs);
      v128.store(yr + o, f32x4.add(f32x4.mul(xhat, v128.load(gamma + o)), v128.load(beta + o)));
    }
    for (let c = body; c < dim; c++) {
      const o = <usize>c << 2;
      store<f32>(yr + o, (load<f32>(xr + o) - mu) * rs * load<f32>(gamma + o) + load<f32>(beta + o));
    }
  }
}

/**
 * Accumulates dx += rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)) with ĝ = dy · gamma, and
 * dgamma += Σ_rows dy · x̂, dbeta += Σ_rows dy. Any of dx / dgamma / dbeta may be 0 (not needed).
 */
export function layerNormBackward(
  x: usize, dy: usize, rows: i32, dim: i32, gamma: usize, mean: usize, rstd: usize,
  dx: usize, dgamma: usize, dbeta: usize,
): void {
  const inv: f32 = 1.0 / <f32>dim;
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * dim) << 2);
    const gr = dy + ((<usize>r * dim) << 2);
    const mu = load<f32>(mean + (<usize>r << 2));
    const rs = load<f32>(rstd + (<usize>r << 2));
    let sg: f32 = 0;
    let sgx: f32 = 0;
    for (let c = 0; c < dim; c++) {
      const o = <usize>c << 2;
      const xhat = (load<f32>(xr + o) - mu) * rs;
      const g = load<f32>(gr + o);
      const gh = g * load<f32>(gamma + o);
      sg += gh;
      sgx += gh * xhat;
      if (dgamma) store<f32>(dgamma + o, load<f32>(dgamma + o) + g * xhat);
      if (dbeta) store<f32>(dbeta + o, load<f32>(dbeta + o) + g);
    }
    if (!dx) continue;
    const mg = sg * inv;
    const mgx = sgx * inv;
    const dxr = dx + ((<usize>r * dim) << 2);
    for (let c = 0; c < dim; c++) {
      const o = <usize>c << 2;
      const xhat = (load<f32>(xr + o) - mu) * rs;
      const gh = load<f32>(gr + o) * load<f32>(gamma + o);
      store<f32>(dxr + o, load<f32>(dxr + o) + rs * (gh - mg - xhat * mgx));
    }
  }
}
