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

/**
 * The documented procedure written out plainly: the root Rng(seed) forks one stream for the sign flips (nonzero
 * differences only) and then one for the bootstrap; p = (1 + #extreme) / (1 + R); the interval is the 2.5 % and
 * 97.5 % linear-interpolation quantiles of the sorted bootstrap means.
 */
function plainTests(a: number[], b: number[], resamples: number, seed: number) {
  const diffs = b.map((v, i) => v - a[i]!);
  const n = diffs.length;
  const observed = diffs.reduce((s, d) => s + d, 0) / n;
  const root = new Rng(seed);
  const flips = root.fork();
  const draws = root.fork();
  const nonZero = diffs.filter((d) => d !== 0);
  let permExtreme = 0;
  for (let r = 0; r < resamples; r++) {
    const flipped = nonZero.map((d) => (flips.next() < 0.5 ? d : -d));
    if (Math.abs(flipped.reduce((s, d) => s + d, 0) / n) >= Math.abs(observed) - 1e-12) permExtreme++;
  }
  const means: number[] = [];
  let bootExtreme = 0;
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diffs[draws.int(n)]!;
    means.push(sum / n);
    if (Math.abs(sum / n - observed) >= Math.abs(observed) - 1e-12) bootExtreme++;
  }
  means.sort((x, y) => x - y);
  const quantile = (q: number) => {
    const h = (means.length - 1) * q;
    return means[Math.floor(h)]! + (h - Math.floor(h)) * (means[Math.ceil(h)]! - means[Math.floor(h)]!);
  };
  return {
    difference: observed,
    permutation: (1 + permExtreme) / (1 + resamples),
    bootstrap: (1 + bootExtreme) / (1 + resamples),
    ci95: [quantile(0.025), quantile(0.975)],
  };
}

test('both p-values and the interval are exactly the documented procedure on the seeded streams', () => {
  const stream = new Rng(11);
  // Hits on 60 pairs: B finds a few more; many pairs tie (zero difference), which the sign flips skip.
  const a = Array.from({ length: 60 }, () => (stream.next() < 0.3 ? 1 : 0));
  const b = a.map((v) => (stream.next() < 0.15 ? 1 - v : v || (stream.next() < 0.1 ? 1 : 0)));
  for (const [resamples, seed] of [
    [37, 5],
    [400, 2],
  ] as const) {
    const expected = plainTests(a, b, resamples, seed);
    const got = pairedSignificance(Float64Array.from(a), Float64Array.from(b), 'recall@10', {
      resamples,
      seed,
    });
    assert.ok(Math.abs(got.difference - expected.difference) < 1e-12);
    assert.equal(got.permutation.pValue, expected.permutation, `permutation p, R = ${resamples}`);
    assert.equal(got.bootstrap.pValue, expected.bootstrap, `bootstrap p, R = ${resamples}`);
    assert.ok(
      got.bootstrap.ci95.every((x, i) => Math.abs(x - expected.ci95[i]!) < 1e-12),
      `interval ${got.bootstrap.ci95} vs ${expected.ci95}`,
    );
    assert.ok(
      got.permutation.pValue > 1 / (1 + resamples) && got.permutation.pValue < 1,
      'a p strictly inside',
    );
    assert.ok(got.bootstrap.ci95[0] < got.bootstrap.ci95[1]);
  }
});

test('the seed is recorded (0 by default) and changes the resampling; no resamples gives p = 1 and a [0, 0] interval', () => {
  const a = Float64Array.from(ranksA.slice(0, 80), (r) => (r >= 0 ? 1 : 0));
  const b = a.map((v, i) => (i % 9 === 0 ? 1 - v : v));
  const byDefault = pairedSignificance(a, b, 'recall@10', { resamples: 50 });
  assert.equal(byDefault.seed, 0);
  assert.deepEqual(pairedSignificance(a, b, 'recall@10', { resamples: 50, seed: 0 }), byDefault);
  const seeded = pairedSignificance(a, b, 'recall@10', { resamples: 50, seed: 9 });
  assert.equal(seeded.seed, 9);
  assert.notDeepEqual(seeded.bootstrap, byDefault.bootstrap);
  // One resample: the interval is that resample's mean at both ends.
  const one = pairedSignificance(a, b, 'recall@10', { resamples: 1, seed: 4 });
  assert.ok(Number.isFinite(one.bootstrap.ci95[0]));
  assert.equal(one.bootstrap.ci95[0], one.bootstrap.ci95[1]);
  assert.equal(one.bootstrap.ci95[0], plainTests([...a], [...b], 1, 4).ci95[0]);
  const none = pairedSignificance(a, b, 'recall@10', { resamples: 0 });
  assert.deepEqual(
    [none.permutation, none.bootstrap],
    [
      { pValue: 1, resamples: 0 },
      { pValue: 1, resamples: 0, ci95: [0, 0] },
    ],
  );
});

test('a run that hits every pair against one that misses all: difference 1, interval [1, 1], p at its floor', () => {
  const r = pairedSignificance(new Float64Array(30), new Float64Array(30).fill(1), 'recall@10', {
    resamples: 99,
    seed: 3,
  });
  assert.equal(r.difference, 1);
  assert.deepEqual(r.bootstrap.ci95, [1, 1]);
  assert.equal(r.bootstrap.pValue, 1 / 100);
  assert.equal(r.permutation.pValue, plainTests(Array(30).fill(0), Array(30).fill(1), 99, 3).permutation);
});

test('unequal lengths and pairs that differ in context or gold item are refused, with a hint', () => {
  assert.throws(
    () => pairedSignificance(Float64Array.of(1, 0), Float64Array.of(1), 'x'),
    /^CrsaugError: paired test needs equal lengths, got 2 and 1$/,
  );
  // A run on the first pairs of the other is refused as a different set of pairs, not compared on a prefix.
  assert.throws(
    () => comparePairRanks(pairs([0]), pairs([0, 1]), 'recall@10'),
    /^CrsaugError: the two runs were evaluated on different \(context, gold\) pairs \(1 vs 2\)$/,
  );
  const base = pairs([0, 1, 2]);
  const otherContext = { ...base, contexts: Int32Array.of(0, 1, 7) };
  const otherGold = { ...base, goldEntities: Int32Array.of(100, 101, 999) };
  for (const other of [otherContext, otherGold]) {
    assert.throws(
      () => comparePairRanks(base, other, 'recall@10'),
      (err: unknown) =>
        err instanceof Error &&
        err.message === 'the two runs were evaluated on different (context, gold) pairs (3 vs 3)' &&
        (err as { hint?: string }).hint === 'compare runs on the same dataset, split and loader settings',
    );
  }
});
