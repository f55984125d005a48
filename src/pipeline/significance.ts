import {
  compareSeededRuns,
  holmAdjust,
  pairValue,
  parseRankMetricKey,
  type SeedAwareComparison,
} from '../eval/index.js';
import type { Artifact } from './artifact-store.js';
import type { SeedRun } from './seed-task.js';

/**
 * One mode against the baseline of the same backbone on one metric (results.json → `comparisons`):
 * diff = mode − against in the metric's units (a fraction for recall), its 95 % interval, p and the Holm-adjusted
 * p over every mode compared with the same baseline on the same metric.
 */
export interface ModeComparison {
  model: string;
  mode: string;
  against: string;
  metric: string;
  diff: number;
  ci95: [number, number];
  p: number;
  pAdjusted: number;
  method: string;
  /** The metric's mean over seeds and pairs, of the mode and of the reference. */
  mean: { mode: number; against: number };
  seeds: { mode: number; against: number };
  se: number;
  /** Degrees of freedom of the t reference. */
  df: number;
  pairs: number;
  dialogues: number;
}

export const BASELINE = 'baseline';

export const HOLM_FAMILY = 'Holm-adjusted over the modes compared with the same baseline, per metric';

/**
 * Compares each mode's seeds with the `baseline` mode's seeds on every metric, from their pair ranks, pairs
 * clustered by `dialogues` (the dialogue of each pair, in pair-rank order), then Holm-adjusts per metric over
 * the modes. Ordered mode by mode, then metric by metric, as the summary table reads them.
 */
export function compareWithBaseline(
  model: string,
  runs: Record<string, readonly SeedRun[]>,
  metrics: readonly string[],
  dialogues: readonly string[],
): ModeComparison[] {
  const modes = Object.keys(runs).filter((mode) => mode !== BASELINE);
  const byMetric = metrics.map((metric) => {
    const { metric: name, k } = parseRankMetricKey(metric);
    const values = (mode: string) =>
      runs[mode]!.map((r) => Float64Array.from(r.pairRanks, (rank) => pairValue(name, k, rank)));
    return compareModesWithBaseline(model, modes, metric, dialogues, values);
  });
  return modes.flatMap((mode) => byMetric.flatMap((rows) => rows.filter((r) => r.mode === mode)));
}

/**
 * Each of `modes` against the `against` mode (the baseline) on one metric from per-seed values (`valuesOf(mode)[s][i]`: seed
 * s on row i, rows clustered by `dialogues`), Holm-adjusted over the modes. Judged metrics (rows are judged
 * contexts) and simulation (rows are simulated dialogues) use it as the pair metrics do.
 */
export function compareModesWithBaseline(
  model: string,
  modes: readonly string[],
  metric: string,
  dialogues: readonly string[],
  valuesOf: (mode: string) => readonly ArrayLike<number>[],
  against = BASELINE,
): ModeComparison[] {
  const reference = valuesOf(against);
  const results = modes.map((mode) => compareSeededRuns(reference, valuesOf(mode), dialogues, metric));
  const adjusted = holmAdjust(results.map((r) => r.p));
  return results.map((r, i) => comparisonOf(model, modes[i]!, r, adjusted[i]!, against));
}

/** The seed runs of each trained mode, as compareWithBaseline reads them. */
export function seedRunsOf(
  trained: Record<string, Artifact<{ runs: SeedRun[] }>>,
): Record<string, SeedRun[]> {
  return Object.fromEntries(Object.entries(trained).map(([mode, a]) => [mode, a.value.runs]));
}

function comparisonOf(
  model: string,
  mode: string,
  r: SeedAwareComparison,
  pAdjusted: number,
  against: string,
): ModeComparison {
  return {
    model,
    mode,
    against,
    metric: r.metric,
    diff: r.diff,
    ci95: r.ci95,
    p: r.p,
    pAdjusted,
    method: r.method,
    mean: { mode: r.meanB, against: r.meanA },
    seeds: { mode: r.seedsB, against: r.seedsA },
    se: r.se,
    df: r.df,
    pairs: r.pairs,
    dialogues: r.dialogues,
  };
}
