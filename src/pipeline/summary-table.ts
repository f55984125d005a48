import { aggregateRuns } from '../eval/index.js';
import { PAPER_METRICS } from '../eval/metric-table.js';
import { formatPValue } from '../report/format.js';
import { formatTable } from '../util/table.js';
import type { RunResults } from './run.js';
import { HOLM_FAMILY, type ModeComparison } from './significance.js';

const COLUMNS = PAPER_METRICS;
const COMPARED = ['recall@10', 'recall@50'];

/**
 * The run's results as a Markdown table: R@1/10/50 in percent, mean ± sample std over seeds, and for each
 * augmented mode its difference from the backbone's baseline on R@10 and R@50 in points, with the 95 % interval
 * and the Holm-adjusted p of the seed-aware comparison. The notes under the table name the test.
 */
export function formatResultsTable(results: RunResults): string {
  const short = (metric: string) => metric.replace('recall', 'R');
  const header = [
    'model',
    { header: 'mode', align: 'left' as const },
    'seeds',
    ...COLUMNS.map((c) => `${short(c)} %`),
    ...COMPARED.flatMap((c) => [`Δ${short(c)} vs baseline [95 % CI]`, 'p']),
  ];
  const rows: string[][] = [];
  for (const [model, modes] of Object.entries(results.results)) {
    for (const [mode, seeds] of Object.entries(modes)) {
      const runs = Object.values(seeds);
      const summary = aggregateRuns(runs);
      const cells = COLUMNS.map((c) => {
        const s = summary[c]!;
        return runs.length > 1
          ? `${(100 * s.mean).toFixed(2)} ± ${(100 * s.std).toFixed(2)}`
          : (100 * s.mean).toFixed(2);
      });
      const compared = COMPARED.flatMap((metric) => {
        const c = results.comparisons.find(
          (r) => r.model === model && r.mode === mode && r.metric === metric,
        );
        return c ? [differenceCell(c), formatPValue(c.pAdjusted)] : ['', ''];
      });
      rows.push([model, mode, String(runs.length), ...cells, ...compared]);
    }
  }
  const lines = [formatTable(header, rows)];
  const methods = [...new Set(results.comparisons.map((c) => c.method))];
  if (methods.length > 0) {
    lines.push(
      '',
      `Δ: mode − baseline in points; p: ${HOLM_FAMILY} (raw p in results.json → comparisons). Test: ${methods.join('; ')}.`,
    );
  }
  return lines.join('\n');
}

/** "+1.23 [-0.40, +2.86]" in percentage points. */
function differenceCell(c: ModeComparison): string {
  const points = (x: number) => `${x >= 0 ? '+' : '-'}${Math.abs(100 * x).toFixed(2)}`;
  return `${points(c.diff)} [${points(c.ci95[0])}, ${points(c.ci95[1])}]`;
}

/** "train 18.4 %, valid 17.2 %, test 11.8 %": the retriever's gold recall per split. */
export function formatGoldInTopK(retrieval: RunResults['retrieval']): string {
  return Object.entries(retrieval.goldInTopK)
    .map(([split, share]) => `${split} ${(100 * share!).toFixed(1)} %`)
    .join(', ');
}

/**
 * One line per mode: the selected epochs over seeds and the budget, naming any seed whose selected epoch is
 * the budget's last (its model may have had more to learn, so the budget was too small for it).
 */
export function formatEpochSelection(training: RunResults['training']): string {
  const lines: string[] = [];
  for (const [model, modes] of Object.entries(training)) {
    for (const [mode, seeds] of Object.entries(modes)) {
      const runs = Object.entries(seeds);
      const best = runs.map(([, r]) => r.bestEpoch);
      const atBudget = runs.filter(([, r]) => r.bestEpoch === r.maxEpochs).map(([seed]) => seed);
      lines.push(
        `${model} ${mode}: selected epochs ${best.join(', ')} of at most ${runs[0]?.[1].maxEpochs}` +
          (atBudget.length > 0 ? `; seed(s) ${atBudget.join(', ')} selected the budget's last epoch` : ''),
      );
    }
  }
  return lines.join('\n');
}
