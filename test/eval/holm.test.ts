import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holmAdjust } from '../../src/eval/holm.js';

test('Holm: the smallest p times m, then step-down with a running maximum, in the input order', () => {
  // Sorted 0.01, 0.02, 0.03, 0.5 → 4·0.01, 3·0.02, max(0.06, 2·0.03), max(0.06, 1·0.5).
  const adjusted = holmAdjust([0.03, 0.5, 0.01, 0.02]);
  const expected = [0.06, 0.5, 0.04, 0.06];
  for (const [i, p] of adjusted.entries()) assert.ok(Math.abs(p - expected[i]!) < 1e-12, `${i}: ${p}`);
  assert.deepEqual(holmAdjust([0.4, 0.9]), [0.8, 0.9]);
  assert.deepEqual(holmAdjust([0.7]), [0.7]);
  assert.deepEqual(holmAdjust([]), []);
});

test('Holm caps at 1, keeps ties monotone and refuses non-probabilities', () => {
  assert.deepEqual(holmAdjust([0.6, 0.6, 0.6]), [1, 1, 1]);
  assert.deepEqual(holmAdjust([0.01, 0.01]), [0.02, 0.02]);
  assert.throws(() => holmAdjust([0.1, Number.NaN]), /p-value 2 is NaN/);
  assert.throws(() => holmAdjust([1.5]), /not a probability/);
  assert.throws(() => holmAdjust([0.2, -0.01]), /p-value 2 is -0.01, not a probability in \[0, 1\]/);
  // Both ends of [0, 1] are probabilities.
  assert.deepEqual(holmAdjust([0, 1]), [0, 1]);
  assert.deepEqual(holmAdjust([1, 0.3]), [1, 0.6]);
});
