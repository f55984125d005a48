import type { Config } from '../config/schema.js';
import { configureEngine } from '../engine/index.js';

/**
 * Runs the engine on `config.threads` threads (0 leaves it at one per core). Every library entry point that
 * computes calls it, so a config file's threads take effect whichever command or caller runs it; results
 * are deterministic per thread count (engine/engine.ts).
 */
export function useConfiguredThreads(config: Pick<Config, 'threads'>): void {
  if (config.threads > 0) configureEngine({ threads: config.threads });
}
