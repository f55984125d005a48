import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateRuns, meansOf } from '../../src/eval/aggregate.js';
import { formatSummaryTable } from '../../src/eval/format.js';

test('mean and sample standard deviation (n − 1) per metric', () => {
  const summary = aggregateRuns([
    { 'recall@1': 0.1, pairs: 10 },
    { 'recall@1': 0.2, pairs: 10 },
    { 'recall@1': 0.6, pairs: 10 },
  ]);
  assert.ok(Math.abs(summary['recall@1']!.mean - 0.3) < 1e-15);
  // deviations −0.2, −0.1, 0.3 → squares sum 0.14 → /2 → sqrt(0.07)
  assert.ok(Math.abs(summary['recall@1']!.std - Math.sqrt(0.07)) < 1e-15);
  assert.deepEqual(summary.pairs, { mean: 10, std: 0, n: 3 });
  assert.ok(Math.abs(meansOf(summary)['recall@1']! - 0.3) < 1e-15);
  assert.match(formatSummaryTable(summary, [1]), /30\.00 ± 26\.46/);
});

test('one run has std 0 and prints plain values', () => {
  const summary = aggregateRuns([{ 'recall@1': 0.25, pairs: 4 }]);
  assert.equal(summary['recall@1']!.std, 0);
  assert.doesNotMatch(formatSummaryTable(summary, [1]), /±/);
});

test('runs with different metrics are refused', () => {
  assert.throws(() => aggregateRuns([{ a: 1 }, { b: 1 }]), /run 1 has no metric "a"/);
  assert.throws(() => aggregateRuns([]), /no runs/);
});
