import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PairRanks } from '../../src/eval/protocol.js';
import { comparePairRanks, pairedSignificance } from '../../src/eval/significance.js';
import { Rng } from '../../src/util/rng.js';

function pairs(ranks: number[]): PairRanks {
  return {
    contexts: Int32Array.from(ranks, (_, i) => i),
    goldEntities: Int32Array.from(ranks, (_, i) => 100 + i),
    ranks: Int32Array.from(ranks),
  };
}

const rng = new Rng(3);
const ranksA = Array.from({ length: 400 }, () => (rng.next() < 0.2 ? rng.int(10) : -1));

test('identical runs give p = 1 under both tests', () => {
  const r = comparePairRanks(pairs(ranksA), pairs(ranksA), 'recall@10', { resamples: 2000, seed: 1 });
  assert.equal(r.difference, 0);
  assert.equal(r.permutation.pValue, 1);
  assert.equal(r.bootstrap.pValue, 1);
  assert.deepEqual(r.bootstrap.ci95, [0, 0]);
});

test('very different runs give a small p', () => {
  const ranksB = ranksA.map((rank, i) => (i % 2 === 0 ? 0 : rank));
  const r = comparePairRanks(pairs(ranksA), pairs(ranksB), 'recall@10', { resamples: 2000, seed: 1 });
  assert.ok(r.difference > 0.3, `difference ${r.difference}`);
  // With 2,000 resamples and no extreme sample the p-value is its floor 1/2001.
  assert.equal(r.permutation.pValue, 1 / 2001);
  assert.equal(r.bootstrap.pValue, 1 / 2001);
  assert.ok(r.bootstrap.ci95[0] > 0 && r.bootstrap.ci95[1] < 1);
});

test('a small difference is not significant and the result is reproducible from the seed', () => {
  const ranksB = [...ranksA];
  ranksB[ranksB.indexOf(-1)] = 3; // one more hit out of 400
  const a = comparePairRanks(pairs(ranksA), pairs(ranksB), 'recall@10', { resamples: 1000, seed: 9 });
  const b = comparePairRanks(pairs(ranksA), pairs(ranksB), 'recall@10', { resamples: 1000, seed: 9 });
  assert.deepEqual(a, b);
  assert.ok(a.permutation.pValue > 0.5, `permutation p ${a.permutation.pValue}`);
  assert.ok(a.bootstrap.pValue > 0.5, `bootstrap p ${a.bootstrap.pValue}`);
});

test('per-pair values follow the metric (ndcg, mrr)', () => {
  const r = pairedSignificance(Float64Array.of(0, 0), Float64Array.of(1, 0.5), 'x', { resamples: 10 });
  assert.equal(r.difference, 0.75);
  const m = comparePairRanks(pairs([1, -1]), pairs([0, 1]), 'mrr@10', { resamples: 10 });
  assert.equal(m.meanA, 0.25);
  assert.equal(m.meanB, 0.75);
});

test('runs on different pairs or unknown metrics are refused', () => {
  assert.throws(
    () => comparePairRanks(pairs([0, 1]), pairs([0]), 'recall@10'),
    /different \(context, gold\) pairs/,
  );
  assert.throws(() => comparePairRanks(pairs([0]), pairs([0]), 'coverage@10'), /not a rank metric/);
});
