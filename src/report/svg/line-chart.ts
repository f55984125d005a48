import { formatWithUnit } from '../format.js';
import { type Html, html } from '../html.js';
import type { LineChart } from '../schema.js';
import {
  chartSvg,
  errorBar,
  type LegendEntry,
  legend,
  plotArea,
  round,
  verticalMarker,
  xAxis,
  yAxis,
} from './frame.js';
import { seriesColor, seriesDash } from './palette.js';
import { linearScale, niceDomain } from './scale.js';

/** Series of (x, y ± err) points joined by lines: threshold, α and data-size curves. */
export function lineChartSvg(id: string, title: string, chart: LineChart): Html {
  const entries: LegendEntry[] = chart.series.map((s, i) => ({
    name: s.name,
    color: seriesColor(i),
    swatch: 'line',
    dash: seriesDash(i),
  }));
  const area = plotArea(entries);
  const points = chart.series.flatMap((s) => s.points);
  const xs = [...points.map((p) => p.x), ...chart.markers.map((m) => m.x)];
  const x = linearScale([Math.min(...xs), Math.max(...xs)], [area.left + 12, area.right - 12]);
  const y = linearScale(
    niceDomain(
      Math.min(...points.map((p) => p.y - (p.err ?? 0))),
      Math.max(...points.map((p) => p.y + (p.err ?? 0))),
    ),
    [area.bottom, area.top],
  );

  const series = chart.series.map((s, i) => {
    const color = seriesColor(i);
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    const path = sorted.map((p, j) => `${j === 0 ? 'M' : 'L'}${round(x(p.x))} ${round(y(p.y))}`).join(' ');
    const marks = sorted.map((p) => {
      const value = formatWithUnit(p.y, chart.yFormat);
      const spread = p.err === undefined ? '' : ` ± ${formatWithUnit(p.err, chart.yFormat)}`;
      return html`${p.err ? errorBar(x(p.x), p.y, p.err, y, color) : ''}<circle cx="${round(x(p.x))}" cy="${round(y(p.y))}" r="3.5" fill="${color}"><title>${s.name}: ${chart.xLabel} ${formatWithUnit(p.x, chart.xFormat)} → ${value}${spread}</title></circle>`;
    });
    return html`<g class="series" data-series="${s.name}"><path d="${path}" fill="none" stroke="${color}" stroke-width="2.5" stroke-dasharray="${seriesDash(i)}"/>${marks}</g>`;
  });

  const description = `Line chart of ${chart.yLabel} against ${chart.xLabel} for ${chart.series.map((s) => s.name).join(', ')}.`;
  return chartSvg(
    id,
    title,
    description,
    html`${yAxis(y, area, chart.yLabel, chart.yFormat)}${xAxis(x, area, chart.xLabel, chart.xFormat)}${chart.markers.map((m) => verticalMarker(x(m.x), m.label, area))}${series}${legend(entries, area)}`,
  );
}
