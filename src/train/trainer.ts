import { join } from 'node:path';
import { learningRate, type TrainConfig } from '../config/train.js';
import type { Dataset, RecContext } from '../data/types.js';
import { AdamW, clipGradNorm, learningRateFactor, loadCheckpointWeights, tidy } from '../engine/index.js';
import { type EvalOptions, evaluateRecommender, type Metrics, parseRankMetricKey } from '../eval/index.js';
import { backboneSettings, buildBackbone } from '../models/registry.js';
import { asRecommender, type TrainableModel } from '../models/trainable.js';
import { CrsaugError } from '../util/errors.js';
import { Progress } from '../util/progress.js';
import { Rng } from '../util/rng.js';
import { EventLoopYield } from '../util/yield.js';
import {
  loadModel,
  readTrainerState,
  restoreTrainingCheckpoint,
  saveModel,
  saveTrainingCheckpoint,
  type TrainerState,
} from './checkpoint.js';
import { batchLoss, type Distillation } from './loss.js';
import type { TrainSample } from './samples.js';

export const LAST_CHECKPOINT = 'last';
export const BEST_CHECKPOINT = 'best';

export interface TrainSeedOptions {
  dataset: Dataset;
  train: TrainConfig;
  seed: number;
  samples: readonly TrainSample[];
  /** Contexts for model selection (real valid split) and the final numbers (real test split; none: no test metrics). */
  valid: readonly RecContext[];
  test?: readonly RecContext[];
  evalOptions: EvalOptions;
  /** This seed's folder: `last/` (resumable), `best/` (selected model). */
  outDir: string;
  /** Continue from `last/` when it exists. */
  resume?: boolean;
  /** End this process after this many epochs (the run can be resumed later); the result is then null. */
  stopAfterEpochs?: number;
  silent?: boolean;
}

export interface SeedResult {
  seed: number;
  /** 1-based epoch whose weights were selected on valid. */
  bestEpoch: number;
  valid: Metrics;
  /** Empty when no test contexts were given. */
  test: Metrics;
  history: TrainerState['history'];
  /** Wall time of the epochs this process ran. */
  trainSeconds: number;
}

