import type { Artifact } from '../pipeline/artifact-store.js';
import { pValuesAgainst } from '../pipeline/significance.js';
import type { TrainValue } from '../pipeline/train-stages.js';
import type { Experiment, Table } from '../report/index.js';
import {
  augment,
  type ExperimentEnv,
  syntheticOf,
  trainBaseline,
  trainMixed,
  trainStage1,
  trainStage2,
} from './context.js';
import { meanStd, RECALL_COLUMNS, recallCells } from './summary.js';

const MODES = ['baseline', 'stage2', 'stage2-noKL', 'stage1', 'mixed'] as const;

/** Baseline vs two-stage vs its ablations, per backbone, with p-values against the backbone's baseline. */
export async function modesExperiment(env: ExperimentEnv): Promise<Experiment> {
  const { ctx } = env;
  const synthetic = syntheticOf((await augment(env)).synthesized);
  const rows: Table['rows'] = [];
  const series: { name: string; values: { y: number; err: number }[] }[] = [];
  for (const backbone of env.backbones) {
    // Trained in `crsaug run`'s order, so a run's artifacts are found in the same sequence.
    const baseline = await trainBaseline(ctx, backbone);
    const stage1 = await trainStage1(ctx, backbone, synthetic);
    const runs: Record<(typeof MODES)[number], Artifact<TrainValue>> = {
      baseline,
      stage2: await trainStage2(ctx, backbone, stage1),
      'stage2-noKL': await trainStage2(ctx, backbone, stage1, { alpha: 0 }),
      stage1,
      mixed: await trainMixed(ctx, backbone, synthetic),
    };
    for (const mode of MODES) {
      const p =
        mode === 'baseline'
          ? undefined
          : pValuesAgainst(
              runs.baseline.value.runs,
              runs[mode].value.runs,
              ['recall@10', 'recall@50'],
              ctx.config.seed,
            );
      rows.push([
        backbone,
        mode,
        runs[mode].value.runs.length,
        ...recallCells(runs[mode]),
        p ? p['recall@10']! : null,
        p ? p['recall@50']! : null,
      ]);
    }
    series.push({
      name: backbone,
      values: MODES.map((mode) => {
        const { mean, std } = meanStd(runs[mode].value.runs, 'recall@50');
        return { y: mean, err: std };
      }),
    });
  }
  return {
    id: 'modes',
    title: 'Training modes per backbone',
    description: `Test recall (mean ± sample std over seeds) of the baseline, two-stage training (stage 2, α = ${ctx.config.train.alpha}), stage 2 without the KL term (α = 0), stage 1 alone and mixed (synthetic + real in one stage); p-values: paired permutation test of the seed-averaged per-pair recall against the same backbone's baseline.`,
    table: {
      columns: [
        { label: 'backbone', format: 'text' },
        { label: 'mode', format: 'text' },
        { label: 'seeds', format: 'integer' },
        ...RECALL_COLUMNS,
        { label: 'p R@10', format: 'pvalue' },
        { label: 'p R@50', format: 'pvalue' },
      ],
      rows,
    },
    chart: {
      kind: 'bar',
      xLabel: 'mode',
      yLabel: 'test R@50',
      yFormat: 'percent',
      categories: [...MODES],
      series,
    },
  };
}
