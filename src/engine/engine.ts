import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Heap } from './heap.js';
import {
  compileKernels,
  instantiateKernels,
  type KernelExports,
  type KernelFlavour,
} from './kernels/load.js';
import {
  DONE,
  FAILED,
  JOBS,
  type KernelCall,
  type ParallelKernel,
  READY,
  runCall,
  SEQ,
  SLOT_BYTES,
  type WorkerData,
  writeCall,
} from './worker-protocol.js';

export interface EngineOptions {
  /**
   * Threads for the split kernels (the main thread counts as one). 0 or unset: one per core, at most 8 (the root
   * config's `threads` has the same meaning, so it can be passed straight through).
   */
  threads?: number;
  /** Kernel build: 'auto' (relaxed SIMD when the runtime has it), or force one. */
  simd?: KernelFlavour | 'auto';
  /** Upper bound of tensor memory in MiB (the shared memory's maximum). */
  maxMemoryMB?: number;
}

/** A batch of equally shaped products: product i reads a + i·strideA, b + i·strideB, writes c + i·strideC. */
export interface GemmBatch {
  count: number;
  /** Byte strides between consecutive products' operands. */
  strideA: number;
  strideB: number;
  strideC: number;
}

const SINGLE: GemmBatch = { count: 1, strideA: 0, strideB: 0, strideC: 0 };

export interface GemmCall {
  transA: boolean;
  transB: boolean;
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
  /** A [n] row vector added to every row of C once the product is complete (0 or absent: none). */
  bias?: number;
}

const MAX_DEFAULT_THREADS = 8;

/** The GEMM microkernel's tile (gemm.as MR x NR): thread splits keep tiles whole. */
const GEMM_TILE_ROWS = 6;
const GEMM_TILE_COLS = 8;

/** Below this many multiply-adds a GEMM stays on the main thread: waking a worker costs more than it saves. */
const PARALLEL_MIN_FLOPS = 1 << 20;

/** How a row-wise or elementwise kernel is split: into ranges of whole `unit`s, each at least `minShare`. */
export interface SplitOptions {
  unit?: number;
  /** Smallest share worth a thread hand-off, in the range's own units (elements, rows, entries). */
  minShare: number;
}

/**
 * The process's compute context: tensor heap, kernel instance, and worker threads sharing the heap.
 * Work is split so that each output element is computed by the same instruction sequence whatever the
 * thread count (a GEMM by output rows, columns or whole products: its elements do not depend on the tile they fall
 * in; row kernels by output rows, elementwise kernels by ranges), so results are bit-identical for 1 or N threads.
 */
export class Engine {
  readonly heap: Heap;
  readonly kernels: KernelExports;
  readonly flavour: KernelFlavour;
  private readonly module: WebAssembly.Module;
  private readonly workspaceBytes: number;
  private readonly mainWorkspace: number;
  private readonly workers: Array<{
    worker: Worker;
    slot: number;
    words: Int32Array;
    call: Float64Array;
    /** This worker's GEMM workspace (packing buffers). */
    work: number;
    /** Why the worker died, if it did (it then never reports ready and gets no work). */
    error: Error | null;
  }> = [];
  private threadCount = 1;
  private seq = 0;

  constructor(options: EngineOptions = {}) {
    this.heap = new Heap((options.maxMemoryMB ?? 4096) * 2 ** 20);
    const { module, flavour } = compileKernels(options.simd ?? 'auto');
    this.module = module;
    this.flavour = flavour;
    this.kernels = instantiateKernels(module, this.heap.memory);
    this.workspaceBytes = this.kernels.gemmWorkspaceBytes();
    this.mainWorkspace = this.heap.alloc(this.workspaceBytes);
    this.setThreads(options.threads ?? 0);
  }

  get threads(): number {
    return this.threadCount;
  }

  /** Changes the thread count (0: one per core); workers start in the background and are reused. */
  setThreads(threads: number): void {
    if (!Number.isInteger(threads) || threads < 0) {
      throw new Error(`engine threads must be a non-negative integer, got ${threads}`);
    }
    this.threadCount = threads === 0 ? Math.min(MAX_DEFAULT_THREADS, availableParallelism()) : threads;
    while (this.workers.length < this.threadCount - 1) this.startWorker();
  }

