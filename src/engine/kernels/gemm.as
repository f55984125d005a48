// Packed GEMM in the BLIS manner: C[:, n0:n1] = alpha · op(A) · op(B) + beta · C, row-major.
// Loops, outermost first: NC columns of op(B) (a panel packed once per KC block), KC of the inner
// dimension, MC rows of op(A) (a block packed into L2), then NR-column strips of the B panel (each stays
// in L1 while every MR-row strip of the A block streams past it) and the register microkernel.
// Packing absorbs the transposes and is vectorised for whole strips (4x4 transposes through registers).
// The 6x8 tile keeps 12 accumulators in flight, enough to hide the FMA latency of 4-5 cycles on two
// pipes, and uses 15 of V8's 15 allocatable vector registers without a spill.
// Every element of C is Σ_p op(A)[i,p]·op(B)[p,j] accumulated in p order from zero within each KC block
// (fused on the relaxed build), times alpha, plus beta·C, with the same vector instructions whatever the
// tile shape, the tile's position or the thread split: results do not depend on how a product is cut up.
// Each call gets its own workspace, so two threads on the same memory never share scratch.
import { madd } from './simd';

/** Inner-dimension block: it fixes the accumulation order, so it is part of every result's bits. */
const KC: i32 = 256;
/** The register tile: rows and columns of C per microkernel call (12 accumulators, 2 B vectors, 1 A vector). */
const MR: i32 = 6;
const NR: i32 = 8;
/** Rows of op(A) per packed block, a multiple of MR: 72·256 floats are 72 KiB, within L2. */
const MC: i32 = 72;
/** Columns of op(B) per packed panel, a multiple of NR: 256·1008 floats are 1 MiB. */
const NC: i32 = 1008;

/** Bytes of workspace one gemm call needs: packed A block, packed B panel, one spill tile and two scratch vectors. */
export function gemmWorkspaceBytes(): i32 {
  return MC * KC * 4 + KC * NC * 4 + MR * NR * 4 + 32;
}

/**
 * Columns [n0, n1) of the products batch0 … batch1−1 of a strided batch: product i reads a + i·strideA and
 * b + i·strideB and writes c + i·strideC (byte strides). One call is one thread's share of a GEMM.
 * A bias pointer (0: none) adds bias[j] to column j once the product is complete, as a separate rounding:
 * the same bits as adding the row vector afterwards, without another pass over C.
 */
export function gemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
  n0: i32, n1: i32, batch0: i32, batch1: i32, strideA: usize, strideB: usize, strideC: usize, work: usize,
  bias: usize,
): void {
  for (let i = batch0; i < batch1; i++) {
    const at = <usize>i;
    product(transA, transB, m, n, k, alpha, a + at * strideA, lda, b + at * strideB, ldb, beta, c + at * strideC, ldc, n0, n1, work, bias);
  }
}

function product(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
  n0: i32, n1: i32, work: usize, bias: usize,
): void {
  if (m <= 0 || n1 <= n0) return;
  if (k <= 0) {
    scaleColumns(m, c, ldc, n0, n1, beta, bias);
    return;
  }
  const packA = work;
  const packB = packA + <usize>(MC * KC * 4);
  const spill = packB + <usize>(KC * NC * 4);
  // op(A)[i, p] sits at a + i·aRow + p·aCol (bytes); the same for op(B)[p, j].
  const aRow = <usize>(transA ? 4 : lda << 2);
  const aCol = <usize>(transA ? lda << 2 : 4);
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      // Later K blocks add onto what the first block wrote; the last one adds the bias.
      const betaBlock: f32 = pc == 0 ? beta : 1.0;
      const biasBlock = pc + kc == k ? bias : 0;
      packBPanel(transB, b, ldb, pc, jc, kc, nc, packB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packABlock(a + <usize>ic * aRow + <usize>pc * aCol, aRow, aCol, mc, kc, packA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = packB + <usize>(jr * kc * 4);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const cp = c + ((<usize>(ic + ir) * ldc + jc + jr) << 2);
            const biasAt = biasBlock ? biasBlock + (<usize>(jc + jr) << 2) : 0;
            micro(kc, packA + <usize>(ir * kc * 4), bp, cp, ldc, rows, cols, alpha, betaBlock, biasAt, spill);
          }
        }
      }
    }
  }
}

