import { PairFeaturizer, SemanticSpace } from '../augment/features/index.js';
import { fuseList, type ScoredList, scoredTopN, studentScoresOf } from '../augment/rerank.js';
import { openDatasetEmbedder } from '../augment/stages/stage.js';
import { Student } from '../augment/student.js';
import { studentScorer } from '../augment/synthesize.js';
import type { RecContext } from '../data/types.js';
import { evaluateRankings, type Metrics, splitOf } from '../eval/index.js';
import { asRecommender } from '../models/trainable.js';
import { loadModel } from '../train/checkpoint.js';
import type { Artifact } from './artifact-store.js';
import { type DistillValue, type RetrieveValue, recipeOutput } from './augment-stages.js';
import type { PipelineContext } from './context.js';
import type { SeedRun } from './seed-task.js';
import { bestCheckpointOf, type TrainValue } from './train-stages.js';

/** What the rerank mode adds to a trained value: the fusion weight chosen on valid and the valid curve. */
export interface RerankInfo {
  base: string;
  weight: number;
  /** Mean valid selection metric over seeds at each weight tried. */
  valid: { weight: number; value: number }[];
  metric: string;
}

export type RerankValue = TrainValue & { rerank: RerankInfo };

const SPLITS = ['valid', 'test'] as const;

/**
 * The `rerank` mode: each seed of a trained model (run.rerank.base, the baseline by default) ranks the valid and test contexts, the student scores
 * every item of those top-N lists (the same student and features that made the synthetic labels), and the
 * lists are re-ordered by z(model score) + w · student score. w is chosen from run.rerank.weights by the
 * mean valid train.selectMetric over seeds (ties: the smaller w); test is evaluated at that w only.
 */
export function rerankArtifact(
  ctx: PipelineContext,
  backbone: string,
  base: Artifact<TrainValue>,
  retrieved: Artifact<RetrieveValue>,
  distilled: Artifact<DistillValue>,
  label = 'rerank',
): Promise<Artifact<RerankValue>> {
  const { config, dataset } = ctx;
  // Which mode is re-ranked is the input `base`, not a setting.
  const { base: _mode, ...settings } = config.run.rerank;
  return ctx.store.run(
    {
      stage: `rerank-${backbone}-${label}`,
      version: 1,
      settings: { rerank: settings, eval: config.eval, selectMetric: config.train.selectMetric },
      inputs: [base.key, retrieved.key, distilled.key],
    },
    async () => {
      const start = performance.now();
      const contexts: Record<(typeof SPLITS)[number], readonly RecContext[]> = {
        valid: splitOf(dataset, 'valid').contexts,
        test: splitOf(dataset, 'test').contexts,
      };
      const seeds = base.value.runs.map((r) => r.seed);
      const lists: Record<string, ScoredList[][]> = { valid: [], test: [] };
      for (const seed of seeds) {
        const model = await loadModel(bestCheckpointOf(base, seed), dataset);
        try {
          const recommender = asRecommender(model);
          for (const split of SPLITS) {
            lists[split]!.push(
              scoredTopN(
                recommender,
                contexts[split],
                dataset.catalog.items.length,
                settings.candidates,
                config.train.evalBatchSize,
              ),
            );
          }
        } finally {
          model.module.free();
        }
      }
      const student = await Student.load(distilled.value.studentDir);
      const embedder = await openDatasetEmbedder(
        config,
        dataset,
        { stage: 'rerank', role: 'embedder' },
        recipeOutput(ctx),
      );
      const studentScores: Record<string, Map<number, number>[]> = {};
      try {
        const space = await SemanticSpace.create(embedder.model, dataset.catalog, config.augment.retrieve);
        const scorer = studentScorer(student, PairFeaturizer.create(dataset, space));
        for (const split of SPLITS) {
          const perContext = contexts[split].map((_, c) =>
            lists[split]!.map((seedLists) => seedLists[c]!.items),
          );
          studentScores[split] = await studentScoresOf(scorer, contexts[split], perContext);
        }
      } finally {
        embedder.close();
        student.free();
      }
      const evalOptions = { ks: config.eval.ks, topK: config.eval.topK };
      const evaluate = (split: (typeof SPLITS)[number], seedIndex: number, weight: number) => {
        const rankings = lists[split]![seedIndex]!.map((list, c) => {
          const scores = studentScores[split]![c]!;
          return fuseList(
            list,
            Array.from(list.items, (item) => scores.get(item)!),
            weight,
          );
        });
        return evaluateRankings(contexts[split], rankings, dataset.catalog, evalOptions);
      };
      const metric = config.train.selectMetric;
      const curve = settings.weights.map((weight) => ({
        weight,
        value: seeds.reduce((s, _, i) => s + evaluate('valid', i, weight).metrics[metric]!, 0) / seeds.length,
      }));
      const best = curve.reduce((a, b) =>
        b.value > a.value || (b.value === a.value && b.weight < a.weight) ? b : a,
      );
      const seconds = (performance.now() - start) / 1000;
      const runs: SeedRun[] = base.value.runs.map((run, i) => {
        const valid = evaluate('valid', i, best.weight);
        const test = evaluate('test', i, best.weight);
        return {
          ...run,
          valid: valid.metrics as Metrics,
          test: test.metrics as Metrics,
          trainSeconds: seconds / seeds.length,
          pairRanks: [...test.filtered.ranks],
          validPairRanks: [...valid.filtered.ranks],
        };
      });
      return {
        model: backbone,
        mode: label,
        samples: base.value.samples,
        runs,
        rerank: { base: base.value.mode, weight: best.weight, valid: curve, metric },
      };
    },
    ctx.log,
  );
}
