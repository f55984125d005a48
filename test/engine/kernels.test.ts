import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Heap } from '../../src/engine/heap.js';
import {
  compileKernels,
  instantiateKernels,
  type KernelExports,
  type KernelFlavour,
  relaxedSimdAvailable,
} from '../../src/engine/kernels/load.js';
import { Rng } from '../../src/util/rng.js';

// Each build is tested on its own heap against float64 references, so the plain-SIMD fallback is
// covered even on runtimes where the engine itself picks the relaxed build.
const flavours: KernelFlavour[] = relaxedSimdAvailable() ? ['simd', 'relaxed'] : ['simd'];

function setup(flavour: KernelFlavour): { heap: Heap; k: KernelExports; rand: (n: number) => number } {
  const heap = new Heap(256 * 2 ** 20);
  const { module } = compileKernels(flavour);
  const k = instantiateKernels(module, heap.memory);
  const rng = new Rng(7);
  const rand = (n: number): number => {
    const ptr = heap.alloc(n * 4);
    const v = heap.f32(ptr, n);
    for (let i = 0; i < n; i++) v[i] = rng.normal();
    return ptr;
  };
  return { heap, k, rand };
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The float32 next to x (a float32) towards +∞ (dir 1) or −∞ (dir −1). */
function f32Step(x: number, dir: 1 | -1): number {
  if (x === 0) return dir * 2 ** -149;
  F32[0] = x;
  U32[0]! += x > 0 === dir > 0 ? 1 : -1;
  return F32[0]!;
}

/** float32 a·b + c rounded once (a fused multiply-add), exactly, from float64 arithmetic. */
function fmaF32(a: number, b: number, c: number): number {
  const p = a * b; // exact: two 24-bit significands
  const s = p + c;
  // TwoSum: s + e is p + c exactly.
  const bv = s - p;
  const e = p - (s - bv) + (c - bv);
  const r = Math.fround(s);
  if (e === 0 || r === s) return r;
  // Only a float64 sum exactly halfway between two float32s can round differently from the exact sum.
  const other = f32Step(r, r > s ? -1 : 1);
  if (Math.abs(s - r) !== Math.abs(other - s)) return r;
  return e > 0 === other > r ? other : r;
}

/**
 * The documented order of every GEMM result (gemm.as): per element, products accumulated from zero in k
 * order within each block of 256 (madd: fused or a rounded multiply then add), times alpha, plus beta·C
 * (later blocks add onto the result of the earlier ones).
 */
function gemmInOrder(
  fused: boolean,
  op: { a: (i: number, p: number) => number; b: (p: number, j: number) => number },
  m: number,
  n: number,
  k: number,
  alpha: number,
  beta: number,
  c: Float32Array,
): Float32Array {
  const madd = fused ? fmaF32 : (x: number, y: number, z: number) => Math.fround(Math.fround(x * y) + z);
  const out = Float32Array.from(c);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let pc = 0; pc < k; pc += 256) {
        let acc = 0;
        for (let p = pc; p < Math.min(k, pc + 256); p++) acc = madd(op.a(i, p), op.b(p, j), acc);
        // The kernel takes alpha and beta as float32.
        const v = Math.fround(acc * Math.fround(alpha));
        const blockBeta = pc === 0 ? Math.fround(beta) : 1;
        out[i * n + j] = blockBeta === 0 ? v : madd(blockBeta, out[i * n + j]!, v);
      }
    }
  }
  return out;
}

