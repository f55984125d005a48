/**
 * Layout of one worker's control slot in shared memory (Int32 words; float arguments are stored as
 * f32 bits in the same words). The main thread writes the arguments, then bumps SEQ; the worker runs the
 * job and copies SEQ into DONE. A negative SEQ tells the worker to exit.
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
export const ARGS = 5;

/** The GEMM argument order, shared by both sides. */
export const GEMM_ARGS = [
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
  'work',
] as const;
export const GEMM_FLOAT_ARGS = new Set<string>(['alpha', 'beta']);

export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of this worker's control slot. */
  slot: number;
}
