import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  aggregateRuns,
  formatLongTail,
  formatMetricsTable,
  formatSeedAwareComparison,
  formatSignificance,
  formatSummaryTable,
  longTailReport,
  type Metrics,
} from '../../src/eval/index.js';

const metrics: Metrics = {
  'recall@1': 0.125,
  'recall@10': 0.5,
  'ndcg@1': 0.125,
  'ndcg@10': 0.3,
  'mrr@1': 0.125,
  'mrr@10': 0.25,
  'coverage@1': 3,
  'coverage@10': 12.5,
  'entropy@1': 1.5,
  'entropy@10': 3.25,
  pairs: 8,
  'unfiltered.recall@1': 0.2,
  'unfiltered.recall@10': 0.6,
  'unfiltered.ndcg@1': 0.2,
  'unfiltered.ndcg@10': 0.4,
  'unfiltered.mrr@1': 0.2,
  'unfiltered.mrr@10': 0.3,
  'unfiltered.pairs': 10,
};

test('metrics table: shares in %, coverage in items (one decimal when not whole), entropy in bits, columns aligned', () => {
  assert.equal(
    formatMetricsTable(metrics, [1, 10]),
    [
      '| metric              |    @1 |   @10 |',
      '| :------------------ | ----: | ----: |',
      '| recall %            | 12.50 | 50.00 |',
      '| ndcg %              | 12.50 | 30.00 |',
      '| mrr %               | 12.50 | 25.00 |',
      '| coverage            |     3 |  12.5 |',
      '| entropy             | 1.500 | 3.250 |',
      '| unfiltered recall % | 20.00 | 60.00 |',
      '| unfiltered ndcg %   | 20.00 | 40.00 |',
      '| unfiltered mrr %    | 20.00 | 30.00 |',
      'pairs 8, unfiltered pairs 10',
    ].join('\n'),
  );
});

test('metrics table: rows without any value are left out, missing cells stay blank', () => {
  assert.equal(
    formatMetricsTable(
      { 'recall@1': 0.5, 'recall@5': 0.75, 'ndcg@5': 0.6, 'coverage@5': 7, pairs: 4 },
      [1, 5],
    ),
    [
      '| metric   |    @1 |    @5 |',
      '| :------- | ----: | ----: |',
      '| recall % | 50.00 | 75.00 |',
      '| ndcg %   |       | 60.00 |',
      '| coverage |       |     7 |',
      'pairs 4',
    ].join('\n'),
  );
});

test('summary table: mean ± sample std over several runs, plain values for one run', () => {
  const two = aggregateRuns([metrics, { ...metrics, 'recall@1': 0.375 }]);
  assert.equal(
    formatSummaryTable(two, [1, 10]),
    [
      '| metric              |            @1 |           @10 |',
      '| :------------------ | ------------: | ------------: |',
      '| recall %            | 25.00 ± 17.68 |  50.00 ± 0.00 |',
      '| ndcg %              |  12.50 ± 0.00 |  30.00 ± 0.00 |',
      '| mrr %               |  12.50 ± 0.00 |  25.00 ± 0.00 |',
      '| coverage            |         3 ± 0 |      12.5 ± 0 |',
      '| entropy             | 1.500 ± 0.000 | 3.250 ± 0.000 |',
      '| unfiltered recall % |  20.00 ± 0.00 |  60.00 ± 0.00 |',
      '| unfiltered ndcg %   |  20.00 ± 0.00 |  40.00 ± 0.00 |',
      '| unfiltered mrr %    |  20.00 ± 0.00 |  30.00 ± 0.00 |',
      'pairs 8, 2 runs (mean ± sample std)',
    ].join('\n'),
  );
  const one = formatSummaryTable(aggregateRuns([metrics]), [1, 10]);
  assert.equal(one, formatMetricsTable(metrics, [1, 10]).replace('unfiltered pairs 10', 'one run'));
  assert.equal(formatSummaryTable({}, [1]), '| metric | @1 |\n| :----- | -: |\npairs not counted, one run');
});

