import { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { engine } from '../engine/index.js';
import { CrsaugError } from '../util/errors.js';
import type { SeedSimulation } from './beyond-labels.js';
import { runSeedJob, type SeedJob, type SimulateTask } from './seed-jobs.js';
import type { SeedOutcome, SeedTask } from './seed-task.js';

/**
 * Runs the seeds of a stage (training, or the attribute simulator's dialogues): one at a time on the main
 * thread, or several in worker threads.
 */
export interface SeedRunner {
  /** Seeds run at once. */
  readonly width: number;
  train(task: SeedTask): Promise<SeedOutcome>;
  simulate(task: SimulateTask): Promise<SeedSimulation>;
  close(): Promise<void>;
}

/** A runner's train and simulate, both through one function that runs any job. */
function jobRunner(
  width: number,
  run: (job: SeedJob) => Promise<unknown>,
  close: () => Promise<void>,
): SeedRunner {
  return {
    width,
    train: (task) => run({ kind: 'train', task }) as Promise<SeedOutcome>,
    simulate: (task) => run({ kind: 'simulate', task }) as Promise<SeedSimulation>,
    close,
  };
}

/** One seed at a time on the main thread's engine, which splits each kernel over its own threads. */
export function inlineSeedRunner(dataset: Dataset): SeedRunner {
  let last: Promise<unknown> = Promise.resolve();
  return jobRunner(
    1,
    (job) => {
      const outcome = last.then(() => runSeedJob(dataset, job));
      last = outcome.catch(() => undefined);
      return outcome;
    },
    async () => {},
  );
}

/**
 * How many seeds `crsaug run` trains at once: run.seedWorkers, or (0) one per thread of the engine (the config's
 * threads, else one per core), never more than the seeds. A small model gains little from splitting each kernel
 * over two threads but trains about twice as fast two seeds at a time; each seed's result is the same either
 * way (bit-identical for any thread count, test/pipeline/seed-pool.test.ts).
 */
export function seedWorkersFor(config: Pick<Config, 'run' | 'train'>): number {
  return Math.max(1, Math.min(config.run.seedWorkers || engine().threads, config.train.seeds));
}

/**
 * A seed runner for a config: worker threads (started with the first seed, so commands that train nothing
 * start none) when more than one seed runs at once, else the main thread.
 */
export function seedRunnerFor(config: Config, dataset: Dataset): SeedRunner {
  const width = seedWorkersFor(config);
  if (width === 1) return inlineSeedRunner(dataset);
  let pool: SeedWorkerPool | undefined;
  return jobRunner(
    width,
    (job) => {
      pool ??= new SeedWorkerPool(config, width, engine().threads);
      return pool.run(job);
    },
    async () => {
      await pool?.close();
      pool = undefined;
    },
  );
}

/** What a seed worker is sent: a seed's job, and the engine threads it may use now (changed as seeds finish). */
export interface SeedWorkerMessage {
  threads: number;
  job?: SeedJob;
}

/** What a seed worker answers: the job's outcome, or the error with what the CLI prints of it. */
export type SeedWorkerReply = { ok: true; outcome: unknown } | { ok: false; error: SeedWorkerError };

/** An error crossing from a worker: `user` marks a CrsaugError (the user's to fix, printed without a stack). */
export interface SeedWorkerError {
  name: string;
  message: string;
  hint?: string;
  stack?: string;
  user: boolean;
}

interface Job {
  job: SeedJob;
  resolve: (outcome: unknown) => void;
  reject: (error: unknown) => void;
}

/** `threads` shared by `busy` seeds as evenly as whole threads allow (each at least one). */
export function shareThreads(threads: number, busy: number): number[] {
  return Array.from({ length: busy }, (_, i) =>
    Math.max(1, Math.floor(threads / busy) + (i < threads % busy ? 1 : 0)),
  );
}

/**
 * `width` worker threads (seed-worker.ts), each loading the configured dataset once and running the seeds' jobs
 * it is given. The engine threads are shared by the seeds in training: one each while all workers are busy, and
 * when the queue is empty the threads of finished seeds go to those still training (within 200 ms, as often
 * as the trainer lets the event loop run), so the fifth of five seeds on two workers does not train alone on
 * one core. Idle workers do not keep the process alive.
 */
export class SeedWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly workers = new Set<Worker>();
  private readonly queue: Job[] = [];
  /** The workers training a seed, in the order they started, with their current thread share. */
  private readonly shares = new Map<Worker, number>();

  constructor(
    config: Config,
    readonly width: number,
    private readonly threads: number,
  ) {
    for (let i = 0; i < width; i++) {
      const worker = new Worker(new URL('./seed-worker.js', import.meta.url), { workerData: { config } });
      worker.unref();
      this.workers.add(worker);
      this.idle.push(worker);
    }
  }

  run(job: SeedJob): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    const started = new Map<Worker, Job>();
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.queue.shift()!;
      started.set(worker, job);
      this.shares.set(worker, 0);
      this.listen(worker, job);
    }
    const shares = shareThreads(this.threads, this.shares.size);
    [...this.shares.keys()].forEach((worker, i) => {
      const threads = shares[i]!;
      const job = started.get(worker);
      if (job) worker.postMessage({ threads, job: job.job } satisfies SeedWorkerMessage);
      else if (this.shares.get(worker) !== threads)
        worker.postMessage({ threads } satisfies SeedWorkerMessage);
      this.shares.set(worker, threads);
    });
  }

  private listen(worker: Worker, job: Job): void {
    const settle = (done: () => void) => {
      worker.off('message', onReply).off('error', onError).off('exit', onExit);
      this.shares.delete(worker);
      done();
      this.dispatch();
    };
    const onReply = (reply: SeedWorkerReply) =>
      settle(() => {
        worker.unref();
        this.idle.push(worker);
        if (reply.ok) job.resolve(reply.outcome);
        else job.reject(revive(reply.error));
      });
    // A worker that dies takes its seed with it; the others go on with the queue.
    const onError = (error: unknown) => settle(() => this.lose(worker, job, error));
    const onExit = (code: number) =>
      settle(() =>
        this.lose(worker, job, new Error(`the seed worker stopped (exit code ${code}) while running a seed`)),
      );
    worker.on('message', onReply).on('error', onError).on('exit', onExit);
    worker.ref();
  }

  private lose(worker: Worker, job: Job, error: unknown): void {
    this.workers.delete(worker);
    job.reject(error);
    if (this.workers.size === 0) {
      for (const queued of this.queue.splice(0)) queued.reject(error);
    }
  }

  async close(): Promise<void> {
    const workers = [...this.workers];
    this.workers.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The worker's error as the CLI prints it: a CrsaugError keeps its message and hint, others their stack. */
function revive(error: SeedWorkerError): Error {
  const revived = error.user
    ? new CrsaugError(error.message, { hint: error.hint })
    : new Error(error.message);
  revived.name = error.name;
  if (error.stack) revived.stack = error.stack;
  return revived;
}
