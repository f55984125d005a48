import type { Html } from '../html.js';
import type { Chart } from '../schema.js';
import { barChartSvg } from './bar-chart.js';
import { histogramSvg } from './histogram.js';
import { lineChartSvg } from './line-chart.js';

/** Renders any chart of the report schema as inline SVG. */
export function chartToSvg(id: string, title: string, chart: Chart): Html {
  switch (chart.kind) {
    case 'line':
      return lineChartSvg(id, title, chart);
    case 'bar':
      return barChartSvg(id, title, chart);
    case 'histogram':
      return histogramSvg(id, title, chart);
  }
}
