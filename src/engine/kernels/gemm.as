// Packed GEMM: C[:, n0:n1] = alpha · op(A) · op(B) + beta · C, row-major, with a 4x8 register microkernel.
// Packing copies op(A) into 4-row strips and op(B) into 8-column strips, so transposes cost nothing in the
// inner loop. Each call gets its own workspace, so two threads on the same memory never share scratch.
import { madd } from './simd';

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128; // a multiple of MR: packA has no room for a ragged extra strip
const NC: i32 = 1024;

/** Bytes of workspace one gemm call needs: packed A block, packed B block, one spill tile. */
export function gemmWorkspaceBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

/**
 * Columns [n0, n1) of the products batch0 … batch1−1 of a strided batch: product i reads a + i·strideA and
 * b + i·strideB and writes c + i·strideC (byte strides). One call is one thread's share of a GEMM.
 */
export function gemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
  n0: i32, n1: i32, batch0: i32, batch1: i32, strideA: usize, strideB: usize, strideC: usize, work: usize,
): void {
  for (let i = batch0; i < batch1; i++) {
    const at = <usize>i;
    product(transA, transB, m, n, k, alpha, a + at * strideA, lda, b + at * strideB, ldb, beta, c + at * strideC, ldc, n0, n1, work);
  }
}

function product(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
  n0: i32, n1: i32, work: usize,
): void {
  if (m <= 0 || n1 <= n0) return;
  if (k <= 0) {
    scaleColumns(m, c, ldc, n0, n1, beta);
    return;
  }
  const packA = work;
  const packB = work + <usize>(MC * KC * 4);
  const tile = packB + <usize>(KC * NC * 4);
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      // Later K blocks add onto what the first block wrote.
      const betaBlock: f32 = pc == 0 ? beta : 1.0;
      packBPanel(transB, b, ldb, pc, jc, kc, nc, packB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packAPanel(transA, a, lda, ic, pc, mc, kc, packA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const cp = c + ((<usize>(ic + ir) * ldc + jc + jr) << 2);
            micro(kc, packA + <usize>(ir * kc * 4), packB + <usize>(jr * kc * 4), cp, ldc, mr, nr, alpha, betaBlock, tile);
          }
        }
      }
    }
  }
}

function scaleColumns(m: i32, c: usize, ldc: i32, n0: i32, n1: i32, beta: f32): void {
  for (let i = 0; i < m; i++) {
    for (let j = n0; j < n1; j++) {
      const p = c + ((<usize>i * ldc + j) << 2);
      store<f32>(p, beta == 0 ? 0 : beta * load<f32>(p));
    }
  }
}

