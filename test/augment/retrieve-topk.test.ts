import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type InnerProducts, selectTopK, topKInnerProduct } from '../../src/augment/topk.js';
import { engine, topkRows } from '../../src/engine/index.js';
import { Rng } from '../../src/util/rng.js';

const plainInnerProducts: InnerProducts = (a, rows, b, cols, dims) => {
  const c = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += a[i * dims + d]! * b[j * dims + d]!;
      c[i * cols + j] = s;
    }
  }
  return c;
};

test('selectTopK: best first, ties by lower index, excluded items skipped, k larger than what is left', () => {
  const scores = Float32Array.from([0.5, 0.9, 0.5, 0.1, 0.9, 0.7]);
  const top = selectTopK(scores, 4, new Set([5]));
  assert.deepEqual(Array.from(top.items), [1, 4, 0, 2]);
  assert.deepEqual(
    Array.from(top.sims),
    [0.9, 0.9, 0.5, 0.5].map((x) => Math.fround(x)),
  );
  assert.deepEqual(Array.from(selectTopK(scores, 10, new Set([0, 1, 2])).items), [4, 5, 3]);
});

test('selectTopK equals a full sort (similarity desc, index asc) on random rows full of ties', () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 300; trial++) {
    const n = 1 + rng.int(400);
    // Few distinct values (many ties), or continuous ones; sometimes ±Infinity and negative zero.
    const levels = trial % 3 === 0 ? 0 : 1 + rng.int(12);
    const scores = Float32Array.from({ length: n }, () => {
      if (rng.next() < 0.02) return rng.next() < 0.5 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      if (rng.next() < 0.02) return -0;
      return levels === 0 ? rng.normal() : rng.int(levels) / levels;
    });
    const excluded = new Set(Array.from({ length: rng.int(Math.min(n, 30)) }, () => rng.int(n)));
    const k = [0, 1, 5, 50, n, n + 3][trial % 6]!;
    const expected = [...scores.keys()]
      .filter((i) => !excluded.has(i))
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .slice(0, k);
    const top = selectTopK(scores, k, excluded);
    assert.deepEqual(Array.from(top.items), expected, `trial ${trial}`);
    assert.deepEqual(
      Array.from(top.sims),
      expected.map((i) => scores[i]!),
    );
  }
});

test('engine GEMM and a plain loop give the same top-K, and the engine heap is left as found', () => {
  const rng = new Rng(7);
  const [rows, items, dims] = [37, 301, 24];
  const q = Float32Array.from({ length: rows * dims }, () => rng.normal());
  const m = Float32Array.from({ length: items * dims }, () => rng.normal());
  const excluded = (row: number) => [row, row + 1, (row * 13) % items];
  const live = engine().heap.liveBytes();
  const fast = topKInnerProduct(q, rows, m, items, dims, { k: 10, excluded, blockRows: 8 });
  assert.equal(engine().heap.liveBytes(), live);
  const slow = topKInnerProduct(q, rows, m, items, dims, {
    k: 10,
    excluded,
    innerProducts: plainInnerProducts,
  });
  for (let r = 0; r < rows; r++) {
    assert.deepEqual(Array.from(fast[r]!.items), Array.from(slow[r]!.items));
    for (let i = 0; i < 10; i++) assert.ok(Math.abs(fast[r]!.sims[i]! - slow[r]!.sims[i]!) < 1e-4);
    for (const x of excluded(r)) assert.ok(!fast[r]!.items.includes(x));
  }
});

test('the engine topkRows kernel selects exactly what selectTopK does, on 1 and 2 threads', async () => {
  const e = engine();
  const threadsBefore = e.threads;
  const { heap } = e;
  const rng = new Rng(5);
  // Widths that are not a multiple of the kernel's 16-value groups; 1000 columns give k = 50 chunks of 20,
  // enough for the kernel's lower bound to prune.
  for (const [rows, cols] of [
    [400, 203],
    [300, 1000],
  ] as const) {
    for (const k of [0, 1, 7, 50, cols, cols + 4]) {
      const scores = Float32Array.from({ length: rows * cols }, (_, i) => {
        const r = Math.floor(i / cols);
        // Every fourth row holds ±∞, −0 and NaN now and then (a NaN turns the bound off for its row).
        if (r % 4 === 0 && rng.next() < 0.01) {
          return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, -0, Number.NaN][rng.int(4)]!;
        }
        // Rows of few levels (ties everywhere), continuous rows, and rising rows (every item beats the heap).
        return r % 3 === 0 ? rng.int(5) / 5 : r % 3 === 1 ? rng.normal() : (i % cols) + rng.next();
      });
      const excluded = Array.from({ length: rows }, () =>
        Array.from({ length: rng.int(12) }, () => rng.int(cols)),
      );
      const excludedCount = excluded.flat().length;
      const kept = Math.min(k, cols);
      const ptrs = [rows * cols, rows + 1, excludedCount, rows * kept, rows * kept, rows].map((n) =>
        heap.alloc(Math.max(1, n) * 4),
      );
      const [ps, pStart, pEx, pItems, pSims, pCount] = ptrs as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      let at = 0;
      excluded.forEach((ex, r) => {
        heap.i32(pStart, rows + 1)[r] = at;
        heap.i32(pEx, excludedCount).set(ex, at);
        at += ex.length;
      });
      heap.i32(pStart, rows + 1)[rows] = at;
      for (const threads of [1, 2]) {
        e.setThreads(threads);
        await e.ready();
        // The kernel overwrites excluded items' scores: every run starts from the same scores.
        heap.f32(ps, rows * cols).set(scores);
        const jobs = e.workerJobs();
        topkRows(ps, rows, cols, kept, pStart, pEx, pItems, pSims, pCount);
        assert.equal(e.workerJobs() - jobs, threads - 1, 'the worker took its share');
        for (let r = 0; r < rows; r++) {
          const want = selectTopK(scores.subarray(r * cols, (r + 1) * cols), k, new Set(excluded[r]));
          const n = heap.i32(pCount, rows)[r]!;
          const where = `${rows}x${cols} k=${k} row ${r} threads ${threads}`;
          assert.deepEqual(Array.from(heap.i32(pItems + r * kept * 4, n)), Array.from(want.items), where);
          assert.deepEqual(Array.from(heap.f32(pSims + r * kept * 4, n)), Array.from(want.sims), where);
        }
      }
      for (const ptr of ptrs) heap.release(ptr);
    }
  }
  e.setThreads(threadsBefore);
});
