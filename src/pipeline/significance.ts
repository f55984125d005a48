import { type Metrics, pairedSignificance, pairValue, parseRankMetricKey } from '../eval/index.js';
import type { SeedRun } from './train-stages.js';

/** Per-pair value of a metric averaged over seeds, so a multi-seed run is compared pair by pair. */
function seedAveragedValues(runs: readonly SeedRun[], metricKey: string): Float64Array {
  const { metric, k } = parseRankMetricKey(metricKey);
  const pairs = runs[0]!.pairRanks.length;
  const values = new Float64Array(pairs);
  for (const run of runs)
    for (let p = 0; p < pairs; p++) values[p]! += pairValue(metric, k, run.pairRanks[p]!);
  for (let p = 0; p < pairs; p++) values[p]! /= runs.length;
  return values;
}

export const SIGNIFICANCE_TEST =
  'paired permutation (sign-flip) test over (context, gold) pairs of the per-pair metric averaged over seeds, two-sided, 10,000 resamples';

/** p-values of `candidate` against `baseline` for each rank metric key. */
export function pValuesAgainst(
  baseline: readonly SeedRun[],
  candidate: readonly SeedRun[],
  metricKeys: readonly string[],
  seed: number,
): Metrics {
  const out: Metrics = {};
  for (const key of metricKeys) {
    const result = pairedSignificance(
      seedAveragedValues(baseline, key),
      seedAveragedValues(candidate, key),
      key,
      { seed },
    );
    out[key] = result.permutation.pValue;
  }
  return out;
}
