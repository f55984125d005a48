import { basename, relative, sep } from 'node:path';
import type { Config } from '../config/schema.js';
import { aggregateRuns, summarize } from '../eval/aggregate.js';
import { PRIMARY_METRIC, REPORT_METRICS } from '../eval/metric-table.js';
import { type UsageRow, usageTotals } from '../providers/middleware/usage.js';
import type { ReportInputJson } from '../report/index.js';
import { resultRow } from '../report/index.js';
import type { JudgedResults, SimulationResults, StageCost } from '../report/schema.js';
import { comparedSuccessK, type RunJudged, type RunSimulation } from './beyond-labels.js';
import type { PipelineOutcome } from './run.js';

type ExperimentJson = NonNullable<ReportInputJson['experiments']>[number];

/** Everything the report shows about a finished pipeline run, as the report's input contract. */
export function reportInputOf(
  outcome: PipelineOutcome,
  config: Config,
  meta: { name: string; version: string; command: string },
): ReportInputJson {
  const { retrieved, teacher, distilled, synthesized } = outcome;
  const rows = [
    ...Object.entries(outcome.floors).map(([name, seeds]) =>
      resultRow(name, 'popularity', seeds, { label: name }),
    ),
    ...Object.entries(outcome.trained).flatMap(([backbone, modes]) =>
      Object.entries(modes).map(([mode, artifact]) =>
        resultRow(
          backbone,
          mode,
          artifact.value.runs.map((r) => ({ seed: r.seed, metrics: r.test })),
        ),
      ),
    ),
  ];
  const offlineNotes = [retrieved.value.provider, teacher.value.provider]
    .filter((p) => p.offline)
    .map((p) => `${p.role}: ${p.description}`);
  return {
    schemaVersion: 1,
    run: {
      name: meta.name,
      dataset: outcome.results.dataset,
      createdAt: new Date().toISOString(),
      crsaugVersion: meta.version,
      wallSeconds: outcome.wallSeconds,
      config,
      command: meta.command,
      providers: [
        retrieved.value.provider,
        teacher.value.provider,
        {
          role: 'scorer',
          id: 'crsaug:student-mlp',
          description: `student: ${distilled.value.description}`,
          offline: true,
        },
      ],
      notes: offlineNotes,
      links: [
        {
          label: 'Synthetic dataset',
          href: relative(outcome.outDir, outcome.syntheticFolder.file).split(sep).join('/'),
          description: `${synthesized.value.labels} synthetic labels on ${synthesized.value.contexts - synthesized.value.contextsWithoutLabels} train contexts (CFCRS processed JSONL, rec best first, scores aligned); \`crsaug export --run <this folder> --format cfcrs|hf|crslab\` writes it for other code`,
        },
      ],
    },
    dataset: {
      splits: Object.entries(outcome.stats).map(([name, s]) => ({
        name,
        dialogues: s!.dialogues,
        contexts: s!.contexts,
        pairs: s!.pairs,
      })),
      catalog: {
        items: Object.values(outcome.stats)[0]!.items,
        entities: Object.values(outcome.stats)[0]!.entities,
        kgTriples: Object.values(outcome.stats)[0]!.kgTriples,
      },
    },
    results: {
      split: 'test',
      primaryMetric: PRIMARY_METRIC,
      metrics: REPORT_METRICS,
      rows,
      comparisons: outcome.results.comparisons,
    },
    experiments: [
      retrievalExperiment(outcome.results.retrieval),
      synthesisExperiment(synthesized.value),
      agreementExperiment(distilled.value),
    ],
    examples: {
      threshold: synthesized.value.threshold,
      scoreRange: [0, 4],
      contexts: synthesized.value.examples,
    },
    cost: stageCosts(outcome),
    ...(outcome.results.judged ? { judged: judgedReport(outcome.results.judged) } : {}),
    simulation: outcome.results.simulation.map(simulationReport),
  };
}

/** The judged metrics as the report shows them: mean ± std over seeds at the first judged k. */
export function judgedReport(judged: RunJudged): JudgedResults {
  const k = judged.ks[0]!;
  const rows = Object.entries(judged.results).flatMap(([model, modes]) =>
    Object.entries(modes).map(([mode, seeds]) => {
      const summary = aggregateRuns(Object.values(seeds));
      const pick = (name: string) => ({
        mean: summary[`judged.${name}@${k}`]!.mean,
        std: summary[`judged.${name}@${k}`]!.std,
      });
      return {
        model,
        mode,
        seeds: Object.keys(seeds).length,
        ndcg: pick('ndcg'),
        precision: pick('precision'),
        coverage: pick('coverage'),
        condensedNdcg: pick('condensed.ndcg'),
        condensedPrecision: pick('condensed.precision'),
      };
    }),
  );
  return {
    k,
    description: `Judged on the ${judged.contexts} of ${judged.evaluatedContexts} evaluated ${judged.split} contexts that have LLM relevance judgments (${judged.judgments.pairs} judged pairs: ${judged.judgments.files.map((f) => basename(f)).join(', ')}). Graded nDCG with gain 2^score − 1; precision: share of the top ${k} judged ≥ ${judged.relevantScore}. An unjudged item counts as not relevant, so each figure shows the coverage of the same top ${k} (share judged) under it; condensed figures remove unjudged items before the cut. A gold item nobody judged counts as ${judged.unjudgedGoldScore}. Mean ± std over seeds.`,
    rows,
  };
}

