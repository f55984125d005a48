import type { MetricsSummary } from './aggregate.js';
import type { LongTailReport } from './long-tail.js';
import type { Metrics } from './metrics.js';
import { UNFILTERED_PREFIX } from './protocol.js';
import type { SignificanceResult } from './significance.js';

/** Table rows: the metric family and whether it is a share (printed in %) or a count/entropy. */
const ROWS: { label: string; prefix: string; percent: boolean }[] = [
  { label: 'recall', prefix: 'recall', percent: true },
  { label: 'ndcg', prefix: 'ndcg', percent: true },
  { label: 'mrr', prefix: 'mrr', percent: true },
  { label: 'coverage', prefix: 'coverage', percent: false },
  { label: 'entropy', prefix: 'entropy', percent: false },
  { label: 'unfiltered recall', prefix: `${UNFILTERED_PREFIX}recall`, percent: true },
  { label: 'unfiltered ndcg', prefix: `${UNFILTERED_PREFIX}ndcg`, percent: true },
  { label: 'unfiltered mrr', prefix: `${UNFILTERED_PREFIX}mrr`, percent: true },
];

/** A metrics table (rows = metrics, columns = k); recall/NDCG/MRR in %, coverage in items, entropy in bits. */
export function formatMetricsTable(metrics: Metrics, ks: readonly number[]): string {
  return metricsTable(
    ks,
    (key, percent) => (key in metrics ? formatValue(metrics[key]!, percent) : undefined),
    [`pairs ${metrics.pairs}, unfiltered pairs ${metrics[`${UNFILTERED_PREFIX}pairs`]}`],
  );
}

/** The same table with `mean ± std` cells (sample std over runs); plain values for a single run. */
export function formatSummaryTable(summary: MetricsSummary, ks: readonly number[]): string {
  const runs = summary.pairs?.n ?? 0;
  return metricsTable(
    ks,
    (key, percent) => {
      const s = summary[key];
      if (!s) return undefined;
      return s.n > 1
        ? `${formatValue(s.mean, percent)} ± ${formatValue(s.std, percent)}`
        : formatValue(s.mean, percent);
    },
    [`pairs ${summary.pairs?.mean}, ${runs > 1 ? `${runs} runs (mean ± sample std)` : 'one run'}`],
  );
}

export function formatSignificance(result: SignificanceResult): string {
  const pct = (v: number) => `${(100 * v).toFixed(2)}`;
  return [
    `paired tests on ${result.metric} over ${result.pairs} pairs (seed ${result.seed}):`,
    `  A ${pct(result.meanA)}  B ${pct(result.meanB)}  B−A ${pct(result.difference)} (95% bootstrap CI ${pct(result.bootstrap.ci95[0])} … ${pct(result.bootstrap.ci95[1])})`,
    `  permutation p = ${result.permutation.pValue.toPrecision(4)} (${result.permutation.resamples} sign flips)`,
    `  bootstrap   p = ${result.bootstrap.pValue.toPrecision(4)} (${result.bootstrap.resamples} resamples)`,
  ].join('\n');
}

export function formatLongTail(report: LongTailReport): string {
  const lines = [`long tail (${report.rule}; labels counted on ${report.labelSplit}):`];
  const header = ['bucket', 'items', 'train labels', 'pairs', ...report.ks.map((k) => `recall@${k}`)];
  const rows = report.buckets.map((b) => [
    b.name,
    String(b.items),
    String(b.trainLabels),
    String(b.pairs),
    ...report.ks.map((k) => formatValue(b.recall[`recall@${k}`]!, true)),
  ]);
  lines.push(alignColumns([header, ...rows]));
  return lines.join('\n');
}

function metricsTable(
  ks: readonly number[],
  cell: (key: string, percent: boolean) => string | undefined,
  footer: string[],
): string {
  const rows = [['metric', ...ks.map((k) => `@${k}`)]];
  for (const row of ROWS) {
    const cells = ks.map((k) => cell(`${row.prefix}@${k}`, row.percent));
    if (cells.every((c) => c === undefined)) continue;
    rows.push([row.label + (row.percent ? ' %' : ''), ...cells.map((c) => c ?? '')]);
  }
  return [alignColumns(rows), ...footer].join('\n');
}

function formatValue(value: number, percent: boolean): string {
  if (percent) return (100 * value).toFixed(2);
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

function alignColumns(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows
    .map((r) =>
      r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '),
    )
    .join('\n');
}
