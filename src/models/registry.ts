import { resolve } from 'node:path';
import type { z } from 'zod';
import type { Dataset } from '../data/types.js';
import { CrsaugError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { EmbedHead, loadContextEmbeddings } from './embed-head.js';
import { Kbrd } from './kbrd.js';
import { createPopularity } from './popularity.js';
import { createRandom } from './random.js';
import { createRepeat } from './repeat.js';
import { EmbedHeadConfigSchema, KbrdConfigSchema, TextConfigSchema } from './settings.js';
import { TextRecommender } from './text.js';
import { learnVocabulary } from './tokenizer.js';
import type { BackboneModule, TrainableModel } from './trainable.js';
import type { Recommender } from './types.js';

/**
 * Every model by name, in one table (transformers.js' SUPPORTED_TASKS; RecBole's `get_model`): how each
 * recommends. A baseline is a factory over the dataset; a backbone has a settings schema (config
 * `train.<configKey>`), a default learning rate and a builder, and is trained by src/train. The config's
 * enums, the commands' choices and help, and the recommenders `crsaug baseline` knows all derive from it.
 */
export interface BaselineSpec {
  kind: 'baseline';
  /** One line for `--help` and listings. */
  description: string;
  /** Whether results depend on the seed (multi-seed runs repeat only seeded models). */
  seeded: boolean;
  /** Whether `create` reads the dataset's train (or valid) split, so commands must load it. */
  needsTrainingData: boolean;
  /** Evaluated by `crsaug run` beside the trained backbones, as the floor they must beat. */
  floor: boolean;
  create(dataset: Dataset, options: { seed: number }): Recommender | Promise<Recommender>;
}

export interface BackboneSpec<S extends z.ZodObject = z.ZodObject, K extends string = string> {
  kind: 'backbone';
  description: string;
  /** Key of this backbone's settings in the config's `train` section. */
  configKey: K;
  schema: S;
  /** Peak learning rate when `train.lr` is unset, chosen on valid Recall@50 (docs/training.md). */
  learningRate: number;
  /** Whether it trains from the dataset alone, so evaluation commands can train and use it by name. */
  standalone: boolean;
  /**
   * Set when the model cannot be the recommender of a simulated dialogue: why it would not see the simulated
   * user's feedback. Simulation then leaves it out with this reason, never ranking as if feedback was heard.
   */
  ignoresFeedback?: string;
  /** Settings that `crsaug train` also takes as flags (e.g. a file the backbone reads). */
  flags?: { flags: string; description: string; setting: keyof z.output<S> & string }[];
  /** A fresh module from settings the schema has validated (weights from `rng`). */
  build(dataset: Dataset, settings: z.output<S>, rng: Rng): Promise<BackboneModule>;
}

const baseline = (spec: Omit<BaselineSpec, 'kind' | 'floor'> & { floor?: boolean }): BaselineSpec => ({
  kind: 'baseline',
  floor: false,
  ...spec,
});
const backbone = <S extends z.ZodObject, K extends string>(
  spec: Omit<BackboneSpec<S, K>, 'kind'>,
): BackboneSpec<S, K> => ({ kind: 'backbone', ...spec });

export const MODELS = {
  popularity: baseline({
    description: 'train label frequency (valid labels when the dataset has no train split)',
    seeded: false,
    needsTrainingData: true,
    floor: true,
    create: createPopularity,
  }),
  repeat: baseline({
    description: "the context's own items, most recent first (scores 0 under the filtered protocol)",
    seeded: false,
    needsTrainingData: false,
    create: createRepeat,
  }),
  random: baseline({
    description: 'uniform random scores per context (seeded)',
    seeded: true,
    needsTrainingData: false,
    create: createRandom,
  }),
  kbrd: backbone({
    description: 'R-GCN entity encoder + self-attention pooling over context entities (KBRD)',
    configKey: 'kbrd',
    schema: KbrdConfigSchema,
    learningRate: 1e-3,
    standalone: true,
    build: async (dataset, settings, rng) => new Kbrd(dataset.catalog, dataset.kg, settings, rng),
  }),
  text: backbone({
    description:
      'dialogue text (learned tokenizer, role/position embeddings, attention pooling) fused with KBRD',
    configKey: 'text',
    schema: TextConfigSchema,
    learningRate: 1e-3,
    standalone: true,
    build: async (dataset, settings, rng) => {
      const vocabulary =
        settings.vocabulary ?? learnTrainVocabulary(dataset, settings.vocabularySize, settings.minCount);
      return new TextRecommender(dataset.catalog, dataset.kg, { ...settings, vocabulary }, rng);
    },
  }),
  'embed-head': backbone({
    description: 'MLP over frozen context embeddings read from a file',
    configKey: 'embedHead',
    schema: EmbedHeadConfigSchema,
    // Its MLP over fixed embeddings under-trains at the encoders' 1e-3 in 5 epochs.
    learningRate: 1e-2,
    standalone: false,
    ignoresFeedback:
      'it ranks from context embeddings precomputed per logged (dialog, turn), so the text and entities a simulated user adds never reach it',
    flags: [
      {
        flags: '--embeddings <dir>',
        description: 'folder with <split>.contexts.{f32,json} (crsaug augment retrieve output)',
        setting: 'embeddings',
      },
    ],
    build: async (dataset, settings, rng) => {
      if (!settings.embeddings) {
        throw new CrsaugError('the embed-head backbone needs a context embeddings file', {
          hint: 'set train.embedHead.embeddings (or --embeddings DIR: a `crsaug augment retrieve` output folder); docs/training.md describes the format',
        });
      }
      // Absolute, so a checkpoint's config.json finds the embeddings from any working directory.
      const embeddings = resolve(settings.embeddings);
      return new EmbedHead(
        dataset.catalog,
        loadContextEmbeddings(embeddings),
        { ...settings, embeddings },
        rng,
      );
    },
  }),
};

type Models = typeof MODELS;
export type ModelName = keyof Models;
export type BackboneName = {
  [K in ModelName]: Models[K] extends BackboneSpec ? K : never;
}[ModelName];

const isBackbone = (name: string): name is BackboneName =>
  (MODELS as Record<string, BaselineSpec | BackboneSpec>)[name]?.kind === 'backbone';

/** The trainable backbones in table order (a tuple, so zod enums and option choices keep the names). */
export const BACKBONE_NAMES = Object.keys(MODELS).filter(isBackbone) as [BackboneName, ...BackboneName[]];

/** The backbone a config trains when it names none. */
export const DEFAULT_BACKBONE: BackboneName = BACKBONE_NAMES[0];

/** The text backbone's vocabulary: every utterance of the train split's dialogues, counted once. */
function learnTrainVocabulary(dataset: Dataset, size: number, minCount: number): string[] {
  const train = dataset.splits.train;
  if (!train)
    throw new CrsaugError(
      `the text backbone learns its vocabulary from the train split; ${dataset.name} has none loaded`,
    );
  const utterances = new Map<string, string>();
  for (const c of train.contexts) {
    c.utterances.forEach((u, i) => {
      utterances.set(`${c.dialogId}\u0000${i}`, u);
    });
  }
  return learnVocabulary(utterances.values(), size, minCount);
}

export function backboneSpec(name: string): BackboneSpec {
  if (!isBackbone(name))
    throw new CrsaugError(`unknown backbone "${name}"`, { hint: `known: ${BACKBONE_NAMES.join(', ')}` });
  return MODELS[name] as BackboneSpec;
}

/** The backbone's settings from the train config (validated again by its schema). */
export function backboneSettings(train: { model: BackboneName } & Record<string, unknown>): unknown {
  const spec = backboneSpec(train.model);
  return spec.schema.parse(train[spec.configKey]);
}

/** Builds a fresh model; weights are initialised from `seed`. */
export async function buildBackbone(
  name: string,
  dataset: Dataset,
  settings: unknown,
  seed: number,
): Promise<TrainableModel> {
  const spec = backboneSpec(name);
  const parsed = spec.schema.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CrsaugError(`invalid ${name} settings at "${issue.path.join('.')}": ${issue.message}`);
  }
  const module = await spec.build(dataset, parsed.data, new Rng(seed));
  return {
    backbone: name,
    module: module.module,
    config: module.config,
    logits: (contexts) => module.logits(contexts),
    setItemBias: (bias) => module.setItemBias(bias),
  };
}