/** One simulator's success by turn as the report charts it: mean ± std over seeds per k and turn. */
export function simulationReport(sim: RunSimulation): SimulationResults {
  const rows = Object.entries(sim.results).flatMap(([model, modes]) =>
    Object.entries(modes).map(([mode, result]) => {
      const seeds = Object.values(result.seeds);
      return {
        model,
        mode,
        seeds: seeds.length,
        successByTurn: Object.fromEntries(
          sim.ks.map((k) => [
            String(k),
            Array.from({ length: sim.turns }, (_, t) => {
              const s = summarize(seeds.map((seed) => seed.successByTurn[k]![t]!));
              return { mean: s.mean, std: s.std };
            }),
          ]),
        ),
      };
    }),
  );
  return {
    simulator: sim.simulator,
    description: `${sim.description}; up to ${sim.turns} turns on ${sim.sample}.`,
    turns: sim.turns,
    k: comparedSuccessK(sim.ks),
    rows,
    excluded: sim.excluded,
  };
}

function retrievalExperiment(r: PipelineOutcome['results']['retrieval']): ExperimentJson {
  return {
    id: 'retrieval',
    title: `Gold items among the top ${r.topK} candidates`,
    description: `Share of each split's (context, gold) pairs whose gold item the retriever (${r.model}) puts among a context's top ${r.topK}. A retriever fitted on train dialogues can learn which titles co-occur in them, i.e. the train labels; similar shares on train, valid and test show it did not.`,
    table: {
      columns: [
        { label: 'split', format: 'text' },
        { label: `gold in top ${r.topK}`, format: 'percent' },
      ],
      rows: Object.entries(r.goldInTopK).map(([split, share]) => [split, share!]),
    },
  };
}

function synthesisExperiment(s: PipelineOutcome['synthesized']['value']): ExperimentJson {
  return {
    id: 'synthetic-labels',
    title: 'Synthetic labels per context',
    description: `${s.labels} labels over ${s.contexts} contexts at threshold ${s.threshold} (scorer: ${s.scorer}); gold items among candidates ${s.gold.inCandidates} of ${s.gold.pairs}, kept ${s.gold.kept}; long-tail shares head ${(100 * s.longTail.shares.head).toFixed(1)}% / torso ${(100 * s.longTail.shares.torso).toFixed(1)}% / tail ${(100 * s.longTail.shares.tail).toFixed(1)}%.`,
    chart: {
      kind: 'bar',
      xLabel: 'labels per context',
      yLabel: 'contexts',
      categories: s.labelsPerContext.histogram.map((h) => h.bucket),
      series: [{ name: 'contexts', values: s.labelsPerContext.histogram.map((h) => ({ y: h.contexts })) }],
    },
  };
}

function agreementExperiment(d: PipelineOutcome['distilled']['value']): ExperimentJson {
  return {
    id: 'student-agreement',
    title: 'Student vs teacher on held-out judgments',
    description:
      'Agreement of the distilled student with the teacher on held-out contexts (split by context), beside two floors: the train mean and the raw embedding similarity.',
    table: {
      columns: [
        { label: 'scope', format: 'text' },
        { label: 'scorer', format: 'text' },
        { label: 'pairs', format: 'integer' },
        { label: 'MAE', format: 'number' },
        { label: 'Spearman', format: 'number' },
      ],
      rows: d.rows.map((r) => [
        r.scope,
        r.scorer,
        r.agreement.pairs,
        finiteOrNull(r.agreement.mae),
        finiteOrNull(r.agreement.spearman),
      ]),
    },
  };
}

/** NaN marks a statistic that does not apply (e.g. the correlation of a constant predictor). */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

const sumSeconds = (artifacts: readonly { seconds: number }[]) =>
  artifacts.reduce((n, a) => n + a.seconds, 0);

function stageCosts(outcome: PipelineOutcome): StageCost[] {
  const { beyond } = outcome;
  const usageCost = (stage: string, seconds: number, usage: UsageRow[]): StageCost => ({
    stage,
    ...usageTotals(usage),
    wallSeconds: seconds,
  });
  const plain = (stage: string, seconds: number): StageCost => ({
    stage,
    llmCalls: 0,
    tokens: 0,
    costUsd: 0,
    wallSeconds: seconds,
  });
  return [
    usageCost('retrieve', outcome.retrieved.seconds, outcome.retrieved.value.usage),
    usageCost('teacher', outcome.teacher.seconds, outcome.teacher.value.usage),
    plain('distill', outcome.distilled.seconds),
    plain('synthesize', outcome.synthesized.seconds),
    ...Object.entries(outcome.trained).flatMap(([backbone, modes]) =>
      Object.entries(modes).map(([mode, a]) => plain(`train ${backbone} ${mode}`, a.seconds)),
    ),
    ...(beyond.judge ? [usageCost('judge', beyond.judge.seconds, beyond.judge.value.usage)] : []),
    ...(beyond.judged ? [plain('judged metrics', sumSeconds(beyond.judged.artifacts))] : []),
    ...beyond.simulations.map(({ run, artifacts }) =>
      usageCost(
        `simulate (${run.simulator})`,
        sumSeconds(artifacts),
        artifacts.flatMap((a) => a.value.usage ?? []),
      ),
    ),
  ];
}