/** C ← beta·C (+ bias) on columns [n0, n1): the product of an empty inner dimension. */
function scaleColumns(m: i32, c: usize, ldc: i32, n0: i32, n1: i32, beta: f32, bias: usize): void {
  for (let i = 0; i < m; i++) {
    for (let j = n0; j < n1; j++) {
      const p = c + ((<usize>i * ldc + j) << 2);
      const v: f32 = beta == 0 ? 0 : beta * load<f32>(p);
      store<f32>(p, bias ? v + load<f32>(bias + (<usize>j << 2)) : v);
    }
  }
}

/** op(B)[pc:pc+kc, jc:jc+nc] into strips of NR columns, k-major, zero-padded to a full strip. */
function packBPanel(transB: i32, b: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  const rowBytes = <usize>ldb << 2;
  const full = nc - nc % NR;
  if (!transB) {
    // Row by row: each source row is read front to back (a strip at a time would touch kc rows, pages
    // apart, per 32 bytes).
    const stripBytes = <usize>(kc * NR * 4);
    for (let p = 0; p < kc; p++) {
      let src = b + ((<usize>(pc + p) * ldb + jc) << 2);
      let out = dst + <usize>(p * NR * 4);
      const end = out + <usize>(full / NR) * stripBytes;
      for (; out < end; out += stripBytes) {
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
        src += NR * 4;
      }
    }
  }
  for (let js = transB ? 0 : full; js < nc; js += NR) {
    const cols = min(NR, nc - js);
    const strip = dst + <usize>(js * kc * 4);
    if (cols == NR) {
      // op(B)[p, j] = B[j, p]: each half strip is four source rows, read four values at a time and
      // transposed through registers.
      packTransposed(b + ((<usize>(jc + js) * ldb + pc) << 2), rowBytes, kc, strip);
      packTransposed(b + ((<usize>(jc + js + 4) * ldb + pc) << 2), rowBytes, kc, strip + 16);
    } else {
      for (let p = 0; p < kc; p++) {
        for (let jj = 0; jj < NR; jj++) {
          const j = jc + js + jj;
          const at = transB ? (<usize>j * ldb + pc + p) << 2 : (<usize>(pc + p) * ldb + j) << 2;
          store<f32>(strip + <usize>((p * NR + jj) << 2), jj < cols ? load<f32>(b + at) : 0);
        }
      }
    }
  }
}