for (const flavour of flavours) {
  test(`${flavour} build: GEMM matches float64 for every transpose, ragged shapes, alpha and beta`, () => {
    const { heap, k, rand } = setup(flavour);
    const work = heap.alloc(k.gemmWorkspaceBytes());
    for (const [m, n, k_] of [
      [1, 1, 1],
      [5, 13, 7],
      [131, 1037, 300],
      [4, 8, 513],
    ] as const) {
      for (const transA of [0, 1]) {
        for (const transB of [0, 1]) {
          const a = rand(m * k_);
          const b = rand(k_ * n);
          const c = rand(m * n);
          const A = heap.f32(a, m * k_);
          const B = heap.f32(b, k_ * n);
          const C0 = Float64Array.from(heap.f32(c, m * n));
          const lda = transA ? m : k_;
          const ldb = transB ? k_ : n;
          k.gemm(transA, transB, m, n, k_, 0.5, a, lda, b, ldb, 2, c, n, 0, n, 0, 1, 0, 0, 0, work, 0);
          const C = heap.f32(c, m * n);
          let worst = 0;
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let p = 0; p < k_; p++)
                s += (transA ? A[p * m + i]! : A[i * k_ + p]!) * (transB ? B[j * k_ + p]! : B[p * n + j]!);
              worst = Math.max(worst, Math.abs(0.5 * s + 2 * C0[i * n + j]! - C[i * n + j]!));
            }
          }
          assert.ok(worst < 1e-4, `${flavour} ${m}x${n}x${k_} tA=${transA} tB=${transB}: error ${worst}`);
        }
      }
    }
  });

  test(`${flavour} build: GEMM results are the documented accumulation order, bit for bit, however the product is cut`, () => {
    const { heap, k, rand } = setup(flavour);
    const work = heap.alloc(k.gemmWorkspaceBytes());
    // Odd shapes around the tile (6x8), the packed blocks (72 rows, 1008 columns, 256 of k) and the
    // 4-value transposes of packing; leading dimensions wider than the operands.
    for (const [m, n, k_, transA, transB] of [
      [7, 13, 5, 0, 0],
      [79, 1013, 261, 0, 1],
      [145, 9, 515, 1, 0],
      [6, 8, 256, 1, 1],
      [73, 1017, 3, 1, 1],
    ] as const) {
      const pad = 3;
      const lda = (transA ? m : k_) + pad;
      const ldb = (transB ? k_ : n) + pad;
      const a = rand((transA ? k_ : m) * lda);
      const b = rand((transB ? n : k_) * ldb);
      const A = heap.f32(a, (transA ? k_ : m) * lda);
      const B = heap.f32(b, (transB ? n : k_) * ldb);
      const op = {
        a: (i: number, p: number) => (transA ? A[p * lda + i]! : A[i * lda + p]!),
        b: (p: number, j: number) => (transB ? B[j * ldb + p]! : B[p * ldb + j]!),
      };
      const bias = rand(n);
      const biasValues = heap.f32(bias, n);
      for (const [alpha, beta, withBias] of [
        [1, 0, false],
        [1, 1, true],
        [0.75, 0.3, false],
        [1, 0, true],
      ] as const) {
        const c = rand(m * n);
        const C0 = Float32Array.from(heap.f32(c, m * n));
        const pBias = withBias ? bias : 0;
        const gemm = (rows: number, aAt: number, cAt: number, n0: number, n1: number) =>
          k.gemm(
            transA,
            transB,
            rows,
            n,
            k_,
            alpha,
            aAt,
            lda,
            b,
            ldb,
            beta,
            cAt,
            n,
            n0,
            n1,
            0,
            1,
            0,
            0,
            0,
            work,
            pBias,
          );
        const results: Float32Array[] = [];
        // One call, then the columns in two calls split off the tile grid (13), then two row ranges.
        gemm(m, a, c, 0, n);
        results.push(Float32Array.from(heap.f32(c, m * n)));
        heap.f32(c, m * n).set(C0);
        const cut = Math.min(13, n);
        gemm(m, a, c, cut, n);
        gemm(m, a, c, 0, cut);
        results.push(Float32Array.from(heap.f32(c, m * n)));
        heap.f32(c, m * n).set(C0);
        const rows = Math.min(7, m);
        gemm(rows, a, c, 0, n);
        gemm(m - rows, a + (transA ? rows : rows * lda) * 4, c + rows * n * 4, 0, n);
        results.push(Float32Array.from(heap.f32(c, m * n)));
        // The relaxed build's madd is fused where the CPU has FMA (V8's choice); either way, one rule for all.
        // The bias is one more rounding after the product: adding the row vector afterwards.
        const expected = [false, true].map((fused) =>
          gemmInOrder(fused, op, m, n, k_, alpha, beta, C0).map((v, i) =>
            withBias ? Math.fround(v + biasValues[i % n]!) : v,
          ),
        );
        const same = (x: Float32Array, y: Float32Array) => x.every((v, i) => Object.is(v, y[i]));
        const rule = expected.findIndex((e) => same(results[0]!, e));
        const shape = `${m}x${n}x${k_} tA=${transA} tB=${transB} alpha=${alpha} beta=${beta} bias=${withBias}`;
        assert.ok(flavour === 'relaxed' ? rule >= 0 : rule === 0, `${shape}: not the documented order`);
        for (const [i, r] of results.entries()) assert.ok(same(r, results[0]!), `${shape}: cut ${i} differs`);
      }
    }
  });

  test(`${flavour} build: fused softmax cross-entropy matches float64 (hard and soft targets)`, () => {
    const { heap, k, rand } = setup(flavour);
    const rows = 3;
    const cols = 1003;
    const x = rand(rows * cols);
    const X = heap.f32(x, rows * cols);
    for (let i = 0; i < X.length; i++) X[i]! *= 4;
    const targets = heap.alloc(rows * 4);
    heap.i32(targets, rows).set([0, 1002, 500]);
    const grad = heap.alloc(rows * cols * 4);
    const loss = heap.alloc(rows * 4);
    k.softmaxXent(x, rows, cols, 0.5, targets, 0, 0, 1, grad, loss, 0);
    const G = heap.f32(grad, rows * cols);
    const L = heap.f32(loss, rows);
    [0, 1002, 500].forEach((t, r) => {
      const z = Array.from(X.subarray(r * cols, (r + 1) * cols), (v) => v * 0.5);
      const m = Math.max(...z);
      const s = z.reduce((acc, v) => acc + Math.exp(v - m), 0);
      assert.ok(Math.abs(L[r]! - (m + Math.log(s) - z[t]!)) < 1e-4);
      z.forEach((v, c) => {
        const expected = Math.exp(v - m) / s - (c === t ? 1 : 0);
        assert.ok(Math.abs(G[r * cols + c]! - expected) < 1e-6, `grad ${r},${c}`);
      });
    });
    const probs = rand(rows * cols);
    const Q = heap.f32(probs, rows * cols);
    for (let i = 0; i < Q.length; i++) Q[i] = Math.abs(Q[i]!) / 800;
    const negEnt = heap.alloc(rows * 4);
    k.softmaxXent(x, rows, cols, 1, 0, probs, 0, 1, grad, loss, negEnt);
    for (let r = 0; r < rows; r++) {
      const z = Array.from(X.subarray(r * cols, (r + 1) * cols));
      const q = Array.from(Q.subarray(r * cols, (r + 1) * cols));
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((acc, v) => acc + Math.exp(v - m), 0));
      const qsum = q.reduce((a, b) => a + b, 0);
      const ce = q.reduce((acc, qc, c) => acc + qc * (lse - z[c]!), 0);
      assert.ok(Math.abs(L[r]! - ce) / Math.abs(ce) < 1e-5);
      const h = q.reduce((acc, qc) => acc + qc * Math.log(qc), 0);
      assert.ok(Math.abs(heap.f32(negEnt, rows)[r]! - h) / Math.abs(h) < 1e-5);
      z.forEach((v, c) => {
        assert.ok(Math.abs(G[r * cols + c]! - (Math.exp(v - lse) * qsum - q[c]!)) < 1e-6);
      });
    }
  });

  test(`${flavour} build: AdamW, row gather/scatter and layernorm kernels match float64`, () => {
    const { heap, k, rand } = setup(flavour);
    const n = 1001;
    const [p, g, m, v] = [rand(n), rand(n), rand(n), rand(n)];
    const V = heap.f32(v, n);
    for (let i = 0; i < n; i++) V[i] = Math.abs(V[i]!);
    const before = [p, g, m, v].map((ptr) => Float64Array.from(heap.f32(ptr, n)));
    k.adamw(p, g, m, v, n, 0.9, 0.99, 1e-8, 0.001, 0.01, 1.5);
    for (let i = 0; i < n; i++) {
      const [p0, g0, m0, v0] = before.map((a) => a[i]!) as [number, number, number, number];
      const m1 = 0.9 * m0 + 0.1 * g0;
      const v1 = 0.99 * v0 + 0.01 * g0 * g0;
      const p1 = p0 * (1 - 0.001) - (0.01 * m1) / (Math.sqrt(v1) * 1.5 + 1e-8);
      assert.ok(Math.abs(heap.f32(p, n)[i]! - p1) < 1e-5, `adamw ${i}`);
    }
    // out[dst[e]] += w[e]·x[src[e]], checked bit for bit against the one-entry-at-a-time float32 loop
    // (the kernel pairs entries; a pair may share its destination; 5 entries leave an odd one).
    const dim = 13;
    const srcRows = [4, 0, 4, 2, 1];
    const dstRows = [2, 2, 0, 1, 2];
    const x = rand(5 * dim);
    const out = rand(3 * dim);
    const w = rand(5);
    const src = heap.alloc(20);
    const dst = heap.alloc(20);
    heap.i32(src, 5).set(srcRows);
    heap.i32(dst, 5).set(dstRows);
    const expected = Float32Array.from(heap.f32(out, 3 * dim));
    const X = heap.f32(x, 5 * dim);
    const W = heap.f32(w, 5);
    srcRows.forEach((s, e) => {
      const d = dstRows[e]!;
      for (let c = 0; c < dim; c++) {
        expected[d * dim + c] = Math.fround(expected[d * dim + c]! + Math.fround(W[e]! * X[s * dim + c]!));
      }
    });
    const outBefore = Float32Array.from(heap.f32(out, 3 * dim));
    k.rowsAxpy(out, x, dim, src, dst, w, 5, 0, 3);
    assert.deepEqual(Array.from(heap.f32(out, 3 * dim)), Array.from(expected));
    // Two calls over the destination ranges [0, 1) and [1, 3) give the same bits as one call.
    heap.f32(out, 3 * dim).set(outBefore);
    k.rowsAxpy(out, x, dim, src, dst, w, 5, 1, 3);
    k.rowsAxpy(out, x, dim, src, dst, w, 5, 0, 1);
    assert.deepEqual(Array.from(heap.f32(out, 3 * dim)), Array.from(expected));
    k.rowsCopy(out, x, dim, src, 3);
    assert.deepEqual(Array.from(heap.f32(out, dim)), Array.from(X.subarray(4 * dim, 5 * dim)));
    // layernorm rows of width 10 (a SIMD body plus a tail).
    const rows = 4;
    const width = 10;
    const [lx, gamma, beta] = [rand(rows * width), rand(width), rand(width)];
    const [y, mean, rstd] = [heap.alloc(rows * width * 4), heap.alloc(rows * 4), heap.alloc(rows * 4)];
    k.layerNormForward(lx, rows, width, gamma, beta, 1e-5, y, mean, rstd);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(heap.f32(lx + r * width * 4, width));
      const mu = row.reduce((a, b) => a + b, 0) / width;
      const sd = Math.sqrt(row.reduce((a, b) => a + (b - mu) ** 2, 0) / width + 1e-5);
      row.forEach((val, c) => {
        const ref = ((val - mu) / sd) * heap.f32(gamma, width)[c]! + heap.f32(beta, width)[c]!;
        assert.ok(Math.abs(heap.f32(y, rows * width)[r * width + c]! - ref) < 1e-5);
      });
    }
  });
}
