import { PRIMARY_METRIC, RANK_METRICS } from '../../eval/metric-table.js';
import {
  formatMeanStd,
  formatPercent,
  formatPStatement,
  formatPValue,
  formatValue,
  metricFormat,
  metricHeader,
  metricLabel,
} from '../format.js';
import { type Html, html } from '../html.js';
import type { Comparison, ResultRow, Results } from '../schema.js';
import { barChartSvg } from '../svg/bar-chart.js';
import type { Section } from './section.js';

/** Display names of the training modes the pipeline runs; other modes show as written. */
export const MODE_LABELS: Record<string, string> = {
  baseline: 'Baseline (real labels)',
  popularity: 'Popularity',
  random: 'Random',
  stage1: 'Stage 1 only (synthetic labels)',
  mixed: 'Mixed (real + synthetic)',
  'stage2-noKL': 'Two-stage, α = 0',
  'stage2-prior': 'Two-stage, real-label item prior',
  stage2: 'Two-stage (the paper)',
};

export function modeLabel(row: Pick<ResultRow, 'mode' | 'label'>): string {
  return row.label ?? MODE_LABELS[row.mode] ?? row.mode;
}

/**
 * Metric columns: the declared ones, else the recall/NDCG/MRR keys without a variant prefix (the protocol the
 * paper reports), by family then k; a run with none of those shows all its metrics. The rest stay in report.json.
 */
export function resultMetrics(results: Results): string[] {
  if (results.metrics) return results.metrics;
  const all = [...new Set(results.rows.flatMap((r) => Object.keys(r.mean)))];
  const family = (m: string) => (RANK_METRICS as string[]).indexOf(m.split('@')[0]!);
  const paper = all.filter((m) => family(m) !== -1);
  const k = (m: string) => Number(m.split('@')[1]);
  return paper.length > 0 ? paper.sort((a, b) => family(a) - family(b) || k(a) - k(b)) : all.sort();
}

export function primaryMetric(results: Results, metrics: string[]): string | undefined {
  return results.primaryMetric ?? (metrics.includes(PRIMARY_METRIC) ? PRIMARY_METRIC : metrics[0]);
}

function groupByModel(rows: ResultRow[]): Map<string, ResultRow[]> {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) groups.set(row.model, [...(groups.get(row.model) ?? []), row]);
  return groups;
}

function significance(p: number | undefined): string {
  if (p === undefined) return '';
  return p < 0.01 ? '**' : p < 0.05 ? '*' : '';
}

/** The row's comparison with its model's baseline on a metric, if the run made one. */
function baselineComparison(results: Results, row: ResultRow, metric: string): Comparison | undefined {
  return results.comparisons.find(
    (c) => c.model === row.model && c.mode === row.mode && c.against === 'baseline' && c.metric === metric,
  );
}

/** A signed difference in the metric's display units: points for rates. */
function formatDifference(diff: number, metric: string): string {
  const sign = diff >= 0 ? '+' : '−';
  const format = metricFormat(metric);
  return `${sign}${format === 'percent' ? formatPercent(Math.abs(diff)) : formatValue(Math.abs(diff), format)}`;
}

/** mean ± std, relative change against the model's baseline, and the marks of the (adjusted) p. */
function metricCell(
  row: ResultRow,
  metric: string,
  baseline: ResultRow | undefined,
  best: boolean,
  comparison: Comparison | undefined,
): Html {
  const mean = row.mean[metric];
  if (mean === undefined) return html`<td class="num unknown" title="not measured">—</td>`;
  const format = metricFormat(metric);
  const p = comparison?.pAdjusted;
  const base = baseline && baseline !== row ? baseline.mean[metric] : undefined;
  const change = base ? (mean - base) / base : undefined;
  const delta =
    change === undefined
      ? ''
      : html`<span class="delta ${change >= 0 ? 'up' : 'down'}">${change >= 0 ? '+' : '−'}${(Math.abs(change) * 100).toFixed(1)}% vs baseline</span>`;
  const title = comparison
    ? `difference ${formatDifference(comparison.diff, metric)} [${formatDifference(comparison.ci95[0], metric)}, ${formatDifference(comparison.ci95[1], metric)}], adjusted ${formatPStatement(comparison.pAdjusted)}`
    : undefined;
  return html`<td class="num${best ? ' best' : ''}"${title ? html` title="${title}"` : ''}><span class="value">${formatMeanStd(mean, row.std[metric] ?? 0, format)}</span>${significance(p) ? html`<sup class="sig">${significance(p)}</sup>` : ''}${delta}</td>`;
}

function mainTable(results: Results, metrics: string[]): Html {
  const groups = groupByModel(results.rows);
  const body = [...groups].map(([model, rows]) => {
    const baseline = rows.find((r) => r.mode === 'baseline');
    const bestMean = Object.fromEntries(
      metrics.map((m) => [m, Math.max(...rows.map((r) => r.mean[m] ?? -Infinity))]),
    );
    return rows.map(
      (row, i) =>
        html`<tr class="${i === 0 ? 'group-start' : ''}">${i === 0 ? html`<th scope="rowgroup" rowspan="${rows.length}">${model}</th>` : ''}<td>${modeLabel(row)}</td><td class="num">${row.seeds.length}</td>${metrics.map((m) => metricCell(row, m, baseline, rows.length > 1 && row.mean[m] === bestMean[m], baselineComparison(results, row, m)))}</tr>`,
    );
  });
  return html`<div class="table-wrap"><table class="data results"><caption>Mean ± sample standard deviation over seeds on the ${results.split} split. Bold: best per model.</caption><thead><tr><th scope="col">Model</th><th scope="col">Training</th><th scope="col" class="num">Seeds</th>${metrics.map((m) => html`<th scope="col" class="num">${metricHeader(m)}</th>`)}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function significanceNote(results: Results): Html | string {
  if (results.comparisons.length === 0) return '';
  return html`<p class="muted small"><sup>*</sup> p &lt; 0.05, <sup>**</sup> p &lt; 0.01 (adjusted p) against the same model's baseline; the comparisons below give each difference, its 95 % interval and the test. Hover a cell for them.</p>`;
}

