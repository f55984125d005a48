import { z } from 'zod';
import {
  AdamW,
  add,
  crossEntropy,
  Linear,
  loadCheckpointWeights,
  Module,
  mean,
  mul,
  noGrad,
  readCheckpointConfig,
  relu,
  saveCheckpoint,
  scale,
  sub,
  sum,
  Tensor,
  tidy,
} from '../engine/index.js';
import { InputError } from '../util/errors.js';
import { Progress } from '../util/progress.js';
import { Rng } from '../util/rng.js';

/** Scores are on the rubric's 0-4 scale; predictions are clipped to it. */
export const SCORE_MIN = 0;
export const SCORE_MAX = 4;

/** Saved next to model.safetensors: what is needed to rebuild the student and feed it features. */
export const StudentConfigSchema = z.object({
  kind: z.literal('feature-mlp'),
  featureNames: z.array(z.string()).min(1),
  /** Standardisation of each feature: (x − mean) / std, fitted on the training pairs. */
  featureMean: z.array(z.number()),
  featureStd: z.array(z.number()),
  hidden: z.array(z.number().int().positive()),
  seed: z.number().int(),
  /** One line naming what the student was distilled from, shown by `synthesize`. */
  description: z.string(),
  /** The embedder the semantic features were computed with; a student only fits features from the same one. */
  embedder: z.string(),
  trainedPairs: z.number().int().nonnegative(),
  /**
   * Monotone quantile map applied to the raw output (absent: raw output, clipped). MSE regression predicts
   * the conditional mean, which shrinks towards the average score, so a threshold like 3.5 keeps far fewer
   * pairs than the teacher marks 4; the map makes the student's score distribution on its training pairs
   * match the teacher's (see quantileMap), keeping its ranking.
   */
  calibration: z.object({ from: z.array(z.number()), to: z.array(z.number()) }).optional(),
});
export type StudentConfig = z.infer<typeof StudentConfigSchema>;

/** Linear layers with ReLU between them, ending in one output: a regression head on the features. */
class FeatureMlp extends Module {
  private readonly layers: Linear[];

  constructor(inputs: number, hidden: readonly number[], rng: Rng) {
    super();
    const widths = [inputs, ...hidden, 1];
    this.layers = widths.slice(1).map((w, i) => this.child(`layer${i}`, new Linear(widths[i]!, w, rng)));
  }

  forward(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((layer, i) => {
      h = layer.forward(h);
      if (i < this.layers.length - 1) h = relu(h);
    });
    return h;
  }

  /** Starts the output at the mean target, so training begins from the mean baseline. */
  setOutputBias(value: number): void {
    this.layers[this.layers.length - 1]!.bias!.data.fill(value);
  }
}

export interface TrainStudentOptions {
  featureNames: readonly string[];
  hidden: readonly number[];
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  seed: number;
  description: string;
  embedder: string;
  /** 'quantile': fit the quantile map on the training pairs after training; 'none': raw output. */
  calibration: 'quantile' | 'none';
  /** 'mse', or 'mse+listwise': plus ListNet over each context's pairs (needs `groups`). */
  objective?: 'mse' | 'mse+listwise';
  listwiseWeight?: number;
  listwiseTemperature?: number;
  /** The context (group) of each training row, for the listwise term. */
  groups?: Int32Array;
  silent?: boolean;
}

export interface TrainedStudent {
  student: Student;
  /** Mean squared error on the training pairs after each epoch. */
  trainMse: number[];
}

/** A feature-based relevance scorer distilled from teacher scores (MSE regression, clipped to 0-4). */
export class Student {
  private constructor(
    readonly config: StudentConfig,
    private readonly model: FeatureMlp,
  ) {}

  get featureCount(): number {
    return this.config.featureNames.length;
  }