/** The data order of an epoch depends only on (seed, epoch), so a resumed run shuffles exactly like an uninterrupted one. */
export function epochRng(seed: number, epoch: number): Rng {
  return new Rng((seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0);
}

/**
 * Trains one seed: AdamW with linear warm-up and decay, gradient clipping, valid evaluation after each
 * epoch with the reference protocol, best-epoch selection on `train.selectMetric` (stopping early after
 * `train.patience` epochs without improvement), a resumable checkpoint each epoch, and test metrics of the
 * selected weights.
 */
export async function trainSeed(o: TrainSeedOptions): Promise<SeedResult | null> {
  const { train, dataset, seed } = o;
  if (o.samples.length === 0) throw new CrsaugError('no training samples (every label was filtered out?)');
  const { k } = parseRankMetricKey(train.selectMetric);
  if (!o.evalOptions.ks.includes(k)) {
    throw new CrsaugError(
      `selection metric ${train.selectMetric} needs cut-off ${k} in eval.ks (${o.evalOptions.ks})`,
    );
  }
  const model = train.init
    ? await loadModel(train.init, dataset)
    : await buildBackbone(train.model, dataset, backboneSettings(train), seed);
  let distillation: Distillation | undefined;
  let optimizer: AdamW | undefined;
  try {
    if (model.backbone !== train.model) {
      throw new CrsaugError(
        `--init ${train.init} holds a ${model.backbone} model, but the run trains ${train.model}`,
        {
          hint: `pass --model ${model.backbone}`,
        },
      );
    }
    if (!train.init && train.itemPrior)
      model.setItemBias(logLabelPrior(o.samples, dataset.catalog.itemEntity.length));
    distillation = await distillationOf(train, dataset);
    optimizer = new AdamW(model.module.namedParameters(), {
      lr: learningRate(train),
      weightDecay: train.weightDecay,
      noDecay: (name) => /bias$/i.test(name),
    });
    return await trainEpochs(o, model, optimizer, distillation);
  } finally {
    optimizer?.free();
    model.module.free();
    distillation?.reference.module.free();
  }
}

/** The epoch loop of trainSeed (from the last checkpoint when resuming), then test metrics of the best epoch. */
async function trainEpochs(
  o: TrainSeedOptions,
  model: TrainableModel,
  optimizer: AdamW,
  distillation: Distillation | undefined,
): Promise<SeedResult | null> {
  const { train, dataset, seed } = o;
  const stepsPerEpoch = Math.ceil(o.samples.length / train.batchSize);
  const schedule = {
    warmupSteps: train.warmupSteps < 0 ? stepsPerEpoch : train.warmupSteps,
    totalSteps: stepsPerEpoch * train.epochs,
    decay: 'linear' as const,
  };
  const lastDir = join(o.outDir, LAST_CHECKPOINT);
  const bestDir = join(o.outDir, BEST_CHECKPOINT);
  let state: TrainerState = { epoch: 0, step: 0, seed, best: -1, bestEpoch: 0, history: [] };
  const saved = o.resume ? readTrainerState(lastDir) : null;
  if (saved) {
    if (saved.seed !== seed) throw new CrsaugError(`${lastDir} belongs to seed ${saved.seed}, not ${seed}`);
    await restoreTrainingCheckpoint(lastDir, model, optimizer);
    state = saved;
    if (!o.silent)
      process.stderr.write(`resuming seed ${seed} after epoch ${state.epoch} (step ${state.step})\n`);
  }
  const parameters = model.module.parameters();
  const breather = new EventLoopYield();
  const start = performance.now();
  const lastEpoch = Math.min(train.epochs, state.epoch + (o.stopAfterEpochs ?? train.epochs));
  for (let epoch = state.epoch; epoch < lastEpoch && !stoppedEarly(state, train); epoch++) {
    const order = epochRng(seed, epoch).shuffle(Array.from(o.samples.keys()));
    const progress = new Progress(`seed ${seed} epoch ${epoch + 1}/${train.epochs}`, order.length, {
      unit: 'samples',
      silent: o.silent,
    });
    let lossSum = 0;
    for (let at = 0; at < order.length; at += train.batchSize) {
      const batch = order.slice(at, at + train.batchSize).map((i) => o.samples[i]!);
      const loss = tidy(() => {
        const value = batchLoss(model, batch, distillation);
        value.backward();
        return value.item();
      });
      if (train.clipNorm > 0) clipGradNorm(parameters, train.clipNorm);
      optimizer.step(learningRateFactor(state.step, schedule));
      optimizer.zeroGrad();
      state.step++;
      lossSum += loss * batch.length;
      progress.tick(batch.length, `loss ${(lossSum / Math.min(order.length, at + batch.length)).toFixed(4)}`);
      await breather.maybe();
    }
    const valid = evaluate(model, o.valid, o);
    const selected = valid[train.selectMetric]!;
    const loss = lossSum / order.length;
    state = { ...state, epoch: epoch + 1, history: [...state.history, { epoch: epoch + 1, loss, valid }] };
    if (selected > state.best) {
      state = { ...state, best: selected, bestEpoch: epoch + 1 };
      await saveModel(bestDir, model, dataset);
    }
    await saveTrainingCheckpoint(lastDir, model, dataset, optimizer, state);
    progress.finish(`loss ${loss.toFixed(4)} valid ${train.selectMetric} ${selected.toFixed(4)}`);
  }
  const trainSeconds = (performance.now() - start) / 1000;
  if (state.epoch < train.epochs && !stoppedEarly(state, train)) return null;
  await loadCheckpointWeights(bestDir, model.module);
  return {
    seed,
    bestEpoch: state.bestEpoch,
    valid: state.history[state.bestEpoch - 1]!.valid,
    test: o.test ? evaluate(model, o.test, o) : {},
    history: state.history,
    trainSeconds,
  };
}

/** Early stopping: `patience` epochs have passed without a better valid score than the selected epoch's. */
export function stoppedEarly(state: Pick<TrainerState, 'epoch' | 'bestEpoch'>, train: TrainConfig): boolean {
  return train.patience > 0 && state.epoch - state.bestEpoch >= train.patience;
}

/** log((n_i + 1) / (N + items)) with n_i the (weighted) label count of item i in the samples. */
export function logLabelPrior(samples: readonly TrainSample[], items: number): Float32Array {
  const counts = new Float64Array(items);
  let total = 0;
  for (const s of samples) {
    s.labels.forEach((item, i) => {
      counts[item]! += s.weights[i]!;
      total += s.weights[i]!;
    });
  }
  return Float32Array.from(counts, (n) => Math.log((n + 1) / (total + items)));
}

/** Stage 2's frozen reference: a second, separately loaded copy of the --init checkpoint. */
async function distillationOf(train: TrainConfig, dataset: Dataset): Promise<Distillation | undefined> {
  if (train.mode !== 'stage2') return undefined;
  if (!train.init) throw new CrsaugError('stage2 needs --init (the stage-1 best/ checkpoint folder)');
  const reference = await loadModel(train.init, dataset);
  reference.module.eval();
  return {
    reference,
    alpha: train.alpha,
    temperature: train.temperature,
    temperatureSquared: train.temperatureSquared,
  };
}

function evaluate(model: TrainableModel, contexts: readonly RecContext[], o: TrainSeedOptions): Metrics {
  const recommender = asRecommender(model);
  return evaluateRecommender(recommender, contexts, o.dataset.catalog, {
    ...o.evalOptions,
    batchSize: o.train.evalBatchSize,
    silent: true,
  }).result.metrics;
}
