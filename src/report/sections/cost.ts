import { formatInteger, formatMoney, formatSeconds } from '../format.js';
import { type Html, html } from '../html.js';
import type { StageCost } from '../schema.js';
import { barChartSvg } from '../svg/bar-chart.js';
import type { Section } from './section.js';

/** A total over values where any unknown makes the sum a lower bound, and says so. */
function knownSum(values: (number | null)[], show: (n: number) => string): Html {
  const known = values.filter((v): v is number => v !== null);
  const sum = known.reduce((a, b) => a + b, 0);
  if (known.length === values.length) return html`${show(sum)}`;
  if (known.length === 0) return html`<span class="unknown">unknown</span>`;
  return html`≥ ${show(sum)} <span class="muted small">(${values.length - known.length} unknown)</span>`;
}

function costTable(stages: StageCost[]): Html {
  const hasCached = stages.some((s) => s.cachedCalls !== undefined);
  const tokens = (n: number | null) =>
    n === null ? html`<td class="num unknown">unknown</td>` : html`<td class="num">${formatInteger(n)}</td>`;
  return html`<div class="table-wrap"><table class="data"><thead><tr><th scope="col">Stage</th><th scope="col">Provider</th><th scope="col" class="num">LLM calls</th>${hasCached ? html`<th scope="col" class="num">From cache</th>` : ''}<th scope="col" class="num">Tokens</th><th scope="col" class="num">Est. cost (USD)</th><th scope="col" class="num">Wall time</th></tr></thead><tbody>${stages.map(
    (s) =>
      html`<tr><td>${s.stage}</td><td>${s.provider ? html`<code>${s.provider}</code>` : html`<span class="muted">—</span>`}</td><td class="num">${formatInteger(s.llmCalls)}</td>${hasCached ? html`<td class="num">${s.cachedCalls === undefined ? '—' : formatInteger(s.cachedCalls)}</td>` : ''}${tokens(s.tokens)}<td class="num${s.costUsd === null ? ' unknown' : ''}">${formatMoney(s.costUsd)}</td><td class="num">${formatSeconds(s.wallSeconds)}</td></tr>`,
  )}</tbody><tfoot><tr><th scope="row">Total</th><td></td><td class="num">${formatInteger(stages.reduce((n, s) => n + s.llmCalls, 0))}</td>${hasCached ? html`<td class="num">${formatInteger(stages.reduce((n, s) => n + (s.cachedCalls ?? 0), 0))}</td>` : ''}<td class="num">${knownSum(
    stages.map((s) => s.tokens),
    formatInteger,
  )}</td><td class="num">${knownSum(
    stages.map((s) => s.costUsd),
    (n) => formatMoney(n),
  )}</td><td class="num">${formatSeconds(stages.reduce((n, s) => n + s.wallSeconds, 0))}</td></tr></tfoot></table></div>`;
}

export function costSection(stages: StageCost[]): Section {
  const chart =
    stages.length > 1
      ? html`<figure>${barChartSvg('chart-stage-time', 'Wall time per stage', {
          kind: 'bar',
          xLabel: '',
          yLabel: 'wall time (s)',
          yFormat: 'number',
          categories: stages.map((s) => s.stage),
          series: [{ name: 'wall time', values: stages.map((s) => ({ y: s.wallSeconds })) }],
        })}<figcaption>Wall time per stage.</figcaption></figure>`
      : '';
  return {
    id: 'cost',
    title: 'Cost and time per stage',
    body: html`${costTable(stages)}<p class="muted small">Cost “unknown” means the provider's price is not known, not that it was free. Costs count calls sent to a provider; answers from the cache are free.</p>${chart}`,
  };
}
