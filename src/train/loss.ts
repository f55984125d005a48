import { add, crossEntropy, klDivergence, noGrad, scale, softmax, Tensor } from '../engine/index.js';
import type { TrainableModel } from '../models/trainable.js';
import type { TrainSample } from './samples.js';

/** Stage 2's soft-label term: α · KL(p_ref ‖ p) with both distributions at temperature τ (times τ² if set). */
export interface Distillation {
  /** The frozen stage-1 model: separate parameters, never given to the optimizer. */
  reference: TrainableModel;
  alpha: number;
  temperature: number;
  /** Multiply the KL term by τ² (Hinton et al., 2015), so its gradient scale does not shrink as τ grows. */
  temperatureSquared?: boolean;
}

/**
 * The loss of one batch. Batches of single-label samples use hard-label CE (weighted when any weight is
 * not 1); batches with multi-positive samples use CE against each sample's target distribution.
 */
export function batchLoss(
  model: TrainableModel,
  batch: readonly TrainSample[],
  distillation?: Distillation,
): Tensor {
  const contexts = batch.map((s) => s.context);
  const logits = model.logits(contexts);
  const ce = crossEntropy(logits, ...targetsOf(batch, logits.shape[1]!));
  if (!distillation || distillation.alpha === 0) return ce;
  const { reference, alpha, temperature } = distillation;
  const refProbs = noGrad(() => softmax(reference.logits(contexts), temperature));
  const weight = distillation.temperatureSquared ? alpha * temperature * temperature : alpha;
  return add(ce, scale(klDivergence(logits, refProbs, { temperature }), weight));
}

function targetsOf(
  batch: readonly TrainSample[],
  items: number,
): [Int32Array | Tensor, { weights?: Tensor }] {
  if (batch.every((s) => s.labels.length === 1)) {
    const labels = Int32Array.from(batch, (s) => s.labels[0]!);
    const weighted = batch.some((s) => s.weights[0] !== 1);
    return [labels, weighted ? { weights: Tensor.from(batch.map((s) => s.weights[0]!)) } : {}];
  }
  const targets = Tensor.zeros([batch.length, items]);
  batch.forEach((s, row) => {
    s.labels.forEach((item, i) => {
      targets.data[row * items + item]! += s.weights[i]!;
    });
  });
  return [targets, {}];
}
