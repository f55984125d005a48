import { formatTick } from '../format.js';
import { type Html, html } from '../html.js';
import type { NumberFormat } from '../schema.js';
import type { LinearScale } from './scale.js';

/** All charts share one size so a report reads as one figure set; the SVG scales to its container. */
export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 380;
const FONT_SIZE = 12;
const LEGEND_ROW = 20;
/** Average glyph width of the sans-serif font at 12 px, to lay out legends and labels without measuring. */
const CHAR_WIDTH = 6.6;

export interface PlotArea {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface LegendEntry {
  name: string;
  color: string;
  /** line: a stroke with a dot (line charts); box: a filled square (bars). */
  swatch: 'line' | 'box';
  dash?: string;
}

export function textWidth(text: string): number {
  return text.length * CHAR_WIDTH;
}

/** Legend rows the entries need when laid out left to right across the chart. */
function legendLayout(entries: readonly LegendEntry[], left: number, right: number) {
  const placed: { entry: LegendEntry; x: number; row: number }[] = [];
  let x = left;
  let row = 0;
  for (const entry of entries) {
    const width = 26 + textWidth(entry.name) + 18;
    if (x + width > right && x > left) {
      row++;
      x = left;
    }
    placed.push({ entry, x, row });
    x += width;
  }
  return { placed, rows: entries.length === 0 ? 0 : row + 1 };
}

/** The plot rectangle left after margins for axis labels and the legend rows on top. */
export function plotArea(entries: readonly LegendEntry[]): PlotArea {
  const left = 72;
  const right = CHART_WIDTH - 24;
  const { rows } = legendLayout(entries, left, right);
  return { left, right, top: 16 + rows * LEGEND_ROW + (rows > 0 ? 8 : 0), bottom: CHART_HEIGHT - 66 };
}

export function legend(entries: readonly LegendEntry[], area: PlotArea): Html {
  const { placed } = legendLayout(entries, area.left, area.right);
  return html`<g class="legend">${placed.map(({ entry, x, row }) => {
    const y = 16 + row * LEGEND_ROW;
    const swatch =
      entry.swatch === 'line'
        ? html`<line x1="${x}" y1="${y}" x2="${x + 20}" y2="${y}" stroke="${entry.color}" stroke-width="2.5" stroke-dasharray="${entry.dash ?? ''}"/><circle cx="${x + 10}" cy="${y}" r="3.5" fill="${entry.color}"/>`
        : html`<rect x="${x + 3}" y="${y - 7}" width="14" height="14" rx="2" fill="${entry.color}"/>`;
    return html`<g class="legend-entry">${swatch}<text x="${x + 26}" y="${y + 4}">${entry.name}</text></g>`;
  })}</g>`;
}

/** Horizontal grid lines with labelled ticks on the left, and the rotated axis title. */
export function yAxis(scale: LinearScale, area: PlotArea, label: string, format: NumberFormat): Html {
  const ticks = scale.ticks.map((t) => {
    const y = round(scale(t));
    return html`<line class="grid" x1="${area.left}" y1="${y}" x2="${area.right}" y2="${y}"/><text class="tick" x="${area.left - 8}" y="${y + 4}" text-anchor="end">${formatTick(t, scale.step, format)}</text>`;
  });
  const mid = round((area.top + area.bottom) / 2);
  return html`<g class="axis y-axis">${ticks}<line class="axis-line" x1="${area.left}" y1="${area.top}" x2="${area.left}" y2="${area.bottom}"/><text class="axis-title" transform="translate(18 ${mid}) rotate(-90)" text-anchor="middle">${label}</text></g>`;
}

/** Numeric x axis: tick marks and labels under the plot, axis title below them. */
export function xAxis(scale: LinearScale, area: PlotArea, label: string, format: NumberFormat): Html {
  const ticks = scale.ticks.map((t) => {
    const x = round(scale(t));
    return html`<line class="tick-mark" x1="${x}" y1="${area.bottom}" x2="${x}" y2="${area.bottom + 5}"/><text class="tick" x="${x}" y="${area.bottom + 20}" text-anchor="middle">${formatTick(t, scale.step, format)}</text>`;
  });
  return html`<g class="axis x-axis">${ticks}${baseline(area)}${xTitle(area, label)}</g>`;
}

/** Category x axis: one label per band, wrapped onto two lines when it is wider than the band. */
export function categoryAxis(
  categories: readonly string[],
  center: (i: number) => number,
  band: number,
  area: PlotArea,
  label: string,
): Html {
  const maxChars = Math.max(4, Math.floor(band / CHAR_WIDTH));
  const labels = categories.map((c, i) => {
    const x = round(center(i));
    const lines = wrap(c, maxChars);
    return html`<text class="tick" x="${x}" y="${area.bottom + 18}" text-anchor="middle">${lines.map(
      (line, j) => html`<tspan x="${x}" dy="${j === 0 ? 0 : 14}">${line}</tspan>`,
    )}</text>`;
  });
  return html`<g class="axis x-axis">${labels}${baseline(area)}${label ? xTitle(area, label) : ''}</g>`;
}

function baseline(area: PlotArea): Html {
  return html`<line class="axis-line" x1="${area.left}" y1="${area.bottom}" x2="${area.right}" y2="${area.bottom}"/>`;
}

function xTitle(area: PlotArea, label: string): Html {
  return html`<text class="axis-title" x="${round((area.left + area.right) / 2)}" y="${CHART_HEIGHT - 10}" text-anchor="middle">${label}</text>`;
}

/** A labelled vertical reference line (e.g. the label threshold). */
export function verticalMarker(x: number, label: string, area: PlotArea): Html {
  const px = round(x);
  const anchor = px > (area.left + area.right) / 2 ? 'end' : 'start';
  const tx = anchor === 'end' ? px - 4 : px + 4;
  return html`<g class="marker"><line x1="${px}" y1="${area.top}" x2="${px}" y2="${area.bottom}"/><text x="${tx}" y="${area.top + 12}" text-anchor="${anchor}">${label}</text></g>`;
}

/** A vertical error bar with caps, from y−err to y+err in data units. */
export function errorBar(x: number, y: number, err: number, scale: LinearScale, color: string): Html {
  const top = round(scale(y + err));
  const bottom = round(scale(y - err));
  const px = round(x);
  return html`<g class="error-bar" stroke="${color}"><line x1="${px}" y1="${top}" x2="${px}" y2="${bottom}"/><line x1="${px - 4}" y1="${top}" x2="${px + 4}" y2="${top}"/><line x1="${px - 4}" y1="${bottom}" x2="${px + 4}" y2="${bottom}"/></g>`;
}

/** The outer SVG with an accessible name (title) and description, sized by viewBox. */
export function chartSvg(id: string, title: string, description: string, body: Html): Html {
  return html`<svg class="chart" id="${id}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="${FONT_SIZE}"><title id="${id}-title">${title}</title><desc id="${id}-desc">${description}</desc>${body}</svg>`;
}

function wrap(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return [text];
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  // Two lines at most; the full label stays in the chart's data table and tooltips.
  return lines.length <= 2
    ? lines
    : [
        lines[0],
        `${lines
          .slice(1)
          .join(' ')
          .slice(0, maxChars - 1)}…`,
      ];
}

/** Pixel coordinates with one decimal keep the markup short and the tests exact. */
export function round(value: number): number {
  return Math.round(value * 10) / 10;
}
