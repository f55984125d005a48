import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareSeededPairRanks,
  compareSeededRuns,
  FIXED_MODELS_METHOD,
  pairDialogues,
  SEED_AWARE_METHOD,
} from '../../src/eval/seed-significance.js';
import { pairedSignificance } from '../../src/eval/significance.js';
import {
  INSPIRED_LIKE,
  type SimulationSettings,
  simulateComparison,
  THREE_SEEDS,
} from '../../src/eval/simulated-runs.js';
import { formatPStatement, formatPValue } from '../../src/report/format.js';
import { Rng } from '../../src/util/rng.js';
import { e, tinyCatalog, tinyContext } from './tiny-dataset.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);

test('the variance parts on a hand-computed example', () => {
  // 4 pairs in dialogues x, x, y, z; two seeds per side.
  const a = [Float64Array.of(1, 0, 1, 0), Float64Array.of(1, 1, 0, 0)];
  const b = [Float64Array.of(1, 1, 1, 0), Float64Array.of(1, 1, 1, 1)];
  const r = compareSeededRuns(a, b, ['x', 'x', 'y', 'z'], 'hit');
  close(r.meanA, 0.5, 'meanA');
  close(r.meanB, 0.875, 'meanB');
  close(r.diff, 0.375, 'diff');
  // Seed-averaged dialogue totals: A 1.5, 0.5, 0; B 2, 1, 0.5; residuals vs 0.375·size: −0.25, 0.125, 0.125;
  // sum of squares 0.09375 · G/(G−1) = 1.5 / N² = 16 → 0.0087890625.
  close(r.variance.dialogues, 0.0087890625, 'dialogue variance');
  // A's seeds both score 0.5 (no seed variance); B's seeds score 0.75 and 1 (s² = 0.03125) but that is all
  // churn within dialogue z (ν̂ · G/(G−1) = 0.046875 > s²), so neither side adds seed variance.
  close(r.variance.seedsA, 0, 'seed variance A');
  close(r.variance.seedsB, 0, 'seed variance B');
  assert.equal(r.dialogues, 3);
  assert.equal(r.pairs, 4);
  assert.equal(r.method, SEED_AWARE_METHOD);
  assert.ok(r.ci95[0] < r.diff && r.diff < r.ci95[1]);
});

test('a seed effect that churn cannot explain widens the interval; swapping A and B negates the difference', () => {
  // Every pair of a seed moves together: B's seeds score 0.2 and 0.8 on every dialogue alike.
  const dialogues = Array.from({ length: 40 }, (_, i) => i);
  const level = (v: number) => Float64Array.from(dialogues, (i) => (i % 10 < v * 10 ? 1 : 0));
  const a = [level(0.3), level(0.3), level(0.3)];
  const b = [level(0.2), level(0.8), level(0.5)];
  const r = compareSeededRuns(a, b, dialogues, 'hit');
  close(r.diff, 0.2, 'diff');
  assert.ok(r.variance.seedsB > 0.9 * (0.09 / 3), `seed variance of B ${r.variance.seedsB}`);
  assert.equal(r.variance.seedsA, 0);
  assert.ok(r.df < 4, `the t reference has the few seed degrees of freedom: ${r.df}`);
  assert.ok(r.p > 0.2, `p ${r.p}: three seeds this far apart do not show a 0.2 difference`);
  const swapped = compareSeededRuns(b, a, dialogues, 'hit');
  close(swapped.diff, -r.diff, 'swapped diff');
  close(swapped.p, r.p, 'swapped p');
  close(swapped.ci95[0], -r.ci95[1], 'swapped interval');
});

test('identical runs give p = 1; one seed on a side gives the fixed-models test, labelled so', () => {
  const run = Float64Array.of(1, 0, 0, 1, 1);
  const dialogues = [1, 1, 2, 3, 4];
  const same = compareSeededRuns([run, run], [run, run], dialogues, 'hit');
  assert.equal(same.p, 1);
  assert.deepEqual(same.ci95, [0, 0]);
  const fixed = compareSeededRuns([run], [Float64Array.of(1, 1, 0, 1, 1), run], dialogues, 'hit');
  assert.equal(fixed.seedAware, false);
  assert.equal(fixed.method, FIXED_MODELS_METHOD);
  assert.equal(fixed.variance.seedsB, 0);
  // With nothing varying, the t reference falls back to the dialogues' G − 1 = 3 degrees of freedom.
  assert.equal(same.df, 3);
});

