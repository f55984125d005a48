import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Dataset, RecContext } from '../../src/data/types.js';
import { readSafetensors, tidy } from '../../src/engine/index.js';
import { buildBackbone } from '../../src/models/registry.js';
import type { TrainableModel } from '../../src/models/trainable.js';
import { loadModel } from '../../src/train/checkpoint.js';
import { batchLoss } from '../../src/train/loss.js';
import { runTraining } from '../../src/train/run.js';
import { realSamples, type TrainSample } from '../../src/train/samples.js';
import { logLabelPrior } from '../../src/train/trainer.js';
import { loadInspired, tempDir, tinyConfig, withTrainSubset } from './helpers.js';

// The losses below are recomputed in plain JS (float64) from the model's logits, independently of the
// engine's fused softmax kernels, so a stage-2 loss that lost its KL term, its α or its τ cannot pass.

/** Row-wise log softmax(logits / temperature) of a row-major [rows × cols] matrix. */
function logSoftmaxRows(logits: Float32Array, cols: number, temperature = 1): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let at = 0; at < logits.length; at += cols) {
    const row = Float64Array.from(logits.subarray(at, at + cols), (z) => z / temperature);
    const max = Math.max(...row);
    let sum = 0;
    for (const z of row) sum += Math.exp(z - max);
    const logSum = max + Math.log(sum);
    rows.push(row.map((z) => z - logSum));
  }
  return rows;
}

/** Cross-entropy of a batch as the trainer defines it (hard labels, weighted labels, or target distributions). */
function plainCrossEntropy(logits: Float32Array, cols: number, batch: readonly TrainSample[]): number {
  const logP = logSoftmaxRows(logits, cols);
  if (batch.every((s) => s.labels.length === 1)) {
    let loss = 0;
    let weights = 0;
    batch.forEach((s, r) => {
      loss -= s.weights[0]! * logP[r]![s.labels[0]!]!;
      weights += s.weights[0]!;
    });
    return loss / weights;
  }
  let loss = 0;
  batch.forEach((s, r) => {
    s.labels.forEach((item, i) => {
      loss -= s.weights[i]! * logP[r]![item]!;
    });
  });
  return loss / batch.length;
}

/** KL(softmax(ref / τ) ‖ softmax(logits / τ)), averaged over rows. */
function plainKl(logits: Float32Array, refLogits: Float32Array, cols: number, temperature: number): number {
  const logP = logSoftmaxRows(logits, cols, temperature);
  const logQ = logSoftmaxRows(refLogits, cols, temperature);
  let kl = 0;
  logQ.forEach((row, r) => {
    row.forEach((lq, i) => {
      kl += Math.exp(lq) * (lq - logP[r]![i]!);
    });
  });
  return kl / logQ.length;
}

function logitsOf(model: TrainableModel, contexts: readonly RecContext[]): Float32Array {
  return tidy(() => model.logits(contexts).toArray());
}

/** CE + α·KL_τ(reference ‖ model) of a batch, from both models' logits. */
function expectedLoss(
  model: TrainableModel,
  reference: TrainableModel,
  batch: readonly TrainSample[],
  alpha: number,
  temperature: number,
): { ce: number; kl: number; total: number } {
  const contexts = batch.map((s) => s.context);
  const logits = logitsOf(model, contexts);
  const cols = logits.length / batch.length;
  const ce = plainCrossEntropy(logits, cols, batch);
  const kl = plainKl(logits, logitsOf(reference, contexts), cols, temperature);
  return { ce, kl, total: ce + alpha * kl };
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-4 * Math.max(1, Math.abs(expected)),
    `${what}: got ${actual}, expected ${expected}`,
  );
}

const KBRD = { dim: 8, bases: 2, attentionDim: 8, maxEntities: 8 };

async function twoModels(dataset: Dataset): Promise<{ model: TrainableModel; reference: TrainableModel }> {
  const model = await buildBackbone('kbrd', dataset, KBRD, 1);
  // A reference that ranks by popularity, as a trained stage-1 model leans to: far from the fresh model.
  const reference = await buildBackbone('kbrd', dataset, KBRD, 2);
  const items = dataset.catalog.items.length;
  reference.setItemBias(logLabelPrior(realSamples(dataset.splits.train!.contexts), items));
  reference.module.eval();
  return { model, reference };
}

