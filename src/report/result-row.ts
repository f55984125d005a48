import { aggregateRuns } from '../eval/aggregate.js';
import type { Metrics } from '../eval/metrics.js';
import type { ResultRow } from './schema.js';

/**
 * A results row from per-seed metrics, aggregated by the same code evaluation uses (mean ± sample std), so the
 * report's mean always agrees with its seeds.
 */
export function resultRow(
  model: string,
  mode: string,
  seeds: readonly { seed: number; metrics: Metrics }[],
  extra: { label?: string } = {},
): ResultRow {
  const summary = aggregateRuns(seeds.map((s) => s.metrics));
  const pick = (key: 'mean' | 'std') =>
    Object.fromEntries(Object.entries(summary).map(([m, s]) => [m, s[key]]));
  return {
    model,
    mode,
    ...extra,
    seeds: seeds.map((s) => ({ seed: s.seed, metrics: { ...s.metrics } })),
    mean: pick('mean'),
    std: pick('std'),
  };
}