test('the degrees of freedom, worked out by hand: Welch–Satterthwaite over the dialogue, seed and churn terms', () => {
  // Dialogues x, x, y, z, z; A has 3 seeds, B 2, and on both sides the seed variance exceeds its churn part.
  // Exact fractions (an independent computation): A's s² = 7/75 and ν̂·G/(G−1) = 24/625; B's 9/50 and 9/1250.
  const a = [Float64Array.of(1, 0, 1, 0, 1), Float64Array.of(0, 0, 0, 1, 0), Float64Array.of(1, 1, 1, 1, 0)];
  const b = [Float64Array.of(1, 1, 1, 1, 1), Float64Array.of(0, 1, 0, 0, 1)];
  const r = compareSeededRuns(a, b, ['x', 'x', 'y', 'z', 'z'], 'hit');
  close(r.diff, 7 / 10 - 8 / 15, 'diff');
  close(r.variance.dialogues, 1 / 100, 'dialogue variance');
  close(r.variance.seedsA, (7 / 75 - 24 / 625) / 3, 'seed variance A');
  close(r.variance.seedsB, (9 / 50 - 9 / 1250) / 2, 'seed variance B');
  close(r.se, Math.sqrt(2581 / 22500), 'standard error');
  // (Σ v)² / Σ v²/df over v = 1/100 (df 2), 7/225 (2), −8/625 (2·2), 9/100 (1), −9/2500 (1·2).
  close(r.df, 6661561 / 4394954, 'degrees of freedom');
  assert.equal(r.seedAware, true);
  assert.match(r.method, /Welch–Satterthwaite t, two-sided$/);
});

test('one dialogue: no dialogue variance (nor its degrees of freedom), the seeds alone decide', () => {
  const a = [Float64Array.of(1, 0, 1), Float64Array.of(0, 0, 0), Float64Array.of(1, 1, 1)];
  const b = [Float64Array.of(1, 1, 1), Float64Array.of(0, 0, 1), Float64Array.of(1, 0, 0)];
  const r = compareSeededRuns(a, b, ['x', 'x', 'x'], 'hit');
  assert.equal(r.dialogues, 1);
  assert.equal(r.variance.dialogues, 0);
  close(r.variance.seedsA, 7 / 81, 'seed variance A');
  close(r.variance.seedsB, 4 / 81, 'seed variance B');
  // (7/81 + 4/81)² / ((7/81)²/2 + (4/81)²/2)
  close(r.df, 242 / 65, 'degrees of freedom');
  assert.equal(r.p, 1);
});

test('a seed variance exactly equal to its churn part adds nothing, not even degrees of freedom', () => {
  // B's seeds 1, 0 and 0, 0 on dialogues x, y: s² = 1/8 = ν̂ · G/(G − 1).
  const r = compareSeededRuns(
    [Float64Array.of(0, 0), Float64Array.of(0, 0)],
    [Float64Array.of(1, 0), Float64Array.of(0, 0)],
    ['x', 'y'],
    'hit',
  );
  assert.equal(r.variance.seedsB, 0);
  close(r.variance.dialogues, 1 / 16, 'dialogue variance');
  close(r.df, 1, 'degrees of freedom');
});

test('pairs of one dialogue need not be adjacent: the clusters follow the dialogue ids', () => {
  const a = [Float64Array.of(1, 0, 0, 1), Float64Array.of(0, 1, 0, 0)];
  // Seed-averaged differences 0.5, 0 (dialogue x), 1 (y), 0 (z): regrouping any two pairs changes the sums.
  const b = [Float64Array.of(1, 1, 1, 0), Float64Array.of(1, 0, 1, 1)];
  const sorted = compareSeededRuns(a, b, ['x', 'x', 'y', 'z'], 'hit');
  // Σ over dialogues of (sum − size · 0.375)² = 0.59375, times G/(G − 1) = 1.5, over N² = 16.
  close(sorted.variance.dialogues, (1.5 * 0.59375) / 16, 'dialogue variance');
  // The same pairs listed as x, y, x, z.
  const order = [0, 2, 1, 3];
  const shuffle = (run: Float64Array) => Float64Array.from(order, (i) => run[i]!);
  const shuffled = compareSeededRuns(a.map(shuffle), b.map(shuffle), ['x', 'y', 'x', 'z'], 'hit');
  assert.equal(shuffled.dialogues, 3);
  close(shuffled.variance.dialogues, sorted.variance.dialogues, 'dialogue variance');
  close(shuffled.se, sorted.se, 'standard error');
  close(shuffled.df, sorted.df, 'degrees of freedom');
});

