import type { KernelExports } from './kernels/load.js';

/**
 * Layout of one worker's control slot in shared memory (Int32 words; float arguments are stored as
 * f32 bits in the same words). The main thread writes a GEMM block, then bumps SEQ; the worker runs it
 * and copies SEQ into DONE. A negative SEQ tells the worker to exit.
 */
export const SLOT_WORDS = 32;
export const SEQ = 0;
export const DONE = 1;
/** Set to 1 by the worker once its kernel instance exists; until then the main thread does its share. */
export const READY = 2;
/** Set to 1 by the worker when its last job threw (e.g. a kernel trap). */
export const FAILED = 3;
/** Jobs this worker has finished (lets tests and benchmarks see that work really went to the thread). */
export const JOBS = 4;
const ARGS = 5;

/**
 * One thread's share of a (batched) GEMM: columns [n0, n1) of the products batch0 … batch1−1, where
 * product i uses a + i·strideA, b + i·strideB, c + i·strideC (byte strides). Pointers are heap offsets.
 */
export interface GemmBlock {
  transA: number;
  transB: number;
  m: number;
  n: number;
  k: number;
  alpha: number;
  a: number;
  lda: number;
  b: number;
  ldb: number;
  beta: number;
  c: number;
  ldc: number;
  n0: number;
  n1: number;
  batch0: number;
  batch1: number;
  strideA: number;
  strideB: number;
  strideC: number;
}

const FIELDS: ReadonlyArray<keyof GemmBlock> = [
  'transA',
  'transB',
  'm',
  'n',
  'k',
  'alpha',
  'a',
  'lda',
  'b',
  'ldb',
  'beta',
  'c',
  'ldc',
  'n0',
  'n1',
  'batch0',
  'batch1',
  'strideA',
  'strideB',
  'strideC',
];
const FLOAT_FIELDS = new Set<keyof GemmBlock>(['alpha', 'beta']);

export function writeBlock(words: Int32Array, floats: Float32Array, block: GemmBlock): void {
  FIELDS.forEach((name, i) => {
    if (FLOAT_FIELDS.has(name)) floats[ARGS + i] = block[name];
    else words[ARGS + i] = block[name];
  });
}

export function readBlock(words: Int32Array, floats: Float32Array): GemmBlock {
  const block = {} as GemmBlock;
  FIELDS.forEach((name, i) => {
    block[name] = FLOAT_FIELDS.has(name) ? floats[ARGS + i]! : words[ARGS + i]!;
  });
  return block;
}

/** Runs a block on the calling thread with its own workspace (same code on the main thread and workers). */
export function runBlock(kernels: KernelExports, g: GemmBlock, work: number): void {
  for (let i = g.batch0; i < g.batch1; i++) {
    kernels.gemm(
      g.transA,
      g.transB,
      g.m,
      g.n,
      g.k,
      g.alpha,
      g.a + i * g.strideA,
      g.lda,
      g.b + i * g.strideB,
      g.ldb,
      g.beta,
      g.c + i * g.strideC,
      g.ldc,
      g.n0,
      g.n1,
      work,
    );
  }
}

export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of this worker's control slot. */
  slot: number;
  /** Byte offset of this worker's GEMM workspace. */
  work: number;
}
