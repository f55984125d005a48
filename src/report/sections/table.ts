import { decimalsNeeded, formatMeanStd, formatValue } from '../format.js';
import { type Html, html } from '../html.js';
import type { NumberFormat, Table, TableCell } from '../schema.js';

/** Header text with the unit the cells leave out. */
export function columnHeader(label: string, format: NumberFormat): string {
  return format === 'percent' && !label.includes('%') ? `${label} (%)` : label;
}

function tableCell(cell: TableCell, format: NumberFormat, decimals: number): Html {
  if (cell === null) return html`<td class="num unknown" title="unknown">—</td>`;
  if (typeof cell === 'string') return html`<td>${cell}</td>`;
  if (typeof cell === 'number') return html`<td class="num">${formatValue(cell, format, decimals)}</td>`;
  return html`<td class="num">${formatMeanStd(cell.mean, cell.std, format, decimals)}</td>`;
}

/** One digit count per column so plain numbers line up (3.00 under 2.75, not 3). */
function columnDecimals(table: Table, column: number): number {
  const numbers = table.rows.flatMap((row) => {
    const cell = row[column];
    if (typeof cell === 'number') return [cell];
    return cell !== null && typeof cell === 'object' ? [cell.mean, cell.std] : [];
  });
  return decimalsNeeded(numbers);
}

/** An experiment's table exactly as the pipeline gave it, formatted per column. */
export function dataTable(table: Table, caption?: string): Html {
  const decimals = table.columns.map((_, i) => columnDecimals(table, i));
  return html`<div class="table-wrap"><table class="data">${caption ? html`<caption>${caption}</caption>` : ''}<thead><tr>${table.columns.map(
    (c) =>
      html`<th scope="col" class="${c.format === 'text' ? '' : 'num'}">${columnHeader(c.label, c.format)}</th>`,
  )}</tr></thead><tbody>${table.rows.map(
    (row) => html`<tr>${row.map((cell, i) => tableCell(cell, table.columns[i].format, decimals[i]))}</tr>`,
  )}</tbody></table></div>`;
}