test('a difference with no variance at all is certain: p = 0 and a zero-width interval', () => {
  const r = compareSeededRuns([Float64Array.of(0, 1, 0)], [Float64Array.of(1, 2, 1)], ['a', 'b', 'c'], 'hit');
  assert.equal(r.se, 0);
  assert.equal(r.p, 0);
  assert.deepEqual(r.ci95, [1, 1]);
});

test('the fixed-models test when either side has one seed: G − 1 degrees of freedom, its method named', () => {
  const a = [Float64Array.of(1, 0, 0, 1, 1), Float64Array.of(0, 0, 1, 1, 0)];
  const b = [Float64Array.of(1, 1, 0, 1, 1)];
  const r = compareSeededRuns(a, b, [1, 1, 2, 3, 4], 'hit');
  assert.equal(r.seedAware, false);
  assert.equal(r.method, FIXED_MODELS_METHOD);
  assert.match(r.method, /^fixed models \(one seed on a side: seed variance not counted\)/);
  assert.equal(r.variance.seedsA, 0);
  close(r.df, 3, 'degrees of freedom');
  assert.throws(() => compareSeededRuns([[]], [[]], [], 'hit'), /^CrsaugError: no pairs to compare$/);
});

test('pair dialogues: one entry per evaluated (context, gold) pair, in the protocol’s order', () => {
  const contexts = [
    // Gold item 1 is already mentioned: not an evaluated pair.
    tinyContext('d1', 1, [e(1)], [e(1), e(2)]),
    tinyContext('d2', 3, [], [e(0), e(3)]),
    tinyContext('d3', 1, [], []),
  ];
  assert.deepEqual(pairDialogues(contexts, tinyCatalog(5)), ['d1', 'd2', 'd2']);
});

test('pair ranks map to the metric per pair; bad input names the side and run', () => {
  const r = compareSeededPairRanks(
    [
      [0, 12, -1],
      [3, 60, 9],
    ],
    [
      [0, 5, 2],
      [1, 4, 49],
    ],
    ['d1', 'd2', 'd2'],
    'recall@10',
  );
  close(r.meanA, 3 / 6, 'A recall@10');
  close(r.meanB, 5 / 6, 'B recall@10');
  assert.throws(
    () => compareSeededRuns([[1, 0]], [[1]], ['a', 'b'], 'hit'),
    (err: unknown) =>
      err instanceof Error &&
      err.message === 'side B run 1 has 1 pair values for 2 pairs' &&
      (err as { hint?: string }).hint ===
        'compare runs evaluated on the same dataset, split and loader settings',
  );
  assert.throws(() => compareSeededRuns([], [[1]], ['a'], 'hit'), /side A has no runs/);
});

test('p prints as < 0.001, never 0.000', () => {
  assert.equal(formatPValue(0), '< 0.001');
  assert.equal(formatPValue(0.0004), '< 0.001');
  assert.equal(formatPValue(0.0123), '0.012');
  assert.equal(formatPStatement(0.0001), 'p < 0.001');
  assert.equal(formatPStatement(0.25), 'p = 0.250');
});

// Calibration. "Calibrated" means: under no true difference the test rejects at 5 % in about 5 % of repeats.
// We accept a true rate within 5 ± 1 %; with R repeats, the number of rejections then lies in
// [Q(0.0005; Bin(R, 0.04)), Q(0.9995; Bin(R, 0.06))] with probability ≥ 99.9 %: the bounds below are derived
// from the binomial, not tuned. Same for the interval's coverage (95 ± 1 %).

const REPEATS = 2000;

interface Repeats {
  rejections: number;
  diffs: number[];
  intervals: [number, number][];
}

