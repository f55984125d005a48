import { basename, join } from 'node:path';
import { candidatesFile, readCandidates, readScores, scoresFile } from '../augment/artifacts.js';
import { distill, saveDistillResult } from '../augment/distill.js';
import { openDatasetEmbedder } from '../augment/embedder.js';
import { PairFeaturizer, SemanticSpace } from '../augment/features/index.js';
import { type RetrieveSummary, retrieve } from '../augment/retrieve.js';
import { samplePairs } from '../augment/sampler.js';
import { scorePairs } from '../augment/score.js';
import { ScoreRequests } from '../augment/score-request.js';
import { Student } from '../augment/student.js';
import { type SynthesisStats, studentScorer, synthesize } from '../augment/synthesize.js';
import { defaultTeacherFiles } from '../augment/teacher-set.js';
import { resolveCacheDir } from '../config/paths.js';
import { createChatModel, selectChatProvider } from '../providers/factory.js';
import type { UsageRow } from '../providers/middleware/usage.js';
import type { ContextExample } from '../report/schema.js';
import { writeJsonl } from '../util/jsonl.js';
import type { Artifact } from './artifact-store.js';
import type { PipelineContext, ProviderUse } from './context.js';
import { buildExamples, teacherScoresOf } from './examples.js';

export interface RetrieveValue extends RetrieveSummary {
  provider: ProviderUse;
  usage: UsageRow[];
}

/** Candidates (top-K by inner product) and context embeddings for every split. */
export function retrieveStage(ctx: PipelineContext, inputs: string[]): Promise<Artifact<RetrieveValue>> {
  const { config, dataset } = ctx;
  return ctx.store.run(
    {
      stage: 'retrieve',
      version: 1,
      settings: {
        retrieve: config.augment.retrieve,
        embedding: config.providers.embedding,
        seed: config.seed,
      },
      inputs,
    },
    async (dir) => {
      const embedder = await openDatasetEmbedder(config, dataset, 'retrieve');
      try {
        const summary = await retrieve({
          dataset,
          splits: ['train', 'valid', 'test'],
          model: embedder.model,
          config: config.augment.retrieve,
          outDir: dir,
        });
        return {
          ...summary,
          provider: providerUse('embedder', embedder.model),
          usage: embedder.usage.summary(),
        };
      } finally {
        embedder.close();
      }
    },
    ctx.log,
  );
}

export interface TeacherValue {
  /** Teacher judgment files (shared/teacher format) the student is distilled from. */
  files: string[];
  provider: ProviderUse;
  judged: number;
  usage: UsageRow[];
}

/**
 * The teacher's judgments. With a chat model configured, the teacher judges a sample of the train
 * candidates (resumable; every call cached); otherwise the LLM judgments shipped in shared/teacher/ for
 * this dataset (all of them when none is for this dataset) are used as they are.
 */
export function teacherStage(
  ctx: PipelineContext,
  retrieved: Artifact<RetrieveValue>,
): Promise<Artifact<TeacherValue>> {
  const { config, dataset } = ctx;
  const online = selectChatProvider(config.providers.chat) !== undefined;
  return ctx.store.run(
    {
      stage: 'teacher',
      version: 1,
      settings: online
        ? {
            chat: { ...config.providers.chat, apiKey: undefined },
            score: teacherScoreConfig(ctx),
            seed: config.seed,
          }
        : { shared: sharedTeacherFiles(ctx).map((f) => basename(f)) },
      inputs: [retrieved.key],
    },
    async (dir) => {
      if (!online) {
        const files = sharedTeacherFiles(ctx);
        return {
          files,
          judged: 0,
          usage: [],
          provider: {
            role: 'teacher',
            id: 'shared/teacher',
            description: `LLM judgments shipped with the data (${files.map((f) => basename(f)).join(', ')}), made offline with the rubric; no LLM was called in this run`,
            offline: true,
          },
        };
      }
      const chat = await createChatModel(config.providers, {
        cacheDir: resolveCacheDir(config.cacheDir),
        stage: 'teacher',
      });
      try {
        const scoreConfig = teacherScoreConfig(ctx);
        const requests = new ScoreRequests(dataset, scoreConfig);
        const candidates = candidatesFile(retrieved.dir, 'train');
        const pairs = await samplePairs(await readCandidates(candidates), {
          config: scoreConfig.sampler,
          seed: config.seed,
        });
        requests.check(pairs, candidates);
        const file = scoresFile(dir, 'train');
        const summary = await scorePairs({
          model: chat.model,
          requests,
          pairs,
          config: scoreConfig,
          scoresFile: file,
          usage: chat.usage,
        });
        // Re-written in the shared/teacher format, so the student reads online and shipped judgments alike.
        const judgments = [...(await readScores(file)).values()]
          .filter((s) => s.valid && s.score !== null)
          .map((s) => ({
            dataset: dataset.name,
            split: 'train',
            dialog_id: s.dialog_id,
            turn_id: s.turn_id,
            item: s.item,
            score: s.expected ?? s.score,
          }));
        const teacherFile = join(dir, 'teacher.jsonl');
        await writeJsonl(teacherFile, judgments);
        return {
          files: [teacherFile],
          judged: summary.valid,
          provider: providerUse('teacher', chat.model),
          usage: chat.usage.summary(),
        };
      } finally {
        chat.close();
      }
    },
    ctx.log,
  );
}

