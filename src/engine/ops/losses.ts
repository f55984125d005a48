import { softmaxXent } from '../parallel.js';
import { type Indices, record, Tensor, toIndexBuffer } from '../tensor.js';

export interface CrossEntropyOptions {
  /** Per-row weights [rows]; the loss is Σ w_r·CE_r / Σ w_r (torch's weighted mean). */
  weights?: Tensor;
}

/**
 * Softmax cross-entropy of logits [rows, classes], averaged over rows.
 * `targets` is either hard labels (one class index per row; −1 ignores the row, like ignore_index) or a
 * target distribution tensor [rows, classes] (soft labels; rows need not sum to 1).
 */
export function crossEntropy(
  logits: Tensor,
  targets: Indices | Tensor,
  options: CrossEntropyOptions = {},
): Tensor {
  const [rows, cols] = logits.shape as [number, number];
  if (logits.rank !== 2)
    throw new Error(`crossEntropy: logits must be [rows, classes], got [${logits.shape}]`);
  const soft = targets instanceof Tensor;
  if (soft && (targets.rank !== 2 || targets.shape[0] !== rows || targets.shape[1] !== cols)) {
    throw new Error(`crossEntropy: soft targets [${targets.shape}] must match logits [${logits.shape}]`);
  }
  const labels = soft ? null : toIndexBuffer(targets);
  if (labels) {
    if (labels.length !== rows) throw new Error(`crossEntropy: ${labels.length} labels for ${rows} rows`);
    for (const t of labels.data) {
      if (t >= cols || !Number.isInteger(t)) throw new Error(`crossEntropy: label ${t} outside [0, ${cols})`);
    }
  }
  const w = options.weights;
  if (w && w.size !== rows) throw new Error(`crossEntropy: ${w.size} weights for ${rows} rows`);
  // The mean's denominator: Σw, or the number of rows that count.
  let denom = 0;
  for (let r = 0; r < rows; r++) {
    if (labels && labels.data[r]! < 0) continue;
    denom += w ? w.data[r]! : 1;
  }
  const scaleBy = denom > 0 ? 1 / denom : 0;
  return fusedSoftmaxLoss(logits, {
    invTemp: 1,
    labels: labels?.ptr ?? 0,
    probs: soft ? targets.ptr : 0,
    weights: w?.ptr ?? 0,
    gradScale: scaleBy,
    rowWeight: (r) => (w ? w.data[r]! : 1) * scaleBy,
    withEntropy: false,
  });
}

export interface KlOptions {
  /** Both distributions are softmax(logits / T); the reference is passed already tempered. */
  temperature?: number;
}

/**
 * KL(p_ref ‖ p) with p = softmax(logits / T), averaged over rows ('batchmean'): the same value as
 * torch.nn.KLDivLoss(reduction='batchmean')(log_softmax(logits / T), p_ref). No T² factor is applied;
 * distillation losses that want it multiply the result. `refProbs` [rows, classes] gets no gradient.
 */
export function klDivergence(logits: Tensor, refProbs: Tensor, options: KlOptions = {}): Tensor {
  const [rows, cols] = logits.shape as [number, number];
  if (logits.rank !== 2 || refProbs.shape[0] !== rows || refProbs.shape[1] !== cols) {
    throw new Error(`klDivergence: reference [${refProbs.shape}] must match logits [${logits.shape}]`);
  }
  const temperature = options.temperature ?? 1;
  return fusedSoftmaxLoss(logits, {
    invTemp: 1 / temperature,
    labels: 0,
    probs: refProbs.ptr,
    weights: 0,
    // d/dlogits of the tempered loss carries the chain-rule factor 1/T.
    gradScale: 1 / (rows * temperature),
    rowWeight: () => 1 / rows,
    withEntropy: true,
  });
}

interface FusedLoss {
  invTemp: number;
  labels: number;
  probs: number;
  weights: number;
  gradScale: number;
  rowWeight: (row: number) => number;
  withEntropy: boolean;
}

/** Runs the fused kernel once: loss from per-row values, logits gradient kept for backward (targets get none). */
function fusedSoftmaxLoss(logits: Tensor, f: FusedLoss): Tensor {
  const [rows, cols] = logits.shape as [number, number];
  const gradLogits = Tensor.empty([rows, cols]);
  const perRow = Tensor.empty([2, rows]);
  const negEnt = perRow.ptr + rows * 4;
  softmaxXent(
    logits.ptr,
    rows,
    cols,
    f.invTemp,
    f.labels,
    f.probs,
    f.weights,
    f.gradScale,
    gradLogits.ptr,
    perRow.ptr,
    f.withEntropy ? negEnt : 0,
  );
  let total = 0;
  const values = perRow.data;
  for (let r = 0; r < rows; r++)
    total += f.rowWeight(r) * (values[r]! + (f.withEntropy ? values[rows + r]! : 0));
  const out = Tensor.from([total], []);
  let handedOver = false;
  return record(out, [logits], (o) => {
    if (handedOver) throw new Error('backward ran twice through a softmax loss; build the loss again');
    const scale = o.grad!.data[0]!;
    // A loss seeded with 1 whose logits have no gradient yet (the usual case): the kernel's gradient
    // becomes the logits' gradient as it is, the same values without a copy of [rows, classes].
    if (scale === 1 && logits.adoptGrad(gradLogits)) handedOver = true;
    else logits.accumulateGrad(gradLogits, scale);
  });
}
