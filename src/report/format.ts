import { METRICS, type MetricInfo, metricInfo } from '../eval/metric-table.js';
import type { NumberFormat } from './schema.js';

// A fixed locale keeps reports identical whatever machine renders them.
const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * A metric key's format from the metric table: rank metrics are fractions shown as percent; keys may carry a
 * variant prefix, as evaluation writes them (`unfiltered.recall@10`); unknown keys are plain numbers.
 */
export function metricFormat(metric: string): NumberFormat {
  return metricInfo(metric)?.format ?? 'number';
}

/** "recall@10" → "Recall@10", "unfiltered.recall@10" → "Recall@10 (unfiltered)"; unknown names keep their spelling. */
export function metricLabel(metric: string): string {
  const dot = metric.lastIndexOf('.');
  const variant = dot === -1 ? '' : ` (${metric.slice(0, dot)})`;
  const [name, k] = metric.slice(dot + 1).split('@');
  const label = (METRICS as Record<string, MetricInfo>)[name!.toLowerCase()]?.label ?? name;
  return `${k === undefined ? label : `${label}@${k}`}${variant}`;
}

/** Column header with its unit, e.g. "Recall@10 (%)". */
export function metricHeader(metric: string): string {
  return metricFormat(metric) === 'percent' ? `${metricLabel(metric)} (%)` : metricLabel(metric);
}

export function formatInteger(value: number): string {
  return integerFormat.format(Math.round(value));
}

/** Fraction → percent digits without the sign: 0.17342 → "17.34". */
export function formatPercent(fraction: number, digits = 2): string {
  return (fraction * 100).toFixed(digits);
}

export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m} min ${String(s).padStart(2, '0')} s`;
}

/** USD; null is "unknown" so a missing price is never mistaken for a free one. */
export function formatMoney(usd: number | null): string {
  if (usd === null) return 'unknown';
  if (usd === 0) return '$0';
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

export function formatPValue(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** "p = 0.042" or "p < 0.001", never "p = 0.000" nor "p = < 0.001". */
export function formatPStatement(p: number): string {
  const value = formatPValue(p);
  return value.startsWith('<') ? `p ${value}` : `p = ${value}`;
}

/**
 * A value in the given format; percent and number omit units because headers carry them. `decimals` fixes
 * the digits of plain numbers (a table column passes one value for all its cells).
 */
export function formatValue(value: number, format: NumberFormat, decimals?: number): string {
  switch (format) {
    case 'percent':
      return formatPercent(value);
    case 'integer':
      return formatInteger(value);
    case 'seconds':
      return formatSeconds(value);
    case 'money':
      return formatMoney(value);
    case 'pvalue':
      return formatPValue(value);
    case 'number':
    case 'text':
      return formatNumber(value, decimals);
  }
}

/** A plain number with `decimals` fixed digits, or, when not given, as many as it needs up to three. */
export function formatNumber(value: number, decimals = decimalsNeeded([value])): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** The fewest decimals (at most `max`) that show every value exactly, so a column lines up: 2.50, 2.75, 3.00. */
export function decimalsNeeded(values: readonly number[], max = 3): number {
  for (let d = 0; d < max; d++)
    if (values.every((v) => Math.abs(v * 10 ** d - Math.round(v * 10 ** d)) < 1e-6)) return d;
  return max;
}

/**
 * Scores of the 0–4 relevance scale, with two decimals so they compare at a glance; against a threshold, with
 * as many more as it takes for the shown score to fall on the same side as the score itself (3.495 is not kept
 * at 3.5, and prints as 3.495, not as 3.50).
 */
export function formatScore(score: number, threshold?: number): string {
  if (threshold === undefined) return score.toFixed(2);
  const kept = score >= threshold;
  for (let decimals = 2; decimals < 6; decimals++) {
    const shown = score.toFixed(decimals);
    if (Number(shown) >= threshold === kept) return shown;
  }
  return score.toFixed(6);
}

/** A value that stands alone (tooltips, cards), so percent carries its sign. */
export function formatWithUnit(value: number, format: NumberFormat): string {
  return format === 'percent' ? `${formatPercent(value)}%` : formatValue(value, format);
}

export function formatMeanStd(mean: number, std: number, format: NumberFormat, decimals?: number): string {
  const spread = format === 'integer' ? formatNumber(std) : formatValue(std, format, decimals);
  return `${formatValue(mean, format, decimals)} ± ${spread}`;
}

/** Tick labels: as few decimals as the tick step needs, with the unit (axes have no header to carry it). */
export function formatTick(value: number, step: number, format: NumberFormat): string {
  if (format === 'percent') return `${(value * 100).toFixed(decimalsFor(step * 100))}%`;
  if (format === 'seconds') return `${value.toFixed(decimalsFor(step))} s`;
  if (format === 'money') return `$${value.toFixed(decimalsFor(step))}`;
  const decimals = decimalsFor(step);
  return decimals === 0 ? formatInteger(value) : value.toFixed(decimals);
}

function decimalsFor(step: number): number {
  if (!(step > 0)) return 0;
  return Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
}
