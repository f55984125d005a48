import { formatMeanStd, formatValue } from '../format.js';
import { type Html, html } from '../html.js';
import type { NumberFormat, Table, TableCell } from '../schema.js';

/** Header text with the unit the cells leave out. */
export function columnHeader(label: string, format: NumberFormat): string {
  return format === 'percent' && !label.includes('%') ? `${label} (%)` : label;
}

export function tableCell(cell: TableCell, format: NumberFormat): Html {
  if (cell === null) return html`<td class="num unknown" title="unknown">—</td>`;
  if (typeof cell === 'string') return html`<td>${cell}</td>`;
  if (typeof cell === 'number') return html`<td class="num">${formatValue(cell, format)}</td>`;
  return html`<td class="num">${formatMeanStd(cell.mean, cell.std, format)}</td>`;
}

/** An experiment's table exactly as the pipeline gave it, formatted per column. */
export function dataTable(table: Table, caption?: string): Html {
  return html`<div class="table-wrap"><table class="data">${caption ? html`<caption>${caption}</caption>` : ''}<thead><tr>${table.columns.map(
    (c) => html`<th scope="col" class="${c.format === 'text' ? '' : 'num'}">${columnHeader(c.label, c.format)}</th>`,
  )}</tr></thead><tbody>${table.rows.map(
    (row) => html`<tr>${row.map((cell, i) => tableCell(cell, table.columns[i].format))}</tr>`,
  )}</tbody></table></div>`;
}
