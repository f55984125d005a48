import { formatMeanStd, formatPercent } from '../format.js';
import { type Html, html } from '../html.js';
import type { JudgedResults, JudgedRow, SimulationResults } from '../schema.js';
import { lineChartSvg } from '../svg/line-chart.js';
import { MODE_LABELS } from './results.js';
import type { Section } from './section.js';

/*
 * Evaluation beyond the single logged label: the judged table (pooled LLM judgments; every judged figure shows
 * the coverage it rests on) and, per user simulator, success@k by turn per model and mode.
 */

const rowName = (r: { model: string; mode: string }) => `${r.model} · ${MODE_LABELS[r.mode] ?? r.mode}`;

/** A judged figure with the coverage of the same lists under it: never one without the other. */
function judgedCell(value: JudgedRow['ndcg'], coverage: JudgedRow['coverage'] | undefined): Html {
  return html`<td class="num"><span class="value">${formatMeanStd(value.mean, value.std, 'percent')}</span>${coverage ? html`<span class="delta">coverage ${formatPercent(coverage.mean, 1)}%</span>` : html`<span class="delta">judged items only</span>`}</td>`;
}

function judgedTable(judged: JudgedResults): Html {
  const k = judged.k;
  const rows = judged.rows.map(
    (r) =>
      html`<tr><td>${r.model}</td><td>${MODE_LABELS[r.mode] ?? r.mode}</td><td class="num">${r.seeds}</td>${judgedCell(r.ndcg, r.coverage)}${judgedCell(r.precision, r.coverage)}${judgedCell(r.condensedNdcg, undefined)}${judgedCell(r.condensedPrecision, undefined)}</tr>`,
  );
  return html`<div class="table-wrap"><table class="data judged"><caption>${judged.description}</caption><thead><tr><th scope="col">Model</th><th scope="col">Training</th><th scope="col" class="num">Seeds</th><th scope="col" class="num">nDCG@${k} (%)</th><th scope="col" class="num">Precision@${k} (%)</th><th scope="col" class="num">Condensed nDCG@${k} (%)</th><th scope="col" class="num">Condensed precision@${k} (%)</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function simulationFigure(sim: SimulationResults, index: number): Html {
  const k = String(sim.k);
  const title = `Success@${k} by turn, ${sim.simulator} simulator`;
  const chart = lineChartSvg(`chart-sim-${index}`, title, {
    kind: 'line',
    xLabel: 'turn',
    yLabel: `success@${k}`,
    xFormat: 'integer',
    yFormat: 'percent',
    series: sim.rows.map((r) => ({
      name: rowName(r),
      points: r.successByTurn[k]!.map((v, t) => ({ x: t + 1, y: v.mean, err: v.std })),
    })),
    markers: [],
  });
  const ks = Object.keys(sim.rows[0]!.successByTurn).sort((a, b) => Number(a) - Number(b));
  const table = html`<div class="table-wrap"><table class="data compact"><caption>Success@k by the last turn (${sim.turns}), mean ± std over seeds.</caption><thead><tr><th scope="col">Model</th><th scope="col">Training</th><th scope="col" class="num">Seeds</th>${ks.map((key) => html`<th scope="col" class="num">Success@${key} (%)</th>`)}</tr></thead><tbody>${sim.rows.map(
    (r) =>
      html`<tr><td>${r.model}</td><td>${MODE_LABELS[r.mode] ?? r.mode}</td><td class="num">${r.seeds}</td>${ks.map(
        (key) => {
          const last = r.successByTurn[key]!.at(-1)!;
          return html`<td class="num">${formatMeanStd(last.mean, last.std, 'percent')}</td>`;
        },
      )}</tr>`,
  )}</tbody></table></div>`;
  const excluded =
    sim.excluded.length > 0
      ? html`<p class="muted small">Not simulated: ${sim.excluded.map((e, i) => html`${i > 0 ? '; ' : ''}${e.model} ${e.mode} (${e.reason})`)}.</p>`
      : '';
  return html`<article class="experiment" id="sim-${sim.simulator}"><h3>User simulator: ${sim.simulator}</h3><p>${sim.description}</p><figure>${chart}<figcaption>${title}: share of simulated dialogues with a target in the top ${k} by each turn, mean ± std over seeds.</figcaption></figure>${table}${excluded}</article>`;
}

export function beyondLabelsSection(
  judged: JudgedResults | undefined,
  simulation: readonly SimulationResults[],
): Section {
  return {
    id: 'beyond-labels',
    title: 'Beyond single labels',
    body: html`<p>The logged item is one right answer among several. Judged metrics score every item of a top ${judged?.k ?? 10} by LLM relevance judgments of a pool; the user simulator lets each model talk to a user who wants the gold item and says more about it after each miss. Their comparisons with the baseline are in the comparisons table above.</p>${judged ? html`<h3>Judged metrics</h3>${judgedTable(judged)}` : ''}${simulation.map((s, i) => simulationFigure(s, i))}`,
  };
}
