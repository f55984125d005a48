import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type InnerProducts, selectTopK, topKInnerProduct } from '../../src/augment/topk.js';
import { engine } from '../../src/engine/index.js';
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
