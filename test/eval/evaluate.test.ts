import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RecContext } from '../../src/data/types.js';
import {
  evaluatePredictionsFile,
  evaluateRecommender,
  evaluateSeeds,
  rankContexts,
  splitOf,
  writeEvalOutputs,
  writePredictions,
} from '../../src/eval/index.js';
import type { RecommenderSpec } from '../../src/models/registry.js';
import type { Recommender } from '../../src/models/types.js';
import { stderrOfSync } from '../stderr.js';
import { e, tinyContext, tinyDataset } from './tiny-dataset.js';

const ITEMS = 6;
const contexts = [
  tinyContext('a', 1, [e(0)], [e(1)]),
  tinyContext('b', 1, [], [e(4)]),
  tinyContext('c', 2, [], [e(5), e(0)]),
  tinyContext('d', 1, [e(2)], [e(3)]),
  tinyContext('e', 3, [], [e(2)]),
];
const dataset = tinyDataset(ITEMS, { test: contexts });

/** Scores item i of context c as (i + c) mod ITEMS, so each context ranks differently; records each batch. */
function rotating(batches: number[] = [], name = 'rotating'): Recommender {
  return {
    name,
    score(batch: readonly RecContext[]) {
      batches.push(batch.length);
      const scores = new Float32Array(batch.length * ITEMS);
      batch.forEach((context, row) => {
        const c = contexts.indexOf(context);
        for (let i = 0; i < ITEMS; i++) scores[row * ITEMS + i] = (i + c) % ITEMS;
      });
      return scores;
    },
  };
}

/** The rotating ranking of context c, best first. */
const expectedList = (c: number) =>
  Array.from({ length: ITEMS }, (_, i) => i).sort((x, y) => ((y + c) % ITEMS) - ((x + c) % ITEMS));

test('rankContexts scores in batches of batchSize and keeps each context’s top K, best first', () => {
  const batches: number[] = [];
  const rankings = rankContexts(rotating(batches), contexts, ITEMS, { topK: 3, batchSize: 2, silent: true });
  assert.deepEqual(batches, [2, 2, 1]);
  assert.deepEqual(
    rankings.map((r) => [...r]),
    contexts.map((_, c) => expectedList(c).slice(0, 3)),
  );
  const whole: number[] = [];
  rankContexts(rotating(whole), contexts, ITEMS, { topK: 3, silent: true });
  assert.deepEqual(whole, [5], 'the default batch (256) holds all five contexts');
  const exact: number[] = [];
  rankContexts(rotating(exact), contexts, ITEMS, { topK: 3, batchSize: 5, silent: true });
  assert.deepEqual(exact, [5], 'no empty batch after the last full one');
});

test('rankContexts reports progress on stderr unless silent', () => {
  const loud = stderrOfSync(() => rankContexts(rotating(), contexts, ITEMS, { topK: 2, batchSize: 2 }));
  assert.match(loud, /ranking \(rotating\): 5\/5 contexts in /);
  assert.equal(
    stderrOfSync(() => rankContexts(rotating(), contexts, ITEMS, { topK: 2, batchSize: 2, silent: true })),
    '',
  );
});

test('evaluateRecommender ranks with topK and batchSize, then applies the reference protocol', () => {
  const batches: number[] = [];
  const run = evaluateRecommender(rotating(batches), contexts, dataset.catalog, {
    ks: [1, 3],
    topK: 3,
    batchSize: 4,
    silent: true,
  });
  assert.equal(run.name, 'rotating');
  assert.deepEqual(batches, [4, 1]);
  assert.deepEqual(
    run.rankings.map((r) => r.length),
    [3, 3, 3, 3, 3],
  );
  // Filtered pairs: a→1, b→4, c→5, c→0, d→3, e→2 (six pairs).
  const ranks = contexts.map((_, c) => expectedList(c).slice(0, 3));
  assert.equal(run.result.metrics.pairs, 6);
  assert.deepEqual(
    Object.keys(run.result.metrics).filter((k) => k.startsWith('recall@')),
    ['recall@1', 'recall@3'],
  );
  const mentioned = contexts.map((ctx) => new Set(ctx.entities.map((x) => x - 10)));
  const hits = contexts.flatMap((ctx, c) =>
    ctx.gold.map((g) => ranks[c]!.filter((i) => !mentioned[c]!.has(i)).indexOf(g)),
  );
  const recallAt = (k: number) => hits.filter((r) => r >= 0 && r < k).length / hits.length;
  assert.equal(run.result.metrics['recall@1'], recallAt(1));
  assert.equal(run.result.metrics['recall@3'], recallAt(3));
  assert.ok(recallAt(3) > 0, 'the fixture has hits');
});

