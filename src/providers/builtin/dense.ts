/** Dense linear algebra on small row-major Float64 matrices, just what the randomized SVD needs. */

/** AᵀA for a row-major A [rows × width]: a symmetric [width × width]. */
export function gram(a: Float64Array, rows: number, width: number): Float64Array {
  const g = new Float64Array(width * width);
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    for (let i = 0; i < width; i++) {
      const ai = a[o + i]!;
      if (ai === 0) continue;
      const gi = i * width;
      for (let j = i; j < width; j++) g[gi + j]! += ai * a[o + j]!;
    }
  }
  for (let i = 0; i < width; i++) for (let j = 0; j < i; j++) g[i * width + j] = g[j * width + i]!;
  return g;
}

/** AᵀB for row-major A [rows × widthA] and B [rows × widthB]: a [widthA × widthB]. */
export function transposeTimes(
  a: Float64Array,
  b: Float64Array,
  rows: number,
  widthA: number,
  widthB: number,
): Float64Array {
  const out = new Float64Array(widthA * widthB);
  for (let r = 0; r < rows; r++) {
    const oa = r * widthA;
    const ob = r * widthB;
    for (let i = 0; i < widthA; i++) {
      const ai = a[oa + i]!;
      if (ai === 0) continue;
      const oi = i * widthB;
      for (let j = 0; j < widthB; j++) out[oi + j]! += ai * b[ob + j]!;
    }
  }
  return out;
}

/** A·B for row-major A [rows × inner] and B [inner × width]: a [rows × width]. */
export function times(
  a: Float64Array,
  b: Float64Array,
  rows: number,
  inner: number,
  width: number,
): Float64Array {
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    for (let k = 0; k < inner; k++) {
      const ark = a[r * inner + k]!;
      if (ark === 0) continue;
      const ob = k * width;
      for (let j = 0; j < width; j++) out[o + j]! += ark * b[ob + j]!;
    }
  }
  return out;
}

/**
 * Orthonormalises the columns of A [rows × width] in place by Cholesky QR, run twice because one pass loses
 * orthogonality when A is ill-conditioned (CholeskyQR2). Columns that are (numerically) dependent on earlier
 * ones come out as zeros rather than noise.
 */
export function orthonormalizeColumns(a: Float64Array, rows: number, width: number): void {
  for (let pass = 0; pass < 2; pass++) {
    const inverse = invertUpperTriangular(cholesky(gram(a, rows, width), width), width);
    // A ← A·R⁻¹ row by row; R⁻¹ is upper triangular, so row k only feeds columns k…width-1.
    const row = new Float64Array(width);
    for (let i = 0; i < rows; i++) {
      const o = i * width;
      row.fill(0);
      for (let k = 0; k < width; k++) {
        const aik = a[o + k]!;
        if (aik === 0) continue;
        const ok = k * width;
        for (let j = k; j < width; j++) row[j]! += aik * inverse[ok + j]!;
      }
      a.set(row, o);
    }
  }
}

/** R⁻¹ of an upper-triangular R; a zero pivot (a dependent column) gives a zero row and column. */
function invertUpperTriangular(r: Float64Array, n: number): Float64Array {
  const inverse = new Float64Array(n * n);
  for (let j = n - 1; j >= 0; j--) {
    const rjj = r[j * n + j]!;
    if (rjj === 0) continue;
    inverse[j * n + j] = 1 / rjj;
    // Row j of R⁻¹ from R·R⁻¹ = I: inverse[j][c] = -(Σ_{k>j} r[j][k]·inverse[k][c]) / r[j][j].
    for (let k = j + 1; k < n; k++) {
      const rjk = r[j * n + k]!;
      if (rjk === 0) continue;
      for (let c = k; c < n; c++) inverse[j * n + c]! -= rjk * inverse[k * n + c]!;
    }
    for (let c = j + 1; c < n; c++) inverse[j * n + c]! /= rjj;
  }
  return inverse;
}

/** Upper-triangular R with RᵀR = G; pivots that vanish (rank deficiency) give zero rows. */
function cholesky(g: Float64Array, n: number): Float64Array {
  const r = new Float64Array(n * n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, g[i * n + i]!);
  const tolerance = maxDiag * 1e-12;
  for (let j = 0; j < n; j++) {
    let d = g[j * n + j]!;
    for (let k = 0; k < j; k++) d -= r[k * n + j]! ** 2;
    if (d <= tolerance) continue;
    const rjj = Math.sqrt(d);
    r[j * n + j] = rjj;
    for (let i = j + 1; i < n; i++) {
      let s = g[j * n + i]!;
      for (let k = 0; k < j; k++) s -= r[k * n + j]! * r[k * n + i]!;
      r[j * n + i] = s / rjj;
    }
  }
  return r;
}

/**
 * Eigen-decomposition of a symmetric [n × n] matrix: Householder reduction to tridiagonal form, then the
 * implicit QL algorithm (tred2/tql2 as in EISPACK and JAMA), about 10n³ flops; cyclic Jacobi was 5–10× slower.
 * Returns eigenvalues in descending order and the matching eigenvectors as columns of a row-major [n × n].
 */
export function symmetricEigen(
  matrix: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const v = Float64Array.from(matrix);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(v, d, e, n);
  diagonalizeTridiagonal(v, d, e, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y]! - d[x]!);
  const values = Float64Array.from(order, (i) => d[i]!);
  const vectors = new Float64Array(n * n);
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) vectors[row * n + col] = v[row * n + order[col]!]!;
  }
  return { values, vectors };
}

/** Householder tridiagonalisation (tred2): on return d is the diagonal, e the sub-diagonal, v the transform. */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j]!;
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[j * n + i] = f;
        g = e[j]! + v[j * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[k * n + j]! * d[k]!;
          e[k]! += v[k * n + j]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) v[k * n + j]! -= f * e[k]! + g * d[k]!;
        d[j] = v[(i - 1) * n + j]!;
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i]!;
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1]! * v[k * n + j]!;
        for (let k = 0; k <= i; k++) v[k * n + j]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j]!;
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL iterations on the tridiagonal (tql2): d becomes the eigenvalues, v's columns the eigenvectors. */
function diagonalizeTridiagonal(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      do {
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          for (let k = 0; k < n; k++) {
            const vk1 = v[k * n + i + 1]!;
            v[k * n + i + 1] = s * v[k * n + i]! + c * vk1;
            v[k * n + i] = c * v[k * n + i]! - s * vk1;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}
