import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeJsonFile } from '../../util/json.js';

/**
 * The synthetic dataset of a run under a stable name: `<run>/synthetic/train.synthetic.jsonl` (the processed
 * format with `rec` = synthetic labels best first and `scores` aligned with them) and `summary.json`, what
 * made it. `crsaug export` reads this folder; the artifact it is copied from is named by a hash.
 */
export const SYNTHETIC_DIR = 'synthetic';
const SUMMARY_FILE = 'summary.json';

const ProviderSchema = z.object({ role: z.string(), id: z.string(), description: z.string() });

export const SyntheticSummarySchema = z.object({
  dataset: z.string(),
  split: z.string(),
  /** File name of the labels inside the folder. */
  file: z.string(),
  threshold: z.number(),
  /** Candidates scored per context (the retriever's top K). */
  topK: z.number(),
  /** Who scored the candidates, e.g. the distilled student. */
  scorer: z.string(),
  /** The embedder that retrieved the candidates and the teacher the scorer learned from. */
  providers: z.array(ProviderSchema),
  contexts: z.number(),
  contextsWithLabels: z.number(),
  labels: z.number(),
  /** Where the source dialogues come from and their licence (the dataset registry's words). */
  source: z.string(),
  createdAt: z.string(),
});
export type SyntheticSummary = z.output<typeof SyntheticSummarySchema>;

export interface SyntheticFolder {
  dir: string;
  /** The labels file. */
  file: string;
  summary: SyntheticSummary;
}

/** Copies the labels file into `<runDir>/synthetic/` and writes its summary beside it. */
export async function writeSyntheticFolder(
  runDir: string,
  labelsFile: string,
  summary: SyntheticSummary,
): Promise<SyntheticFolder> {
  const dir = join(runDir, SYNTHETIC_DIR);
  await mkdir(dir, { recursive: true });
  const file = join(dir, summary.file);
  await copyFile(labelsFile, file);
  await writeJsonFile(join(dir, SUMMARY_FILE), summary);
  return { dir, file, summary };
}

export function readSyntheticFolder(runDir: string): SyntheticFolder {
  const dir = join(runDir, SYNTHETIC_DIR);
  const summary = readJsonFile(
    join(dir, SUMMARY_FILE),
    SyntheticSummarySchema,
    `${runDir} holds no synthetic dataset: run \`crsaug run --out ${runDir}\` first (finished stages are reused)`,
  );
  return { dir, file: join(dir, summary.file), summary };
}
