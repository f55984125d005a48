import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { aggregateRuns, type MetricsSummary, meansOf, splitOf, writeEvalOutputs } from '../eval/index.js';
import { CrsaugError } from '../util/errors.js';
import { readSyntheticLabels, realSamples, syntheticSamples, type TrainSample } from './samples.js';
import { type SeedResult, trainSeed } from './trainer.js';

export interface TrainRunOptions {
  /** The run's output folder: config.resolved.json, metrics.json and one `seed-<n>/` folder per seed. */
  outDir: string;
  resume?: boolean;
  stopAfterEpochs?: number;
  silent?: boolean;
}

export interface TrainRunResult {
  /** Finished seeds (a run stopped early with stopAfterEpochs has none). */
  runs: SeedResult[];
  /** Test metrics, mean ± sample std over the seeds. */
  summary: MetricsSummary | null;
  /** The JSON written to metrics.json. */
  output: Record<string, unknown>;
}

/** The training samples of a mode: real train pairs, synthetic labels, or both. */
export async function samplesForMode(config: Config, dataset: Dataset): Promise<TrainSample[]> {
  const { train } = config;
  const real = () => realSamples(splitOf(dataset, 'train').contexts);
  const synthetic = async () => {
    if (!train.synthetic)
      throw new CrsaugError(`mode ${train.mode} needs --synthetic FILE (the synthetic label file)`);
    const labels = await readSyntheticLabels(train.synthetic, dataset.catalog);
    return syntheticSamples(labels, train.labelMode, train.scoreWeighted);
  };
  switch (train.mode) {
    case 'baseline':
    case 'stage2':
      return real();
    case 'stage1':
      return synthetic();
    case 'mixed':
      return [...(await synthetic()), ...real()];
  }
}

/**
 * Trains `train.seeds` seeds (seed, seed+1, …) and writes the resolved config and metrics.json (per seed and
 * aggregated test metrics, keyed like recall@10) into outDir.
 */
export async function runTraining(
  config: Config,
  dataset: Dataset,
  options: TrainRunOptions,
): Promise<TrainRunResult> {
  const samples = await samplesForMode(config, dataset);
  const evalOptions = { ks: config.eval.ks, topK: config.eval.topK };
  const runs: SeedResult[] = [];
  for (let i = 0; i < config.train.seeds; i++) {
    const seed = config.seed + i;
    const result = await trainSeed({
      dataset,
      train: config.train,
      seed,
      samples,
      valid: splitOf(dataset, 'valid').contexts,
      test: splitOf(dataset, 'test').contexts,
      evalOptions,
      outDir: join(options.outDir, `seed-${seed}`),
      resume: options.resume,
      stopAfterEpochs: options.stopAfterEpochs,
      silent: options.silent,
    });
    if (result) runs.push(result);
  }
  const summary = runs.length > 0 ? aggregateRuns(runs.map((r) => r.test)) : null;
  const output: Record<string, unknown> = {
    ...(summary ? meansOf(summary) : {}),
    std: summary ? Object.fromEntries(Object.entries(summary).map(([key, s]) => [key, s.std])) : {},
    model: config.train.model,
    mode: config.train.mode,
    dataset: dataset.name,
    split: 'test',
    samples: samples.length,
    seeds: runs.map((r) => r.seed),
    runs: runs.map((r) => ({
      seed: r.seed,
      bestEpoch: r.bestEpoch,
      trainSeconds: r.trainSeconds,
      valid: r.valid,
      metrics: r.test,
      history: r.history.map((h) => ({
        epoch: h.epoch,
        loss: h.loss,
        [config.train.selectMetric]: h.valid[config.train.selectMetric],
      })),
    })),
  };
  if (summary) await writeEvalOutputs(options.outDir, config, output);
  return { runs, summary, output };
}