  private startWorker(): void {
    const slot = this.heap.alloc(SLOT_BYTES);
    const words = this.heap.i32(slot, SLOT_BYTES / 4);
    words.fill(0);
    const work = this.heap.alloc(this.workspaceBytes);
    const data: WorkerData = { module: this.module, memory: this.heap.memory, slot };
    const worker = new Worker(new URL('./kernel-worker.js', import.meta.url), { workerData: data });
    // Workers block in Atomics.wait between jobs; they must never keep the process alive.
    worker.unref();
    const entry = {
      worker,
      slot,
      words,
      call: new Float64Array(this.heap.memory.buffer, slot, SLOT_BYTES / 8),
      work,
      error: null as Error | null,
    };
    worker.on('error', (error) => {
      entry.error = error;
    });
    this.workers.push(entry);
  }

  /** How many workers have started and can take work. */
  readyWorkers(): number {
    return this.startedWorkers().length;
  }

  private startedWorkers(): typeof this.workers {
    return this.workers.slice(0, this.threadCount - 1).filter((w) => Atomics.load(w.words, READY) === 1);
  }

  /** Kernel calls the worker threads have computed so far. */
  workerJobs(): number {
    return this.workers.reduce((n, w) => n + Atomics.load(w.words, JOBS), 0);
  }

