import {
  formatInteger,
  formatMoney,
  formatPercent,
  formatPStatement,
  formatSeconds,
  formatWithUnit,
  metricFormat,
  metricLabel,
} from '../format.js';
import { type Html, html } from '../html.js';
import type { ReportInput, StageCost } from '../schema.js';
import { modeLabel, primaryMetric, resultMetrics } from './results.js';

/** The numbers a reader looks for first: ours vs baseline per model on the primary metric, and the bill. */
export function headlineCards(input: ReportInput): Html {
  const metric = primaryMetric(input.results, resultMetrics(input.results));
  const cards: Html[] = [];
  if (metric) {
    const models = [...new Set(input.results.rows.map((r) => r.model))];
    for (const model of models) {
      const rows = input.results.rows.filter((r) => r.model === model);
      const baseline = rows.find((r) => r.mode === 'baseline');
      const ours = rows.find((r) => r.mode === 'stage2');
      const base = baseline?.mean[metric];
      const value = ours?.mean[metric];
      if (!ours || base === undefined || value === undefined) continue;
      const format = metricFormat(metric);
      const change =
        base === 0
          ? ''
          : ` (${value >= base ? '+' : '−'}${formatPercent(Math.abs(value - base) / base, 1)}% relative)`;
      cards.push(
        html`<div class="card"><div class="label">${model} · ${metricLabel(metric)}</div><div class="big">${formatWithUnit(base, format)} → ${formatWithUnit(value, format)}</div><div class="sub">${modeLabel(baseline!)} → ${modeLabel(ours)}${change}</div>${comparisonLine(input, model, metric)}</div>`,
      );
    }
  }
  cards.push(
    html`<div class="card"><div class="label">Run</div><div class="big">${formatSeconds(input.run.wallSeconds)}</div><div class="sub">${callsLine(input.cost)}</div></div>`,
  );
  return html`<div class="cards">${cards}</div>`;
}

/** The card's difference tested: adjusted p of the comparison the run made, and what it means. */
function comparisonLine(input: ReportInput, model: string, metric: string): Html | string {
  const c = input.results.comparisons.find(
    (x) => x.model === model && x.mode === 'stage2' && x.against === 'baseline' && x.metric === metric,
  );
  if (!c) return '';
  const verdict = c.pAdjusted < 0.05 ? 'significant at 5 %' : 'not significant';
  return html`<div class="sub" title="${c.method}">${formatPStatement(c.pAdjusted)} (adjusted): ${verdict}</div>`;
}

/** LLM calls and their cost only when an LLM was called; otherwise say that none was. */
function callsLine(cost: readonly StageCost[]): string {
  const calls = cost.reduce((n, s) => n + s.llmCalls, 0);
  const cached = cost.reduce((n, s) => n + (s.cachedCalls ?? 0), 0);
  if (calls === 0)
    return cached > 0
      ? `no LLM called: ${formatInteger(cached)} answers came from the cache`
      : 'no LLM called (offline stand-ins)';
  const costs = cost.map((s) => s.costUsd);
  const money = costs.some((c) => c === null)
    ? 'unknown'
    : formatMoney(costs.reduce<number>((a, c) => a + (c ?? 0), 0));
  return `${formatInteger(calls)} LLM calls · est. cost ${money}`;
}
