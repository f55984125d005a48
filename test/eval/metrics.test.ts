import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateRankings, log2Entropy, parseRankMetricKey } from '../../src/eval/index.js';
import { e, tinyCatalog, tinyContext } from './tiny-dataset.js';

test('rank metric keys: recall, ndcg or mrr at a positive cut-off, nothing else', () => {
  assert.deepEqual(parseRankMetricKey('recall@10'), { metric: 'recall', k: 10 });
  assert.deepEqual(parseRankMetricKey('ndcg@1'), { metric: 'ndcg', k: 1 });
  assert.deepEqual(parseRankMetricKey('mrr@250'), { metric: 'mrr', k: 250 });
  for (const bad of [
    'recall@0',
    'recall@05',
    'coverage@10',
    'recall@10x',
    'xrecall@10',
    'recall@',
    'recall10',
  ]) {
    assert.throws(
      () => parseRankMetricKey(bad),
      (err: unknown) =>
        err instanceof Error &&
        err.message === `not a rank metric: "${bad}" (expected e.g. recall@10, ndcg@10, mrr@10)`,
      bad,
    );
  }
});

test('per-pair values at the cut-off: a hit at rank k − 1 counts, at rank k it does not', () => {
  const catalog = tinyCatalog(4);
  // One pair per context; the gold item sits at 0-based rank 0, 1, 2 and 3 of the same list.
  const list = Int32Array.of(0, 1, 2, 3);
  const contexts = [0, 1, 2, 3].map((item) => tinyContext(`c${item}`, 1, [], [e(item)]));
  const { metrics } = evaluateRankings(
    contexts,
    contexts.map(() => list),
    catalog,
    { ks: [2, 3], topK: 100 },
  );
  assert.equal(metrics['recall@2'], 2 / 4);
  assert.equal(metrics['recall@3'], 3 / 4);
  assert.equal(metrics['ndcg@2'], (1 + 1 / Math.log2(3)) / 4);
  assert.equal(metrics['mrr@3'], (1 + 1 / 2 + 1 / 3) / 4);
});

test('log2 entropy of counts: zero counts add nothing, no counts give 0', () => {
  assert.equal(log2Entropy([2, 2]), 1);
  assert.equal(log2Entropy([1, 1, 2]), 1.5);
  assert.equal(log2Entropy([0, 3, 0, 3]), 1);
  assert.equal(log2Entropy([0, 0]), 0);
  assert.equal(log2Entropy([]), 0);
});
