import { CrsaugError } from '../util/errors.js';
import type { Metrics } from './metrics.js';

/** One metric over several runs (seeds): mean and the sample standard deviation (n − 1 denominator; 0 for one run). */
export interface MetricSummary {
  mean: number;
  std: number;
  n: number;
}

export type MetricsSummary = Record<string, MetricSummary>;

/** Mean ± sample std of every metric over runs; every run must report the same keys. */
export function aggregateRuns(runs: readonly Metrics[]): MetricsSummary {
  if (runs.length === 0) throw new CrsaugError('no runs to aggregate');
  const out: MetricsSummary = {};
  for (const key of Object.keys(runs[0]!)) {
    const values = runs.map((run, i) => {
      const value = run[key];
      if (value === undefined) throw new CrsaugError(`run ${i} has no metric "${key}"`);
      return value;
    });
    out[key] = summarize(values);
  }
  return out;
}

export function summarize(values: readonly number[]): MetricSummary {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const squares = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: n > 1 ? Math.sqrt(squares / (n - 1)) : 0, n };
}

/** The means alone, keyed like a single run's metrics. */
export function meansOf(summary: MetricsSummary): Metrics {
  return Object.fromEntries(Object.entries(summary).map(([key, s]) => [key, s.mean]));
}

/** The sample standard deviations alone, keyed like a single run's metrics. */
export function stdsOf(summary: MetricsSummary): Metrics {
  return Object.fromEntries(Object.entries(summary).map(([key, s]) => [key, s.std]));
}
