import type { KernelExports } from './kernels/load.js';

/**
 * Layout of one worker's control slot in shared memory: Int32 words for signalling, then one kernel call
 * as Float64 values (kernel index, argument count, arguments; f64 holds every i32, pointer and f32 argument
 * exactly). The main thread writes a call, then bumps SEQ; the worker runs it and copies SEQ into DONE.
 * A negative SEQ tells the worker to exit.
 */
export const SLOT_BYTES = 256;
export const SEQ = 0;
export const DONE = 1;
/** Set to 1 by the worker once its kernel instance exists; until then the main thread does its share. */
export const READY = 2;
/** Set to 1 by the worker when its last job threw (e.g. a kernel trap). */
export const FAILED = 3;
/** Jobs this worker has finished (lets tests and benchmarks see that work really went to the thread). */
export const JOBS = 4;
/** Float64 index of the call (after the signalling words): [kernel index, argument count, arguments…]. */
const CALL = 4;
const MAX_ARGS = SLOT_BYTES / 8 - CALL - 2;

/** The kernels whose work the engine splits across threads (a call's index in this list goes in the slot). */
export const PARALLEL_KERNELS = [
  'gemm',
  'rowsAxpy',
  'rowsCopy',
  'rowsDot',
  'adamw',
  'adamwRows',
  'zeroRows',
  'axpy',
  'scaleInPlace',
  'zeroFill',
  'addRowVector',
  'sumRows',
  'softmaxXent',
  'topkRows',
] as const satisfies ReadonlyArray<keyof KernelExports>;
export type ParallelKernel = (typeof PARALLEL_KERNELS)[number];

/** One thread's share of a split kernel: the kernel and its arguments (pointers are heap byte offsets). */
export interface KernelCall {
  kernel: ParallelKernel;
  args: readonly number[];
}

export function writeCall(slot: Float64Array, call: KernelCall): void {
  if (call.args.length > MAX_ARGS) throw new Error(`${call.kernel}: more than ${MAX_ARGS} arguments`);
  slot[CALL] = PARALLEL_KERNELS.indexOf(call.kernel);
  slot[CALL + 1] = call.args.length;
  slot.set(call.args, CALL + 2);
}

export function readCall(slot: Float64Array): KernelCall {
  const count = slot[CALL + 1]!;
  return {
    kernel: PARALLEL_KERNELS[slot[CALL]!]!,
    args: Array.from(slot.subarray(CALL + 2, CALL + 2 + count)),
  };
}

/** Runs a call on the calling thread (the same code on the main thread and on workers). */
export function runCall(kernels: KernelExports, call: KernelCall): void {
  (kernels[call.kernel] as (...args: number[]) => void)(...call.args);
}

export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of this worker's control slot. */
  slot: number;
}
