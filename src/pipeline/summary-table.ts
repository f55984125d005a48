import { basename } from 'node:path';
import { aggregateRuns } from '../eval/index.js';
import { PAPER_METRICS } from '../eval/metric-table.js';
import { formatPValue } from '../report/format.js';
import { formatTable } from '../util/table.js';
import { comparedSuccessK, simulatedSuccessMetric } from './beyond-labels.js';
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

/** The comparison of a model's mode with its baseline on a metric, as the cells "Δ [95 % CI]" and "p". */
function comparisonCells(
  results: Pick<RunResults, 'comparisons'>,
  model: string,
  mode: string,
  metric: string,
): string[] {
  const c = results.comparisons.find((r) => r.model === model && r.mode === mode && r.metric === metric);
  return c ? [differenceCell(c), formatPValue(c.pAdjusted)] : ['', ''];
}

const percent = (x: number) => (100 * x).toFixed(2);

/**
 * The judged metrics as a Markdown table: judged nDCG@k and precision@k with coverage@k beside them (mean ±
 * std over seeds, in percent), and each augmented mode's difference from the baseline with its adjusted p.
 */
export function formatJudgedTable(results: Pick<RunResults, 'judged' | 'comparisons'>): string {
  const judged = results.judged;
  if (!judged) return '';
  const k = judged.ks[0]!;
  const shown = ['ndcg', 'precision', 'coverage', 'condensed.ndcg'].map((m) => `judged.${m}@${k}`);
  const compared = [`judged.ndcg@${k}`, `judged.precision@${k}`, `judged.condensed.ndcg@${k}`];
  const rows: string[][] = [];
  for (const [model, modes] of Object.entries(judged.results)) {
    for (const [mode, seeds] of Object.entries(modes)) {
      const summary = aggregateRuns(Object.values(seeds));
      const cells = shown.map((m) => {
        const s = summary[m]!;
        return s.n > 1 ? `${percent(s.mean)} ± ${percent(s.std)}` : percent(s.mean);
      });
      const differences = compared.flatMap((m) => comparisonCells(results, model, mode, m));
      rows.push([model, mode, String(Object.keys(seeds).length), ...cells, ...differences]);
    }
  }
  const lines = [
    `judged on ${judged.contexts} of ${judged.evaluatedContexts} evaluated ${judged.split} contexts (${judged.judgments.pairs} judged pairs in ${judged.judgments.files.map((f) => basename(f)).join(', ')}); an unjudged item counts as not relevant, so read every figure with its coverage (share of the top ${k} that is judged); condensed: unjudged items removed before the cut`,
    formatTable(
      [
        'model',
        { header: 'mode', align: 'left' },
        'seeds',
        `nDCG@${k} %`,
        `P@${k} %`,
        `coverage@${k} %`,
        `cond. nDCG@${k} %`,
        `ΔnDCG@${k} [95 % CI]`,
        'p',
        `ΔP@${k} [95 % CI]`,
        'p',
        `Δcond. nDCG@${k} [95 % CI]`,
        'p',
      ],
      rows,
    ),
  ];
  return lines.join('\n');
}

/** Per simulator, one line per model and mode: success@k by turn (mean over seeds) and Δ at the last turn. */
export function formatSimulationLines(results: Pick<RunResults, 'simulation' | 'comparisons'>): string {
  return results.simulation
    .map((sim) => {
      const k = comparedSuccessK(sim.ks);
      const metric = simulatedSuccessMetric(sim.simulator, sim.turns, k);
      const rows = Object.entries(sim.results).flatMap(([model, modes]) =>
        Object.entries(modes).map(([mode, r]) => {
          const byTurn = r.mean.successByTurn[k]!.map((x) => percent(x).padStart(6)).join(' ');
          const [diff, p] = comparisonCells(results, model, mode, metric);
          const seeds = Object.keys(r.seeds).length;
          return `${`${model} ${mode}`.padEnd(24)} ${byTurn}  (${seeds} seed${seeds === 1 ? '' : 's'})${diff ? `  Δ turn ${sim.turns} ${diff}, p ${p}` : ''}`;
        }),
      );
      const excluded = sim.excluded.map((e) => `${e.model} ${e.mode}: not simulated, ${e.reason}`);
      return [
        `${sim.simulator} simulator, up to ${sim.turns} turns on ${sim.sample}: success@${k} % by turn 1…${sim.turns}, mean over seeds`,
        ...rows,
        ...excluded,
      ].join('\n');
    })
    .join('\n\n');
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
