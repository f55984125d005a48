import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CandidateRecord } from '../../src/augment/artifacts.js';
import { samplePairs } from '../../src/augment/sampler.js';
import { samplerConfig } from './sampler-config.js';

const records: CandidateRecord[] = Array.from({ length: 30 }, (_, c) => ({
  dialog_id: `d${c}`,
  turn_id: 1,
  candidates: Array.from({ length: 50 }, (_, r) => ({
    item: `item${(c * 7 + r) % 90}`,
    rank: r + 1,
    sim: 1 - r / 100,
  })),
}));

test('all keeps every pair; random is seeded and takes n per context', async () => {
  assert.equal((await samplePairs(records, { config: samplerConfig({}), seed: 1 })).length, 30 * 50);
  const config = samplerConfig({ strategy: 'random', pairsPerContext: 6 });
  const a = await samplePairs(records, { config, seed: 1 });
  const b = await samplePairs(records, { config, seed: 1 });
  const c = await samplePairs(records, { config, seed: 2 });
  assert.equal(a.length, 30 * 6);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('stratified takes an even share of each rank stratum', async () => {
  const config = samplerConfig({ strategy: 'stratified', pairsPerContext: 8, strata: [5, 10, 20, 50] });
  const pairs = await samplePairs(records, { config, seed: 3 });
  assert.equal(pairs.length, 30 * 8);
  for (let c = 0; c < 30; c++) {
    const ranks = pairs.filter((p) => p.dialogId === `d${c}`).map((p) => p.rank!);
    const perStratum = [5, 10, 20, 50].map(
      (upper, s, all) => ranks.filter((r) => r <= upper && r > (all[s - 1] ?? 0)).length,
    );
    assert.deepEqual(perStratum, [2, 2, 2, 2]);
  }
});

test('maxContexts keeps a seeded subset of contexts', async () => {
  const config = samplerConfig({ strategy: 'all', maxContexts: 4 });
  const pairs = await samplePairs(records, { config, seed: 5 });
  assert.equal(new Set(pairs.map((p) => p.dialogId)).size, 4);
});

test('uncertainty picks the pairs the student scores closest to the threshold', async () => {
  const config = samplerConfig({ strategy: 'uncertainty', pairsPerContext: 3, threshold: 3.5 });
  // Student score falls with rank: 4 at rank 1 … about 0 at rank 50; closest to 3.5 are ranks 7, 6 and 8.
  const student = (pairs: readonly { rank?: number }[]) =>
    pairs.map((p) => 4 - ((p.rank! - 1) * 4) / 49 + 0.001);
  const pairs = await samplePairs(records.slice(0, 1), { config, seed: 1, student });
  assert.deepEqual(
    pairs.map((p) => p.rank),
    [6, 7, 8],
  );
  await assert.rejects(samplePairs(records, { config, seed: 1 }), /student/);
});
