// Entry point of the engine's kernel module: every export the TypeScript side calls.
export { gemm, gemmWorkspaceBytes } from './gemm';
export { softmaxXent, softmaxRows } from './losses';
export { adamw, adamwRows, sumSquares, sumSquaresRows, scaleInPlace, zeroRows, zeroFill } from './optim';
export { rowsCopy, rowsAxpy, rowsDot } from './rows';
export { layerNormForward, layerNormBackward } from './layernorm';
export { axpy, addRowVector, sumRows } from './elementwise';
export { topkRows } from './topk';
