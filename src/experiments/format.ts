import { formatMeanStd, formatValue } from '../report/format.js';
import type { Experiment } from '../report/index.js';
import { formatTable } from '../util/table.js';

const UNIT: Partial<Record<string, string>> = { percent: ' %', seconds: '', money: ' $' };

/** The experiment's table as Markdown, cells formatted as the report formats them (null = unknown, "—"). */
export function formatExperimentTable(experiment: Experiment): string {
  const table = experiment.table;
  if (!table) return `${experiment.title}: no table`;
  const header = table.columns.map((c) => ({
    header: `${c.label}${UNIT[c.format] ?? ''}`,
    align: c.format === 'text' ? ('left' as const) : ('right' as const),
  }));
  const rows = table.rows.map((row) =>
    row.map((cell, i) => {
      const format = table.columns[i]!.format;
      if (cell === null) return '—';
      if (typeof cell === 'string') return cell;
      if (typeof cell === 'number') return formatValue(cell, format);
      return formatMeanStd(cell.mean, cell.std, format);
    }),
  );
  return [`## ${experiment.title}`, '', formatTable(header, rows)].join('\n');
}
