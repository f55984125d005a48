// The reference training step's kernels, each called alone with warm operands: where the step's time goes
// and how far below it any ordering of the same kernels can get. The calls are the ones the ops make
// (src/engine/ops/matmul.ts `linear`, gather.ts `aggregateEdges`, losses.ts `fusedSoftmaxLoss`,
// optim/adamw.ts), on scratch buffers of the step's shapes; the optimizer and the zeroing reuse the
// gradients and touched rows the step's last iteration left behind.
import { IndexBuffer, Tensor } from '../../src/engine/index.js';
import { gemmAt } from '../../src/engine/ops/matmul.js';
import type { AdamW } from '../../src/engine/optim/adamw.js';
import { scatterRows, softmaxXent, sumRows, zeroFill, zeroRows } from '../../src/engine/parallel.js';
import type { Parameter } from '../../src/engine/parameter.js';
import { measure } from './measure.js';

export interface StepShape {
  vocab: number;
  dim: number;
  tokens: number;
  batch: number;
  classes: number;
}

/** Median ms of each kernel family alone, in the step's order. */
export type StepKernelTimes = Array<{ kernel: string; ms: number }>;

export interface StepParts {
  shape: StepShape;
  table: Parameter;
  weight: Tensor;
  bias: Tensor;
  optimizer: AdamW;
  tokens: Int32Array;
  labels: Int32Array;
}

export function stepKernelsAlone(parts: StepParts, runs: number): StepKernelTimes {
  const { table, weight, bias, optimizer } = parts;
  const { vocab, dim, tokens, batch, classes } = parts.shape;
  const entries = batch * tokens;
  const pooled = Tensor.zeros([batch, dim]);
  const logits = Tensor.zeros([batch, classes]);
  const logitsGrad = Tensor.zeros([batch, classes]);
  const pooledGrad = Tensor.zeros([batch, dim]);
  const weightGrad = Tensor.zeros([dim, classes]);
  const tableGrad = Tensor.zeros([vocab, dim]);
  const biasGrad = Tensor.zeros([classes]);
  const rowLoss = Tensor.zeros([batch]);
  const bagWeights = Tensor.zeros([entries]);
  bagWeights.data.fill(1 / tokens);
  const tokenIds = new IndexBuffer(parts.tokens);
  const bagIds = new IndexBuffer(Int32Array.from({ length: entries }, (_, e) => Math.floor(e / tokens)));
  const labelIds = new IndexBuffer(parts.labels);
  // linear's forward and its two gradient products, as src/engine/ops/matmul.ts makes them.
  const gemms = () => {
    gemmAt(pooled.ptr, weight.ptr, logits.ptr, batch, classes, dim, false, false, 0, 1, [0, 0, 0], bias.ptr);
    gemmAt(logitsGrad.ptr, weight.ptr, pooledGrad.ptr, batch, dim, classes, false, true, 0);
    gemmAt(pooled.ptr, logitsGrad.ptr, weightGrad.ptr, dim, classes, batch, true, false, 0);
  };
  const touched = table.touchedRows ? new IndexBuffer(table.touchedRows.rows()) : null;
  const time = (kernel: string, fn: () => void) => ({ kernel, ms: measure(fn, runs, 3).wallMs });
  // A dense table's gradient is cleared by zeroGrad and zero-filled whole when the scatter first reads it;
  // a sparse one has only its touched rows zeroed, after the optimizer.
  const times = [
    ...(touched ? [] : [time('zero-fill table gradient', () => zeroFill(tableGrad.ptr, tableGrad.size))]),
    time('embedding-bag gather', () =>
      scatterRows(batch, pooled.ptr, table.ptr, dim, tokenIds.ptr, bagIds.ptr, bagWeights.ptr, entries),
    ),
    time('three GEMMs', gemms),
    time('softmax-CE', () =>
      softmaxXent(
        logits.ptr,
        batch,
        classes,
        1,
        labelIds.ptr,
        0,
        0,
        1 / batch,
        logitsGrad.ptr,
        rowLoss.ptr,
        0,
      ),
    ),
    time('bias gradient', () => sumRows(biasGrad.ptr, logitsGrad.ptr, batch, classes, 1)),
    time('embedding-bag scatter', () =>
      scatterRows(
        vocab,
        tableGrad.ptr,
        pooledGrad.ptr,
        dim,
        bagIds.ptr,
        tokenIds.ptr,
        bagWeights.ptr,
        entries,
      ),
    ),
    time('AdamW', () => optimizer.step()),
  ];
  if (touched)
    times.push(time('zero touched rows', () => zeroRows(tableGrad.ptr, touched.ptr, touched.length, dim)));
  for (const owned of [
    pooled,
    logits,
    logitsGrad,
    pooledGrad,
    weightGrad,
    tableGrad,
    biasGrad,
    rowLoss,
    bagWeights,
  ])
    owned.free();
  for (const owned of [tokenIds, bagIds, labelIds, touched]) owned?.free();
  return times;
}

export const totalMs = (times: StepKernelTimes): number => times.reduce((s, t) => s + t.ms, 0);

/** "embedding-bag gather 0.55 + three GEMMs 24.60 + … = 30.5 ms" */
export function describeKernels(times: StepKernelTimes): string {
  return `${times.map((t) => `${t.kernel} ${t.ms.toFixed(2)}`).join(' + ')} = ${totalMs(times).toFixed(1)} ms`;
}
