// A seed worker of SeedWorkerPool (seed-pool.ts): loads the configured dataset once, then trains each seed it
// is sent on this thread's own engine, on as many threads as the pool gives it, and answers with the outcome
// or the error.
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import { loadConfiguredDataset } from '../data/index.js';
import { configureEngine } from '../engine/index.js';
import { CrsaugError } from '../util/errors.js';
import type { SeedWorkerError, SeedWorkerMessage, SeedWorkerReply } from './seed-pool.js';
import { trainOneSeed } from './seed-task.js';

const { config } = workerData as { config: Config };
const dataset = loadConfiguredDataset(config);
// A dataset that fails to load fails the first seed sent here, not the thread.
dataset.catch(() => {});

parentPort!.on('message', async ({ threads, task }: SeedWorkerMessage) => {
  // A new share takes effect from the next kernel call; results do not depend on the thread count.
  configureEngine({ threads });
  if (!task) return;
  let reply: SeedWorkerReply;
  try {
    // threads 0 keeps the pool's share in force (the config's would override it).
    const seedConfig = { ...task.config, threads: 0 };
    reply = { ok: true, outcome: await trainOneSeed(await dataset, { ...task, config: seedConfig }) };
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
