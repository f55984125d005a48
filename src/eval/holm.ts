import { CrsaugError } from '../util/errors.js';

/**
 * Holm's step-down adjustment of m p-values of one family (e.g. every mode compared with the same baseline on
 * one metric): sorted ascending, the i-th smallest (1-based) becomes max over j ≤ i of min(1, (m − j + 1) · p_(j)).
 * It controls the family-wise error rate at the nominal level under any dependence between the tests, and is
 * uniformly more powerful than Bonferroni. The adjusted values come back in the input order.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  for (const [i, p] of pValues.entries()) {
    if (!(p >= 0 && p <= 1)) throw new CrsaugError(`p-value ${i + 1} is ${p}, not a probability in [0, 1]`);
  }
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
