import { formatInteger, formatValue } from '../format.js';
import { type Html, html } from '../html.js';
import type { HistogramChart } from '../schema.js';
import {
  chartSvg,
  type LegendEntry,
  legend,
  plotArea,
  round,
  verticalMarker,
  xAxis,
  yAxis,
} from './frame.js';
import { seriesColor } from './palette.js';
import { linearScale, niceDomain } from './scale.js';

/** Counts per bin on a numeric x axis; several series stack (e.g. gold items on top of other candidates). */
export function histogramSvg(id: string, title: string, chart: HistogramChart): Html {
  const entries: LegendEntry[] = chart.series.map((s, i) => ({
    name: s.name,
    color: seriesColor(i),
    swatch: 'box',
  }));
  const area = plotArea(chart.series.length > 1 ? entries : []);
  const edges = chart.binEdges;
  const x = linearScale([edges[0], edges[edges.length - 1]], [area.left, area.right]);
  const totals = edges.slice(1).map((_, b) => chart.series.reduce((sum, s) => sum + s.counts[b], 0));
  const y = linearScale(niceDomain(0, Math.max(5, ...totals)), [area.bottom, area.top]);

  const stacked = new Array(edges.length - 1).fill(0);
  const bars = chart.series.map((s, i) => {
    const rects = s.counts.map((n, b) => {
      if (n === 0) return '';
      const below = stacked[b];
      stacked[b] += n;
      const left = x(edges[b]);
      const width = x(edges[b + 1]) - left;
      return html`<rect x="${round(left + 0.5)}" y="${round(y(below + n))}" width="${round(Math.max(width - 1, 0.5))}" height="${round(y(below) - y(below + n))}" fill="${seriesColor(i)}"><title>${s.name}: ${formatInteger(n)} in [${formatValue(edges[b], 'number')}, ${formatValue(edges[b + 1], 'number')})</title></rect>`;
    });
    return html`<g class="series" data-series="${s.name}">${rects}</g>`;
  });

  const description = `Histogram of ${chart.xLabel} (${chart.yLabel}), ${edges.length - 1} bins${chart.series.length > 1 ? `, stacked series ${chart.series.map((s) => s.name).join(', ')}` : ''}.`;
  return chartSvg(
    id,
    title,
    description,
    html`${yAxis(y, area, chart.yLabel, 'integer')}${bars}${xAxis(x, area, chart.xLabel, 'number')}${chart.markers.map((m) => verticalMarker(x(m.x), m.label, area))}${chart.series.length > 1 ? legend(entries, area) : ''}`,
  );
}
