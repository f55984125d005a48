import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

/** Which build of the kernels runs: relaxed-SIMD (fused multiply-add) or plain SIMD128. */
export type KernelFlavour = 'relaxed' | 'simd';

/** The kernel module's exports; pointers are byte offsets into the engine's shared memory. */
export interface KernelExports {
  gemmWorkspaceBytes(): number;
  gemm(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    beta: number,
    c: number,
    ldc: number,
    n0: number,
    n1: number,
    batch0: number,
    batch1: number,
    strideA: number,
    strideB: number,
    strideC: number,
    work: number,
    bias: number,
  ): void;
  softmaxXent(
    x: number,
    rows: number,
    cols: number,
    invTemp: number,
    targets: number,
    probs: number,
    weights: number,
    gradScale: number,
    grad: number,
    loss: number,
    negEnt: number,
  ): void;
  softmaxRows(x: number, rows: number, cols: number, invTemp: number, out: number): void;
  adamw(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    beta1: number,
    beta2: number,
    eps: number,
    decay: number,
    stepSize: number,
    invSqrtBc2: number,
  ): void;
  adamwRows(
    p: number,
    g: number,
    m: number,
    v: number,
    rows: number,
    nrows: number,
    dim: number,
    beta1: number,
    beta2: number,
    eps: number,
    decay: number,
    stepSize: number,
    invSqrtBc2: number,
  ): void;
  sumSquares(x: number, n: number): number;
  sumSquaresRows(x: number, rows: number, nrows: number, dim: number): number;
  scaleInPlace(x: number, n: number, s: number): void;
  zeroRows(x: number, rows: number, nrows: number, dim: number): void;
  zeroFill(x: number, n: number): void;
  rowsCopy(out: number, x: number, dim: number, src: number, count: number): void;
  rowsAxpy(
    out: number,
    x: number,
    dim: number,
    src: number,
    dst: number,
    w: number,
    count: number,
    lo: number,
    hi: number,
  ): void;
  rowsDot(a: number, ia: number, b: number, ib: number, dim: number, count: number, out: number): void;
  axpy(y: number, x: number, n: number, a: number, accumulate: number): void;
  addRowVector(out: number, x: number, b: number, rows: number, cols: number, s: number): void;
  sumRows(out: number, x: number, rows: number, cols: number, stride: number, s: number): void;
  layerNormForward(
    x: number,
    rows: number,
    dim: number,
    gamma: number,
    beta: number,
    eps: number,
    y: number,
    mean: number,
    rstd: number,
  ): void;
  topkRows(
    scores: number,
    rows: number,
    cols: number,
    k: number,
    excludedStart: number,
    excluded: number,
    items: number,
    sims: number,
    count: number,
  ): void;
  layerNormBackward(
    x: number,
    dy: number,
    rows: number,
    dim: number,
    gamma: number,
    mean: number,
    rstd: number,
    dx: number,
    dgamma: number,
    dbeta: number,
  ): void;
}

const buildDir = new URL('../../../../src/engine/kernels/build/', import.meta.url);

export function kernelFile(flavour: KernelFlavour): URL {
  return new URL(flavour === 'relaxed' ? 'engine-relaxed.wasm' : 'engine-simd.wasm', buildDir);
}

/**
 * Node 20 ships relaxed SIMD behind a V8 flag (NODE_OPTIONS refuses it, setFlagsFromString works);
 * Node 22 has it on by default. Validating the relaxed build itself is the feature test.
 */
export function relaxedSimdAvailable(): boolean {
  const bytes = readFileSync(kernelFile('relaxed'));
  if (WebAssembly.validate(bytes)) return true;
  // Only set the flag when needed: newer V8s no longer know it.
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
}

/** Compiles the requested build; 'auto' takes relaxed SIMD when this runtime supports it. */
export function compileKernels(prefer: KernelFlavour | 'auto'): {
  module: WebAssembly.Module;
  flavour: KernelFlavour;
} {
  const flavour: KernelFlavour =
    prefer === 'simd' ? 'simd' : relaxedSimdAvailable() ? 'relaxed' : prefer === 'relaxed' ? fail() : 'simd';
  return { module: new WebAssembly.Module(readFileSync(kernelFile(flavour))), flavour };
}

function fail(): never {
  throw new Error('relaxed SIMD was requested but this Node.js runtime cannot compile it');
}

export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
