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
