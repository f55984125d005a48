// The engine-notes reference training step: embedding 30,000x128, mean of 64 tokens, batch 256 →
// linear 128x7000 (+bias) → softmax cross-entropy → backward → AdamW (lazy rows for the sparse table,
// or dense over the whole table). Run: npm run build && node dist/bench/engine/train-step.js
import { pathToFileURL } from 'node:url';
import { configureEngine } from '../../src/engine/engine.js';
import { crossEntropy, embeddingBagMean, Linear, Module, tidy } from '../../src/engine/index.js';
import { Embedding } from '../../src/engine/nn/layers.js';
import { AdamW } from '../../src/engine/optim/adamw.js';
import { Rng } from '../../src/util/rng.js';
import { contention, load, measure } from './measure.js';
import { describeKernels, type StepKernelTimes, stepKernelsAlone } from './step-kernels.js';

const VOCAB = 30000;
const DIM = 128;
const TOKENS = 64;
const BATCH = 256;
const CLASSES = 7000;

class BagClassifier extends Module {
  readonly emb;
  readonly out;
  constructor(rng: Rng, sparse: boolean) {
    super();
    this.emb = this.child('emb', new Embedding(VOCAB, DIM, rng, { sparse }));
    this.out = this.child('out', new Linear(DIM, CLASSES, rng));
  }
}

export interface StepResult {
  threads: number;
  sparse: boolean;
  msPerStep: number;
  cpuMsPerStep: number;
  /** Kernel calls (GEMM, row and elementwise shares) the worker threads ran per step (0 on 1 thread). */
  workerJobsPerStep: number;
  firstLoss: number;
  lastLoss: number;
  /** The step's kernels each alone with warm operands (bench/engine/step-kernels.ts). */
  kernelsAlone: StepKernelTimes;
}

export async function benchTrainStep(threads: number, sparse: boolean, steps = 15): Promise<StepResult> {
  const engine = configureEngine({ threads });
  await engine.ready();
  const rng = new Rng(1);
  const model = new BagClassifier(rng, sparse);
  const opt = new AdamW(model.namedParameters(), { lr: 1e-3, weightDecay: 0 });
  const bags = Int32Array.from({ length: BATCH * TOKENS }, (_, i) => Math.floor(i / TOKENS));
  // Batches are made up front so the timing covers only the training step.
  const batches = Array.from({ length: steps + 3 }, () => ({
    tokens: Int32Array.from({ length: BATCH * TOKENS }, () => rng.int(VOCAB)),
    labels: Int32Array.from({ length: BATCH }, () => rng.int(CLASSES)),
  }));
  const losses: number[] = [];
  const step = (): void => {
    const { tokens, labels } = batches[losses.length]!;
    losses.push(
      tidy(() => {
        opt.zeroGrad();
        const pooled = embeddingBagMean(model.emb.weight, tokens, bags, BATCH);
        const loss = crossEntropy(model.out.forward(pooled), labels);
        loss.backward();
        opt.step();
        return loss.item();
      }),
    );
  };
  const jobsBefore = engine.workerJobs();
  const { wallMs, cpuMs } = measure(step, steps, 3);
  const workerJobsPerStep = (engine.workerJobs() - jobsBefore) / (steps + 3);
  const last = batches[losses.length - 1]!;
  const kernelsAlone = stepKernelsAlone(
    {
      shape: { vocab: VOCAB, dim: DIM, tokens: TOKENS, batch: BATCH, classes: CLASSES },
      table: model.emb.weight,
      weight: model.out.weight,
      bias: model.out.bias!,
      optimizer: opt,
      tokens: last.tokens,
      labels: last.labels,
    },
    steps,
  );
  opt.free();
  model.free();
  return {
    threads,
    sparse,
    msPerStep: wallMs,
    cpuMsPerStep: cpuMs,
    workerJobsPerStep,
    firstLoss: losses[0]!,
    lastLoss: losses[losses.length - 1]!,
    kernelsAlone,
  };
}

/** Prints the training-step table (used by this file's main and by bench/engine/index.ts). */
export async function printTrainStepBench(): Promise<void> {
  const engine = configureEngine({});
  console.log(
    `engine training step (${engine.flavour} kernels), median of 15 steps after 3 warm-up, ${load()}, ` +
      (await contention()),
  );
  for (const threads of [1, 2]) {
    for (const sparse of [true, false]) {
      const r = await benchTrainStep(threads, sparse);
      console.log(
        `threads=${threads} ${sparse ? 'lazy AdamW (touched rows)' : 'dense AdamW               '}  ` +
          `${r.msPerStep.toFixed(1)} ms/step, ${r.cpuMsPerStep.toFixed(1)} CPU ms/step, ` +
          `${r.workerJobsPerStep} kernel calls/step run by a worker  (loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)})`,
      );
      console.log(`  its kernels alone: ${describeKernels(r.kernelsAlone)}`);
    }
  }
  await engine.dispose();
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await printTrainStepBench();
