import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Dataset, RecContext } from '../data/types.js';
import { WEIGHTS_FILE } from '../engine/index.js';
import { rankContexts } from '../eval/evaluate.js';
import { readPredictions } from '../eval/predictions.js';
import { backboneSpec, floorModels, getRecommenderSpec } from '../models/registry.js';
import { asRecommender } from '../models/trainable.js';
import type { Recommender } from '../models/types.js';
import { loadModel } from '../train/checkpoint.js';
import { CrsaugError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { readJsonFile } from '../util/json.js';

/**
 * The systems that judged evaluation pools and compares, and that the user simulator talks to: one seed of a
 * trained model and mode (a checkpoint), a floor baseline (popularity), or a predictions file (ranked lists
 * only, so it can be judged but not simulated: the simulator needs a model to re-rank a grown dialogue).
 */
export interface EvaluatedSystem {
  /** Backbone or floor name; for a predictions file, the file. */
  model: string;
  mode: string;
  seed: number;
  /** How the pool names it (`kbrd-stage2-s42`, `popularity`, a file's base name). */
  name: string;
  /** What identifies it beyond its name (a checkpoint's weights hash, a file's path), for transcripts. */
  identity: string;
  /** How to make it again in another thread (absent for a predictions file). */
  source?: SystemSource;
  open(dataset: Dataset): Promise<OpenedSystem>;
}

/** A system as plain data, for a seed worker to open on its own engine (systemOf). */
export type SystemSource =
  | { kind: 'checkpoint'; model: string; mode: string; seed: number; dir: string }
  | { kind: 'floor'; name: string; seed: number };

export function systemOf(source: SystemSource): EvaluatedSystem {
  return source.kind === 'checkpoint'
    ? checkpointSystem(source.model, source.mode, source.seed, source.dir)
    : floorSystem(source.name, source.seed);
}

export interface OpenedSystem {
  /** Absent for a predictions file. */
  recommender?: Recommender;
  /** One ranked list (item indices, best first, at most topK) per context. */
  rankings(contexts: readonly RecContext[], topK: number): Promise<Int32Array[]>;
  /** Why the model cannot be a simulated dialogue's recommender (the model table's reason), if so. */
  ignoresFeedback?: string;
  close(): void;
}

function rankingsOf(recommender: Recommender, dataset: Dataset) {
  return async (contexts: readonly RecContext[], topK: number) =>
    rankContexts(recommender, contexts, dataset.catalog.items.length, { topK, silent: true });
}

/** One seed of a trained model and mode, from its checkpoint folder. */
export function checkpointSystem(model: string, mode: string, seed: number, dir: string): EvaluatedSystem {
  return {
    model,
    mode,
    seed,
    name: `${model}-${mode}-s${seed}`,
    source: { kind: 'checkpoint', model, mode, seed, dir },
    get identity() {
      return sha256(readFileSync(join(dir, WEIGHTS_FILE))).slice(0, 16);
    },
    async open(dataset) {
      const loaded = await loadModel(dir, dataset);
      const recommender = asRecommender(loaded, `${model}-${mode}-s${seed}`);
      return {
        recommender,
        rankings: rankingsOf(recommender, dataset),
        ignoresFeedback: backboneSpec(loaded.backbone).ignoresFeedback,
        close: () => loaded.module.free(),
      };
    },
  };
}

/** A floor baseline (popularity): deterministic, one run under the config seed. */
export function floorSystem(name: string, seed: number): EvaluatedSystem {
  return {
    model: name,
    mode: 'baseline',
    seed,
    name,
    identity: name,
    source: { kind: 'floor', name, seed },
    async open(dataset) {
      const recommender = await getRecommenderSpec(name).create(dataset, { seed });
      return { recommender, rankings: rankingsOf(recommender, dataset), close: () => {} };
    },
  };
}

/** A predictions file: its ranked lists joined to the split's contexts (judged only). */
export function predictionsSystem(file: string): EvaluatedSystem {
  return {
    model: file,
    mode: 'predictions',
    seed: 0,
    name: basename(file).replace(/\.jsonl$/, ''),
    identity: resolve(file),
    async open(dataset) {
      return {
        rankings: async (contexts, topK) =>
          (await readPredictions(file, contexts, dataset.catalog)).rankings.map((r) => r.subarray(0, topK)),
        close: () => {},
      };
    },
  };
}

/** A trained model and mode with its seeds' checkpoints, as results.json → checkpoints records them. */
const RunCheckpointsSchema = z.record(
  z.string(),
  z.record(
    z.string(),
    z.object({
      /** Key of the train artifact under <run>/artifacts (what judged and simulation artifacts are keyed by). */
      artifact: z.string(),
      /** Checkpoint folder of each seed's selected model, relative to the run folder. */
      seeds: z.record(z.string(), z.string()),
    }),
  ),
);
export type RunCheckpoints = z.output<typeof RunCheckpointsSchema>;

const RunFolderSchema = z.looseObject({
  dataset: z.string(),
  results: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))),
  checkpoints: RunCheckpointsSchema.optional(),
});

/** A model and mode of a run with every seed (one side of a comparison). */
export interface SystemGroup {
  model: string;
  mode: string;
  /** The train artifact's key, for a trained model (floors have none). */
  artifact?: string;
  systems: EvaluatedSystem[];
  /** A trained backbone (compared with its baseline), not a floor. */
  trained: boolean;
}

/** The systems of a run folder: every model, mode and seed it trained, and its floors. */
export function runFolderSystems(runDir: string): { dataset: string; groups: SystemGroup[] } {
  const file = join(runDir, 'results.json');
  const parsed = readJsonFile(file, RunFolderSchema, 'a run folder is what `crsaug run --out DIR` wrote');
  if (!parsed.checkpoints) {
    throw new CrsaugError(`${file} does not list the run's checkpoints (written by an older crsaug)`, {
      hint: `run the same \`crsaug run\` again with --out ${runDir}: it reuses every finished stage and records them`,
    });
  }
  const floors = floorModels()
    .filter((name) => parsed.results[name]?.baseline)
    .map((name) => ({ name, seed: Number(Object.keys(parsed.results[name]!.baseline!)[0] ?? 0) }));
  return { dataset: parsed.dataset, groups: runGroups(runDir, parsed.checkpoints, floors) };
}

/** The floors' groups, then a group per trained model and mode (checkpoint paths relative to `runDir`). */
export function runGroups(
  runDir: string,
  checkpoints: RunCheckpoints,
  floors: readonly { name: string; seed: number }[],
): SystemGroup[] {
  return [
    ...floors.map(
      ({ name, seed }): SystemGroup => ({
        model: name,
        mode: 'baseline',
        trained: false,
        systems: [floorSystem(name, seed)],
      }),
    ),
    ...Object.entries(checkpoints).flatMap(([model, modes]) =>
      Object.entries(modes).map(
        ([mode, { artifact, seeds }]): SystemGroup => ({
          model,
          mode,
          artifact,
          trained: true,
          systems: Object.entries(seeds).map(([seed, dir]) =>
            checkpointSystem(model, mode, Number(seed), resolve(runDir, dir)),
          ),
        }),
      ),
    ),
  ];
}
