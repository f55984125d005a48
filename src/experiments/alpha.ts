import type { Artifact } from '../pipeline/artifact-store.js';
import type { TrainValue } from '../pipeline/train-stages.js';
import type { Experiment, Table } from '../report/index.js';
import {
  augment,
  type ExperimentEnv,
  syntheticOf,
  trainBaseline,
  trainStage1,
  trainStage2,
} from './context.js';
import { recallColumns, SplitColumns, SweepLines, shownSplits, splitNote } from './summary.js';

export const DEFAULT_ALPHAS = [0, 0.1, 0.3, 1, 3];

/** The weight α of stage 2's KL term to the frozen stage-1 model, swept from one shared stage-1 run. */
export async function alphaExperiment(env: ExperimentEnv): Promise<Experiment> {
  const { ctx } = env;
  const alphas = env.values ?? DEFAULT_ALPHAS;
  const synthetic = syntheticOf((await augment(env)).synthesized);
  const splits = shownSplits(env);
  const recalls = new SplitColumns(
    splits,
    recallColumns(['recall@10', 'recall@50'], (trained: Artifact<TrainValue>) => trained),
  );
  const rows: Table['rows'] = [];
  const lines = new SweepLines('recall@50');
  for (const backbone of env.backbones) {
    const baseline = await trainBaseline(ctx, backbone);
    const stage1 = await trainStage1(ctx, backbone, synthetic);
    rows.push([backbone, 'baseline', null, ...recalls.cells(baseline)]);
    for (const alpha of alphas) {
      const stage2 = await trainStage2(ctx, backbone, stage1, { alpha });
      rows.push([backbone, 'stage 2', alpha, ...recalls.cells(stage2)]);
      lines.add(`${backbone} stage 2`, alpha, stage2);
      lines.add(`${backbone} baseline`, alpha, baseline);
    }
  }
  return {
    id: 'alpha',
    title: 'Stage-2 KL weight α',
    description: `Stage 2 trains on the real labels with CE + α·KL(p_stage1 ‖ p) to a frozen copy of the stage-1 model; every α starts from the same stage-1 runs (α = 0 is plain fine-tuning). The baseline is drawn flat for reference. ${splitNote(splits)}`,
    table: {
      columns: [
        { label: 'backbone', format: 'text' },
        { label: 'model', format: 'text' },
        { label: 'α', format: 'number' },
        ...recalls.header(),
      ],
      rows,
    },
    chart: lines.chart('α', 'number'),
  };
}