test('batch loss: CE alone without distillation or at α = 0; CE + α·KL(p_ref ‖ p) at temperature τ otherwise', async () => {
  const dataset = await loadInspired();
  const { model, reference } = await twoModels(dataset);
  const contexts = dataset.splits.train!.contexts.slice(0, 24);
  const hard = realSamples(contexts);
  // No weight is 1, so a batch is weighted because some weight differs from 1, not because one equals it.
  const weighted = hard.map((s, i) => ({ ...s, weights: Float32Array.of(2 + (i % 3)) }));
  // Some weights 1, some not: weighted too.
  const partly = hard.map((s, i) => ({ ...s, weights: Float32Array.of(1 + (i % 2)) }));
  const multi = contexts.map((context, i) => ({
    context,
    // A repeated item adds up its weights; the weights need not sum to 1.
    labels: Int32Array.of(i % 7, (i * 5 + 3) % 11, i % 7),
    weights: Float32Array.of(0.25, 0.5, 0.25 + (i % 2) * 0.5),
  }));
  // Single-label samples among multi-positive ones: the whole batch trains on target distributions.
  const mixed = multi.map((s, i) =>
    i % 3 === 0 ? { ...s, labels: s.labels.subarray(1, 2), weights: Float32Array.of(0.5) } : s,
  );
  try {
    for (const [name, batch] of Object.entries({ hard, weighted, partly, multi, mixed })) {
      const loss = (distillation?: { alpha: number; temperature: number }) =>
        tidy(() => batchLoss(model, batch, distillation && { reference, ...distillation }).item());
      const { ce } = expectedLoss(model, reference, batch, 0, 1);
      assertClose(loss(), ce, `${name}: no distillation`);
      assertClose(loss({ alpha: 0, temperature: 2 }), ce, `${name}: α = 0`);
      for (const [alpha, temperature] of [
        [0.5, 1],
        [2, 1],
        [0.5, 2],
        [1, 0.5],
      ] as const) {
        const expected = expectedLoss(model, reference, batch, alpha, temperature);
        // The KL term must weigh far more than the tolerance, or dropping it would go unnoticed.
        assert.ok(alpha * expected.kl > 0.01, `${name}: KL term ${alpha * expected.kl} is too small to test`);
        assertClose(loss({ alpha, temperature }), expected.total, `${name}: α ${alpha}, τ ${temperature}`);
      }
    }
    // At α = 0 the frozen model is not even run.
    const unused = {
      ...reference,
      logits: () => {
        throw new Error('the reference ran at α = 0');
      },
    };
    assertClose(
      tidy(() => batchLoss(model, hard, { reference: unused, alpha: 0, temperature: 1 }).item()),
      expectedLoss(model, reference, hard, 0, 1).ce,
      'α = 0 without the reference',
    );
    // Identical models: the KL term vanishes whatever α is.
    const same = { reference: model, alpha: 3, temperature: 2 };
    assertClose(
      tidy(() => batchLoss(model, hard, same).item()),
      expectedLoss(model, model, hard, 0, 1).ce,
      'KL of a model against itself',
    );
  } finally {
    model.module.free();
    reference.module.free();
  }
});

test('stage 2 trains on CE + α·KL_τ against the frozen stage-1 model; α > 0 ends elsewhere than α = 0, nearer the reference', async () => {
  const dataset = withTrainSubset(await loadInspired(), 60);
  const samples = realSamples(dataset.splits.train!.contexts);
  const dir = tempDir('stage2-loss');
  await runTraining(tinyConfig({ epochs: 1 }), dataset, { outDir: join(dir, 'stage1'), silent: true });
  const init = join(dir, 'stage1', 'seed-42', 'best');
  // One batch per epoch: epoch 2's reported loss is the loss of all samples at the weights after epoch 1.
  const stage2 = (alpha: number) =>
    tinyConfig({
      mode: 'stage2',
      init,
      alpha,
      temperature: 2,
      epochs: 2,
      batchSize: samples.length,
      warmupSteps: 0,
      lr: 0.05,
    });
  const alphaDir = join(dir, 'alpha-2');
  await runTraining(stage2(2), dataset, { outDir: alphaDir, silent: true, stopAfterEpochs: 1 });
  const afterEpoch1 = await loadModel(join(alphaDir, 'seed-42', 'last'), dataset);
  const reference = await loadModel(init, dataset);
  const expected = expectedLoss(afterEpoch1, reference, samples, 2, 2);
  afterEpoch1.module.free();
  assert.ok(
    2 * expected.kl > 1e-3,
    `the first step moved the model away from the reference (KL ${expected.kl})`,
  );
  const resumed = await runTraining(stage2(2), dataset, { outDir: alphaDir, silent: true, resume: true });
  assertClose(resumed.runs[0]!.history[1]!.loss, expected.total, 'epoch 2 loss, α = 2, τ = 2');

  const noKlDir = join(dir, 'alpha-0');
  const noKl = await runTraining(stage2(0), dataset, { outDir: noKlDir, silent: true });
  const weights = async (out: string) =>
    (await readSafetensors(join(out, 'seed-42', 'last', 'model.safetensors'))).tensors;
  const [withKl, withoutKl] = [await weights(alphaDir), await weights(noKlDir)];
  const moved = [...withKl].filter(([name, t]) => {
    const other = withoutKl.get(name)!.data;
    return t.data.some((v, i) => v !== other[i]);
  });
  assert.ok(moved.length > 0, 'α = 2 and α = 0 end with the same weights');

  const finalKl = async (out: string) => {
    const model = await loadModel(join(out, 'seed-42', 'last'), dataset);
    try {
      return expectedLoss(model, reference, samples, 0, 2).kl;
    } finally {
      model.module.free();
    }
  };
  try {
    const [klWith, klWithout] = [await finalKl(alphaDir), await finalKl(noKlDir)];
    assert.ok(
      klWith < klWithout,
      `the KL term pulls towards the reference: ${klWith} vs ${klWithout} at α = 0`,
    );
    // Epoch 1's single step is the same for both α (the KL gradient is zero while the model equals the reference).
    assertClose(noKl.runs[0]!.history[1]!.loss, expected.ce, 'epoch 2 loss, α = 0: CE alone');
  } finally {
    reference.module.free();
  }
});
