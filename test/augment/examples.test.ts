import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CandidateRecord } from '../../src/augment/artifacts.js';
import { buildExamples } from '../../src/augment/examples.js';
import type { PairScorer } from '../../src/augment/synthesize.js';
import { loadInspired } from '../train/helpers.js';

test('report examples include contexts that received synthetic labels, and keep unrounded scores', async () => {
  const dataset = await loadInspired();
  const contexts = dataset.splits.train!.contexts.filter(
    (c) => c.gold.length > 0 && c.utterances.some((u) => u.trim() !== ''),
  );
  const pool = contexts.slice(0, 24);
  const items = dataset.catalog.items;
  const candidates: CandidateRecord[] = pool.map((c, n) => ({
    dialog_id: c.dialogId,
    turn_id: c.turnId,
    candidates: Array.from({ length: 5 }, (_, i) => ({ item: items[n * 5 + i]!.name, rank: i + 1, sim: 1 })),
  }));
  // Only every sixth context has a candidate over the threshold; one other sits just under it.
  const labelled = new Set(pool.filter((_, n) => n % 6 === 5).map((c) => c.dialogId + c.turnId));
  const scorer: PairScorer = {
    description: 'test scorer',
    score: async (requests) =>
      Float32Array.from(
        requests.flatMap((r) =>
          r.items.map((_, i) =>
            labelled.has(r.context.dialogId + r.context.turnId) && i === 0 ? 3.9 : 3.4951,
          ),
        ),
      ),
  };
  const examples = await buildExamples({
    dataset,
    contexts,
    candidates,
    scorer,
    threshold: 3.5,
    count: 6,
    seed: 42,
    teacherScores: new Map(),
  });
  assert.equal(examples.length, 6);
  const withLabels = examples.filter((e) => e.candidates.some((c) => c.kept));
  assert.equal(withLabels.length, 3, 'half of the examples show contexts that received labels');
  const underThreshold = examples[0]!.candidates.find((c) => !c.kept)!;
  assert.ok(
    underThreshold.studentScore < 3.5 && underThreshold.studentScore > 3.495,
    `${underThreshold.studentScore}`,
  );
});