/*
 * Recommenders by name: the baselines, plus any a library user registers (`crsaug baseline` also trains the
 * standalone backbones by name: src/train/recommenders.ts).
 */

/** A recommender factory by name (what evaluation repeats over seeds). */
export interface RecommenderSpec extends Omit<BaselineSpec, 'kind' | 'floor'> {
  name: string;
}

const registered = new Map<string, RecommenderSpec>();

/** Adds a recommender under a new name; every command that takes a model name can then use it. */
export function registerRecommender(spec: RecommenderSpec): void {
  if (spec.name in MODELS || registered.has(spec.name))
    throw new CrsaugError(`recommender "${spec.name}" is already registered`);
  registered.set(spec.name, spec);
}

function baselineSpec(name: string): RecommenderSpec | undefined {
  const spec = (MODELS as Record<string, BaselineSpec | BackboneSpec>)[name];
  return spec?.kind === 'baseline' ? { name, ...spec } : registered.get(name);
}

/** Every name a recommender can be made from: the table's (baselines and backbones), then registered ones. */
export function recommenderNames(): string[] {
  return [...Object.keys(MODELS), ...registered.keys()];
}

/** The baselines `crsaug run` evaluates beside its trained backbones. */
export function floorModels(): string[] {
  return Object.entries(MODELS)
    .filter(([, spec]) => spec.kind === 'baseline' && spec.floor)
    .map(([name]) => name);
}

/** A baseline's (or a registered recommender's) factory; a backbone is trained by src/train first. */
export function getRecommenderSpec(name: string): RecommenderSpec {
  const spec = baselineSpec(name);
  if (!spec) {
    throw new CrsaugError(`unknown recommender "${name}"`, {
      hint: isBackbone(name)
        ? `${name} is a backbone: it is trained first (crsaug train, or crsaug baseline --model ${name})`
        : `known: ${recommenderNames().join(', ')}`,
    });
  }
  return spec;
}

/** Builds the recommender registered as `name` for `dataset`. */
export async function createRecommender(
  name: string,
  dataset: Dataset,
  options: { seed: number },
): Promise<Recommender> {
  return getRecommenderSpec(name).create(dataset, options);
}
