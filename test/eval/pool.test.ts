import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { readScores } from '../../src/augment/artifacts.js';
import { ScoreRequests } from '../../src/augment/score-request.js';
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import { pairsOf } from '../../src/data/pairs.js';
import type { Dataset } from '../../src/data/types.js';
import {
  estimateJudging,
  estimatePool,
  judgePool,
  judgmentLines,
  poolProposers,
} from '../../src/eval/judge-pool.js';
import { judgedMetrics } from '../../src/eval/judged.js';
import { Judgments, loadJudgments } from '../../src/eval/judgments.js';
import { buildPool, poolContexts, unjudgedScorePairs } from '../../src/eval/pool.js';
import { createChatModel } from '../../src/providers/factory.js';
import { estimateTokens } from '../../src/providers/middleware/limits.js';
import { writeJsonl } from '../../src/util/jsonl.js';
import { mockScoringBed, testScoreConfig } from '../augment/score-fixture.js';
import { chatAnswer } from '../providers/mock-openai-server.js';
import { e, tinyCatalog, tinyContext } from './tiny-dataset.js';

test('the pool is the union of the systems’ filtered top depth plus gold; judged pairs drop out', () => {
  const catalog = tinyCatalog(8);
  const contexts = [
    tinyContext('A', 1, [e(0)], [e(5)]),
    tinyContext('B', 1, [], [e(1)]),
    tinyContext('C', 1, [e(2)], [e(2)]), // no gold pair: not pooled
  ];
  const first = {
    name: 'first',
    rankings: [Int32Array.of(0, 1, 2, 3), Int32Array.of(4, 5, 6), Int32Array.of(1)],
  };
  const second = {
    name: 'second',
    rankings: [Int32Array.of(3, 4, 0, 6), Int32Array.of(5, 1, 0), Int32Array.of(1)],
  };
  const judgments = new Judgments('tiny', 'test');
  judgments.add('A', 1, 3, 2);
  const pool = buildPool(contexts, [first, second], catalog, judgments, {
    depth: 2,
    topK: 100,
    includeGold: true,
  });
  assert.deepEqual(pool.systems, ['first', 'second']);
  assert.deepEqual(
    pool.contexts.map((c) => c.context.dialogId),
    ['A', 'B'],
  );
  // A: first's filtered list 1, 2 (0 is mentioned), second's 3, 4; gold 5.
  const [a, b] = pool.contexts;
  assert.deepEqual(a!.items, [1, 2, 3, 4, 5]);
  assert.deepEqual(a!.unjudged, [1, 2, 4, 5]);
  assert.deepEqual(b!.items, [4, 5, 1]);
  assert.deepEqual(b!.proposedBy.get(5), ['first', 'second']);
  assert.deepEqual(b!.proposedBy.get(1), ['second', 'gold']);
  assert.deepEqual([pool.pairs, pool.unjudgedPairs], [8, 7]);
  assert.deepEqual(unjudgedScorePairs(pool, catalog).slice(0, 2), [
    { dialogId: 'A', turnId: 1, item: 'Movie 1' },
    { dialogId: 'A', turnId: 1, item: 'Movie 2' },
  ]);
  const noGold = buildPool(contexts, [first], catalog, undefined, {
    depth: 1,
    topK: 100,
    includeGold: false,
    contextIndices: [1],
  });
  assert.deepEqual(
    noGold.contexts.map((c) => c.items),
    [[4]],
  );
  assert.throws(
    () => buildPool(contexts, [{ name: 'short', rankings: [] }], catalog),
    /short: 0 ranked lists for 3/,
  );
});

const bed = mockScoringBed('crsaug-judge-pool-');
let dataset: Dataset;
let dir: string;
before(async () => {
  ({ dataset, dir } = await bed.open());
});

/** Two fixed systems over the INSPIRED test contexts: items 0, 1, 2, … and 40, 41, 42, … */
function systems(dataset: Dataset) {
  const contexts = dataset.splits.test!.contexts;
  const from = (start: number) => contexts.map(() => Int32Array.from({ length: 100 }, (_, i) => start + i));
  return [
    { name: 'low', rankings: from(0) },
    { name: 'high', rankings: from(40) },
  ];
}

test('the estimate counts the scorer’s first requests as the rate limiter books them', () => {
  const contexts = dataset.splits.test!.contexts;
  const evaluated = [...new Set(pairsOf(contexts, dataset.catalog).map((p) => p.contextIndex))].slice(0, 4);
  const pool = buildPool(contexts, systems(dataset), dataset.catalog, undefined, {
    depth: 3,
    topK: 100,
    includeGold: true,
    contextIndices: evaluated,
  });
  const config = testScoreConfig();
  const estimate = estimatePool(pool, dataset, config);
  const requests = new ScoreRequests(dataset, config);
  const pairs = unjudgedScorePairs(pool, dataset.catalog);
  const prompts = pairs.map((p) => requests.request([p]));
  assert.deepEqual(estimate, {
    contexts: 4,
    pairs: pool.unjudgedPairs,
    requests: pool.unjudgedPairs,
    estimatedInputTokens: prompts.reduce((n, r) => n + estimateTokens(r) - r.maxTokens, 0),
    maxOutputTokens: pool.unjudgedPairs * config.maxTokens,
  });
  assert.ok(
    estimate.estimatedInputTokens > 100 * estimate.pairs,
    'a prompt holds the rubric, dialogue and item',
  );
  const grouped = estimateJudging(pairs, requests, testScoreConfig({ candidatesPerCall: 4 }));
  assert.equal(
    grouped.requests,
    evaluated.reduce((n, _, i) => n + Math.ceil(pool.contexts[i]!.unjudged.length / 4), 0),
  );
  assert.ok(grouped.estimatedInputTokens < estimate.estimatedInputTokens, 'one rubric and dialogue per call');
});

