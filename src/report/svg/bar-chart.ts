import { formatWithUnit } from '../format.js';
import { type Html, html } from '../html.js';
import type { BarChart } from '../schema.js';
import {
  categoryAxis,
  chartSvg,
  errorBar,
  type LegendEntry,
  legend,
  plotArea,
  round,
  yAxis,
} from './frame.js';
import { seriesColor } from './palette.js';
import { linearScale, niceDomain } from './scale.js';

/** Grouped bars (one group per category, one bar per series) with optional error bars; y starts at zero. */
export function barChartSvg(id: string, title: string, chart: BarChart): Html {
  const entries: LegendEntry[] = chart.series.map((s, i) => ({
    name: s.name,
    color: seriesColor(i),
    swatch: 'box',
  }));
  // One series needs no legend: the axis title names it.
  const area = plotArea(chart.series.length > 1 ? entries : []);
  const values = chart.series.flatMap((s) => s.values.filter((v) => v !== null));
  const low = Math.min(0, ...values.map((v) => v.y - (v.err ?? 0)));
  const high = Math.max(0, ...values.map((v) => v.y + (v.err ?? 0)));
  // All-zero bars still get a positive axis rather than one centred on zero.
  const y = linearScale(niceDomain(low, high > low ? high : low + 1), [area.bottom, area.top]);

  const band = (area.right - area.left) / chart.categories.length;
  const barWidth = (band * 0.76) / chart.series.length;
  const center = (c: number) => area.left + band * (c + 0.5);
  // Bars of one category sit side by side and centred; a series without a value leaves no hole.
  const present = chart.categories.map((_, c) =>
    chart.series.filter((s) => s.values[c] !== null).map((s) => s.name),
  );

  const bars = chart.series.map((s, i) => {
    const color = seriesColor(i);
    const rects = s.values.map((v, c) => {
      if (v === null) return '';
      const slot = present[c].indexOf(s.name);
      const x = center(c) - (present[c].length * barWidth) / 2 + barWidth * slot;
      const top = y(Math.max(v.y, 0));
      const height = Math.abs(y(v.y) - y(0));
      const spread = v.err === undefined ? '' : ` ± ${formatWithUnit(v.err, chart.yFormat)}`;
      return html`<rect x="${round(x + 1)}" y="${round(top)}" width="${round(barWidth - 2)}" height="${round(height)}" fill="${color}"><title>${s.name} · ${chart.categories[c]}: ${formatWithUnit(v.y, chart.yFormat)}${spread}</title></rect>${v.err ? errorBar(x + barWidth / 2, v.y, v.err, y, '#222') : ''}`;
    });
    return html`<g class="series" data-series="${s.name}">${rects}</g>`;
  });

  const description = `Bar chart of ${chart.yLabel} for ${chart.categories.join(', ')}${chart.series.length > 1 ? `, series ${chart.series.map((s) => s.name).join(', ')}` : ''}.`;
  return chartSvg(
    id,
    title,
    description,
    html`${yAxis(y, area, chart.yLabel, chart.yFormat)}${bars}${categoryAxis(chart.categories, center, band, area, chart.xLabel)}${chart.series.length > 1 ? legend(entries, area) : ''}`,
  );
}
