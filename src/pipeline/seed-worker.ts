// A seed worker of SeedWorkerPool (seed-pool.ts): loads the configured dataset once, then runs each seed's job
// it is sent (training, or the attribute simulator's dialogues) on this thread's own engine, on as many threads
// as the pool gives it, and answers with the outcome or the error.
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import { loadConfiguredDataset } from '../data/index.js';
import { configureEngine } from '../engine/index.js';
import { CrsaugError } from '../util/errors.js';
import { runSeedJob } from './seed-jobs.js';
import type { SeedWorkerError, SeedWorkerMessage, SeedWorkerReply } from './seed-pool.js';

const { config } = workerData as { config: Config };
const dataset = loadConfiguredDataset(config);
// A dataset that fails to load fails the first seed sent here, not the thread.
dataset.catch(() => {});

parentPort!.on('message', async ({ threads, job }: SeedWorkerMessage) => {
  // A new share takes effect from the next kernel call; results do not depend on the thread count.
  configureEngine({ threads });
  if (!job) return;
  let reply: SeedWorkerReply;
  try {
    // threads 0 keeps the pool's share in force (the config's would override it); the message is our own copy.
    job.task.config = { ...job.task.config, threads: 0 };
    reply = { ok: true, outcome: await runSeedJob(await dataset, job) };
  } catch (error) {
    reply = { ok: false, error: describe(error) };
  }
  parentPort!.postMessage(reply);
});

function describe(error: unknown): SeedWorkerError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), user: false };
  return {
    name: error.name,
    message: error.message,
    ...(error instanceof CrsaugError && error.hint ? { hint: error.hint } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
    user: error instanceof CrsaugError,
  };
}
