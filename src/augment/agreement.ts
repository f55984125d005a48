/** Precision/recall/F1 of "score ≥ threshold" with the teacher's decision as the truth. */
export interface ThresholdAgreement {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  /** Pairs the teacher puts at or above the threshold. */
  teacherPositives: number;
  predictedPositives: number;
}

/** How closely a scorer reproduces held-out teacher scores. */
export interface Agreement {
  pairs: number;
  mae: number;
  pearson: number;
  spearman: number;
  thresholds: ThresholdAgreement[];
}

export function meanAbsoluteError(prediction: ArrayLike<number>, truth: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += Math.abs(prediction[i]! - truth[i]!);
  return truth.length > 0 ? s / truth.length : Number.NaN;
}

/** Pearson correlation; NaN when either side is constant (a constant predictor has no correlation). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (isConstant(a) || isConstant(b)) return Number.NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]! / n;
    mb += b[i]! / n;
  }
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i]! - ma) * (b[i]! - mb);
    va += (a[i]! - ma) ** 2;
    vb += (b[i]! - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}

function isConstant(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}

/** Ranks starting at 1, ties sharing their average rank (what Spearman's rho needs with integer scores). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((x, y) => values[x]! - values[y]!);
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]!] === values[order[start]!]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!] = rank;
    start = end + 1;
  }
  return ranks;
}

export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(averageRanks(a), averageRanks(b));
}

export function thresholdAgreement(
  prediction: ArrayLike<number>,
  truth: ArrayLike<number>,
  threshold: number,
): ThresholdAgreement {
  let tp = 0;
  let predicted = 0;
  let actual = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = prediction[i]! >= threshold;
    const t = truth[i]! >= threshold;
    if (p) predicted++;
    if (t) actual++;
    if (p && t) tp++;
  }
  const precision = predicted > 0 ? tp / predicted : 0;
  const recall = actual > 0 ? tp / actual : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { threshold, precision, recall, f1, teacherPositives: actual, predictedPositives: predicted };
}

/** The decision thresholds reported: the paper's 3.5 and 3.0 (integer teacher scores ≥ 3.5 means a 4). */
export const REPORTED_THRESHOLDS = [3.5, 3.0] as const;

export function agreement(
  prediction: ArrayLike<number>,
  truth: ArrayLike<number>,
  thresholds: readonly number[] = REPORTED_THRESHOLDS,
): Agreement {
  return {
    pairs: truth.length,
    mae: meanAbsoluteError(prediction, truth),
    pearson: pearson(prediction, truth),
    spearman: spearman(prediction, truth),
    thresholds: thresholds.map((t) => thresholdAgreement(prediction, truth, t)),
  };
}