  /**
   * Trains on feature rows [pairs × features] and teacher scores, seeded and deterministic: the same data,
   * options and seed give the same weights.
   */
  static train(features: Float32Array, targets: Float32Array, options: TrainStudentOptions): TrainedStudent {
    const width = options.featureNames.length;
    const rows = targets.length;
    if (features.length !== rows * width)
      throw new Error(`features hold ${features.length / width} rows, targets ${rows}`);
    const { mean: featureMean, std: featureStd } = columnStats(features, width);
    const config: StudentConfig = {
      kind: 'feature-mlp',
      featureNames: [...options.featureNames],
      featureMean,
      featureStd,
      hidden: [...options.hidden],
      seed: options.seed,
      description: options.description,
      embedder: options.embedder,
      trainedPairs: rows,
    };
    const rng = new Rng(options.seed);
    const model = new FeatureMlp(width, options.hidden, rng.fork());
    const student = new Student(config, model);
    model.setOutputBias(targets.reduce((s, t) => s + t, 0) / Math.max(1, rows));
    const x = student.standardise(features);
    const optimizer = new AdamW(model.namedParameters(), {
      lr: options.lr,
      weightDecay: options.weightDecay,
      noDecay: (name) => name.endsWith('bias'),
    });
    const listwise = options.objective === 'mse+listwise';
    if (listwise && options.groups?.length !== rows)
      throw new Error('the listwise objective needs the context of every training row (groups)');
    const batches = listwise
      ? groupBatches(options.groups!, options.batchSize)
      : rowBatches(rows, options.batchSize);
    const shuffler = rng.fork();
    const progress = new Progress('train student', options.epochs, {
      unit: 'epochs',
      silent: options.silent,
    });
    const trainMse: number[] = [];
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (const batch of batches(shuffler)) {
        tidy(() => {
          optimizer.zeroGrad();
          const loss = listwise
            ? listwiseBatchLoss(model, x, width, targets, batch, options)
            : mseBatchLoss(model, x, width, targets, batch.flat());
          loss.backward();
          optimizer.step();
        });
      }
      const mse = meanSquared(student.predictStandardised(x, rows), targets);
      trainMse.push(mse);
      progress.tick(1, `train MSE ${mse.toFixed(3)}`);
    }
    progress.finish();
    optimizer.free();
    if (options.calibration === 'quantile') {
      config.calibration = quantileMap(student.predictStandardised(x, rows), targets);
    }
    return { student, trainMse };
  }

  /** Scores for feature rows [pairs × features]: raw output, calibrated when the student has a map, clipped to [0, 4]. */
  predict(features: Float32Array): Float32Array {
    const rows = features.length / this.featureCount;
    const raw = this.predictStandardised(this.standardise(features), rows);
    const map = this.config.calibration;
    return raw.map((v) => clipScore(map ? interpolate(map.from, map.to, v) : v));
  }

  async save(dir: string, metadata: Record<string, string> = {}): Promise<void> {
    await saveCheckpoint(dir, this.model, this.config, metadata);
  }

  static async load(dir: string): Promise<Student> {
    const raw = readCheckpointConfig(dir);
    const parsed = StudentConfigSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError(
        { file: `${dir}/config.json`, field: issue.path.join('.') },
        `not a student config: ${issue.message}`,
      );
    }
    const config = parsed.data;
    const model = new FeatureMlp(config.featureNames.length, config.hidden, new Rng(config.seed));
    await loadCheckpointWeights(dir, model);
    return new Student(config, model);
  }

  free(): void {
    this.model.free();
  }

  private standardise(features: Float32Array): Float32Array {
    const width = this.featureCount;
    const out = new Float32Array(features.length);
    for (let i = 0; i < features.length; i++) {
      const c = i % width;
      out[i] = (features[i]! - this.config.featureMean[c]!) / this.config.featureStd[c]!;
    }
    return out;
  }

  private predictStandardised(x: Float32Array, rows: number): Float32Array {
    const out = new Float32Array(rows);
    const chunk = 4096;
    noGrad(() => {
      for (let start = 0; start < rows; start += chunk) {
        const n = Math.min(chunk, rows - start);
        tidy(() => {
          const input = Tensor.from(x.subarray(start * this.featureCount, (start + n) * this.featureCount), [
            n,
            this.featureCount,
          ]);
          out.set(this.model.forward(input).data, start);
        });
      }
    });
    return out;
  }
}