test('significance: both tests, the difference with its bootstrap interval, in %', () => {
  const result = {
    metric: 'recall@10',
    pairs: 4,
    meanA: 0.25,
    meanB: 0.75,
    difference: 0.5,
    permutation: { pValue: 0.47058823529, resamples: 50 },
    bootstrap: { pValue: 0.15686274509, resamples: 60, ci95: [0.125, 1] as [number, number] },
    seed: 4,
  };
  assert.equal(
    formatSignificance(result),
    [
      'paired tests of fixed models on recall@10 over 4 pairs (seed 4):',
      '  one run per side, pairs treated as independent: the seed variance is not counted (give one file per seed on each side for the seed-aware comparison)',
      '  A 25.00  B 75.00  B−A 50.00 (95% bootstrap CI 12.50 … 100.00)',
      '  permutation p = 0.471 (50 sign flips)',
      '  bootstrap   p = 0.157 (60 resamples)',
    ].join('\n'),
  );
});

test('seed-aware comparison: runs, pairs and dialogues, the difference with its interval, p, df and the variance by source', () => {
  const result = {
    metric: 'recall@10',
    pairs: 161,
    dialogues: 81,
    seedsA: 3,
    seedsB: 2,
    meanA: 0.25,
    meanB: 0.3,
    diff: 0.05,
    ci95: [0.01, 0.09] as [number, number],
    p: 0.25,
    se: 0.02,
    df: 12.345,
    // Shares of se² = 0.0004: 75 %, 15 %, 10 %.
    variance: { dialogues: 0.0003, seedsA: 0.00006, seedsB: 0.00004 },
    seedAware: true,
    method: 'the method',
  };
  assert.equal(
    formatSeedAwareComparison(result),
    [
      'seed-aware comparison on recall@10: 3 runs of A vs 2 of B, 161 pairs in 81 dialogues',
      '  A 25.00  B 30.00  B−A 5.00 (95% CI 1.00 … 9.00)',
      '  p = 0.250 (t with 12.3 df; standard error 2.00, variance from dialogues 75 %, seeds of A 15 %, seeds of B 10 %)',
      '  test: the method',
    ].join('\n'),
  );
  // Identical runs: no standard error, so every share is 0 %, not 0/0.
  const none = formatSeedAwareComparison({
    ...result,
    se: 0,
    variance: { dialogues: 0, seedsA: 0, seedsB: 0 },
  });
  assert.match(none, /standard error 0\.00, variance from dialogues 0 %, seeds of A 0 %, seeds of B 0 %\)$/m);
});

test('long tail: one row per bucket with items, train labels, pairs and recall in %', () => {
  // Label counts 5, 1, 0: item 0 is the head, items 1 and 2 the tail; gold entity 3 is not an item.
  const report = longTailReport(
    {
      contexts: Int32Array.of(0, 1, 2),
      goldEntities: Int32Array.of(0, 2, 3),
      ranks: Int32Array.of(0, 5, -1),
    },
    { itemOfEntity: Int32Array.of(0, 1, 2, -1) },
    [5, 1, 0],
    [1, 10],
    'train',
  );
  assert.equal(
    formatLongTail(report),
    [
      'long tail (head/torso/tail = most frequent items covering the first/second/last third of train labels; labels counted on train):',
      '| bucket   | items | train labels | pairs | recall@1 % | recall@10 % |',
      '| :------- | ----: | -----------: | ----: | ---------: | ----------: |',
      '| head     |     1 |            5 |     1 |     100.00 |      100.00 |',
      '| torso    |     0 |            0 |     0 |       0.00 |        0.00 |',
      '| tail     |     2 |            1 |     1 |       0.00 |      100.00 |',
      '| non-item |     0 |            0 |     1 |       0.00 |        0.00 |',
    ].join('\n'),
  );
});