function repeat(settings: SimulationSettings, repeats: number, seed: number): Repeats {
  const rng = new Rng(seed);
  const out: Repeats = { rejections: 0, diffs: [], intervals: [] };
  for (let r = 0; r < repeats; r++) {
    const sim = simulateComparison(rng, settings);
    const result = compareSeededRuns(sim.a, sim.b, sim.dialogues, 'hit');
    if (result.p < 0.05) out.rejections++;
    out.diffs.push(result.diff);
    out.intervals.push(result.ci95);
  }
  return out;
}

/** Smallest k with P(X ≤ k) ≥ q for X ~ Binomial(n, p). */
function binomialQuantile(n: number, p: number, q: number): number {
  let logPmf = n * Math.log1p(-p);
  let cdf = 0;
  for (let k = 0; k <= n; k++) {
    cdf += Math.exp(logPmf);
    if (cdf >= q) return k;
    logPmf += Math.log((n - k) / (k + 1)) + Math.log(p) - Math.log1p(-p);
  }
  return n;
}

function acceptedRange(repeats: number, rate: number, slack: number): [number, number] {
  return [binomialQuantile(repeats, rate - slack, 0.0005), binomialQuantile(repeats, rate + slack, 0.9995)];
}

function assertRate(count: number, repeats: number, rate: number, what: string): void {
  const [lo, hi] = acceptedRange(repeats, rate, 0.01);
  const shown = `${what}: ${count} of ${repeats} (${((100 * count) / repeats).toFixed(2)} %), accepted ${lo}-${hi}`;
  console.log(shown);
  assert.ok(count >= lo && count <= hi, shown);
}

test(`calibrated with 5 seeds on INSPIRED-like runs: p < 0.05 in about 5 % of ${REPEATS} null repeats`, () => {
  const { rejections } = repeat(INSPIRED_LIKE, REPEATS, 1);
  assertRate(rejections, REPEATS, 0.05, 'INSPIRED-like, 5 seeds, no true difference: p < 0.05');
});

test(`calibrated with 3 seeds when the seed variance dominates (t with few degrees of freedom)`, () => {
  const { rejections } = repeat(THREE_SEEDS, REPEATS, 2);
  assertRate(rejections, REPEATS, 0.05, '3 seeds, seed-dominated, no true difference: p < 0.05');
});

test('a true shift: detected in at least 80 % of repeats, and the 95 % interval covers the true difference', () => {
  const repeats = 1000;
  const shifted = repeat({ ...INSPIRED_LIKE, shift: 0.35 }, repeats, 3);
  // The true difference, from the repeats themselves (its Monte Carlo error is ~0.1 point, far below the width).
  const truth = shifted.diffs.reduce((a, b) => a + b, 0) / repeats;
  const covered = shifted.intervals.filter(([lo, hi]) => lo <= truth && truth <= hi).length;
  console.log(`true difference ${(100 * truth).toFixed(2)} points`);
  assertRate(covered, repeats, 0.95, 'INSPIRED-like, shift 0.35: the 95 % interval covers the truth');
  const power = shifted.rejections / repeats;
  console.log(
    `shift 0.35 (${(100 * truth).toFixed(2)} points): p < 0.05 in ${(100 * power).toFixed(1)} % of repeats`,
  );
  assert.ok(power >= 0.8, `power ${power}`);
});

test('the old fixed-models test (seed-averaged pairs, sign flips) is not calibrated when seeds differ', () => {
  const rng = new Rng(4);
  const repeats = 300;
  let rejections = 0;
  const seedMean = (runs: Float64Array[]) =>
    Float64Array.from(runs[0]!, (_, i) => runs.reduce((sum, run) => sum + run[i]!, 0) / runs.length);
  for (let r = 0; r < repeats; r++) {
    const sim = simulateComparison(rng, THREE_SEEDS);
    const old = pairedSignificance(seedMean(sim.a), seedMean(sim.b), 'hit', { resamples: 500, seed: r });
    if (old.permutation.pValue < 0.05) rejections++;
  }
  console.log(`fixed-models test on the 3-seed null: p < 0.05 in ${rejections} of ${repeats}`);
  assert.ok(rejections / repeats > 0.15, `${rejections} of ${repeats}`);
});
