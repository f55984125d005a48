import { resolve } from 'node:path';
import type { z } from 'zod';
import {
  EmbedHeadConfigSchema,
  KbrdConfigSchema,
  TextConfigSchema,
  type TrainConfig,
} from '../config/train.js';
import type { Dataset } from '../data/types.js';
import { EmbedHead, loadContextEmbeddings } from '../models/embed-head.js';
import { Kbrd } from '../models/kbrd.js';
import { TextRecommender } from '../models/text.js';
import { learnVocabulary } from '../models/tokenizer.js';
import type { TrainableModel } from '../models/trainable.js';
import { CrsaugError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

/**
 * Backbones by name: each has one zod schema for its settings (config `train.<key>`) and a builder.
 * A checkpoint's config.json stores {backbone, settings}, which is all `build` needs to recreate the
 * architecture (weights are loaded afterwards).
 */
interface BackboneSpec<S extends z.ZodType> {
  description: string;
  /** Config key of this backbone's settings in the `train` section. */
  configKey: keyof TrainConfig;
  schema: S;
  build(dataset: Dataset, settings: z.output<S>, rng: Rng): Promise<TrainableModel>;
}

const BACKBONES = {
  kbrd: {
    description: 'R-GCN entity encoder + self-attention pooling over context entities (KBRD)',
    configKey: 'kbrd',
    schema: KbrdConfigSchema,
    build: async (dataset, settings, rng) => new Kbrd(dataset.catalog, dataset.kg, settings, rng),
  } satisfies BackboneSpec<typeof KbrdConfigSchema>,
  text: {
    description:
      'dialogue text (learned tokenizer, role/position embeddings, attention pooling) fused with KBRD',
    configKey: 'text',
    schema: TextConfigSchema,
    build: async (dataset, settings, rng) => {
      const vocabulary =
        settings.vocabulary ?? learnTrainVocabulary(dataset, settings.vocabularySize, settings.minCount);
      return new TextRecommender(dataset.catalog, dataset.kg, { ...settings, vocabulary }, rng);
    },
  } satisfies BackboneSpec<typeof TextConfigSchema>,
  'embed-head': {
    description: 'MLP over frozen context embeddings read from a file',
    configKey: 'embedHead',
    schema: EmbedHeadConfigSchema,
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
  } satisfies BackboneSpec<typeof EmbedHeadConfigSchema>,
};

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

export type BackboneName = keyof typeof BACKBONES;

export function backboneNames(): BackboneName[] {
  return Object.keys(BACKBONES) as BackboneName[];
}

function specOf(name: string): BackboneSpec<z.ZodType> {
  const spec = (BACKBONES as Record<string, BackboneSpec<z.ZodType>>)[name];
  if (!spec)
    throw new CrsaugError(`unknown backbone "${name}"`, { hint: `known: ${backboneNames().join(', ')}` });
  return spec;
}

export function backboneDescription(name: string): string {
  return specOf(name).description;
}

/** The backbone's settings from the train config (validated again by its schema). */
export function backboneSettings(train: TrainConfig): unknown {
  return specOf(train.model).schema.parse(train[specOf(train.model).configKey]);
}

/** Builds a fresh model; weights are initialised from `seed`. */
export function buildBackbone(
  name: string,
  dataset: Dataset,
  settings: unknown,
  seed: number,
): Promise<TrainableModel> {
  const spec = specOf(name);
  const parsed = spec.schema.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CrsaugError(`invalid ${name} settings at "${issue.path.join('.')}": ${issue.message}`);
  }
  return spec.build(dataset, parsed.data, new Rng(seed));
}