test('evaluateRecommender defaults to the reference options: top 100, k = 1, 5, 10, 25, 50', () => {
  const run = evaluateRecommender(rotating(), contexts, dataset.catalog);
  assert.deepEqual(
    Object.keys(run.result.metrics).filter((k) => k.startsWith('recall@')),
    ['recall@1', 'recall@5', 'recall@10', 'recall@25', 'recall@50'],
  );
  assert.deepEqual(
    run.rankings.map((r) => r.length),
    [ITEMS, ITEMS, ITEMS, ITEMS, ITEMS],
  );
});

test('evaluatePredictionsFile reads a predictions file and evaluates it like the recommender that wrote it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-evaluate-'));
  const direct = evaluateRecommender(rotating(), contexts, dataset.catalog, {
    ks: [1, 3],
    topK: 4,
    silent: true,
  });
  const file = join(dir, 'predictions.jsonl');
  await writePredictions(file, contexts, direct.rankings, dataset.catalog);
  const fromFile = await evaluatePredictionsFile(file, contexts, dataset.catalog, { ks: [1, 3], topK: 4 });
  assert.equal(fromFile.name, file);
  assert.equal(fromFile.report.matchedContexts, contexts.length);
  assert.deepEqual(fromFile.rankings, direct.rankings);
  assert.deepEqual(fromFile.result.metrics, direct.result.metrics);
  const defaults = await evaluatePredictionsFile(file, contexts, dataset.catalog);
  assert.ok('recall@50' in defaults.result.metrics, 'reference options by default');
  assert.equal(defaults.result.metrics['recall@50'], defaults.result.metrics['recall@5']);
});

test('evaluateSeeds runs a seeded recommender once per seed and an unseeded one once, then aggregates', async () => {
  const created: number[] = [];
  const spec = (seeded: boolean): RecommenderSpec => ({
    name: 'seeded',
    description: 'test',
    seeded,
    needsTrainingData: false,
    create: (_dataset, { seed }) => {
      created.push(seed);
      // Seed 7 puts every gold item first; other seeds rotate.
      if (seed !== 7) return rotating();
      return {
        name: 'oracle',
        score: (batch) => {
          const scores = new Float32Array(batch.length * ITEMS);
          batch.forEach((c, row) => {
            for (const g of c.gold) scores[row * ITEMS + g] = 10;
          });
          return scores;
        },
      };
    },
  });
  const options = { ks: [1, 10], topK: 10, silent: true };
  const many = await evaluateSeeds(spec(true), dataset, contexts, [3, 7], options);
  assert.deepEqual(created, [3, 7]);
  assert.deepEqual(
    many.runs.map((r) => r.seed),
    [3, 7],
  );
  const [first, second] = many.runs.map((r) => r.result.metrics['recall@10']!);
  assert.equal(second, 1);
  assert.equal(many.summary['recall@10']!.mean, (first! + second!) / 2);
  assert.equal(many.summary['recall@10']!.n, 2);
  created.length = 0;
  const once = await evaluateSeeds(spec(false), dataset, contexts, [7, 3]);
  assert.deepEqual(created, [7]);
  assert.equal(once.runs.length, 1);
  assert.equal(once.summary['recall@1']!.mean, once.runs[0]!.result.metrics['recall@1']);
  assert.ok('recall@50' in once.summary, 'reference options by default');
});

test('splitOf returns a loaded split and names the loaded ones when it is missing', () => {
  assert.equal(splitOf(dataset, 'test').contexts, contexts);
  assert.throws(() => splitOf(dataset, 'valid'), /dataset tiny has no valid split loaded \(loaded: test\)/);
  assert.throws(
    () => splitOf(tinyDataset(2, { train: [], test: [] }), 'valid'),
    /no valid split loaded \(loaded: train, test\)/,
  );
  assert.throws(() => splitOf(tinyDataset(2, {}), 'train'), /has no train split loaded \(loaded: none\)/);
});

test('writeEvalOutputs writes the resolved config and the metrics as JSON and returns both paths', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-outputs-'));
  const paths = await writeEvalOutputs(dir, { seed: 3 }, { 'recall@10': 0.25 });
  assert.deepEqual(paths, { config: join(dir, 'config.resolved.json'), metrics: join(dir, 'metrics.json') });
  assert.deepEqual(JSON.parse(readFileSync(paths.config, 'utf8')), { seed: 3 });
  assert.deepEqual(JSON.parse(readFileSync(paths.metrics, 'utf8')), { 'recall@10': 0.25 });
});
