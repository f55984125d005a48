// Worker thread: instantiates the kernels on the engine's shared memory and runs the kernel calls (its
// share of a split GEMM, scatter or update) the main thread hands it through its control slot.
import { workerData } from 'node:worker_threads';
import { instantiateKernels } from './kernels/load.js';
import {
  DONE,
  FAILED,
  JOBS,
  READY,
  readCall,
  runCall,
  SEQ,
  SLOT_BYTES,
  type WorkerData,
} from './worker-protocol.js';

const { module, memory, slot } = workerData as WorkerData;
const kernels = instantiateKernels(module, memory);
const words = new Int32Array(memory.buffer, slot, SLOT_BYTES / 4);
const call = new Float64Array(memory.buffer, slot, SLOT_BYTES / 8);

Atomics.store(words, READY, 1);
Atomics.notify(words, READY);

let seen = 0;
for (;;) {
  Atomics.wait(words, SEQ, seen);
  const seq = Atomics.load(words, SEQ);
  if (seq < 0) break;
  if (seq === seen) continue;
  seen = seq;
  try {
    runCall(kernels, readCall(call));
    Atomics.store(words, FAILED, 0);
    Atomics.add(words, JOBS, 1);
  } catch {
    // The main thread is blocked waiting; a flag is the only way to tell it (it rethrows).
    Atomics.store(words, FAILED, 1);
  }
  Atomics.store(words, DONE, seq);
  Atomics.notify(words, DONE);
}
