import { formatPStatement } from '../report/format.js';
import { formatTable, percentCell } from '../util/table.js';
import type { MetricsSummary } from './aggregate.js';
import type { LongTailReport } from './long-tail.js';
import { EXPOSURE_METRICS, METRICS, type MetricInfo, type MetricName, RANK_METRICS } from './metric-table.js';
import type { Metrics } from './metrics.js';
import { UNFILTERED_PREFIX } from './protocol.js';
import type { SeedAwareComparison } from './seed-significance.js';
import type { SignificanceResult } from './significance.js';

/** How a value of each format prints: shares in %, counts whole (a mean over runs to one decimal), numbers to three. */
const PRINT: Record<MetricInfo['format'], (value: number) => string> = {
  percent: percentCell,
  integer: (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)),
  number: (v) => v.toFixed(3),
};

/** Table rows: every metric evaluation computes, then the unfiltered variant of the rank metrics. */
const ROWS: { label: string; prefix: string; format: (value: number) => string }[] = [
  ...[...RANK_METRICS, ...EXPOSURE_METRICS].map((name) => row(name, '')),
  ...RANK_METRICS.map((name) => row(name, UNFILTERED_PREFIX)),
];

function row(name: MetricName, prefix: string) {
  const { format } = METRICS[name];
  const variant = prefix ? `${prefix.replace(/\.$/, '')} ` : '';
  return {
    label: `${variant}${name}${format === 'percent' ? ' %' : ''}`,
    prefix: `${prefix}${name}`,
    format: PRINT[format],
  };
}

/** A metrics table (rows = metrics, columns = k); recall/NDCG/MRR in %, coverage in items, entropy in bits. */
export function formatMetricsTable(metrics: Metrics, ks: readonly number[]): string {
  return metricsTable(ks, (key, format) => (key in metrics ? format(metrics[key]!) : undefined), [
    pairsLine(metrics.pairs, metrics[`${UNFILTERED_PREFIX}pairs`]),
  ]);
}

/** `pairs N, unfiltered pairs M`, leaving out what was not counted. */
function pairsLine(pairs: number | undefined, unfiltered: number | undefined): string {
  return [
    pairs === undefined ? 'pairs not counted' : `pairs ${pairs}`,
    ...(unfiltered === undefined ? [] : [`unfiltered pairs ${unfiltered}`]),
  ].join(', ');
}

/** The same table with `mean ± std` cells (sample std over runs); plain values for a single run. */
export function formatSummaryTable(summary: MetricsSummary, ks: readonly number[]): string {
  const runs = summary.pairs?.n ?? 0;
  return metricsTable(
    ks,
    (key, format) => {
      const s = summary[key];
      if (!s) return undefined;
      return s.n > 1 ? `${format(s.mean)} ± ${format(s.std)}` : format(s.mean);
    },
    [
      `${pairsLine(summary.pairs?.mean, undefined)}, ${runs > 1 ? `${runs} runs (mean ± sample std)` : 'one run'}`,
    ],
  );
}

/** The pairwise tests of two fixed models, labelled so: they count neither seed variance nor dialogue clusters. */
export function formatSignificance(result: SignificanceResult): string {
  return [
    `paired tests of fixed models on ${result.metric} over ${result.pairs} pairs (seed ${result.seed}):`,
    '  one run per side, pairs treated as independent: the seed variance is not counted (give one file per seed on each side for the seed-aware comparison)',
    `  A ${percentCell(result.meanA)}  B ${percentCell(result.meanB)}  B−A ${percentCell(result.difference)} (95% bootstrap CI ${percentCell(result.bootstrap.ci95[0])} … ${percentCell(result.bootstrap.ci95[1])})`,
    `  permutation ${formatPStatement(result.permutation.pValue)} (${result.permutation.resamples} sign flips)`,
    `  bootstrap   ${formatPStatement(result.bootstrap.pValue)} (${result.bootstrap.resamples} resamples)`,
  ].join('\n');
}

export function formatSeedAwareComparison(result: SeedAwareComparison): string {
  const { variance } = result;
  return [
    `seed-aware comparison on ${result.metric}: ${result.seedsA} runs of A vs ${result.seedsB} of B, ${result.pairs} pairs in ${result.dialogues} dialogues`,
    `  A ${percentCell(result.meanA)}  B ${percentCell(result.meanB)}  B−A ${percentCell(result.diff)} (95% CI ${percentCell(result.ci95[0])} … ${percentCell(result.ci95[1])})`,
    `  ${formatPStatement(result.p)} (t with ${result.df.toFixed(1)} df; standard error ${percentCell(result.se)}, variance from dialogues ${share(variance.dialogues, result.se)}, seeds of A ${share(variance.seedsA, result.se)}, seeds of B ${share(variance.seedsB, result.se)})`,
    `  test: ${result.method}`,
  ].join('\n');
}

function share(part: number, se: number): string {
  return se > 0 ? `${((100 * part) / (se * se)).toFixed(0)} %` : '0 %';
}

export function formatLongTail(report: LongTailReport): string {
  const lines = [`long tail (${report.rule}; labels counted on ${report.labelSplit}):`];
  const header = ['bucket', 'items', 'train labels', 'pairs', ...report.ks.map((k) => `recall@${k} %`)];
  const rows = report.buckets.map((b) => [
    b.name,
    String(b.items),
    String(b.trainLabels),
    String(b.pairs),
    ...report.ks.map((k) => percentCell(b.recall[`recall@${k}`]!)),
  ]);
  lines.push(formatTable(header, rows));
  return lines.join('\n');
}

function metricsTable(
  ks: readonly number[],
  cell: (key: string, format: (value: number) => string) => string | undefined,
  footer: string[],
): string {
  const rows: string[][] = [];
  for (const row of ROWS) {
    const cells = ks.map((k) => cell(`${row.prefix}@${k}`, row.format));
    if (cells.every((c) => c === undefined)) continue;
    rows.push([row.label, ...cells.map((c) => c ?? '')]);
  }
  return [formatTable(['metric', ...ks.map((k) => `@${k}`)], rows), ...footer].join('\n');
}