/** Four rows of kc values (rowBytes apart) into four columns of a strip of NR-float rows. */
function packTransposed(src: usize, rowBytes: usize, kc: i32, dst: usize): void {
  const body = kc & ~3;
  const row = <usize>(NR * 4);
  for (let p = 0; p < body; p += 4) {
    const s = src + (<usize>p << 2);
    const r0 = v128.load(s);
    const r1 = v128.load(s + rowBytes);
    const r2 = v128.load(s + 2 * rowBytes);
    const r3 = v128.load(s + 3 * rowBytes);
    const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
    const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    const out = dst + <usize>p * row;
    v128.store(out, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
    v128.store(out + row, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
    v128.store(out + 2 * row, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
    v128.store(out + 3 * row, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
  }
  for (let p = body; p < kc; p++) {
    for (let jj = 0; jj < 4; jj++) {
      store<f32>(dst + <usize>p * row + (<usize>jj << 2), load<f32>(src + <usize>jj * rowBytes + (<usize>p << 2)));
    }
  }
}

/**
 * An mc x kc block of op(A) (element [i, p] at a + i·rowStep + p·colStep) into strips of MR rows, k-major,
 * zero-padded to a full strip.
 */
function packABlock(a: usize, rowStep: usize, colStep: usize, mc: i32, kc: i32, dst: usize): void {
  let out = dst;
  for (let is = 0; is < mc; is += MR) {
    const rows = min(MR, mc - is);
    const first = a + <usize>is * rowStep;
    if (rows == MR && rowStep == 4) packRowsContiguous(first, colStep, kc, out);
    else if (rows == MR) packRowsStrided(first, rowStep, kc, out);
    else {
      for (let p = 0; p < kc; p++) {
        for (let ii = 0; ii < MR; ii++) {
          store<f32>(out + <usize>((p * MR + ii) << 2), ii < rows ? load<f32>(first + <usize>ii * rowStep + <usize>p * colStep) : 0);
        }
      }
    }
    out += <usize>(kc * MR * 4);
  }
}

/** A full strip of op(A) = Aᵀ: the strip's MR values at each p are contiguous (colStep bytes apart per p). */
function packRowsContiguous(src: usize, colStep: usize, kc: i32, dst: usize): void {
  const end = dst + <usize>(kc * MR * 4);
  for (let out = dst; out < end; out += MR * 4) {
    v128.store(out, v128.load(src));
    store<u64>(out, load<u64>(src, 16), 16);
    src += colStep;
  }
}

/**
 * A full strip of op(A) = A: MR rows (rowStep bytes apart), read four values at a time; 4 k-steps of 6
 * rows are 24 consecutive packed floats, assembled from pairwise interleaved rows.
 */
function packRowsStrided(src: usize, rowStep: usize, kc: i32, dst: usize): void {
  const body = kc & ~3;
  let out = dst;
  for (let p = 0; p < body; p += 4) {
    const s = src + (<usize>p << 2);
    const r0 = v128.load(s);
    const r1 = v128.load(s + rowStep);
    const r2 = v128.load(s + 2 * rowStep);
    const r3 = v128.load(s + 3 * rowStep);
    const r4 = v128.load(s + 4 * rowStep);
    const r5 = v128.load(s + 5 * rowStep);
    // tXY: lanes (rX[q], rY[q], rX[q+1], rY[q+1]) for q = 0 (lo) or 2 (hi).
    const t01lo = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
    const t01hi = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
    const t23lo = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    const t23hi = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    const t45lo = v128.shuffle<f32>(r4, r5, 0, 4, 1, 5);
    const t45hi = v128.shuffle<f32>(r4, r5, 2, 6, 3, 7);
    v128.store(out, v128.shuffle<f32>(t01lo, t23lo, 0, 1, 4, 5));
    v128.store(out, v128.shuffle<f32>(t45lo, t01lo, 0, 1, 6, 7), 16);
    v128.store(out, v128.shuffle<f32>(t23lo, t45lo, 2, 3, 6, 7), 32);
    v128.store(out, v128.shuffle<f32>(t01hi, t23hi, 0, 1, 4, 5), 48);
    v128.store(out, v128.shuffle<f32>(t45hi, t01hi, 0, 1, 6, 7), 64);
    v128.store(out, v128.shuffle<f32>(t23hi, t45hi, 2, 3, 6, 7), 80);
    out += 96;
  }
  for (let p = body; p < kc; p++) {
    for (let ii = 0; ii < MR; ii++) store<f32>(out + <usize>(ii << 2), load<f32>(src + <usize>ii * rowStep + (<usize>p << 2)));
    out += MR * 4;
  }
}

function micro(
  kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, rows: i32, cols: i32, alpha: f32, beta: f32, bias: usize,
  spill: usize,
): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0);
  let c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0);
  let c51 = f32x4.splat(0);
  const end = ap + <usize>(kc * 24);
  while (ap < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a = v128.load32_splat(ap, 16);
    c40 = madd(a, b0, c40);
    c41 = madd(a, b1, c41);
    a = v128.load32_splat(ap, 20);
    c50 = madd(a, b0, c50);
    c51 = madd(a, b1, c51);
    ap += 24;
    bp += 32;
  }
  const row = <usize>ldc << 2;
  if (rows == MR && cols == NR) {
    finishPair(c, c00, c01, alpha, beta, bias);
    finishPair(c + row, c10, c11, alpha, beta, bias);
    finishPair(c + 2 * row, c20, c21, alpha, beta, bias);
    finishPair(c + 3 * row, c30, c31, alpha, beta, bias);
    finishPair(c + 4 * row, c40, c41, alpha, beta, bias);
    finishPair(c + 5 * row, c50, c51, alpha, beta, bias);
    return;
  }
  v128.store(spill, c00);
  v128.store(spill, c01, 16);
  v128.store(spill, c10, 32);
  v128.store(spill, c11, 48);
  v128.store(spill, c20, 64);
  v128.store(spill, c21, 80);
  v128.store(spill, c30, 96);
  v128.store(spill, c31, 112);
  v128.store(spill, c40, 128);
  v128.store(spill, c41, 144);
  v128.store(spill, c50, 160);
  v128.store(spill, c51, 176);
  finishPartial(spill, c, ldc, rows, cols, alpha, beta, bias);
}

/**
 * C[0:4] ← alpha·acc + beta·C[0:4] (+ bias[0:4] when bias is not 0). beta 0 never reads C: fresh buffers
 * may hold NaN bit patterns.
 */
// @ts-ignore: decorator
@inline function finishOne(p: usize, acc: v128, alpha: f32, beta: f32, bias: usize): void {
  // alpha is 1 in every engine call; multiplying by 1 would change no bit.
  let v = alpha == 1 ? acc : f32x4.mul(acc, f32x4.splat(alpha));
  if (beta != 0) v = madd(f32x4.splat(beta), v128.load(p), v);
  if (bias) v = f32x4.add(v, v128.load(bias));
  v128.store(p, v);
}

// @ts-ignore: decorator
@inline function finishPair(p: usize, acc0: v128, acc1: v128, alpha: f32, beta: f32, bias: usize): void {
  finishOne(p, acc0, alpha, beta, bias);
  finishOne(p + 16, acc1, alpha, beta, bias ? bias + 16 : 0);
}

/**
 * An edge tile: the first rows x cols of the spilled accumulators into C, with the same vector arithmetic
 * as a full tile; a partial vector goes through scratch vectors after the spill (C's values, then the
 * bias's) so that no byte outside the tile or the bias is read or written.
 */
function finishPartial(
  spill: usize, c: usize, ldc: i32, rows: i32, cols: i32, alpha: f32, beta: f32, bias: usize,
): void {
  const scratch = spill + <usize>(MR * NR * 4);
  const biasScratch = scratch + 16;
  for (let i = 0; i < rows; i++) {
    const out = c + ((<usize>i * ldc) << 2);
    const acc = spill + <usize>((i * NR) << 2);
    for (let j = 0; j < cols; j += 4) {
      const at = <usize>j << 2;
      const lanes = min(4, cols - j);
      if (lanes == 4) {
        finishOne(out + at, v128.load(acc + at), alpha, beta, bias ? bias + at : 0);
        continue;
      }
      for (let l = 0; l < 4; l++) {
        const lane = <usize>l << 2;
        store<f32>(scratch + lane, l < lanes && beta != 0 ? load<f32>(out + at + lane) : 0);
        store<f32>(biasScratch + lane, l < lanes && bias ? load<f32>(bias + at + lane) : 0);
      }
      finishOne(scratch, v128.load(acc + at), alpha, beta, bias ? biasScratch : 0);
      for (let l = 0; l < lanes; l++) store<f32>(out + at + (<usize>l << 2), load<f32>(scratch + (<usize>l << 2)));
    }
  }
}
