import { z } from 'zod';
import {
  AdamW,
  Linear,
  loadCheckpointWeights,
  Module,
  mean,
  mul,
  noGrad,
  readCheckpointConfig,
  relu,
  saveCheckpoint,
  sub,
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
    const order = Array.from({ length: rows }, (_, i) => i);
    const shuffler = rng.fork();
    const progress = new Progress('train student', options.epochs, {
      unit: 'epochs',
      silent: options.silent,
    });
    const trainMse: number[] = [];
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      shuffler.shuffle(order);
      for (let start = 0; start < rows; start += options.batchSize) {
        const batch = order.slice(start, start + options.batchSize);
        tidy(() => {
          optimizer.zeroGrad();
          const input = Tensor.from(gatherRows(x, width, batch), [batch.length, width]);
          const target = Tensor.from(
            batch.map((r) => targets[r]!),
            [batch.length, 1],
          );
          const loss = meanSquaredError(model.forward(input), target);
          loss.backward();
          optimizer.step();
        });
      }
      const mse = meanSquared(student.predictStandardised(x, rows, false), targets);
      trainMse.push(mse);
      progress.tick(1, `train MSE ${mse.toFixed(3)}`);
    }
    progress.finish();
    optimizer.free();
    return { student, trainMse };
  }

  /** Scores for feature rows [pairs × features], clipped to [0, 4]. */
  predict(features: Float32Array): Float32Array {
    const rows = features.length / this.featureCount;
    return this.predictStandardised(this.standardise(features), rows, true);
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

  private predictStandardised(x: Float32Array, rows: number, clip: boolean): Float32Array {
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
    if (clip) for (let i = 0; i < rows; i++) out[i] = Math.min(SCORE_MAX, Math.max(SCORE_MIN, out[i]!));
    return out;
  }
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
