import assert from 'node:assert/strict';
import { test } from 'node:test';
import { longTailOfDataset, longTailReport, popularityBuckets } from '../../src/eval/long-tail.js';
import { e, tinyCatalog, tinyContext, tinyDataset } from './tiny-dataset.js';

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

test('an item whose labels before it are exactly one third of all is torso; equal counts keep index order', () => {
  // 6 labels, 2 each: labels before items 0, 1, 2 = 0, 2 (= 6/3), 4 (= 2·6/3).
  assert.deepEqual([...popularityBuckets([2, 2, 2])], [0, 1, 2]);
  assert.deepEqual([...popularityBuckets([0, 2, 0, 2, 2])], [2, 0, 2, 1, 2]);
});

test('recall is averaged over each bucket’s pairs; gold entities outside the catalog are non-items', () => {
  const catalog = tinyCatalog(3);
  // Labels 5, 1, 0: item 0 is the head, torso is empty, items 1 and 2 are the tail. e(3) is the first entity id
  // past the catalog's entities.
  const pairs = {
    contexts: Int32Array.of(0, 1, 2, 3, 4, 5),
    goldEntities: Int32Array.of(e(0), e(0), e(1), e(2), e(2), e(3)),
    ranks: Int32Array.of(0, 30, 3, -1, 9, -1),
  };
  const report = longTailReport(pairs, catalog, [5, 1, 0], [1, 10], 'train');
  assert.match(
    report.rule,
    /^head\/torso\/tail = most frequent items covering the first\/second\/last third of train labels$/,
  );
  assert.deepEqual(report.ks, [1, 10]);
  assert.equal(report.labelSplit, 'train');
  assert.deepEqual(
    report.buckets.map((b) => [
      b.name,
      b.items,
      b.trainLabels,
      b.pairs,
      b.recall['recall@1'],
      b.recall['recall@10'],
    ]),
    [
      ['head', 1, 5, 2, 0.5, 0.5],
      ['torso', 0, 0, 0, 0, 0],
      ['tail', 2, 1, 3, 0, 2 / 3],
      ['non-item', 0, 0, 1, 0, 0],
    ],
  );
});

test('the non-item bucket is left out when no gold entity falls in it; empty item buckets stay', () => {
  const report = longTailReport(
    { contexts: Int32Array.of(0), goldEntities: Int32Array.of(e(1)), ranks: Int32Array.of(0) },
    tinyCatalog(3),
    [5, 1, 0],
    [1],
    'valid',
  );
  assert.deepEqual(
    report.buckets.map((b) => [b.name, b.pairs]),
    [
      ['head', 0],
      ['torso', 0],
      ['tail', 1],
    ],
  );
});

test('longTailOfDataset counts labels on train, or on valid when there is no train split', () => {
  const train = [tinyContext('t1', 1, [], [e(0)]), tinyContext('t2', 1, [], [e(0), e(1)])];
  const valid = [tinyContext('v1', 1, [], [e(2)])];
  const pairs = { contexts: Int32Array.of(0), goldEntities: Int32Array.of(e(2)), ranks: Int32Array.of(0) };
  const withTrain = longTailOfDataset(tinyDataset(3, { train, valid }), pairs, [1]);
  assert.equal(withTrain.labelSplit, 'train');
  assert.deepEqual(
    withTrain.buckets.map((b) => [b.name, b.items, b.trainLabels, b.pairs]),
    [
      ['head', 1, 2, 0],
      ['torso', 0, 0, 0],
      ['tail', 2, 1, 1],
    ],
  );
  const validOnly = longTailOfDataset(tinyDataset(3, { valid }), pairs, [1]);
  assert.equal(validOnly.labelSplit, 'valid');
  assert.deepEqual(
    validOnly.buckets.map((b) => [b.name, b.items, b.trainLabels, b.pairs, b.recall['recall@1']]),
    [
      ['head', 1, 1, 1, 1],
      ['torso', 0, 0, 0, 0],
      ['tail', 2, 0, 0, 0],
    ],
  );
});
