import { formatInteger } from '../format.js';
import { html } from '../html.js';
import type { DatasetStats } from '../schema.js';
import type { Section } from './section.js';

export function datasetSection(dataset: string, stats: DatasetStats): Section {
  const hasItems = stats.splits.some((s) => s.items !== undefined);
  const count = (n: number | undefined) =>
    n === undefined ? html`<td class="num unknown">—</td>` : html`<td class="num">${formatInteger(n)}</td>`;
  const { catalog } = stats;
  return {
    id: 'dataset',
    title: 'Dataset',
    body: html`<div class="table-wrap"><table class="data"><caption>${dataset}: splits after repeated-item removal</caption><thead><tr><th scope="col">Split</th><th scope="col" class="num">Dialogues</th><th scope="col" class="num">Contexts</th><th scope="col" class="num">Pairs</th>${hasItems ? html`<th scope="col" class="num">Distinct gold items</th>` : ''}</tr></thead><tbody>${stats.splits.map(
      (s) =>
        html`<tr><td>${s.name}</td>${count(s.dialogues)}${count(s.contexts)}${count(s.pairs)}${hasItems ? count(s.items) : ''}</tr>`,
    )}</tbody></table></div><dl class="stats"><div><dt>Items</dt><dd>${formatInteger(catalog.items)}</dd></div><div><dt>Entities</dt><dd>${formatInteger(catalog.entities)}</dd></div><div><dt>KG triples</dt><dd>${formatInteger(catalog.kgTriples)}</dd></div>${catalog.relations === undefined ? '' : html`<div><dt>Relations</dt><dd>${formatInteger(catalog.relations)}</dd></div>`}</dl><p class="muted small">Contexts are recommendation turns with at least one gold item; pairs are (context, gold item) pairs, each evaluated on its own.</p>`,
  };
}