  /** Resolves once every configured worker has started (workers start in the background). */
  async ready(timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.readyWorkers() < this.threadCount - 1) {
      const failed = this.workers.find((w) => w.error);
      if (failed) {
        throw new Error(`an engine worker failed to start: ${failed.error!.message}`, {
          cause: failed.error,
        });
      }
      if (Date.now() > deadline) throw new Error(`engine workers did not start within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /**
   * C = alpha · op(A) · op(B) + beta · C (+ bias) on heap pointers (row-major, leading dimensions in elements),
   * for one product or a strided batch of them (products sharing C, strideC 0, run in order).
   * Only started workers get a share: a worker still booting would otherwise block the main thread,
   * and a booting worker may need the main thread's event loop to finish starting.
   */
  gemm(call: GemmCall, batch: GemmBatch = SINGLE): void {
    const { m, n, k } = call;
    const helpers = this.startedWorkers();
    const threads = m * n * k * batch.count < PARALLEL_MIN_FLOPS ? 1 : 1 + helpers.length;
    // Rows [m0, m1) of C come from rows m0… of op(A): offset pointers, the kernel sees a shorter product.
    const share = (
      n0: number,
      n1: number,
      b0: number,
      b1: number,
      work: number,
      m0 = 0,
      m1 = m,
    ): KernelCall => ({
      kernel: 'gemm',
      args: [
        call.transA ? 1 : 0,
        call.transB ? 1 : 0,
        m1 - m0,
        n,
        k,
        call.alpha,
        call.a + (call.transA ? m0 : m0 * call.lda) * 4,
        call.lda,
        call.b,
        call.ldb,
        call.beta,
        call.c + m0 * call.ldc * 4,
        call.ldc,
        n0,
        n1,
        b0,
        b1,
        batch.strideA,
        batch.strideB,
        batch.strideC,
        work,
        call.bias ?? 0,
      ],
    });
    const workOf = (t: number) => (t === 0 ? this.mainWorkspace : helpers[t - 1]!.work);
    if (threads === 1) {
      runCall(this.kernels, share(0, n, 0, batch.count, this.mainWorkspace));
    } else if (batch.count >= threads && batch.strideC !== 0) {
      // Many products with separate outputs: each thread computes whole products.
      const ranges = splitEvenly(batch.count, threads, 1);
      this.runCalls(
        ranges.map(([b0, b1], t) => share(0, n, b0, b1, workOf(t))),
        helpers,
      );
    } else if (batch.count > 1) {
      // Few products, or products accumulating into one output (in order): split each one by columns.
      for (let i = 0; i < batch.count; i++) this.gemm(offsetCall(call, batch, i));
    } else if (m > n) {
      // Tall products (e.g. [rows, 64]·[64, 64]): split by rows at multiples of the tile's rows, so each
      // thread packs only its rows of A and every full tile stays a full tile.
      const ranges = splitEvenly(m, Math.min(threads, Math.ceil(m / GEMM_TILE_ROWS)), GEMM_TILE_ROWS);
      this.runCalls(
        ranges.map(([m0, m1], t) => share(0, n, 0, 1, workOf(t), m0, m1)),
        helpers,
      );
    } else {
      const ranges = splitEvenly(n, Math.min(threads, Math.ceil(n / GEMM_TILE_COLS)), GEMM_TILE_COLS);
      this.runCalls(
        ranges.map(([n0, n1], t) => share(n0, n1, 0, 1, workOf(t))),
        helpers,
      );
    }
  }

  /**
   * Runs `kernel` over [0, total) split into one contiguous range per thread; `argsOf(start, end)` gives
   * the kernel's arguments for a range. The caller guarantees that ranges write disjoint memory and that
   * a range's results do not depend on where it starts (elementwise work at a `unit` multiple of 4
   * elements, rows, output-row ranges of a scatter).
   */
  split(
    kernel: ParallelKernel,
    total: number,
    options: SplitOptions,
    argsOf: (start: number, end: number) => number[],
  ): void {
    const unit = options.unit ?? 1;
    const helpers = this.startedWorkers();
    const threads = Math.max(
      1,
      Math.min(1 + helpers.length, Math.floor(total / Math.max(1, options.minShare))),
    );
    if (threads === 1) {
      runCall(this.kernels, { kernel, args: argsOf(0, total) });
      return;
    }
    const calls = splitEvenly(total, threads, unit).map(([start, end]) => ({
      kernel,
      args: argsOf(start, end),
    }));
    this.runCalls(calls, helpers);
  }

  /** Call 0 runs here, the others on started workers; returns when all are done. */
  private runCalls(calls: KernelCall[], helpers: typeof this.workers): void {
    const seq = ++this.seq;
    const posted = calls.slice(1).map((call, t) => {
      const w = helpers[t]!;
      writeCall(w.call, call);
      Atomics.store(w.words, SEQ, seq);
      Atomics.notify(w.words, SEQ);
      return w;
    });
    runCall(this.kernels, calls[0]!);
    for (const w of posted) {
      for (;;) {
        const done = Atomics.load(w.words, DONE);
        if (done === seq) break;
        Atomics.wait(w.words, DONE, done);
      }
      if (Atomics.load(w.words, FAILED) === 1) throw new Error('an engine worker failed (kernel error)');
    }
  }

  /** Stops the worker threads (the heap stays usable on the main thread; setThreads starts new ones). */
  async dispose(): Promise<void> {
    for (const w of this.workers) {
      Atomics.store(w.words, SEQ, -1);
      Atomics.notify(w.words, SEQ);
    }
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    for (const w of this.workers) {
      this.heap.release(w.slot);
      this.heap.release(w.work);
    }
    this.workers.length = 0;
    this.threadCount = 1;
  }
}

/** [start, end) ranges over 0…total for `parts` threads; inner boundaries are multiples of `unit`. */
function splitEvenly(total: number, parts: number, unit: number): Array<[number, number]> {
  const bounds = [0];
  for (let t = 1; t < parts; t++) bounds.push(Math.min(total, Math.ceil((total * t) / parts / unit) * unit));
  bounds.push(total);
  return bounds.slice(0, -1).map((start, t) => [start, bounds[t + 1]!] as [number, number]);
}

function offsetCall(call: GemmCall, batch: GemmBatch, i: number): GemmCall {
  return {
    ...call,
    a: call.a + i * batch.strideA,
    b: call.b + i * batch.strideB,
    c: call.c + i * batch.strideC,
  };
}

let current: Engine | null = null;

/** The process-wide engine, created on first use with default options. */
export function engine(): Engine {
  current ??= new Engine();
  return current;
}

/**
 * Sets engine options. Memory size and SIMD build can only be chosen before the first tensor exists;
 * the thread count can change at any time.
 */
export function configureEngine(options: EngineOptions): Engine {
  if (!current) {
    current = new Engine(options);
    return current;
  }
  if (options.simd !== undefined && options.simd !== 'auto' && options.simd !== current.flavour) {
    throw new Error(
      `engine already running the ${current.flavour} kernels; choose simd before creating tensors`,
    );
  }
  if (options.maxMemoryMB !== undefined) throw new Error('engine memory is fixed once tensors exist');
  if (options.threads !== undefined) current.setThreads(options.threads);
  return current;
}