const clipScore = (v: number) => Math.min(SCORE_MAX, Math.max(SCORE_MIN, v));

/** Knots of the quantile map: this many evenly spaced quantile levels from 0 to 1. */
const CALIBRATION_KNOTS = 201;

/**
 * A monotone map from predictions to targets that makes the predictions' distribution match the targets'
 * (quantile matching). Each teacher score t stands for the interval [t − 0.5, t + 0.5] (a 4 is anything the
 * 3.5 threshold keeps), so the target quantiles are strictly increasing: the map keeps every distinction the
 * raw predictions make (same Spearman), and the share mapped to ≥ 3.5 equals the teacher's share of 4s.
 */
export function quantileMap(
  predictions: ArrayLike<number>,
  targets: ArrayLike<number>,
  knots = CALIBRATION_KNOTS,
): { from: number[]; to: number[] } {
  const sorted = Float64Array.from(predictions).sort();
  const from: number[] = [];
  const to: number[] = [];
  for (let k = 0; k < knots; k++) {
    const q = k / (knots - 1);
    const x = quantileOfSorted(sorted, q);
    if (from.length > 0 && x <= from.at(-1)!) continue;
    from.push(x);
    to.push(smoothedQuantile(targets, q));
  }
  return { from, to };
}

/** Linear-interpolated quantile of sorted values. */
function quantileOfSorted(sorted: Float64Array, q: number): number {
  const at = q * (sorted.length - 1);
  const low = Math.floor(at);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (at - low) * (sorted[high]! - sorted[low]!);
}

/** The q-quantile of the targets with each one spread uniformly over [t − 0.5, t + 0.5] (bisection on the CDF). */
function smoothedQuantile(targets: ArrayLike<number>, q: number): number {
  const cdf = (x: number) => {
    let s = 0;
    for (let i = 0; i < targets.length; i++) s += Math.min(1, Math.max(0, x - targets[i]! + 0.5));
    return s / targets.length;
  };
  let low = SCORE_MIN - 0.5;
  let high = SCORE_MAX + 0.5;
  for (let i = 0; i < 40; i++) {
    const mid = (low + high) / 2;
    if (cdf(mid) < q) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** Piecewise-linear y(x) through the knots (xs increasing), constant beyond the ends. */
export function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs.at(-1)!) return ys.at(-1)!;
  let low = 0;
  let high = xs.length - 1;
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (xs[mid]! <= x) low = mid;
    else high = mid;
  }
  return ys[low]! + ((x - xs[low]!) / (xs[high]! - xs[low]!)) * (ys[high]! - ys[low]!);
}

/** Shuffled batches of single rows, each batch a list of one-row groups. */
function rowBatches(rows: number, size: number): (rng: Rng) => number[][][] {
  const order = Array.from({ length: rows }, (_, i) => i);
  return (rng) => {
    rng.shuffle(order);
    const out: number[][][] = [];
    for (let start = 0; start < rows; start += size)
      out.push(order.slice(start, start + size).map((r) => [r]));
    return out;
  };
}

/** Shuffled batches of whole groups (contexts), about `size` rows each. */
function groupBatches(groups: Int32Array, size: number): (rng: Rng) => number[][][] {
  const byGroup = new Map<number, number[]>();
  groups.forEach((g, row) => {
    const list = byGroup.get(g);
    if (list) list.push(row);
    else byGroup.set(g, [row]);
  });
  const all = [...byGroup.values()];
  return (rng) => {
    rng.shuffle(all);
    const out: number[][][] = [];
    let batch: number[][] = [];
    let rows = 0;
    for (const group of all) {
      batch.push(group);
      rows += group.length;
      if (rows >= size) {
        out.push(batch);
        batch = [];
        rows = 0;
      }
    }
    if (batch.length > 0) out.push(batch);
    return out;
  };
}