/** The run judges a stratified sample of train candidates (the student scores the rest), not all of them. */
function teacherScoreConfig(ctx: PipelineContext) {
  const { score } = ctx.config.augment;
  const { teacherContexts, teacherPairsPerContext } = ctx.config.run;
  return {
    ...score,
    sampler: {
      ...score.sampler,
      strategy: 'stratified' as const,
      maxContexts: teacherContexts,
      pairsPerContext: teacherPairsPerContext,
    },
  };
}

/**
 * The shipped judgments of this dataset (all datasets' when none is for it). Distillation trains on the
 * train-split files only and holds valid files out to measure agreement, so valid stays clean for selection.
 */
function sharedTeacherFiles(ctx: PipelineContext): string[] {
  const all = defaultTeacherFiles(ctx.config.dataDir);
  const own = all.filter((f) => basename(f).startsWith(`${ctx.dataset.name}_`));
  return own.length > 0 ? own : all;
}

export interface DistillValue {
  studentDir: string;
  description: string;
  rows: Awaited<ReturnType<typeof distill>>['rows'];
}

/** The student scorer, trained with MSE on the teacher's judgments, with its held-out agreement. */
export function distillStage(
  ctx: PipelineContext,
  teacher: Artifact<TeacherValue>,
  retrieved: Artifact<RetrieveValue>,
): Promise<Artifact<DistillValue>> {
  const { config } = ctx;
  return ctx.store.run(
    {
      stage: 'distill',
      version: 1,
      settings: { distill: config.augment.distill, seed: config.seed },
      inputs: [teacher.key, retrieved.key],
    },
    async (dir) => {
      const closers: Array<() => void> = [];
      try {
        const result = await distill({
          teacherFiles: teacher.value.files,
          dataDir: config.dataDir,
          openEmbedder: async (dataset) => {
            const opened = await openDatasetEmbedder(config, dataset, 'distill');
            closers.push(opened.close);
            return opened.model;
          },
          retrieveConfig: config.augment.retrieve,
          config: config.augment.distill,
          seed: config.seed,
        });
        await saveDistillResult(dir, result);
        return { studentDir: dir, description: result.student.config.description, rows: result.rows };
      } finally {
        for (const close of closers) close();
      }
    },
    ctx.log,
  );
}

export interface SynthesizeValue extends SynthesisStats {
  file: string;
  examples: ContextExample[];
}

/** Student scores for every retrieved train candidate; those at or above the threshold become labels. */
export function synthesizeStage(
  ctx: PipelineContext,
  retrieved: Artifact<RetrieveValue>,
  teacher: Artifact<TeacherValue>,
  distilled: Artifact<DistillValue>,
): Promise<Artifact<SynthesizeValue>> {
  const { config, dataset } = ctx;
  return ctx.store.run(
    {
      stage: 'synthesize',
      version: 1,
      settings: { synthesize: config.augment.synthesize, examples: config.run.examples, seed: config.seed },
      inputs: [retrieved.key, distilled.key],
    },
    async (dir) => {
      const embedder = await openDatasetEmbedder(config, dataset, 'synthesize');
      try {
        const student = await Student.load(distilled.value.studentDir);
        const space = await SemanticSpace.create(embedder.model, dataset.catalog, config.augment.retrieve);
        const split = config.augment.synthesize.split;
        const candidates = candidatesFile(retrieved.dir, split);
        const file = join(dir, `${split}.synthetic.jsonl`);
        const records = await readCandidates(candidates);
        const scorer = studentScorer(student, PairFeaturizer.create(dataset, space));
        const { threshold, topK } = config.augment.synthesize;
        const stats = await synthesize({
          dataset,
          split,
          candidates: records,
          candidatesSource: candidates,
          scorer,
          threshold,
          topK,
          outFile: file,
        });
        const examples = await buildExamples({
          dataset,
          contexts: dataset.splits[split]?.contexts ?? [],
          candidates: records.map((r) => ({ ...r, candidates: r.candidates.slice(0, topK) })),
          scorer,
          threshold,
          count: config.run.examples,
          seed: config.seed,
          teacherScores: await teacherScoresOf(teacher.value.files, dataset.name),
        });
        return { ...stats, file, examples };
      } finally {
        embedder.close();
      }
    },
    ctx.log,
  );
}

function providerUse(
  role: string,
  model: { provider: string; modelId: string; describe(): string },
): ProviderUse {
  return {
    role,
    id: `${model.provider}:${model.modelId}`,
    description: model.describe(),
    offline: model.provider === 'builtin',
  };
}
