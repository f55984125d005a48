import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunJudged } from '../../src/pipeline/beyond-labels.js';
import type { ModeComparison } from '../../src/pipeline/significance.js';
import { formatJudgedTable } from '../../src/pipeline/summary-table.js';

const metrics = (ndcg: number, precision: number, coverage: number, condensed: number) => ({
  'judged.ndcg@10': ndcg,
  'judged.precision@10': precision,
  'judged.coverage@10': coverage,
  'judged.condensed.ndcg@10': condensed,
});

const judged: RunJudged = {
  split: 'test',
  ks: [10],
  relevantScore: 3,
  unjudgedGoldScore: 3,
  judgments: { files: ['/data/judgments/inspired_test.jsonl'], contexts: 120, pairs: 4039 },
  contexts: 120,
  evaluatedContexts: 144,
  results: {
    popularity: { baseline: { '42': metrics(0.2177, 0.0842, 1, 0.2177) } },
    kbrd: {
      baseline: { '42': metrics(0.3, 0.1, 0.8, 0.35), '43': metrics(0.32, 0.12, 0.9, 0.37) },
      stage2: { '42': metrics(0.2, 0.1, 0.4, 0.44), '43': metrics(0.22, 0.14, 0.5, 0.46) },
    },
  },
};

const comparison = (
  metric: string,
  diff: number,
  ci95: [number, number],
  pAdjusted: number,
): ModeComparison => ({
  model: 'kbrd',
  mode: 'stage2',
  against: 'baseline',
  metric,
  diff,
  ci95,
  p: pAdjusted / 2,
  pAdjusted,
  method: 'test',
  mean: { mode: 0, against: 0 },
  seeds: { mode: 2, against: 2 },
  se: 0,
  df: 1,
  pairs: 161,
  dialogues: 92,
});

test('judged table: coverage beside every judged figure, mean ± std over seeds, Δ with interval and adjusted p', () => {
  const text = formatJudgedTable({
    judged,
    comparisons: [
      comparison('judged.ndcg@10', -0.1, [-0.15, -0.05], 0.0004),
      comparison('judged.precision@10', 0.01, [-0.02, 0.04], 0.5),
      comparison('judged.condensed.ndcg@10', 0.09, [0.05, 0.13], 0.012),
    ],
  });
  const [caption, header, rule, ...rows] = text.split('\n');
  assert.match(
    caption!,
    /^judged on 120 of 144 evaluated test contexts \(4039 judged pairs in inspired_test\.jsonl\)/,
  );
  assert.deepEqual(
    header!
      .split('|')
      .map((c) => c.trim())
      .filter(Boolean),
    [
      'model',
      'mode',
      'seeds',
      'nDCG@10 %',
      'P@10 %',
      'coverage@10 %',
      'cond. nDCG@10 %',
      'ΔnDCG@10 [95 % CI]',
      'p',
      'ΔP@10 [95 % CI]',
      'p',
      'Δcond. nDCG@10 [95 % CI]',
      'p',
    ],
  );
  assert.match(rule!, /^\| :-+ \| :-+ \| -+: \|/);
  const cells = rows.map((r) =>
    r
      .split('|')
      .map((c) => c.trim())
      .slice(1, -1),
  );
  assert.deepEqual(cells[0], [
    'popularity',
    'baseline',
    '1',
    '21.77',
    '8.42',
    '100.00',
    '21.77',
    '',
    '',
    '',
    '',
    '',
    '',
  ]);
  assert.deepEqual(cells[1]!.slice(0, 7), [
    'kbrd',
    'baseline',
    '2',
    '31.00 ± 1.41',
    '11.00 ± 1.41',
    '85.00 ± 7.07',
    '36.00 ± 1.41',
  ]);
  assert.deepEqual(cells[2], [
    'kbrd',
    'stage2',
    '2',
    '21.00 ± 1.41',
    '12.00 ± 2.83',
    '45.00 ± 7.07',
    '45.00 ± 1.41',
    '-10.00 [-15.00, -5.00]',
    '< 0.001',
    '+1.00 [-2.00, +4.00]',
    '0.500',
    '+9.00 [+5.00, +13.00]',
    '0.012',
  ]);
  assert.equal(formatJudgedTable({ comparisons: [] }), '', 'no judged section, no table');
});
