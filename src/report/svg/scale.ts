/** A linear map from data values to pixels, with the "nice" ticks axes label. */
export interface LinearScale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  readonly ticks: readonly number[];
  readonly step: number;
}

export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
  tickCount = 5,
): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  // A degenerate domain (one value) still maps to the middle of the range instead of NaN.
  const span = d1 - d0;
  const map = (value: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0));
  const step = niceStep(span, tickCount);
  return Object.assign(map, { domain, range, ticks: ticksIn(d0, d1, step), step });
}

/** The 1-, 2- or 5-times-power-of-ten step that gives about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  return nice * power;
}

/** Widens [min, max] to whole tick steps so the axis starts and ends on a labelled tick. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceDomain(min - pad, max + pad, count);
  }
  const step = niceStep(max - min, count);
  return [roundTo(Math.floor(min / step) * step, step), roundTo(Math.ceil(max / step) * step, step)];
}

function ticksIn(min: number, max: number, step: number): number[] {
  const ticks: number[] = [];
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  for (let i = first; i <= last; i++) ticks.push(roundTo(i * step, step));
  return ticks;
}

/** Removes float noise (0.30000000000000004) so labels and tests see the decimal value. */
function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(decimals, 12)));
}