/** Every comparison: difference, 95 % interval, p and adjusted p, with the tests named under it. */
function comparisonsTable(results: Results): Html | string {
  if (results.comparisons.length === 0) return '';
  const methods = [...new Set(results.comparisons.map((c) => c.method))];
  const rows = results.comparisons.map((c) => {
    const mode = results.rows.find((r) => r.model === c.model && r.mode === c.mode);
    const against = results.rows.find((r) => r.model === c.model && r.mode === c.against);
    const seeds = c.seeds ? `${c.seeds.mode} vs ${c.seeds.against}` : '';
    return html`<tr><td>${c.model}</td><td>${mode ? modeLabel(mode) : c.mode}</td><td>${against ? modeLabel(against) : c.against}</td><td>${metricLabel(c.metric)}</td><td class="num">${formatDifference(c.diff, c.metric)}</td><td class="num">${formatDifference(c.ci95[0], c.metric)} … ${formatDifference(c.ci95[1], c.metric)}</td><td class="num">${formatPValue(c.p)}</td><td class="num">${formatPValue(c.pAdjusted)}</td><td class="num">${seeds}</td></tr>`;
  });
  return html`<div class="table-wrap"><table class="data compact comparisons"><caption>Each mode against its model's baseline: difference (mode − baseline; percentage points for rates), 95 % interval and two-sided p; adjusted p: over the modes compared with the same baseline, per metric. Test: ${methods.join('; ')}.</caption><thead><tr><th scope="col">Model</th><th scope="col">Training</th><th scope="col">Against</th><th scope="col">Metric</th><th scope="col" class="num">Difference</th><th scope="col" class="num">95 % interval</th><th scope="col" class="num">p</th><th scope="col" class="num">Adjusted p</th><th scope="col" class="num">Seeds</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function perSeedTable(results: Results, metrics: string[]): Html {
  return html`<details class="seeds"><summary>Per-seed values (${results.rows.reduce((n, r) => n + r.seeds.length, 0)} runs)</summary><div class="table-wrap"><table class="data compact"><thead><tr><th scope="col">Model</th><th scope="col">Training</th><th scope="col" class="num">Seed</th>${metrics.map((m) => html`<th scope="col" class="num">${metricHeader(m)}</th>`)}</tr></thead><tbody>${results.rows.flatMap(
    (row) =>
      row.seeds.map(
        (s) =>
          html`<tr><td>${row.model}</td><td>${modeLabel(row)}</td><td class="num">${s.seed}</td>${metrics.map(
            (m) =>
              s.metrics[m] === undefined
                ? html`<td class="num unknown">—</td>`
                : html`<td class="num">${formatValue(s.metrics[m], metricFormat(m))}</td>`,
          )}</tr>`,
      ),
  )}</tbody></table></div></details>`;
}

/**
 * The metrics charted: the primary one, then R@1 and R@50 (the paper's cut-offs beside it), when measured.
 * Each chart's id: the primary's stays `chart-main`.
 */
function chartedMetrics(results: Results, metrics: readonly string[], primary: string): string[] {
  const measured = new Set(results.rows.flatMap((r) => Object.keys(r.mean)));
  return [primary, ...CHARTED_BESIDE.filter((m) => m !== primary && measured.has(m) && metrics.includes(m))];
}

const CHARTED_BESIDE = ['recall@1', 'recall@50'];

/** The main comparison as grouped bars: one group per model, one bar per training mode. */
function mainChart(results: Results, metric: string, id: string): Html {
  const models = [...groupByModel(results.rows).keys()];
  const modes = [...new Set(results.rows.map((r) => r.mode))];
  const series = modes.map((mode) => {
    const rows = results.rows.filter((r) => r.mode === mode);
    return {
      name: modeLabel(rows[0]),
      values: models.map((model) => {
        const row = rows.find((r) => r.model === model);
        const mean = row?.mean[metric];
        return row && mean !== undefined ? { y: mean, err: row.std[metric] } : null;
      }),
    };
  });
  const title = `${metricLabel(metric)} by model and training mode`;
  return html`<figure>${barChartSvg(id, title, {
    kind: 'bar',
    xLabel: 'model',
    yLabel: metricLabel(metric),
    yFormat: metricFormat(metric),
    categories: models,
    series,
  })}<figcaption>${title}, mean ± std over seeds (${results.split} split).</figcaption></figure>`;
}

export function resultsSection(results: Results): Section {
  const metrics = resultMetrics(results);
  const primary = primaryMetric(results, metrics);
  return {
    id: 'results',
    title: 'Main results',
    body: html`${mainTable(results, metrics)}${significanceNote(results)}${comparisonsTable(results)}${
      primary
        ? chartedMetrics(results, metrics, primary).map((m, i) =>
            mainChart(results, m, i === 0 ? 'chart-main' : `chart-${m.replace('@', '-')}`),
          )
        : ''
    }${perSeedTable(results, metrics)}`,
  };
}
