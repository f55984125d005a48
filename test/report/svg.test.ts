import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BarChart, HistogramChart, LineChart } from '../../src/report/schema.js';
import { barChartSvg } from '../../src/report/svg/bar-chart.js';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/report/svg/frame.js';
import { histogramSvg } from '../../src/report/svg/histogram.js';
import { lineChartSvg } from '../../src/report/svg/line-chart.js';
import { linearScale, niceDomain, niceStep } from '../../src/report/svg/scale.js';

/** Attribute maps of every `<tag …>` in the markup, in document order. */
function elements(svg: string, tag: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${tag}\\s([^>]*?)/?>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}

function texts(svg: string, cls: string): string[] {
  return [...svg.matchAll(new RegExp(`<text class="${cls}"[^>]*>(.*?)</text>`, 'g'))].map((m) => m[1]);
}

// Plot area with one legend row: left 72, right 696, top 16 + 20 + 8 = 44, bottom 380 − 66 = 314.
const LEFT = 72;
const RIGHT = CHART_WIDTH - 24;
const TOP = 44;
const BOTTOM = CHART_HEIGHT - 66;

test('linear scales map domain ends to range ends and pick 1-2-5 ticks', () => {
  const s = linearScale([0, 10], [100, 200]);
  assert.equal(s(0), 100);
  assert.equal(s(5), 150);
  assert.equal(s(10), 200);
  assert.deepEqual(s.ticks, [0, 2, 4, 6, 8, 10]);
  const inverted = linearScale([0, 1], [300, 50]);
  assert.equal(inverted(0.2), 250);
  assert.deepEqual(inverted.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.equal(niceStep(0.048, 5), 0.01);
  assert.deepEqual(niceDomain(0.093, 0.141), [0.09, 0.15]);
  assert.deepEqual(niceDomain(3, 3), [2.7, 3.3]);
  assert.equal(linearScale([2, 2], [0, 100])(2), 50);
});

test('a line chart puts known points at known pixels, with error bars, ticks and a legend', () => {
  const chart = LineChart.parse({
    kind: 'line',
    xLabel: 'threshold',
    yLabel: 'Recall@10',
    yFormat: 'percent',
    series: [
      {
        name: 'ours <b>',
        points: [
          { x: 0, y: 0 },
          { x: 10, y: 1 },
          { x: 5, y: 0.5, err: 0.1 },
        ],
      },
    ],
    markers: [{ x: 5, label: 'chosen' }],
  });
  const svg = lineChartSvg('c1', 'Threshold sweep', chart).value;
  assert.match(
    svg,
    /^<svg class="chart" id="c1" viewBox="0 0 720 380" role="img" aria-labelledby="c1-title c1-desc"/,
  );
  assert.match(
    svg,
    /<title id="c1-title">Threshold sweep<\/title><desc id="c1-desc">Line chart of Recall@10 against threshold/,
  );
  // x spans [0, 10] over [left + 12, right − 12]; y spans the nice domain [0, 1] over [bottom, top].
  const x = (v: number) => LEFT + 12 + (v / 10) * (RIGHT - LEFT - 24);
  const y = (v: number) => BOTTOM - v * (BOTTOM - TOP);
  const dots = elements(svg, 'circle').map((c) => [Number(c.cx), Number(c.cy)]);
  for (const [vx, vy] of [
    [0, 0],
    [5, 0.5],
    [10, 1],
  ])
    assert.ok(
      dots.some(([cx, cy]) => cx === x(vx) && cy === y(vy)),
      `point (${vx}, ${vy})`,
    );
  assert.match(svg, new RegExp(`<path d="M${x(0)} ${y(0)} L${x(5)} ${y(0.5)} L${x(10)} ${y(1)}"`));
  // The error bar of (5, 0.5 ± 0.1) spans 0.4 to 0.6.
  const bar = elements(svg, 'line').find(
    (l) => l.x1 === String(x(5)) && l.x2 === String(x(5)) && l.y1 === String(y(0.6)),
  );
  assert.equal(bar?.y2, String(y(0.4)));
  assert.deepEqual(texts(svg, 'tick').slice(0, 6), ['0%', '20%', '40%', '60%', '80%', '100%']);
  assert.deepEqual(texts(svg, 'tick').slice(6), ['0', '2', '4', '6', '8', '10']);
  assert.match(svg, /<text class="axis-title"[^>]*>threshold<\/text>/);
  assert.match(
    svg,
    new RegExp(
      `<g class="marker"><line x1="${x(5)}" y1="${TOP}" x2="${x(5)}" y2="${BOTTOM}"/><text[^>]*>chosen</text>`,
    ),
  );
  assert.match(svg, /<g class="legend-entry">.*<text x="98" y="20">ours &lt;b&gt;<\/text><\/g>/);
  assert.doesNotMatch(svg, /<b>/);
});

test('grouped bars start at zero, leave no hole for a missing value, and carry error bars', () => {
  const chart = BarChart.parse({
    kind: 'bar',
    yLabel: 'Recall@10',
    yFormat: 'percent',
    categories: ['head', 'tail'],
    series: [
      { name: 'baseline', values: [{ y: 0.2, err: 0.02 }, null] },
      { name: 'ours', values: [{ y: 0.1 }, { y: 0.05 }] },
    ],
  });
  const svg = barChartSvg('c2', 'Long tail', chart).value;
  const rects = elements(svg, 'rect').filter((r) => r.fill && r.width !== '14');
  assert.equal(rects.length, 3);
  // y domain [0, 0.25] (0.22 rounded up to a 0.05 tick) over [bottom, top].
  const y = (v: number) => Math.round((BOTTOM - (v / 0.25) * (BOTTOM - TOP)) * 10) / 10;
  const [head, headOurs, tailOurs] = rects;
  assert.equal(Number(head.y), y(0.2));
  assert.equal(Number(head.height), Math.round((BOTTOM - y(0.2)) * 10) / 10);
  assert.equal(Number(headOurs.y), y(0.1));
  // With one bar in the tail group it is centred on the band: band centre = left + 1.5 bands.
  const band = (RIGHT - LEFT) / 2;
  const tailCentre = Number(tailOurs.x) + (Number(tailOurs.width) + 2) / 2 - 1;
  assert.ok(Math.abs(tailCentre - (LEFT + 1.5 * band)) < 0.2, `tail bar centred: ${tailCentre}`);
  assert.equal(svg.match(/<g class="error-bar"/g)?.length, 1);
  assert.deepEqual(texts(svg, 'tick').slice(0, 6), ['0%', '5%', '10%', '15%', '20%', '25%']);
  assert.match(svg, /<tspan x="[\d.]+" dy="0">head<\/tspan>/);
  assert.match(svg, /<title>baseline · head: 20\.00% ± 2\.00%<\/title>/);

  const zeros = BarChart.parse({ ...chart, series: [{ name: 'none', values: [{ y: 0 }, { y: 0 }] }] });
  assert.deepEqual(texts(barChartSvg('c4', 'Zeros', zeros).value, 'tick').slice(0, 2), ['0%', '20%']);
});

test('histogram series stack, and the threshold marker sits at its score', () => {
  const chart = HistogramChart.parse({
    kind: 'histogram',
    xLabel: 'score',
    binEdges: [0, 1, 2, 3, 4],
    series: [
      { name: 'other', counts: [4, 3, 2, 1] },
      { name: 'gold', counts: [0, 0, 1, 4] },
    ],
    markers: [{ x: 3.5, label: 'threshold 3.5' }],
  });
  const svg = histogramSvg('c3', 'Scores', chart).value;
  const x = (v: number) => LEFT + (v / 4) * (RIGHT - LEFT);
  // Tallest stack is 5; nice y domain [0, 5].
  const y = (v: number) => BOTTOM - (v / 5) * (BOTTOM - TOP);
  const rects = elements(svg, 'rect').filter((r) => r.width !== '14');
  assert.equal(rects.length, 6);
  const goldLast = rects[5];
  assert.equal(Number(goldLast.x), x(3) + 0.5);
  assert.equal(Number(goldLast.y), y(5));
  assert.equal(Number(goldLast.height), Math.round((y(1) - y(5)) * 10) / 10);
  assert.match(svg, new RegExp(`<g class="marker"><line x1="${x(3.5)}"`));
  assert.match(svg, /<text x="[\d.]+" y="20">gold<\/text>/);
});
