// Public surface of the training engine.

export {
  CONFIG_FILE,
  loadCheckpointWeights,
  readCheckpointConfig,
  saveCheckpoint,
  WEIGHTS_FILE,
} from './checkpoint/checkpoint.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  type SafetensorsFile,
  writeSafetensors,
} from './checkpoint/safetensors.js';
export { configureEngine, Engine, type EngineOptions, engine } from './engine.js';
export { Heap } from './heap.js';
export type { KernelFlavour } from './kernels/load.js';
export * as init from './nn/init.js';
export { Embedding, LayerNorm, Linear } from './nn/layers.js';
export { Module, type NamedArray } from './nn/module.js';
export { maskedAttentionPool } from './ops/attention.js';
export { dropout } from './ops/dropout.js';
export { add, gelu, mul, relu, scale, sigmoid, sub, tanh } from './ops/elementwise.js';
export { aggregateEdges, embedding, embeddingBagMean, segmentMean, segmentSum } from './ops/gather.js';
export { layerNorm } from './ops/layernorm.js';
export { crossEntropy, klDivergence } from './ops/losses.js';
export { linear, matmul } from './ops/matmul.js';
export { mean, meanAxis, sum, sumAxis } from './ops/reduce.js';
export { concat, gatherColumns, permute, slice } from './ops/shape.js';
export { softmax } from './ops/softmax.js';
export { AdamW, type AdamWOptions, zeroGrad } from './optim/adamw.js';
export { clipGradNorm } from './optim/clip.js';
export { learningRateFactor, type ScheduleOptions } from './optim/schedule.js';
export { topkRows } from './parallel.js';
export { Parameter } from './parameter.js';
export { IndexBuffer, type Indices, isGradEnabled, keep, noGrad, Tensor, tidy } from './tensor.js';