test('judging a pool: the teacher’s requests, a resumable scores file, and judgments that cover the pool', async () => {
  const contexts = dataset.splits.test!.contexts;
  const evaluated = [...new Set(pairsOf(contexts, dataset.catalog).map((p) => p.contextIndex))].slice(0, 3);
  const ranked = systems(dataset);
  // One pair already judged: it is not asked again.
  const known = new Judgments('inspired', 'test');
  const firstContext = contexts[evaluated[0]!]!;
  known.add(firstContext.dialogId, firstContext.turnId, 0, 4);
  const pool = buildPool(contexts, ranked, dataset.catalog, known, {
    depth: 2,
    topK: 100,
    includeGold: true,
    contextIndices: evaluated,
  });
  const config = testScoreConfig();
  const mock = await bed.startMock(() => ({ status: 200, json: chatAnswer('Score: 3') }));
  const providers = ProvidersConfigSchema.parse({
    chat: { baseUrl: mock.url, model: 'mock-judge', maxRetries: 0 },
  });
  const chat = await createChatModel(providers, { cacheDir: join(dir, 'cache'), stage: 'judge' });
  const scoresFile = join(dir, 'pool.scores.jsonl');
  try {
    const summary = await judgePool({ model: chat.model, dataset, pool, config, scoresFile, silent: true });
    assert.deepEqual(
      [summary.pairs, summary.scored, summary.valid],
      [pool.unjudgedPairs, pool.unjudgedPairs, pool.unjudgedPairs],
    );
    // Exactly the teacher scorer's requests for those pairs (in any order: calls run concurrently).
    const teacher = new ScoreRequests(dataset, config);
    const sorted = (messages: unknown[]) => messages.map((m) => JSON.stringify(m)).sort();
    assert.deepEqual(
      sorted(mock.requests.map((r) => r.body.messages)),
      sorted(unjudgedScorePairs(pool, dataset.catalog).map((p) => teacher.request([p]).messages)),
    );
    // A rerun asks nothing: every pair is in the scores file.
    const again = await judgePool({ model: chat.model, dataset, pool, config, scoresFile, silent: true });
    assert.deepEqual([again.skipped, again.scored], [pool.unjudgedPairs, 0]);
    assert.equal(mock.requests.length, pool.unjudgedPairs);
  } finally {
    chat.close();
  }
  // The answers become a judgments file in the teacher format, which the loader reads back.
  const lines = judgmentLines(
    (await readScores(scoresFile)).values(),
    poolProposers(pool, dataset.catalog),
    'inspired',
    'test',
  );
  assert.equal(lines.length, pool.unjudgedPairs);
  const gold = lines.find((l) => l.retrieval?.includes('gold'));
  assert.ok(gold, 'the gold items were pooled');
  assert.deepEqual(Object.keys(lines[0]!).sort(), [
    'dataset',
    'dialog_id',
    'item',
    'purpose',
    'retrieval',
    'score',
    'split',
    'turn_id',
  ]);
  const file = join(dir, 'inspired_test.jsonl');
  await writeJsonl(file, lines);
  const { judgments } = await loadJudgments(dataset, 'test', { files: [file], defaults: false });
  judgments.add(firstContext.dialogId, firstContext.turnId, 0, 4);
  // Both pooled systems are now fully judged at the pool depth.
  for (const system of ranked) {
    const { metrics } = judgedMetrics(contexts, system.rankings, dataset.catalog, judgments, {
      ks: [2],
      topK: 100,
      relevantScore: 3,
      unjudgedGoldScore: 3,
      contexts: 'judged',
    });
    assert.equal(metrics['judged.contexts'], 3);
    assert.equal(metrics['judged.coverage@2'], 1, system.name);
  }
});

test('a pool of at most n contexts takes the judged ones first, then a seeded sample; 0 takes all', () => {
  const catalog = tinyCatalog(8);
  const contexts = Array.from({ length: 12 }, (_, i) =>
    // Every third context has no gold pair (its gold is already mentioned): never pooled.
    i % 3 === 2 ? tinyContext(`D${i}`, 1, [e(1)], [e(1)]) : tinyContext(`D${i}`, 1, [], [e(i % 8)]),
  );
  const evaluated = contexts.flatMap((_, i) => (i % 3 === 2 ? [] : [i]));
  const judgments = new Judgments('tiny', 'test');
  for (const i of [4, 9]) judgments.add(contexts[i]!.dialogId, 1, 0, 3);
  assert.deepEqual(poolContexts(contexts, catalog, judgments, 0, 1), evaluated);
  assert.deepEqual(poolContexts(contexts, catalog, judgments, 8, 1), evaluated);
  const five = poolContexts(contexts, catalog, judgments, 5, 1);
  assert.equal(five.length, 5);
  assert.ok(five.includes(4) && five.includes(9), 'judged contexts first');
  assert.ok(five.every((i) => evaluated.includes(i)));
  assert.deepEqual(
    five,
    [...five].sort((a, b) => a - b),
    'in context order',
  );
  assert.deepEqual(poolContexts(contexts, catalog, judgments, 5, 1), five, 'seeded');
  assert.deepEqual(poolContexts(contexts, catalog, judgments, 1, 1).length, 1);
});
