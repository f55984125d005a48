import { join } from 'node:path';
import { saveResolvedConfig } from '../config/load.js';
import { writeJsonFile } from '../util/json.js';

export const METRICS_FILE = 'metrics.json';

/** Writes a run's resolved config and its metrics object into `outDir`; returns the two paths. */
export async function writeEvalOutputs(
  outDir: string,
  config: unknown,
  metrics: unknown,
): Promise<{ config: string; metrics: string }> {
  const configFile = await saveResolvedConfig(outDir, config);
  const metricsFile = join(outDir, METRICS_FILE);
  await writeJsonFile(metricsFile, metrics);
  return { config: configFile, metrics: metricsFile };
}
