import { splitOf } from '../eval/index.js';
import type { Experiment, Table } from '../report/index.js';
import { realSamples } from '../train/samples.js';
import { augment, type ExperimentEnv, syntheticOf, trainTwoStage } from './context.js';
import {
  recallColumns,
  SplitColumns,
  SweepLines,
  shownSplits,
  splitNote,
  type TrainedModels,
} from './summary.js';
import { restrictSynthetic, trainSubset } from './train-subset.js';

type Models = TrainedModels<'baseline' | 'stage2'>;
const METRICS = ['recall@10', 'recall@50'];

/** Percent of the train contexts. */
export const DEFAULT_DATA_PERCENTS = [25, 50, 100];

/**
 * Baseline vs augmented (two-stage) recall when only part of the train contexts is available: real and
 * synthetic labels both come from the same seeded subset of contexts. 100 % is the full run.
 */
export async function dataSizeExperiment(env: ExperimentEnv): Promise<Experiment> {
  const percents = env.values ?? DEFAULT_DATA_PERCENTS;
  const { synthesized } = await augment(env);
  const splits = shownSplits(env);
  const recalls = new SplitColumns<Models>(splits, [
    ...recallColumns<Models>(METRICS, (m) => m.baseline, 'baseline'),
    ...recallColumns<Models>(METRICS, (m) => m.stage2, 'stage 2'),
  ]);
  const rows: Table['rows'] = [];
  const lines = new SweepLines('recall@50');
  for (const percent of percents) {
    const fraction = percent / 100;
    const full = fraction === 1;
    const dataset = full ? env.ctx.dataset : trainSubset(env.ctx.dataset, fraction, env.ctx.config.seed);
    const ctx = { ...env.ctx, dataset };
    const contexts = splitOf(dataset, 'train').contexts;
    const synthetic = full
      ? syntheticOf(synthesized)
      : await restrictSynthetic(
          ctx.store,
          synthesized,
          contexts,
          { fraction, seed: ctx.config.seed },
          ctx.log,
        );
    const suffix = full ? '' : `-train${percent}pct`;
    for (const backbone of env.backbones) {
      const { baseline, stage1, stage2 } = await trainTwoStage(ctx, backbone, synthetic, suffix);
      rows.push([
        percent / 100,
        contexts.length,
        realSamples(contexts).length,
        stage1.value.samples,
        backbone,
        ...recalls.cells({ baseline, stage2 }),
      ]);
      lines.add(`${backbone} baseline`, fraction, baseline);
      lines.add(`${backbone} stage 2`, fraction, stage2);
    }
  }
  return {
    id: 'data-size',
    title: 'Train data size',
    description: `A seeded subset of the train contexts (the same for baseline and augmented runs); the synthetic labels are restricted to the same contexts. Stage-1 samples are the training samples made from those synthetic labels (one per context with train.labelMode multi-positive, one per label with per-label). ${splitNote(splits)}`,
    table: {
      columns: [
        { label: 'train contexts', format: 'percent' },
        { label: 'contexts', format: 'integer' },
        { label: 'real pairs', format: 'integer' },
        { label: 'stage-1 samples', format: 'integer' },
        { label: 'backbone', format: 'text' },
        ...recalls.header(),
      ],
      rows,
    },
    chart: lines.chart('share of train contexts', 'percent'),
  };
}
