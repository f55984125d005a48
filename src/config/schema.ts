import { z } from 'zod';
import { AugmentConfigSchema } from './augment.js';
import { JudgeConfigSchema, JudgedConfigSchema, SimulateConfigSchema } from './evaluation.js';
import { ProvidersConfigSchema } from './providers.js';
import { RunConfigSchema } from './run.js';
import { TrainConfigSchema } from './train.js';

/**
 * The root configuration. Each section has documented defaults; precedence is
 * defaults < crsaug.config.json < environment (CRSAUG_*) < command-line flags (see load.ts).
 */
export const ConfigSchema = z.object({
  /** Dataset name from the registry (inspired, redial, opendialkg, opendialkg-movies, opendialkg-books) or a custom dataset directory. */
  dataset: z.string().default('inspired'),
  /** Root folder holding the datasets; unset means: CRSAUG_DATA_DIR, then ../shared/data, then the user cache. */
  dataDir: z.string().optional(),
  /** Folder for caches (LLM calls, artifacts); unset means the user cache folder. */
  cacheDir: z.string().optional(),
  /** Base seed; multi-seed runs use seed, seed+1, … */
  seed: z.number().int().nonnegative().default(42),
  /** Worker threads for compute; 0 means one per core. */
  threads: z.number().int().nonnegative().default(0),
  /** Folder that receives this run's outputs (resolved config, metrics). */
  out: z.string().optional(),
  eval: z
    .object({
      /** Cut-offs for recall/NDCG/MRR/coverage/entropy. */
      ks: z.array(z.number().int().positive()).default([1, 5, 10, 25, 50]),
      /** Ranked list length kept before removing context items (reference: 100). */
      topK: z.number().int().positive().default(100),
      judged: JudgedConfigSchema,
      judge: JudgeConfigSchema,
      simulate: SimulateConfigSchema,
    })
    .prefault({}),
  train: TrainConfigSchema.prefault({}),
  augment: AugmentConfigSchema.prefault({}),
  providers: ProvidersConfigSchema,
  run: RunConfigSchema,
});

export type Config = z.output<typeof ConfigSchema>;
/** A partial config as written in a file or assembled from env/flags (any depth may be missing). */
export type ConfigInput = DeepPartial<z.input<typeof ConfigSchema>>;

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