/** op(B)[pc:pc+kc, jc:jc+nc] into strips of NR columns, k-major, zero-padded to a full strip. */
function packBPanel(transB: i32, b: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  for (let js = 0; js < nc; js += NR) {
    const cols = min(NR, nc - js);
    const strip = dst + <usize>(js * kc * 4);
    if (!transB && cols == NR) {
      let src = b + ((<usize>pc * ldb + jc + js) << 2);
      const step = <usize>ldb << 2;
      for (let p = 0; p < kc; p++) {
        v128.store(strip + <usize>(p * 32), v128.load(src));
        v128.store(strip + <usize>(p * 32), v128.load(src, 16), 16);
        src += step;
      }
    } else if (!transB) {
      for (let p = 0; p < kc; p++) {
        const row = b + ((<usize>(pc + p) * ldb + jc + js) << 2);
        for (let jj = 0; jj < NR; jj++) {
          store<f32>(strip + <usize>((p * NR + jj) * 4), jj < cols ? load<f32>(row + <usize>(jj * 4)) : 0);
        }
      }
    } else {
      // op(B)[p, j] = B[j, p]: read each source row sequentially.
      for (let jj = 0; jj < NR; jj++) {
        if (jj < cols) {
          const row = b + ((<usize>(jc + js + jj) * ldb + pc) << 2);
          for (let p = 0; p < kc; p++) store<f32>(strip + <usize>((p * NR + jj) * 4), load<f32>(row + <usize>(p * 4)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(strip + <usize>((p * NR + jj) * 4), 0);
        }
      }
    }
  }
}

/** op(A)[ic:ic+mc, pc:pc+kc] into strips of MR rows, k-major, zero-padded to a full strip. */
function packAPanel(transA: i32, a: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32, dst: usize): void {
  for (let is = 0; is < mc; is += MR) {
    const rows = min(MR, mc - is);
    const strip = dst + <usize>(is * kc * 4);
    if (transA && rows == MR) {
      // op(A)[i, p] = A[p, i]: four consecutive rows of op(A) are one contiguous vector.
      let src = a + ((<usize>pc * lda + ic + is) << 2);
      const step = <usize>lda << 2;
      for (let p = 0; p < kc; p++) {
        v128.store(strip + <usize>(p * 16), v128.load(src));
        src += step;
      }
    } else {
      for (let ii = 0; ii < MR; ii++) {
        const i = ic + is + ii;
        if (ii < rows) {
          if (transA) {
            for (let p = 0; p < kc; p++) {
              store<f32>(strip + <usize>((p * MR + ii) * 4), load<f32>(a + ((<usize>(pc + p) * lda + i) << 2)));
            }
          } else {
            const row = a + ((<usize>i * lda + pc) << 2);
            for (let p = 0; p < kc; p++) store<f32>(strip + <usize>((p * MR + ii) * 4), load<f32>(row + <usize>(p * 4)));
          }
        } else {
          for (let p = 0; p < kc; p++) store<f32>(strip + <usize>((p * MR + ii) * 4), 0);
        }
      }
    }
  }
}

function micro(
  kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32, tile: usize,
): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const a0 = v128.load32_splat(ap);
    const a1 = v128.load32_splat(ap, 4);
    const a2 = v128.load32_splat(ap, 8);
    const a3 = v128.load32_splat(ap, 12);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    ap += 16;
    bp += 32;
  }
  const va = f32x4.splat(alpha);
  if (mr == MR && nr == NR) {
    const row = <usize>ldc << 2;
    storeRow(c, f32x4.mul(c00, va), f32x4.mul(c01, va), beta);
    storeRow(c + row, f32x4.mul(c10, va), f32x4.mul(c11, va), beta);
    storeRow(c + 2 * row, f32x4.mul(c20, va), f32x4.mul(c21, va), beta);
    storeRow(c + 3 * row, f32x4.mul(c30, va), f32x4.mul(c31, va), beta);
    return;
  }
  v128.store(tile, f32x4.mul(c00, va));
  v128.store(tile, f32x4.mul(c01, va), 16);
  v128.store(tile, f32x4.mul(c10, va), 32);
  v128.store(tile, f32x4.mul(c11, va), 48);
  v128.store(tile, f32x4.mul(c20, va), 64);
  v128.store(tile, f32x4.mul(c21, va), 80);
  v128.store(tile, f32x4.mul(c30, va), 96);
  v128.store(tile, f32x4.mul(c31, va), 112);
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const p = c + ((<usize>i * ldc + j) << 2);
      const t = load<f32>(tile + <usize>((i * NR + j) * 4));
      // beta == 0 must not read C: fresh buffers may hold NaN bit patterns.
      store<f32>(p, beta == 0 ? t : t + beta * load<f32>(p));
    }
  }
}

// @ts-ignore: decorator
@inline function storeRow(p: usize, v0: v128, v1: v128, beta: f32): void {
  if (beta == 0) {
    v128.store(p, v0);
    v128.store(p, v1, 16);
  } else {
    const vb = f32x4.splat(beta);
    v128.store(p, madd(vb, v128.load(p), v0));
    v128.store(p, madd(vb, v128.load(p, 16), v1), 16);
  }
}
