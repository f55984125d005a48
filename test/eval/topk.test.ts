import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topKOfMatrix, topKOfRow } from '../../src/eval/topk.js';
import { Rng } from '../../src/util/rng.js';

test('ties go to the lower item index', () => {
  const scores = Float32Array.of(1, 3, 3, 2, 3);
  assert.deepEqual([...topKOfRow(scores, 2)], [1, 2]);
  assert.deepEqual([...topKOfRow(scores, 4)], [1, 2, 4, 3]);
  assert.deepEqual([...topKOfRow(Float32Array.of(0, 0, 0), 2)], [0, 1]);
});

test('-Infinity items are not ranked and the list may be shorter than k', () => {
  const scores = Float32Array.of(Number.NEGATIVE_INFINITY, 1, Number.NEGATIVE_INFINITY, 5);
  assert.deepEqual([...topKOfRow(scores, 3)], [3, 1]);
});

test('a NaN score is an error', () => {
  assert.throws(() => topKOfRow(Float32Array.of(1, Number.NaN), 2), /item 1 is NaN/);
});

test('matches a full stable sort on random rows with many ties', () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + rng.int(300);
    const k = 1 + rng.int(120);
    const scores = Float32Array.from({ length: n }, () => rng.int(20));
    const expected = Array.from({ length: n }, (_, i) => i)
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .slice(0, k);
    assert.deepEqual([...topKOfRow(scores, k)], expected, `trial ${trial}`);
  }
});

test('matrix rows are ranked independently and the shape is checked', () => {
  const scores = Float32Array.of(1, 2, 3, 3, 2, 1);
  assert.deepEqual(
    topKOfMatrix(scores, 2, 3, 2).map((r) => [...r]),
    [
      [2, 1],
      [0, 1],
    ],
  );
  assert.throws(() => topKOfMatrix(scores, 3, 3, 2), /6 values, expected 3 × 3/);
});

test('each matrix row is read at its own offset', () => {
  const rows = [
    [1, 3, 2, 0],
    [4, 0, 1, 9],
    [0, 2, 5, 1],
  ];
  assert.deepEqual(
    topKOfMatrix(Float32Array.from(rows.flat()), 3, 4, 2).map((r) => [...r]),
    [
      [1, 2],
      [3, 0],
      [2, 1],
    ],
  );
});
