/**
 * Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), ordered so the first two
 * series, usually baseline and ours, contrast most. Dash patterns repeat the distinction for greyscale prints.
 */
const COLORS = ['#0072B2', '#D55E00', '#009E73', '#E69F00', '#CC79A7', '#56B4E9', '#555555'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

export function seriesColor(index: number): string {
  return COLORS[index % COLORS.length];
}

export function seriesDash(index: number): string {
  return DASHES[index % DASHES.length];
}
