import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { learningRate } from '../config/train.js';
import type { Dataset } from '../data/types.js';
import { aggregateRuns, type MetricsSummary, meansOf, splitOf, writeEvalOutputs } from '../eval/index.js';
import { CrsaugError } from '../util/errors.js';
import { readSyntheticLabels, realSamples, syntheticSamples, type TrainSample } from './samples.js';
import { useConfiguredThreads } from './threads.js';
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

/** Counts of a synthetic label file, reported with the run. */
export interface SyntheticReport {
  file: string;
  contexts: number;
  labels: number;
  /** Names that are not catalog items, and labels dropped because the context already mentions them. */
  unknownNames: number;
  repeatedDropped: number;
}

/** The training samples of a mode (real train pairs, synthetic labels, or both) and the synthetic file's counts. */
export async function samplesForMode(
  config: Config,
  dataset: Dataset,
): Promise<{ samples: TrainSample[]; synthetic?: SyntheticReport }> {
  const { train } = config;
  const real = () => realSamples(splitOf(dataset, 'train').contexts);
  if (train.mode === 'baseline' || train.mode === 'stage2') return { samples: real() };
  if (!train.synthetic)
    throw new CrsaugError(`mode ${train.mode} needs --synthetic FILE (the synthetic label file)`);
  const labels = await readSyntheticLabels(train.synthetic, dataset.catalog);
  const synthetic: SyntheticReport = {
    file: train.synthetic,
    contexts: labels.contexts.length,
    labels: labels.contexts.reduce((n, c) => n + c.items.length, 0),
    unknownNames: labels.unknownNames,
    repeatedDropped: labels.repeatedDropped,
  };
  const samples = syntheticSamples(labels, train.labelMode, train.scoreWeighted, train.listwiseTemperature);
  return { samples: train.mode === 'mixed' ? [...samples, ...real()] : samples, synthetic };
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
  useConfiguredThreads(config);
  const { samples, synthetic } = await samplesForMode(config, dataset);
  if (synthetic && !options.silent) {
    process.stderr.write(
      `${synthetic.file}: ${synthetic.labels} labels on ${synthetic.contexts} contexts (skipped: ${synthetic.unknownNames} names not in the catalog, ${synthetic.repeatedDropped} already mentioned by the context)\n`,
    );
  }
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
    lr: learningRate(config.train),
    dataset: dataset.name,
    split: 'test',
    samples: samples.length,
    ...(synthetic ? { synthetic } : {}),
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
