import { type Html, html } from '../html.js';
import type { Experiment } from '../schema.js';
import { chartToSvg } from '../svg/chart.js';
import type { Section } from './section.js';
import { dataTable } from './table.js';

function experimentHtml(experiment: Experiment, number: string): Html {
  const chart = experiment.chart
    ? html`<figure>${chartToSvg(`chart-exp-${experiment.id}`, experiment.title, experiment.chart)}<figcaption>Figure ${number}. ${experiment.title}.</figcaption></figure>`
    : '';
  return html`<article class="experiment" id="exp-${experiment.id}"><h3><span class="secnum">${number}</span>${experiment.title}</h3>${experiment.description ? html`<p>${experiment.description}</p>` : ''}${chart}${experiment.table ? dataTable(experiment.table) : ''}</article>`;
}

export function experimentsSection(experiments: Experiment[], sectionNumber: number): Section {
  return {
    id: 'experiments',
    title: 'Experiments',
    body: html`${experiments.map((e, i) => experimentHtml(e, `${sectionNumber}.${i + 1}`))}`,
  };
}
