// Section 5: how often each way of comparing two multi-seed runs says "p < 0.05" when there is no true
// difference (simulated runs, src/eval/simulated-runs.ts): the seed-aware test crsaug uses, the fixed-models
// sign-flip test it replaced, and the naive two-level bootstrap (seeds and dialogues resampled at once).
import { compareSeededRuns } from '../../src/eval/seed-significance.js';
import { pairedSignificance } from '../../src/eval/significance.js';
import {
  CHURN_ONLY,
  INSPIRED_LIKE,
  REDIAL_LIKE,
  type SimulatedComparison,
  type SimulationSettings,
  simulateComparison,
  THREE_SEEDS,
} from '../../src/eval/simulated-runs.js';
import { Rng } from '../../src/util/rng.js';
import { table } from '../report.js';

const REGIMES: [string, SimulationSettings, number][] = [
  ['INSPIRED-like, 5 seeds', INSPIRED_LIKE, 4000],
  ['3 seeds, seed effect dominates', THREE_SEEDS, 4000],
  ['5 seeds, churn only (no seed effect)', CHURN_ONLY, 4000],
  ['ReDial-like, 5 seeds', REDIAL_LIKE, 1000],
];
/** The two resampling tests are slow (a resampling loop per repeat): fewer repeats, 400 resamples. */
const RESAMPLED_REPEATS = 400;
const RESAMPLES = 400;

export async function seedSignificance(): Promise<string> {
  const rows = REGIMES.map(([name, settings, repeats]) => {
    const rng = new Rng(2025);
    const counts = { seedAware: 0, fixed: 0, naive: 0 };
    for (let r = 0; r < repeats; r++) {
      const sim = simulateComparison(rng, settings);
      if (compareSeededRuns(sim.a, sim.b, sim.dialogues, 'hit').p < 0.05) counts.seedAware++;
      if (r >= RESAMPLED_REPEATS) continue;
      const fixed = pairedSignificance(seedMean(sim.a), seedMean(sim.b), 'hit', {
        resamples: RESAMPLES,
        seed: r,
      });
      if (fixed.permutation.pValue < 0.05) counts.fixed++;
      if (naiveTwoLevelBootstrapP(sim, RESAMPLES, rng) < 0.05) counts.naive++;
    }
    const rate = (count: number, n: number) => `${((100 * count) / n).toFixed(1)} % (${count}/${n})`;
    const pairs = simulateComparison(new Rng(0), settings).dialogues.length;
    return [
      name,
      `${settings.dialogues} / ~${pairs}`,
      rate(counts.seedAware, repeats),
      rate(counts.fixed, RESAMPLED_REPEATS),
      rate(counts.naive, RESAMPLED_REPEATS),
    ];
  });
  return [
    'Share of repeats with p < 0.05 when A and B are the same procedure (nominal 5 %); simulated binary hits with',
    'dialogue clusters, per-dialogue A/B differences that average to zero, seed effects and seed × pair churn',
    '(`src/eval/simulated-runs.ts`, settings named there).',
    '',
    table(
      [
        'regime',
        'dialogues / pairs',
        'seed-aware (crsaug)',
        'fixed models, sign flips (old)',
        'naive two-level bootstrap',
      ],
      rows,
    ),
  ].join('\n');
}

function seedMean(runs: Float64Array[]): Float64Array {
  return Float64Array.from(runs[0]!, (_, i) => runs.reduce((sum, run) => sum + run[i]!, 0) / runs.length);
}

/**
 * The scheme crsaug does not use: per resample, draw dialogues with replacement (the same for A and B) and each
 * side's seeds with replacement, and take the difference of means; p = share of |δ* − δ| ≥ |δ|.
 */
function naiveTwoLevelBootstrapP(sim: SimulatedComparison, resamples: number, rng: Rng): number {
  const clusters = sim.dialogues[sim.dialogues.length - 1]! + 1;
  const totals = (runs: Float64Array[]) =>
    runs.map((run) => {
      const t = new Float64Array(clusters);
      run.forEach((v, i) => {
        t[sim.dialogues[i]!]! += v;
      });
      return t;
    });
  const a = totals(sim.a);
  const b = totals(sim.b);
  const sizes = new Float64Array(clusters);
  for (const c of sim.dialogues) sizes[c]!++;
  const mean = (t: Float64Array[]) => t.reduce((s, x) => s + x.reduce((u, v) => u + v, 0), 0) / t.length;
  const observed = (mean(b) - mean(a)) / sim.dialogues.length;
  const weights = new Float64Array(clusters);
  let extreme = 0;
  for (let r = 0; r < resamples; r++) {
    weights.fill(0);
    for (let k = 0; k < clusters; k++) weights[rng.int(clusters)]!++;
    const seedsA = a.map(() => a[rng.int(a.length)]!);
    const seedsB = b.map(() => b[rng.int(b.length)]!);
    let sum = 0;
    let pairs = 0;
    for (let c = 0; c < clusters; c++) {
      if (weights[c] === 0) continue;
      let d = 0;
      for (const t of seedsB) d += t[c]! / seedsB.length;
      for (const t of seedsA) d -= t[c]! / seedsA.length;
      sum += weights[c]! * d;
      pairs += weights[c]! * sizes[c]!;
    }
    if (Math.abs(sum / pairs - observed) >= Math.abs(observed)) extreme++;
  }
  return (1 + extreme) / (1 + resamples);
}
