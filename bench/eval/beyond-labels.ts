// Judged metrics and the attribute simulator of the popularity baseline alone, on a dataset's test split, through
// the library (no run folder needed). `crsaug run` and `crsaug eval --judged --simulate` do the same for every
// model (docs/beyond-labels.md). Not part of `npm test` or `npm run bench`.
//   npm run build && node dist/bench/eval/beyond-labels.js [inspired|redial] [k]
import { ScoreConfigSchema } from '../../src/config/augment.js';
import { loadDataset } from '../../src/data/index.js';
import { rankContexts } from '../../src/eval/evaluate.js';
import { estimatePool } from '../../src/eval/judge-pool.js';
import { judgedMetrics } from '../../src/eval/judged.js';
import { loadJudgments } from '../../src/eval/judgments.js';
import { buildPool } from '../../src/eval/pool.js';
import { evaluateRankings, REFERENCE_EVAL_OPTIONS } from '../../src/eval/protocol.js';
import { AttributeSimulator } from '../../src/eval/simulate/attribute-simulator.js';
import { simulateDialogues } from '../../src/eval/simulate/run.js';
import { createPopularity } from '../../src/models/popularity.js';

const name = process.argv[2] ?? 'inspired';
const k = Number(process.argv[3] ?? 10);
const seed = 42;
// Popularity counts train labels; the shared ReDial copy has no train split, so it counts valid labels there.
const dataset = await loadDataset(name, {
  splits: name === 'redial' ? ['valid', 'test'] : ['train', 'test'],
});
const contexts = dataset.splits.test!.contexts;
const popularity = createPopularity(dataset);
const rankings = rankContexts(popularity, contexts, dataset.catalog.items.length, {
  topK: 100,
  silent: true,
});
const single = evaluateRankings(contexts, rankings, dataset.catalog, REFERENCE_EVAL_OPTIONS).metrics;

const { judgments } = await loadJudgments(dataset, 'test');
const judged = judgedMetrics(contexts, rankings, dataset.catalog, judgments, {
  ks: [k],
  topK: 100,
  relevantScore: 3,
  unjudgedGoldScore: 3,
  contexts: 'judged',
});
const pool = buildPool(contexts, [{ name: popularity.name, rankings }], dataset.catalog, judgments, {
  depth: k,
  topK: 100,
  includeGold: true,
});
const estimate = estimatePool(pool, dataset, ScoreConfigSchema.parse({}));

const started = performance.now();
const simulation = await simulateDialogues(
  popularity,
  contexts,
  dataset.catalog,
  new AttributeSimulator(dataset, { seed }),
  { turns: 5, ks: [1, 10, 50], topK: 100, concurrency: 8, silent: true },
);
const seconds = (performance.now() - started) / 1000;

const round = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 10000);
const { transcripts: _omitted, ...summary } = simulation;
console.log(
  JSON.stringify(
    {
      dataset: name,
      recommender: popularity.name,
      singleLabel: { [`recall@${k}`]: round(single[`recall@${k}`]!), pairs: single.pairs },
      judgments: {
        files: judgments.files.map((f) => f.file),
        contexts: judgments.contexts,
        pairs: judgments.pairs,
      },
      judged: Object.fromEntries(Object.entries(judged.metrics).map(([key, v]) => [key, round(v)])),
      pool: {
        contexts: pool.contexts.length,
        pairs: pool.pairs,
        unjudgedPairs: pool.unjudgedPairs,
        estimate,
      },
      simulation: {
        ...summary,
        successByTurn: Object.fromEntries(
          Object.entries(summary.successByTurn).map(([key, v]) => [key, v.map((x) => round(x))]),
        ),
        seconds: round(seconds),
      },
    },
    null,
    2,
  ),
);
