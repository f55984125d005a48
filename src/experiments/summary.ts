import { aggregateRuns } from '../eval/index.js';
import { PAPER_METRICS } from '../eval/metric-table.js';
import type { Artifact } from '../pipeline/artifact-store.js';
import type { SeedRun, TrainValue } from '../pipeline/train-stages.js';

export const RECALLS = PAPER_METRICS;

/** Mean ± sample std over seeds of one metric (test by default), as a report table cell. */
export function meanStd(
  runs: readonly SeedRun[],
  metric: string,
  split: 'test' | 'valid' = 'test',
): { mean: number; std: number } {
  const s = aggregateRuns(runs.map((r) => r[split]))[metric]!;
  return { mean: s.mean, std: s.std };
}

/**
 * Valid R@10 and R@50 of the selected epochs: what a sweep's setting is chosen on (the trainer selects
 * epochs on valid too), so test stays a held-out report.
 */
export function validCells(trained: Artifact<TrainValue>): { mean: number; std: number }[] {
  return VALID_RECALLS.map((metric) => meanStd(trained.value.runs, metric, 'valid'));
}

const VALID_RECALLS = ['recall@10', 'recall@50'] as const;

export const VALID_COLUMNS = VALID_RECALLS.map((metric) => ({
  label: `valid ${metric.replace('recall', 'R')}`,
  format: 'percent' as const,
}));

export function recallCells(trained: Artifact<TrainValue>): { mean: number; std: number }[] {
  return RECALLS.map((metric) => meanStd(trained.value.runs, metric));
}

export const RECALL_COLUMNS = RECALLS.map((metric) => ({
  label: metric.replace('recall', 'R'),
  format: 'percent' as const,
}));

/** Mean training seconds per seed. */
export function trainSeconds(trained: Artifact<TrainValue>): number {
  const runs = trained.value.runs;
  return runs.reduce((s, r) => s + r.trainSeconds, 0) / runs.length;
}

/** A line-chart point of a metric: mean with the seed std as its error bar. */
export function point(x: number, trained: Artifact<TrainValue>, metric: string) {
  const { mean, std } = meanStd(trained.value.runs, metric);
  return { x, y: mean, err: std };
}

type LinePoint = { x: number; y: number; err: number };

/** Line-chart series filled point by point as a sweep runs, kept in first-seen order. */
export class LineSeries {
  private readonly lines = new Map<string, LinePoint[]>();

  add(name: string, p: LinePoint): void {
    this.lines.set(name, [...(this.lines.get(name) ?? []), p]);
  }

  series(): { name: string; points: LinePoint[] }[] {
    return [...this.lines].map(([name, points]) => ({ name, points }));
  }
}
