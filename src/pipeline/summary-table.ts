import { aggregateRuns } from '../eval/index.js';
import { PAPER_METRICS } from '../eval/metric-table.js';
import type { RunResults } from './run.js';

const COLUMNS = PAPER_METRICS;

/**
 * The run's results as a Markdown table: R@1/10/50 in percent, mean ± sample std over seeds, and the
 * p-value of each augmented mode against its backbone's baseline (seed-averaged paired test).
 */
export function formatResultsTable(results: RunResults): string {
  const header = `| model | mode | seeds | ${COLUMNS.map((c) => `${c.replace('recall', 'R')} %`).join(' | ')} | p (R@10 / R@50 vs baseline) |`;
  const lines = [header, `|---|---|---:|${COLUMNS.map(() => '---:|').join('')}---|`];
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
      const p = results.pValues[model]?.[mode];
      const pCell = p ? `${p['recall@10']!.toFixed(3)} / ${p['recall@50']!.toFixed(3)}` : '';
      lines.push(`| ${model} | ${mode} | ${runs.length} | ${cells.join(' | ')} | ${pCell} |`);
    }
  }
  return lines.join('\n');
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
