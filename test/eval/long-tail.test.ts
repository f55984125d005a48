import assert from 'node:assert/strict';
import { test } from 'node:test';
import { longTailReport, popularityBuckets } from '../../src/eval/long-tail.js';
import { e, tinyCatalog } from './tiny-dataset.js';

test('head covers the first third of train labels, torso the second, tail the rest (ties by index)', () => {
  // 12 labels: item 2 alone has 5 (> 1/3), items 0 and 3 have 3 each, item 1 has 1, items 4 and 5 none.
  const counts = [3, 1, 5, 3, 0, 0];
  // order 2(5), 0(3), 3(3), 1(1), 4, 5: labels before each = 0, 5, 8, 11, 12, 12
  assert.deepEqual([...popularityBuckets(counts)], [1, 2, 0, 2, 2, 2]);
});

test('recall per bucket of the gold item; non-item golds get their own bucket', () => {
  const catalog = tinyCatalog(6);
  const counts = [3, 1, 5, 3, 0, 0];
  const pairs = {
    contexts: Int32Array.of(0, 0, 1, 2),
    goldEntities: Int32Array.of(e(2), e(0), e(4), 3),
    ranks: Int32Array.of(0, 20, 4, -1),
  };
  const report = longTailReport(pairs, catalog, counts, [1, 10], 'train');
  const byName = Object.fromEntries(report.buckets.map((b) => [b.name, b]));
  assert.deepEqual(byName.head, {
    name: 'head',
    items: 1,
    trainLabels: 5,
    pairs: 1,
    recall: { 'recall@1': 1, 'recall@10': 1 },
  });
  assert.deepEqual(byName.torso!.recall, { 'recall@1': 0, 'recall@10': 0 });
  assert.equal(byName.tail!.items, 4);
  assert.deepEqual(byName.tail!.recall, { 'recall@1': 0, 'recall@10': 1 });
  assert.equal(byName['non-item']!.pairs, 1);
});
