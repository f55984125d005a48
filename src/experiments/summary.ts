import { aggregateRuns } from '../eval/index.js';
import type { Artifact } from '../pipeline/artifact-store.js';
import type { SeedRun } from '../pipeline/seed-task.js';
import type { TrainValue } from '../pipeline/train-stages.js';
import type { LineChart, NumberFormat, TableCell } from '../report/schema.js';

/** The splits an experiment reports: valid, on which settings are chosen, and test, kept for the final runs. */
export type EvalSplit = 'valid' | 'test';

/**
 * The splits a sweep's tables show: valid only, since a setting is chosen from what a sweep shows; test is
 * added after it for the record when asked (`crsaug experiment --show-test`). Charts always show valid.
 */
export function shownSplits(env: { showTest?: boolean }): EvalSplit[] {
  return env.showTest ? ['valid', 'test'] : ['valid'];
}

/** The sentence each experiment's description ends with: which split its numbers are on and why. */
export function splitNote(splits: readonly EvalSplit[]): string {
  const valid =
    'Recall: mean ± sample std over seeds of the selected epochs on the valid split, where settings are chosen';
  return splits.includes('test')
    ? `${valid}; the test columns after them are for the record only (--show-test); charts show valid.`
    : `${valid}; test is left to the final runs (--show-test adds it for the record).`;
}

/** The split every experiment chart plots. */
export const CHART_SPLIT: EvalSplit = 'valid';

/** `recall@50` → `R@50`. */
export function shortMetricLabel(metric: string): string {
  return metric.replace('recall', 'R');
}

/** A chart axis label naming the split it plots, e.g. `valid R@50`. */
export function chartLabel(metric: string): string {
  return `${CHART_SPLIT} ${shortMetricLabel(metric)}`;
}

/** Mean ± sample std over seeds of one metric of the selected epochs on a split, as a report table cell. */
export function meanStd(
  runs: readonly SeedRun[],
  metric: string,
  split: EvalSplit,
): { mean: number; std: number } {
  const s = aggregateRuns(runs.map((r) => r[split]))[metric]!;
  return { mean: s.mean, std: s.std };
}

/**
 * A table column that is repeated for every shown split: its label puts the split between `of` and `name`
 * (`stage 2 valid R@50`), its cell is the row's value on that split.
 */
export interface SplitColumn<Row> {
  of?: string;
  name: string;
  format: NumberFormat;
  cell(row: Row, split: EvalSplit): TableCell;
}

/** The trained models of one table row by role, e.g. `{ baseline, stage2 }`. */
export type TrainedModels<Role extends string> = Record<Role, Artifact<TrainValue>>;

/** Recall columns (one per metric) of the row's model (`trainedOf`), for the selected epochs. */
export function recallColumns<Row>(
  metrics: readonly string[],
  trainedOf: (row: Row) => Artifact<TrainValue>,
  of?: string,
): SplitColumn<Row>[] {
  return metrics.map((metric) => ({
    of,
    name: shortMetricLabel(metric),
    format: 'percent',
    cell: (row, split) => meanStd(trainedOf(row).value.runs, metric, split),
  }));
}

/**
 * An experiment's split columns laid out split by split: every column on valid, then (with `--show-test`)
 * every column again on test, so a table always reads valid first and test is never mixed in between.
 */
export class SplitColumns<Row> {
  constructor(
    private readonly splits: readonly EvalSplit[],
    private readonly columns: readonly SplitColumn<Row>[],
  ) {}

  header(): { label: string; format: NumberFormat }[] {
    return this.splits.flatMap((split) =>
      this.columns.map((c) => ({ label: [c.of, split, c.name].filter(Boolean).join(' '), format: c.format })),
    );
  }

  cells(row: Row): TableCell[] {
    return this.splits.flatMap((split) => this.columns.map((c) => c.cell(row, split)));
  }
}

/** Mean training seconds per seed. */
export function trainSeconds(trained: Artifact<TrainValue>): number {
  const runs = trained.value.runs;
  return runs.reduce((s, r) => s + r.trainSeconds, 0) / runs.length;
}

/** A bar of a chart: a metric's mean on the chart split, with the seed std as its error bar. */
export function bar(trained: Artifact<TrainValue>, metric: string): { y: number; err: number } {
  const { mean, std } = meanStd(trained.value.runs, metric, CHART_SPLIT);
  return { y: mean, err: std };
}

/**
 * The line chart of a sweep: one series per model, a point of `metric` (mean on the chart split, seed std as
 * its error bar) at each swept value, series in first-seen order.
 */
export class SweepLines {
  private readonly lines = new Map<string, LineChart['series'][number]['points']>();

  constructor(private readonly metric: string) {}

  add(name: string, x: number, trained: Artifact<TrainValue>): void {
    this.lines.set(name, [...(this.lines.get(name) ?? []), { x, ...bar(trained, this.metric) }]);
  }

  chart(xLabel: string, xFormat: NumberFormat, markers: LineChart['markers'] = []): LineChart {
    return {
      kind: 'line',
      xLabel,
      yLabel: chartLabel(this.metric),
      xFormat,
      yFormat: 'percent',
      series: [...this.lines].map(([name, points]) => ({ name, points })),
      markers,
    };
  }
}
