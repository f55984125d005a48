import { PRIMARY_METRIC, RANK_METRICS } from '../../eval/metric-table.js';
import {
  formatMeanStd,
  formatPValue,
  formatValue,
  metricFormat,
  metricHeader,
  metricLabel,
} from '../format.js';
import { type Html, html } from '../html.js';
import type { ResultRow, Results } from '../schema.js';
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

/** mean ± std, relative change against the model's baseline, and the significance marks. */
function metricCell(row: ResultRow, metric: string, baseline: ResultRow | undefined, best: boolean): Html {
  const mean = row.mean[metric];
  if (mean === undefined) return html`<td class="num unknown" title="not measured">—</td>`;
  const format = metricFormat(metric);
  const p = row.pValues?.[metric];
  const base = baseline && baseline !== row ? baseline.mean[metric] : undefined;
  const change = base ? (mean - base) / base : undefined;
  const delta =
    change === undefined
      ? ''
      : html`<span class="delta ${change >= 0 ? 'up' : 'down'}">${change >= 0 ? '+' : '−'}${(Math.abs(change) * 100).toFixed(1)}% vs baseline</span>`;
  const title = p === undefined ? undefined : `p = ${formatPValue(p)}`;
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
        html`<tr class="${i === 0 ? 'group-start' : ''}">${i === 0 ? html`<th scope="rowgroup" rowspan="${rows.length}">${model}</th>` : ''}<td>${modeLabel(row)}</td><td class="num">${row.seeds.length}</td>${metrics.map((m) => metricCell(row, m, baseline, rows.length > 1 && row.mean[m] === bestMean[m]))}</tr>`,
    );
  });
  return html`<div class="table-wrap"><table class="data results"><caption>Mean ± sample standard deviation over seeds on the ${results.split} split. Bold: best per model.</caption><thead><tr><th scope="col">Model</th><th scope="col">Training</th><th scope="col" class="num">Seeds</th>${metrics.map((m) => html`<th scope="col" class="num">${metricHeader(m)}</th>`)}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function significanceNote(results: Results): Html | string {
  if (!results.rows.some((r) => r.pValues)) return '';
  return html`<p class="muted small"><sup>*</sup> p &lt; 0.05, <sup>**</sup> p &lt; 0.01 against the same model's baseline (${results.significanceTest ?? 'test not stated'}); hover a cell for its p-value.</p>`;
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

/** The main comparison as grouped bars: one group per model, one bar per training mode. */
function mainChart(results: Results, metric: string): Html {
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
  return html`<figure>${barChartSvg('chart-main', title, {
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
    body: html`${mainTable(results, metrics)}${significanceNote(results)}${primary ? mainChart(results, primary) : ''}${perSeedTable(results, metrics)}`,
  };
}
