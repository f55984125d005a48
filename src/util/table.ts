import { markdownTable } from 'markdown-table';

/**
 * The one table style of every command: a GitHub-flavoured Markdown table with padded columns, so it reads
 * aligned in a terminal and pastes into docs and issues as it is. Text columns are left-aligned, numbers
 * right-aligned; a column of percentages says so in its header (" %") and its cells hold no sign.
 */
export interface Column {
  header: string;
  /** 'right' for numbers (the default of every column but the first), 'left' for text. */
  align?: 'left' | 'right';
}

export function formatTable(
  columns: readonly (string | Column)[],
  rows: readonly (readonly string[])[],
): string {
  const cols = columns.map((c, i) =>
    typeof c === 'string' ? { header: c, align: i === 0 ? 'left' : 'right' } : { align: 'right', ...c },
  );
  return markdownTable([cols.map((c) => c.header), ...rows], {
    align: cols.map((c) => (c.align === 'left' ? 'l' : 'r')),
  });
}

/** A share in [0, 1] as a percentage with two decimals and no sign (the column header says "%"). */
export function percentCell(share: number): string {
  return (100 * share).toFixed(2);
}