function mseBatchLoss(
  model: FeatureMlp,
  x: Float32Array,
  width: number,
  targets: Float32Array,
  batch: number[],
) {
  const input = Tensor.from(gatherRows(x, width, batch), [batch.length, width]);
  const target = Tensor.from(
    batch.map((r) => targets[r]!),
    [batch.length, 1],
  );
  return meanSquaredError(model.forward(input), target);
}

/** Logit given to the padding of a short group: its softmax weight is 0 to float precision. */
const PAD_LOGIT = -1e4;

/**
 * MSE over the batch's rows plus λ · ListNet: for each group, CE between softmax(teacher / τ) and
 * softmax(student / τ) over its rows. Groups are padded to the longest with rows whose logit is PAD_LOGIT
 * and whose target weight is 0, so one [groups × longest] cross-entropy covers the batch.
 */
function listwiseBatchLoss(
  model: FeatureMlp,
  x: Float32Array,
  width: number,
  targets: Float32Array,
  batch: number[][],
  options: Pick<TrainStudentOptions, 'listwiseWeight' | 'listwiseTemperature'>,
): Tensor {
  const longest = Math.max(...batch.map((g) => g.length));
  const cells = batch.length * longest;
  const input = new Float32Array(cells * width);
  const target = new Float32Array(cells);
  const real = new Float32Array(cells);
  const pad = new Float32Array(cells);
  const distribution = new Float32Array(cells);
  const tau = options.listwiseTemperature ?? 1;
  let rows = 0;
  batch.forEach((group, g) => {
    const top = Math.max(...group.map((r) => targets[r]!));
    let total = 0;
    group.forEach((row, i) => {
      const cell = g * longest + i;
      input.set(x.subarray(row * width, (row + 1) * width), cell * width);
      target[cell] = targets[row]!;
      real[cell] = 1;
      distribution[cell] = Math.exp((targets[row]! - top) / tau);
      total += distribution[cell]!;
    });
    for (let i = 0; i < longest; i++) {
      const cell = g * longest + i;
      if (i < group.length) distribution[cell]! /= total;
      else pad[cell] = PAD_LOGIT;
    }
    rows += group.length;
  });
  const prediction = model.forward(Tensor.from(input, [cells, width]));
  const diff = sub(prediction, Tensor.from(target, [cells, 1]));
  const mse = scale(sum(mul(mul(diff, diff), Tensor.from(real, [cells, 1]))), 1 / rows);
  const logits = add(
    scale(prediction.reshape([batch.length, longest]), 1 / tau),
    Tensor.from(pad, [batch.length, longest]),
  );
  const listNet = crossEntropy(logits, Tensor.from(distribution, [batch.length, longest]));
  return add(mse, scale(listNet, options.listwiseWeight ?? 1));
}

function meanSquaredError(prediction: Tensor, target: Tensor): Tensor {
  const diff = sub(prediction, target);
  return mean(mul(diff, diff));
}

function meanSquared(prediction: Float32Array, target: Float32Array): number {
  let s = 0;
  for (let i = 0; i < target.length; i++) s += (prediction[i]! - target[i]!) ** 2;
  return s / Math.max(1, target.length);
}

/** Per-column mean and standard deviation; a constant column gets std 1 so it standardises to 0. */
function columnStats(features: Float32Array, width: number): { mean: number[]; std: number[] } {
  const rows = features.length / width;
  const mean = new Array<number>(width).fill(0);
  const sq = new Array<number>(width).fill(0);
  for (let i = 0; i < features.length; i++) mean[i % width]! += features[i]! / rows;
  for (let i = 0; i < features.length; i++) sq[i % width]! += (features[i]! - mean[i % width]!) ** 2 / rows;
  return { mean, std: sq.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1)) };
}

/** The chosen rows of a row-major matrix [rows × width], in the given order. */
export function gatherRows(x: Float32Array, width: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    out.set(x.subarray(r * width, (r + 1) * width), i * width);
  });
  return out;
}
